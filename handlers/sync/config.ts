/** The sync function's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, type Env, type LogLevel } from '../core/env';

export interface SyncConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** SNS topic for "upload processed"; unset or empty disables notifications (local stack). */
  readonly topicArn?: string;
  /** The process function, invoked asynchronously for every file written or removed; unset disables it. */
  readonly processFunctionName?: string;
  readonly logLevel: LogLevel;
}

export function parseSyncConfig(env: Env): SyncConfig {
  const topicArn = optionalString(env, 'TOPIC_ARN');
  const processFunctionName = optionalString(env, 'PROCESS_FUNCTION_NAME');
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    ...(topicArn !== undefined ? { topicArn } : {}),
    ...(processFunctionName !== undefined ? { processFunctionName } : {}),
    logLevel: logLevel(env),
  };
}
