/** The auth function's configuration, parsed once at cold start. */
import { type Env, flag, logLevel, type LogLevel, optionalString, requiredString, setting } from '../core/env';
import type { ThrottlePolicy } from '../core/login-throttle';
import { jwtSecretSource, type JwtSecretSource } from '../adapters/jwt-secret';
import { DEFAULT_ISSUER } from '../authorizer/config';
import { OIDC_SETTINGS, SETTINGS } from '../../contract/settings';
import { parseRoleMapping } from '../core/oidc';
import type { OidcClientSettings } from '../adapters/oidc-client';
import type { ProviderPolicy } from './provider-sign-in';

interface AuthConfig {
  readonly tableName: string;
  readonly secret: JwtSecretSource;
  /** @default "media-store" */
  readonly issuer: string;
  /** Access token lifetime. @default 300 */
  readonly tokenTtlSeconds: number;
  /** Refresh token lifetime, renewed at each refresh (sliding). @default 2592000 (30 days) */
  readonly refreshTokenTtlSeconds: number;
  /** @default 5 failures, then 900 s locked */
  readonly throttle: ThrottlePolicy;
  /** Most users the users API lets exist. @default 10 */
  readonly maxUsers: number;
  /** Password login and setting passwords (`local_login_enabled`). @default true */
  readonly localLoginEnabled: boolean;
  /** Sign-in through the identity provider: set when its issuer and client id are. */
  readonly provider?: { readonly client: OidcClientSettings; readonly policy: ProviderPolicy };
  readonly logLevel: LogLevel;
}

/** How long the auth function signs with the AWSCURRENT key it read before reading it again. */
export const SIGNING_KEY_MAX_AGE_SECONDS = 10;


export function parseAuthConfig(env: Env): AuthConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    secret: jwtSecretSource(env),
    issuer: optionalString(env, 'JWT_ISSUER', DEFAULT_ISSUER),
    tokenTtlSeconds: setting(env, SETTINGS.tokenTtlSeconds),
    refreshTokenTtlSeconds: setting(env, SETTINGS.refreshTokenTtlSeconds),
    throttle: {
      maxFailures: setting(env, SETTINGS.loginMaxFailures),
      lockoutSeconds: setting(env, SETTINGS.loginLockoutSeconds),
    },
    maxUsers: setting(env, SETTINGS.maxUsers),
    localLoginEnabled: flag(env, SETTINGS.localLoginEnabled),
    ...providerSignIn(env),
    logLevel: logLevel(env),
  };
}

function providerSignIn(env: Env): Pick<AuthConfig, 'provider'> {
  const issuer = optionalString(env, OIDC_SETTINGS.issuerUrl.env, '');
  const clientId = optionalString(env, OIDC_SETTINGS.clientId.env, '');
  if (issuer === '' || clientId === '') return {};
  const scopes = (optionalString(env, OIDC_SETTINGS.scopes.env) ?? OIDC_SETTINGS.scopes.default.join(' ')).split(/[\s,]+/).filter((s) => s !== '');
  return {
    provider: {
      client: { issuer, clientId, clientSecretArn: optionalString(env, OIDC_SETTINGS.clientSecretArn.env, ''), scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes] },
      policy: {
        issuer,
        roles: { roleClaim: optionalString(env, OIDC_SETTINGS.roleClaim.env, OIDC_SETTINGS.roleClaim.default), mapping: parseRoleMapping(env[OIDC_SETTINGS.roleMapping.env], OIDC_SETTINGS.roleMapping.env) },
        foldersClaim: optionalString(env, OIDC_SETTINGS.foldersClaim.env, ''),
      },
    },
  };
}
