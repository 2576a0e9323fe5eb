/** Lambda entry point: the hourly sweep of shares (EventBridge schedule; the event carries nothing we need). */
import { createLogger } from '../core/logger';
import { snsShareNotifier } from '../adapters/notifications';
import { DropReservations } from '../adapters/drop-reservations';
import { ShareReminders } from '../adapters/share-reminders';
import { parseSweepConfig } from './config';
import { sweepShares, type SweepOutcome } from './sweep-shares';

const config = parseSweepConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'sweep' } });
const deps = {
  reservations: new DropReservations({ tableName: config.tableName }),
  reminders: new ShareReminders({ tableName: config.tableName }),
  ...(config.topicArn !== undefined ? { notify: snsShareNotifier(config.topicArn) } : {}),
  expiryReminders: config.expiryReminders,
  logger,
};

export const handler = (): Promise<SweepOutcome> => sweepShares(deps);
