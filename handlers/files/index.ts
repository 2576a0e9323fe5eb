/** Lambda entry point: listings, reads, downloads, moves and deletes of catalogued files. */
import { createLogger } from '../core/logger';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { UploadsRepository } from '../adapters/uploads-repository';
import { SharesRepository } from '../adapters/shares-repository';
import { UsersRepository } from '../adapters/users-repository';
import { createApiHandler } from '../http/api-handler';
import { parseFilesConfig } from './config';
import { filesRoutes } from './routes';

const config = parseFilesConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'files' } });

export const handler = createApiHandler(
  filesRoutes({
    files: new FilesRepository({ tableName: config.tableName }),
    folders: new FoldersRepository({ tableName: config.tableName }),
    objects: new S3ObjectStore({ bucket: config.bucketName }),
    uploads: new UploadsRepository({ tableName: config.tableName }),
    viewUrlTtlSeconds: config.viewUrlTtlSeconds,
    shares: new SharesRepository({ tableName: config.tableName }),
    users: new UsersRepository({ tableName: config.tableName }),
    sharePolicy: { maxDays: config.shareMaxDays, allowNever: config.shareAllowNever },
    throttle: { maxFailures: config.loginMaxFailures, lockoutSeconds: config.loginLockoutSeconds },
  }),
  logger,
);
