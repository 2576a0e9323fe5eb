/** Lambda entry point: the hourly scrub (EventBridge schedule; the event carries nothing we need). */
import type { Context } from 'aws-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SCRUB_SCHEDULE } from '../../contract/settings';
import { createLogger } from '../core/logger';
import { fileIdOf } from '../core/paths';
import { scrubFiles, type FileCorruptAlert, type ScrubOutcome } from '../core/scrub';
import { defaultS3Client } from '../adapters/aws-clients';
import { objectDigest } from '../adapters/object-store';
import { ScrubCatalog } from '../adapters/scrub-catalog';
import { parseScrubConfig } from './config';

const config = parseScrubConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'scrub' } });
const sns = new SNSClient({});
const catalog = new ScrubCatalog({ tableName: config.tableName });
const digest = objectDigest(defaultS3Client(), config.bucketName);

async function alert(message: FileCorruptAlert): Promise<void> {
  if (config.opsTopicArn === undefined) return;
  await sns.send(
    new PublishCommand({
      TopicArn: config.opsTopicArn,
      Subject: 'media-store: a stored file is corrupt',
      Message: JSON.stringify(message),
      MessageAttributes: { type: { DataType: 'String', StringValue: message.type } },
    }),
  );
}

/** Stop starting files this long before the timeout: the file under way must finish and the cursor be saved. */
const MARGIN_MS = 60_000;

export const handler = (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ScrubOutcome> => {
  const started = Date.now();
  const remaining = (): number => context?.getRemainingTimeInMillis?.() ?? 60_000 - (Date.now() - started);
  // A minute before the timeout, or a quarter of it when shorter (local tests).
  const margin = Math.min(MARGIN_MS, remaining() / 4);
  const timeLeftMs = (): number => remaining() - margin;
  return scrubFiles({ catalog, digest, alert, fileIdOf, periodDays: config.periodDays, runsPerDay: SCRUB_SCHEDULE.runsPerDay, logger, timeLeftMs });
};
