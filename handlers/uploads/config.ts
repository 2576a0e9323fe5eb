/** The uploads function's configuration, parsed once at cold start. */
import { ConfigError } from '../core/errors';
import { DEFAULT_ALLOWED_CONTENT_TYPES, parseContentTypePatterns } from '../core/content-types';
import { list, logLevel, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

/** S3's largest single PUT. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** From this size on, uploads go multipart (resumable, parallel parts). */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = SETTINGS.multipartThresholdBytes.default;

interface UploadsConfig {
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
    maxUploadBytes: setting(env, SETTINGS.maxUploadBytes),
    multipartThresholdBytes: setting(env, SETTINGS.multipartThresholdBytes),
    uploadUrlTtlSeconds: setting(env, SETTINGS.uploadUrlTtlSeconds),
    logLevel: logLevel(env),
  };
}
