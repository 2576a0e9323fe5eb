/**
 * Lambda entry point of the video workflow's steps (handlers/transcode/steps.ts), invoked by
 * the state machine (modules/media-store/video-workflow.ts), never by anything else.
 */
import { tmpdir } from 'node:os';
import type { Context } from 'aws-lambda';
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { bundledFfmpegPath } from '../adapters/video-box';
import { S3FileTransfers } from '../adapters/file-transfers';
import { S3FaststartCopies } from '../adapters/faststart-copies';
import { parseTranscodeConfig } from './config';
import { parseStepEvent, runStep } from './steps';

const config = parseTranscodeConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'transcode' } });
const deps = {
  files: new FilesRepository({ tableName: config.tableName }),
  objects: new S3ObjectStore({ bucket: config.bucketName }),
  transfers: new S3FileTransfers({ bucket: config.bucketName }),
  faststart: new S3FaststartCopies({ bucket: config.bucketName }),
  ffmpeg: bundledFfmpegPath(),
  workDir: tmpdir(),
  segmentSeconds: config.segmentSeconds,
  maxHeight: config.maxHeight,
  logger,
};

export const handler = async (event: unknown, context: Context) => runStep(parseStepEvent(event), { ...deps, remainingMs: () => context.getRemainingTimeInMillis() });
