/** The transcoding function's configuration, parsed once at cold start. */
import { integer, logLevel, requiredString, type Env, type LogLevel } from '../core/env';
import { VIDEO_MAX_HEIGHT } from '../core/video-decision';

export interface TranscodeConfig {
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
    segmentSeconds: integer(env, 'VIDEO_SEGMENT_SECONDS', 120, { min: 2, max: 600 }),
    maxHeight: integer(env, 'VIDEO_MAX_HEIGHT', VIDEO_MAX_HEIGHT.default, VIDEO_MAX_HEIGHT),
    logLevel: logLevel(env),
  };
}
