/** The transcoding function's configuration, parsed once at cold start. */
import { logLevel, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface TranscodeConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Module variable `video_segment_seconds`. */
  readonly segmentSeconds: number;
  /** Module variable `video_max_height`. */
  readonly maxHeight: number;
  readonly logLevel: LogLevel;
}

export function parseTranscodeConfig(env: Env): TranscodeConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    segmentSeconds: setting(env, SETTINGS.videoSegmentSeconds),
    maxHeight: setting(env, SETTINGS.videoMaxHeight),
    logLevel: logLevel(env),
  };
}
