/** The auth function's configuration, parsed once at cold start. */
import { type Env, integer, logLevel, type LogLevel, optionalString, requiredString, setting } from '../core/env';
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

export const DEFAULT_TOKEN_TTL_SECONDS = 300;
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** How long the auth function signs with the AWSCURRENT key it read before reading it again. */
export const SIGNING_KEY_MAX_AGE_SECONDS = 10;

/** A family or a small team: the seeds' family app has two users. */
export const DEFAULT_MAX_USERS = 10;
/** The users list is one page of batched reads; keep it small enough for one request. */
export const MAX_MAX_USERS = 1000;

export function parseAuthConfig(env: Env): AuthConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    secret: jwtSecretSource(env),
    issuer: optionalString(env, 'JWT_ISSUER', DEFAULT_ISSUER),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', DEFAULT_TOKEN_TTL_SECONDS, { min: 60, max: 7 * 24 * 3600 }),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', DEFAULT_REFRESH_TOKEN_TTL_SECONDS, { min: 300, max: 365 * 24 * 3600 }),
    throttle: {
      maxFailures: setting(env, SETTINGS.loginMaxFailures),
      lockoutSeconds: setting(env, SETTINGS.loginLockoutSeconds),
    },
    maxUsers: integer(env, 'MAX_USERS', DEFAULT_MAX_USERS, { min: 1, max: MAX_MAX_USERS }),
    logLevel: logLevel(env),
  };
}
