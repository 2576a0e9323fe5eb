/** Lambda entry point of the anonymous share routes (`/public/shares/…` except drop-link uploads). */
import { createLogger } from '../core/logger';
import { DynamoAttemptCounter } from '../adapters/attempt-counter';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { S3ObjectStore } from '../adapters/object-store';
import { ShareAccessLog } from '../adapters/share-access-log';
import { SharesRepository } from '../adapters/shares-repository';
import { UsersRepository } from '../adapters/users-repository';
import { originSecrets } from '../adapters/origin-secret';
import { createApiHandler } from '../http/api-handler';
import { parseSharesConfig } from './config';
import { publicShareRoutes } from './routes';

const config = parseSharesConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'shares' } });

export const handler = createApiHandler(
  publicShareRoutes({
    files: new FilesRepository({ tableName: config.tableName }),
    folders: new FoldersRepository({ tableName: config.tableName }),
    objects: new S3ObjectStore({ bucket: config.bucketName }),
    shares: new SharesRepository({ tableName: config.tableName }),
    accessLog: new ShareAccessLog({ tableName: config.tableName }),
    users: new UsersRepository({ tableName: config.tableName }),
    viewUrlTtlSeconds: config.viewUrlTtlSeconds,
    appShell: config.appShell,
    throttle: { maxFailures: config.loginMaxFailures, lockoutSeconds: config.loginLockoutSeconds },
    // Password attempts, counted before the check (handlers/adapters/attempt-counter.ts).
    attempts: new DynamoAttemptCounter({ tableName: config.tableName }),
  }),
  logger,
  // Behind the site's CloudFront, the viewer's address (only with the origin secret).
  { originSecrets: originSecrets(process.env) },
);
