/** Lambda entry point: S3 ObjectCreated/ObjectRemoved notifications → catalog rows. */
import type { S3Event } from 'aws-lambda';
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { snsShareNotifier, snsUploadProcessedNotifier } from '../adapters/notifications';
import { S3ObjectStore } from '../adapters/object-store';
import { DropReservations } from '../adapters/drop-reservations';
import { recordDropArrival } from '../shares/drop-arrivals';
import { lambdaProcessTrigger } from '../adapters/process-trigger';
import { UploadsRepository } from '../adapters/uploads-repository';
import { parseSyncConfig } from './config';
import { syncObjectEvents, type RecordOutcome } from './sync-objects';

const config = parseSyncConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'sync' } });
const deps = {
  bucket: config.bucketName,
  objects: new S3ObjectStore({ bucket: config.bucketName }),
  uploads: new UploadsRepository({ tableName: config.tableName }),
  files: new FilesRepository({ tableName: config.tableName }),
  folders: new FoldersRepository({ tableName: config.tableName }),
  ...(config.topicArn !== undefined ? { notify: snsUploadProcessedNotifier(config.topicArn) } : {}),
  ...(config.processFunctionName !== undefined ? { process: lambdaProcessTrigger(config.processFunctionName) } : {}),
  logger,
};
const arrivals = {
  reservations: new DropReservations({ tableName: config.tableName }),
  ...(config.topicArn !== undefined ? { notify: snsShareNotifier(config.topicArn) } : {}),
  logger,
};

export const handler = (event: S3Event): Promise<RecordOutcome[]> => syncObjectEvents(event.Records ?? [], { ...deps, dropArrival: (file, session) => recordDropArrival(file, session, arrivals) });
