/** The authorizer's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, type Env, type LogLevel } from '../core/env';
import { jwtSecretSource, type JwtSecretSource } from '../adapters/jwt-secret';
import { OIDC_SETTINGS } from '../../contract/settings';
import { parseRoleMapping } from '../core/oidc';
import type { ProviderTokenPolicy } from './provider-tokens';

interface AuthorizerConfig {
  readonly secret: JwtSecretSource;
  /** Where the users' session versions and the session families are read. */
  readonly tableName: string;
  /** Required `iss`. @default "media-store" */
  readonly issuer: string;
  /** Machine clients' access tokens from the identity provider: set when both its issuer and `OIDC_AUDIENCE` are. */
  readonly provider?: ProviderTokenPolicy;
  readonly logLevel: LogLevel;
}

export const DEFAULT_ISSUER = 'media-store';

export function parseAuthorizerConfig(env: Env): AuthorizerConfig {
  return {
    secret: jwtSecretSource(env),
    tableName: requiredString(env, 'TABLE_NAME'),
    issuer: optionalString(env, 'JWT_ISSUER', DEFAULT_ISSUER),
    ...providerPolicy(env),
    logLevel: logLevel(env),
  };
}

function providerPolicy(env: Env): { provider?: ProviderTokenPolicy } {
  const issuer = optionalString(env, OIDC_SETTINGS.issuerUrl.env, '');
  const audience = optionalString(env, OIDC_SETTINGS.audience.env, '');
  if (issuer === '' || audience === '') return {};
  return {
    provider: {
      issuer,
      audience,
      roles: { roleClaim: optionalString(env, OIDC_SETTINGS.roleClaim.env, OIDC_SETTINGS.roleClaim.default), mapping: parseRoleMapping(env[OIDC_SETTINGS.roleMapping.env], OIDC_SETTINGS.roleMapping.env) },
      foldersClaim: optionalString(env, OIDC_SETTINGS.foldersClaim.env, ''),
    },
  };
}
