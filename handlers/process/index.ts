/**
 * Lambda entry point: thumbnails, previews, posters and metadata for one catalogued file,
 * invoked asynchronously by the sync function (and by `npm run reprocess`).
 */
import { createLogger } from '../core/logger';
import { parseProcessRequest } from '../core/media';
import { FilesRepository } from '../adapters/files-repository';
import { localDecoders } from '../adapters/media-decoders';
import { StepFunctionsVideoWorkflow } from '../adapters/video-workflow';
import { S3ObjectStore } from '../adapters/object-store';
import { parseProcessConfig } from './config';
import { processRequest, type ProcessOutcome } from './process-media';

const config = parseProcessConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'process' } });
const files = new FilesRepository({ tableName: config.tableName });
const objects = new S3ObjectStore({ bucket: config.bucketName });
const deps = {
  files,
  objects,
  decoders: localDecoders(),
  videoPosters: config.videoPosters,
  exposeGps: config.exposeGps,
  videoCopySettings: { copiesEnabled: config.videoCopiesEnabled, maxHeight: config.videoMaxHeight },
  // Made by the video workflow (Step Functions), any length: this function only starts it.
  videoCopies: new StepFunctionsVideoWorkflow({ stateMachineArn: config.videoWorkflowArn }),
  logger,
};

export const handler = async (event: unknown): Promise<ProcessOutcome> => {
  const request = parseProcessRequest(event);
  if (request === undefined) {
    // Retrying a malformed event cannot help.
    logger.warn('event ignored', { reason: 'not a process request' });
    return { outcome: 'skipped', key: '', reason: 'bad-event' };
  }
  return processRequest(request, deps);
};
