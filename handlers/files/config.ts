/** The files function's configuration, parsed once at cold start. */
import { boolean, integer, logLevel, requiredString, type Env, type LogLevel } from '../core/env';
import { MAX_PRESIGN_EXPIRES_IN } from '../core/object-urls';

/** A single CopyObject of 128 MiB takes a few seconds: well inside the request's time. */
export const DEFAULT_MOVE_JOB_THRESHOLD_BYTES = 128 * 1024 * 1024;

export interface FilesConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** @default 3600 */
  readonly viewUrlTtlSeconds: number;
  /** The function that runs move jobs. */
  readonly moveFunctionName: string;
  /** Moves of larger files run as jobs. @default 134217728 (128 MiB) */
  readonly moveJobThresholdBytes: number;
  readonly logLevel: LogLevel;
  /** Longest share lifetime, days. @default 30 */
  readonly shareMaxDays: number;
  /** Whether shares may never expire. @default false */
  readonly shareAllowNever: boolean;
}

export function parseFilesConfig(env: Env): FilesConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    viewUrlTtlSeconds: integer(env, 'VIEW_URL_TTL_SECONDS', 3600, { min: 1, max: MAX_PRESIGN_EXPIRES_IN }),
    moveFunctionName: requiredString(env, 'MOVE_FUNCTION_NAME'),
    moveJobThresholdBytes: integer(env, 'MOVE_JOB_THRESHOLD_BYTES', DEFAULT_MOVE_JOB_THRESHOLD_BYTES, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    logLevel: logLevel(env),
    shareMaxDays: integer(env, 'SHARE_MAX_DAYS', 30, { min: 1, max: 3650 }),
    shareAllowNever: boolean(env, 'SHARE_ALLOW_NEVER', false),
  };
}
