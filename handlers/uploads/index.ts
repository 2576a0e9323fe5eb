/** Lambda entry point: upload sessions, presigned upload URLs and multipart uploads. */
import { createLogger } from '../core/logger';
import { S3MultipartUploads } from '../adapters/multipart-uploads';
import { S3ObjectStore } from '../adapters/object-store';
import { UploadsRepository } from '../adapters/uploads-repository';
import { FilesRepository } from '../adapters/files-repository';
import { FoldersRepository } from '../adapters/folders-repository';
import { DropGuests } from '../adapters/drop-guests';
import { DropReservations } from '../adapters/drop-reservations';
import { ShareAccessLog } from '../adapters/share-access-log';
import { SharesRepository } from '../adapters/shares-repository';
import { UsersRepository } from '../adapters/users-repository';
import { originSecrets } from '../adapters/origin-secret';
import { createApiHandler } from '../http/api-handler';
import { MAX_UPLOADS_BODY_BYTES } from './complete-upload';
import { parseUploadsConfig } from './config';
import { uploadsRoutes } from './routes';

const config = parseUploadsConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'uploads' } });

export const handler = createApiHandler(
  uploadsRoutes({
    uploads: new UploadsRepository({ tableName: config.tableName }),
    objects: new S3ObjectStore({ bucket: config.bucketName }),
    multipart: new S3MultipartUploads({ bucket: config.bucketName }),
    urlTtlSeconds: config.uploadUrlTtlSeconds,
    allowedContentTypes: config.allowedContentTypes,
    maxUploadBytes: config.maxUploadBytes,
    multipartThresholdBytes: config.multipartThresholdBytes,
    shares: new SharesRepository({ tableName: config.tableName }),
    reservations: new DropReservations({ tableName: config.tableName }),
    guests: new DropGuests({ tableName: config.tableName }),
    accessLog: new ShareAccessLog({ tableName: config.tableName }),
    users: new UsersRepository({ tableName: config.tableName }),
    files: new FilesRepository({ tableName: config.tableName }),
    folders: new FoldersRepository({ tableName: config.tableName }),
  }),
  logger,
  // Behind the site's CloudFront, the viewer's address (only with the origin secret).
  { maxBytes: MAX_UPLOADS_BODY_BYTES, originSecrets: originSecrets(process.env) },
);
