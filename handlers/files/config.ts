/** The files function's configuration, parsed once at cold start. */
import { integer, logLevel, requiredString, type Env, type LogLevel } from '../core/env';
import { MAX_PRESIGN_EXPIRES_IN } from '../core/presign';

export interface FilesConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** @default 3600 */
  readonly viewUrlTtlSeconds: number;
  readonly logLevel: LogLevel;
}

export function parseFilesConfig(env: Env): FilesConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    viewUrlTtlSeconds: integer(env, 'VIEW_URL_TTL_SECONDS', 3600, { min: 1, max: MAX_PRESIGN_EXPIRES_IN }),
    logLevel: logLevel(env),
  };
}
