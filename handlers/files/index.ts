/** Lambda entry point: listings, reads, downloads, moves and deletes of catalogued files. */
import { currentListCursors } from '../core/cursor';
import { createLogger } from '../core/logger';
import { DynamoAttemptCounter } from '../adapters/attempt-counter';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { jwtKeys, jwtSecretSource } from '../adapters/jwt-secret';
import { LambdaJobInvoker } from '../adapters/job-invoker';
import { JobsRepository } from '../adapters/jobs-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { UploadsRepository } from '../adapters/uploads-repository';
import { SharesRepository } from '../adapters/shares-repository';
import { CatalogStorageUsage } from '../adapters/storage-usage';
import { UsersRepository } from '../adapters/users-repository';
import { createApiHandler } from '../http/api-handler';
import { parseFilesConfig } from './config';
import { filesRoutes } from './routes';

const config = parseFilesConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'files' } });
const signingKeys = jwtKeys(jwtSecretSource(process.env));

export const handler = createApiHandler(
  filesRoutes({
    // The one use of the JWT signing key here: listing cursors are sealed with a key derived from it.
    cursors: currentListCursors(async () => (await signingKeys.signingKey()).secret),
    files: new FilesRepository({ tableName: config.tableName }),
    folders: new FoldersRepository({ tableName: config.tableName }),
    objects: new S3ObjectStore({ bucket: config.bucketName }),
    uploads: new UploadsRepository({ tableName: config.tableName }),
    jobs: new JobsRepository({ tableName: config.tableName }),
    jobInvoker: new LambdaJobInvoker(config.moveFunctionName),
    moveJobThresholdBytes: config.moveJobThresholdBytes,
    viewUrlTtlSeconds: config.viewUrlTtlSeconds,
    shares: new SharesRepository({ tableName: config.tableName }),
    usage: new CatalogStorageUsage({ tableName: config.tableName }),
    users: new UsersRepository({ tableName: config.tableName }),
    sharePolicy: { maxDays: config.shareMaxDays, allowNever: config.shareAllowNever },
    throttle: { maxFailures: config.loginMaxFailures, lockoutSeconds: config.loginLockoutSeconds },
    attempts: new DynamoAttemptCounter({ tableName: config.tableName }),
  }),
  logger,
);
