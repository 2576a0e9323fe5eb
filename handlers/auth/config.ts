/** The auth function's configuration, parsed once at cold start. */
import { type Env, logLevel, type LogLevel, optionalString, requiredString, setting } from '../core/env';
import { SETTINGS } from '../../contract/settings';
import type { ThrottlePolicy } from '../core/login-throttle';
import { jwtSecretSource, type JwtSecretSource } from '../adapters/jwt-secret';
import { DEFAULT_ISSUER } from '../authorizer/config';

export interface AuthConfig {
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
    logLevel: logLevel(env),
  };
}
