/** The move function's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface MoveConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly logLevel: LogLevel;
  /** Days a file deleted by a folder's deletion stays in the trash. @default 30 */
  readonly trashRetentionDays: number;
  /** This function's own name (Lambda's `AWS_LAMBDA_FUNCTION_NAME`): a long trash job invokes its next run. */
  readonly functionName?: string;
}

export function parseMoveConfig(env: Env): MoveConfig {
  const functionName = optionalString(env, 'AWS_LAMBDA_FUNCTION_NAME');
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    logLevel: logLevel(env),
    trashRetentionDays: setting(env, SETTINGS.trashRetentionDays),
    ...(functionName !== undefined ? { functionName } : {}),
  };
}
