/** The process function's configuration, parsed once at cold start. */
import { flag, logLevel, requiredString, setting, type Env, type LogLevel } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface ProcessConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Render video posters with the bundled ffmpeg (module variable `video_posters`). */
  readonly videoPosters: boolean;
  /** Record GPS coordinates (module variable `expose_gps`); off, they are never stored. */
  readonly exposeGps: boolean;
  /** Make playable copies of videos browsers cannot play as stored (module variable `video_copies_enabled`). */
  readonly videoCopiesEnabled: boolean;
  /** Lines of the short edge of a transcoded copy at most (module variable `video_max_height`). */
  readonly videoMaxHeight: number;
  /** The video workflow's state machine, which makes the copies. */
  readonly videoWorkflowArn: string;
  readonly logLevel: LogLevel;
}

export function parseProcessConfig(env: Env): ProcessConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    videoPosters: flag(env, SETTINGS.videoPosters),
    exposeGps: flag(env, SETTINGS.exposeGps),
    videoCopiesEnabled: flag(env, SETTINGS.videoCopiesEnabled),
    videoMaxHeight: setting(env, SETTINGS.videoMaxHeight),
    videoWorkflowArn: requiredString(env, 'VIDEO_WORKFLOW_ARN'),
    logLevel: logLevel(env),
  };
}
