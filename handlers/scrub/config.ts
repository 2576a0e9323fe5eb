/** The scrub function's configuration, parsed once at cold start. */
import { logLevel, optionalString, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

export interface ScrubConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** The ops topic `file.corrupt` goes to; unset or empty: the mark and the error log only. */
  readonly opsTopicArn?: string;
  /** Every file is read once within this many days (module variable `scrub_period_days`). */
  readonly periodDays: number;
  readonly logLevel: LogLevel;
}

export function parseScrubConfig(env: Env): ScrubConfig {
  const opsTopicArn = optionalString(env, 'OPS_TOPIC_ARN');
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    ...(opsTopicArn !== undefined ? { opsTopicArn } : {}),
    periodDays: setting(env, SETTINGS.scrubPeriodDays),
    logLevel: logLevel(env),
  };
}
