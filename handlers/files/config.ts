/** The files function's configuration, parsed once at cold start. */
import { flag, logLevel, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface FilesConfig {
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
  /** Days a deleted file stays in the trash. @default 30 */
  readonly trashRetentionDays: number;
  /** Whether shares may never expire. @default false */
  readonly shareAllowNever: boolean;
}

export function parseFilesConfig(env: Env): FilesConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    viewUrlTtlSeconds: setting(env, SETTINGS.viewUrlTtlSeconds),
    moveFunctionName: requiredString(env, 'MOVE_FUNCTION_NAME'),
    moveJobThresholdBytes: setting(env, SETTINGS.moveJobThresholdBytes),
    logLevel: logLevel(env),
    shareMaxDays: setting(env, SETTINGS.shareMaxDays),
    shareAllowNever: flag(env, SETTINGS.shareAllowNever),
    trashRetentionDays: setting(env, SETTINGS.trashRetentionDays),
  };
}
