/** The sync function's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, type Env, type LogLevel } from '../core/env';

export interface SyncConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** SNS topic for "upload processed"; unset or empty disables notifications (local stack). */
  readonly topicArn?: string;
  readonly logLevel: LogLevel;
}

export function parseSyncConfig(env: Env): SyncConfig {
  const topicArn = optionalString(env, 'TOPIC_ARN');
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    ...(topicArn !== undefined ? { topicArn } : {}),
    logLevel: logLevel(env),
  };
}
