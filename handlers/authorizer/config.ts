/** The authorizer's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, type Env, type LogLevel } from '../core/env';
import { jwtSecretSource, type JwtSecretSource } from '../adapters/jwt-secret';

export interface AuthorizerConfig {
  readonly secret: JwtSecretSource;
  /** Where the users' session versions and the session families are read. */
  readonly tableName: string;
  /** Required `iss`. @default "media-store" */
  readonly issuer: string;
  readonly logLevel: LogLevel;
}

export const DEFAULT_ISSUER = 'media-store';

export function parseAuthorizerConfig(env: Env): AuthorizerConfig {
  return {
    secret: jwtSecretSource(env),
    tableName: requiredString(env, 'TABLE_NAME'),
    issuer: optionalString(env, 'JWT_ISSUER', DEFAULT_ISSUER),
    logLevel: logLevel(env),
  };
}
