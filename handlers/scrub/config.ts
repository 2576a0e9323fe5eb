/** The scrub function's configuration, parsed once at cold start. */
import { optionalField, requiredString, setting, tableFunctionConfig, type Env, type TableFunctionConfig } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface ScrubConfig extends TableFunctionConfig {
  readonly bucketName: string;
  /** The ops topic `file.corrupt` goes to; unset or empty: the mark and the error log only. */
  readonly opsTopicArn?: string;
  /** Every file is read once within this many days (module variable `scrub_period_days`). */
  readonly periodDays: number;
}

export function parseScrubConfig(env: Env): ScrubConfig {
  return {
    ...tableFunctionConfig(env),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    ...optionalField(env, 'OPS_TOPIC_ARN', 'opsTopicArn'),
    periodDays: setting(env, SETTINGS.scrubPeriodDays),
  };
}
