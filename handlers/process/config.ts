/** The process function's configuration, parsed once at cold start. */
import { boolean, logLevel, requiredString, type Env, type LogLevel } from '../core/env';

export interface ProcessConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Render video posters with the bundled ffmpeg (module variable `video_posters`). */
  readonly videoPosters: boolean;
  /** Record GPS coordinates (module variable `expose_gps`); off, they are never stored. */
  readonly exposeGps: boolean;
  readonly logLevel: LogLevel;
}

export function parseProcessConfig(env: Env): ProcessConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    videoPosters: boolean(env, 'VIDEO_POSTERS', true),
    exposeGps: boolean(env, 'EXPOSE_GPS', false),
    logLevel: logLevel(env),
  };
}
