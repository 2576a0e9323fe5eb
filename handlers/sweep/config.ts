/** The sweep function's configuration, parsed once at cold start. */
import { flag, logLevel, optionalString, requiredString, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

export interface SweepConfig {
  readonly tableName: string;
  /** SNS topic of the owners' messages; unset or empty: reminders are taken off the list, not sent. */
  readonly topicArn?: string;
  /** Send `share.expiring` a day before a share ends (module variable `share_expiry_reminders`). */
  readonly expiryReminders: boolean;
  readonly logLevel: LogLevel;
}

export function parseSweepConfig(env: Env): SweepConfig {
  const topicArn = optionalString(env, 'TOPIC_ARN');
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    ...(topicArn !== undefined ? { topicArn } : {}),
    expiryReminders: flag(env, SETTINGS.shareExpiryReminders),
    logLevel: logLevel(env),
  };
}
