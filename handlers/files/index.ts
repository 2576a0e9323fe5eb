/** Lambda entry point of the signed-in file routes: listings, reads, downloads, moves, deletes, shares. */
import { currentListCursors } from '../core/cursor';
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { cursorSecret } from '../adapters/cursor-secret';
import { LambdaJobInvoker } from '../adapters/job-invoker';
import { JobsRepository } from '../adapters/jobs-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { UploadsRepository } from '../adapters/uploads-repository';
import { ShareAccessLog } from '../adapters/share-access-log';
import { SharesRepository } from '../adapters/shares-repository';
import { CatalogStorageUsage } from '../adapters/storage-usage';
import { ContentIndex } from '../adapters/content-index';
import { UsersRepository } from '../adapters/users-repository';
import { TimelineCounters } from '../adapters/timeline-counters';
import { TrashJobsRepository } from '../adapters/trash-jobs-repository';
import { TrashRepository } from '../adapters/trash-repository';
import { createApiHandler } from '../http/api-handler';
import { parseFilesConfig } from './config';
import { filesRoutes } from './routes';

const config = parseFilesConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'files' } });

const objects = new S3ObjectStore({ bucket: config.bucketName });

export const handler = createApiHandler(
  filesRoutes({
    // Listing cursors are sealed with a key derived from their own secret (never the JWT key).
    cursors: currentListCursors(cursorSecret(process.env)),
    files: new FilesRepository({ tableName: config.tableName }),
    folders: new FoldersRepository({ tableName: config.tableName }),
    objects,
    // A moved file's thumbnails, posters and video copy go with it (handlers/files/move-file.ts).
    derivedObjects: objects,
    uploads: new UploadsRepository({ tableName: config.tableName }),
    jobs: new JobsRepository({ tableName: config.tableName }),
    jobInvoker: new LambdaJobInvoker(config.moveFunctionName),
    moveJobThresholdBytes: config.moveJobThresholdBytes,
    viewUrlTtlSeconds: config.viewUrlTtlSeconds,
    shares: new SharesRepository({ tableName: config.tableName }),
    accessLog: new ShareAccessLog({ tableName: config.tableName }),
    usage: new CatalogStorageUsage({ tableName: config.tableName }),
    content: new ContentIndex({ tableName: config.tableName }),
    users: new UsersRepository({ tableName: config.tableName }),
    timeline: new TimelineCounters({ tableName: config.tableName }),
    sharePolicy: { maxDays: config.shareMaxDays, allowNever: config.shareAllowNever },
    trash: new TrashRepository({ tableName: config.tableName }),
    trashJobs: new TrashJobsRepository({ tableName: config.tableName }),
    trashRetentionDays: config.trashRetentionDays,
  }),
  logger,
);
