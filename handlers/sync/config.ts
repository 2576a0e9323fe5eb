/** The sync function's configuration, parsed once at cold start. */
import { optionalField, requiredString, tableFunctionConfig, type Env, type TableFunctionConfig } from '../core/env';

interface SyncConfig extends TableFunctionConfig {
  readonly bucketName: string;
  /** SNS topic for "upload processed"; unset or empty disables notifications (local stack). */
  readonly topicArn?: string;
  /** The process function, invoked asynchronously for every file written or removed; unset disables it. */
  readonly processFunctionName?: string;
}

export function parseSyncConfig(env: Env): SyncConfig {
  return {
    ...tableFunctionConfig(env),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    ...optionalField(env, 'TOPIC_ARN', 'topicArn'),
    ...optionalField(env, 'PROCESS_FUNCTION_NAME', 'processFunctionName'),
  };
}
