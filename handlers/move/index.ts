/** Lambda entry point: runs one move job (`{jobId}`) or bulk trash job (`{jobId, kind: 'trash'}`) per asynchronous invocation. */
import type { Context } from 'aws-lambda';
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { TrashJobsRepository } from '../adapters/trash-jobs-repository';
import { TrashRepository } from '../adapters/trash-repository';
import { UploadsRepository } from '../adapters/uploads-repository';
import { JobsRepository } from '../adapters/jobs-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { parseMoveConfig } from './config';
import { parseMoveJobEvent, runMoveJob, type RunOutcome } from './run-move-job';
import { runTrashJob, type TrashRunOutcome } from './run-trash-job';
import { LambdaJobInvoker } from '../adapters/job-invoker';

const config = parseMoveConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'move' } });
const deps = {
  // Always part by part (UploadPartCopy), parts of 512 MiB, 16 at a time: a 50 GiB file is
  // 100 part copies in 7 rounds (README, "Moves of large files").
  objects: new S3ObjectStore({ bucket: config.bucketName, singleCopyMaxBytes: 0, copyConcurrency: 16 }),
  // A moved file's thumbnails, posters and video copy: CopyObject, part by part only above 5 GiB.
  derivedObjects: new S3ObjectStore({ bucket: config.bucketName }),
  files: new FilesRepository({ tableName: config.tableName }),
  jobs: new JobsRepository({ tableName: config.tableName }),
  uploads: new UploadsRepository({ tableName: config.tableName }),
  logger,
};

const trashDeps = {
  ...deps,
  // Trashed and restored files are copied whole (CopyObject up to 5 GiB), many at a time.
  objects: new S3ObjectStore({ bucket: config.bucketName }),
  folders: new FoldersRepository({ tableName: config.tableName }),
  uploads: new UploadsRepository({ tableName: config.tableName }),
  trash: new TrashRepository({ tableName: config.tableName }),
  trashJobs: new TrashJobsRepository({ tableName: config.tableName }),
  trashRetentionDays: config.trashRetentionDays,
};

// A trash job longer than a run hands over to a next run of this function (run-trash-job.ts).
const nextRuns = config.functionName !== undefined ? new LambdaJobInvoker(config.functionName) : undefined;

export const handler = (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RunOutcome | TrashRunOutcome> => {
  const jobId = parseMoveJobEvent(event);
  if (jobId !== undefined && (event as { kind?: unknown }).kind === 'trash') {
    return runTrashJob(jobId, {
      ...trashDeps,
      ...(context?.getRemainingTimeInMillis !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      ...(nextRuns !== undefined ? { startNextRun: (id: string) => nextRuns.start(id, 'trash') } : {}),
    });
  }
  return runMoveJob(event, deps);
};
