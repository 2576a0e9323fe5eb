/** What the video workflow's state machine (modules/media-store/video-workflow.ts) and its transcoding function agree on. */

/** The error a segment step throws when ffmpeg could not make that segment: the Map's Retry and the fail step know it by this name. */
export const VIDEO_SEGMENT_FAILED = 'VideoSegmentFailed';
