/** Lambda entry point: upload sessions and presigned upload URLs. */
import { createLogger } from '../core/logger';
import { S3ObjectStore } from '../adapters/object-store';
import { UploadsRepository } from '../adapters/uploads-repository';
import { createApiHandler } from '../http/api-handler';
import { parseUploadsConfig } from './config';
import { uploadsRoutes } from './routes';

const config = parseUploadsConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'uploads' } });

export const handler = createApiHandler(
  uploadsRoutes({
    uploads: new UploadsRepository({ tableName: config.tableName }),
    objects: new S3ObjectStore({ bucket: config.bucketName }),
    urlTtlSeconds: config.uploadUrlTtlSeconds,
    allowedContentTypes: config.allowedContentTypes,
    maxUploadBytes: config.maxUploadBytes,
  }),
  logger,
);
