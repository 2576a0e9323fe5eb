/** The uploads function's configuration, parsed once at cold start. */
import { ConfigError } from '../core/errors';
import { DEFAULT_ALLOWED_CONTENT_TYPES, parseContentTypePatterns } from '../core/content-types';
import { integer, list, logLevel, requiredString, type Env, type LogLevel } from '../core/env';
import { MAX_OBJECT_SIZE, MiB } from '../../contract/multipart';
import { MAX_PRESIGN_EXPIRES_IN } from '../core/object-urls';

/** S3's largest single PUT. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** From this size on, uploads go multipart (resumable, parallel parts). */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 64 * MiB;

export interface UploadsConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Content-type patterns. @default ['image/*', 'video/*'] */
  readonly allowedContentTypes: readonly string[];
  /** At most 5 TiB, S3's object limit (multipart). @default 5 GiB */
  readonly maxUploadBytes: number;
  /** Uploads of at least this size go multipart; at most 5 GiB (a single PUT's limit). @default 64 MiB */
  readonly multipartThresholdBytes: number;
  /** @default 900 */
  readonly uploadUrlTtlSeconds: number;
  readonly logLevel: LogLevel;
}

export function parseUploadsConfig(env: Env): UploadsConfig {
  let allowedContentTypes: readonly string[];
  try {
    allowedContentTypes = parseContentTypePatterns(list(env, 'ALLOWED_CONTENT_TYPES', DEFAULT_ALLOWED_CONTENT_TYPES));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('ALLOWED_CONTENT_TYPES', (error as Error).message);
  }
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    allowedContentTypes,
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', MAX_SINGLE_PUT_BYTES, { min: 1, max: MAX_OBJECT_SIZE }),
    // A size below the threshold is a single PUT, which S3 caps at 5 GiB.
    multipartThresholdBytes: integer(env, 'MULTIPART_THRESHOLD_BYTES', DEFAULT_MULTIPART_THRESHOLD_BYTES, { min: 1, max: MAX_SINGLE_PUT_BYTES + 1 }),
    uploadUrlTtlSeconds: integer(env, 'UPLOAD_URL_TTL_SECONDS', 900, { min: 1, max: MAX_PRESIGN_EXPIRES_IN }),
    logLevel: logLevel(env),
  };
}
