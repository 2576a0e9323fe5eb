/** Lambda entry point: runs one move job per asynchronous invocation (`{jobId}`). */
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { JobsRepository } from '../adapters/jobs-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { parseMoveConfig } from './config';
import { runMoveJob, type RunOutcome } from './run-move-job';

const config = parseMoveConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'move' } });
const deps = {
  // Always part by part (UploadPartCopy), parts of 512 MiB, 16 at a time: a 50 GiB file is
  // 100 part copies in 7 rounds (README, "Moves of large files").
  objects: new S3ObjectStore({ bucket: config.bucketName, singleCopyMaxBytes: 0, copyConcurrency: 16 }),
  files: new FilesRepository({ tableName: config.tableName }),
  jobs: new JobsRepository({ tableName: config.tableName }),
  logger,
};

export const handler = (event: unknown): Promise<RunOutcome> => runMoveJob(event, deps);
