/** The move function's configuration, parsed once at cold start. */
import { logLevel, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface MoveConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly logLevel: LogLevel;
  /** Days a file deleted by a folder's deletion stays in the trash. @default 30 */
  readonly trashRetentionDays: number;
}

export function parseMoveConfig(env: Env): MoveConfig {
  return { tableName: requiredString(env, 'TABLE_NAME'), bucketName: requiredString(env, 'BUCKET_NAME'), logLevel: logLevel(env), trashRetentionDays: setting(env, SETTINGS.trashRetentionDays) };
}
