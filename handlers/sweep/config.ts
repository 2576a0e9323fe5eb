/** The sweep function's configuration, parsed once at cold start. */
import { flag, optionalField, tableFunctionConfig, type Env, type TableFunctionConfig } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface SweepConfig extends TableFunctionConfig {
  /** SNS topic of the owners' messages; unset or empty: reminders are taken off the list, not sent. */
  readonly topicArn?: string;
  /** Send `share.expiring` a day before a share ends (module variable `share_expiry_reminders`). */
  readonly expiryReminders: boolean;
}

export function parseSweepConfig(env: Env): SweepConfig {
  return {
    ...tableFunctionConfig(env),
    ...optionalField(env, 'TOPIC_ARN', 'topicArn'),
    expiryReminders: flag(env, SETTINGS.shareExpiryReminders),
  };
}
