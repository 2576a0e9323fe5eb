/**
 * A video's playable copy on the catalog row, without I/O: what is stored (the probe fields the
 * player needs, the decision, the copy's state and key), where the copy lives (beside the
 * derived images, so it is deleted, moved and counted with them), and which of original and
 * copy a player should play.
 */
import type { VideoCopyInfo, VideoPlayback } from '../../contract/wire';
import { derivedPrefixOf } from './media';
import type { VideoAction, VideoDecision } from './video-decision';
import type { VideoProbe } from './video-probe';

export type { VideoCopyInfo, VideoPlayback };

/** The copy as the row keeps it: the wire's fields and, once written, its S3 key. */
export interface StoredVideoCopy extends VideoCopyInfo {
  readonly key?: string;
}

/** The `video` attribute of a video's row. */
export interface StoredVideo extends Pick<VideoProbe, 'container' | 'videoCodec' | 'audioCodec' | 'hdr' | 'bitDepth'> {
  readonly action: VideoAction;
  readonly copy?: StoredVideoCopy;
}

/** What the copy is stored as. */
export const VIDEO_COPY_TYPE = 'video/mp4';

/** The copy of one version (ETag) of an original: under its derived prefix, so it goes wherever its images go. */
export function videoCopyKeyOf(key: string, etag: string): string {
  return `${derivedPrefixOf(key)}${etag.replace(/[^A-Za-z0-9-]/g, '')}-copy.mp4`;
}

/** The name a copy is saved under: the original's, as `.mp4`. */
export function videoCopyNameOf(name: string): string {
  return `${name.replace(/\.[^./]{1,8}$/, '')}.mp4`;
}

/** What processing records for a video: the probe's fields the player shows, the action, and a pending copy when one is made. */
export function storedVideoOf(probe: VideoProbe, decision: VideoDecision): StoredVideo {
  return {
    container: probe.container,
    ...(probe.videoCodec !== undefined ? { videoCodec: probe.videoCodec } : {}),
    ...(probe.audioCodec !== undefined ? { audioCodec: probe.audioCodec } : {}),
    ...(probe.hdr !== undefined ? { hdr: probe.hdr } : {}),
    ...(probe.bitDepth !== undefined ? { bitDepth: probe.bitDepth } : {}),
    action: decision.action,
    ...(decision.copy !== undefined ? { copy: { state: 'pending' } } : {}),
  };
}

/**
 * What a player plays by default: the copy once it is ready; else the original when it plays
 * as stored (or only lacks a remux: it plays, after loading its index); `none` otherwise.
 */
export function playableOf(video: StoredVideo): VideoPlayback['playable'] {
  if (video.copy?.state === 'ready' && video.copy.key !== undefined) return 'copy';
  return video.action === 'transcode' ? 'none' : 'original';
}

/** The wire view of the row's `video`, with the copy's URL when there is one to play. */
export function videoPlaybackOf(video: StoredVideo, copyUrl: (key: string) => string): VideoPlayback {
  const { copy, ...summary } = video;
  const playable = playableOf(video);
  return {
    ...summary,
    ...(copy !== undefined ? { copy: withoutKey(copy) } : {}),
    playable,
    ...(playable === 'copy' && copy?.key !== undefined ? { copyUrl: copyUrl(copy.key) } : {}),
  };
}

function withoutKey(copy: StoredVideoCopy): VideoCopyInfo {
  const { key: _key, ...info } = copy;
  return info;
}

const COPY_STATES = new Set(['pending', 'ready', 'failed']);
const ACTIONS = new Set(['none', 'remux', 'transcode']);

/** The row's `video` attribute, each field kept only with the expected type; `undefined` when it is not one. */
export function parseStoredVideo(value: unknown): StoredVideo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const source = value as Record<string, unknown>;
  if (typeof source.container !== 'string' || !ACTIONS.has(source.action as string)) return undefined;
  const text = (field: string): Record<string, string> => (typeof source[field] === 'string' ? { [field]: source[field] as string } : {});
  const copySource = source.copy as Record<string, unknown> | undefined;
  let copy: StoredVideoCopy | undefined;
  if (typeof copySource === 'object' && copySource !== null && COPY_STATES.has(copySource.state as string)) {
    copy = {
      state: copySource.state as StoredVideoCopy['state'],
      ...(typeof copySource.key === 'string' ? { key: copySource.key } : {}),
      ...(typeof copySource.reason === 'string' ? { reason: copySource.reason } : {}),
      ...(typeof copySource.bytes === 'number' ? { bytes: copySource.bytes } : {}),
      ...(typeof copySource.width === 'number' ? { width: copySource.width } : {}),
      ...(typeof copySource.height === 'number' ? { height: copySource.height } : {}),
    };
  }
  return {
    container: source.container as StoredVideo['container'],
    ...text('videoCodec'),
    ...text('audioCodec'),
    ...(source.hdr === 'pq' || source.hdr === 'hlg' ? { hdr: source.hdr } : {}),
    ...(typeof source.bitDepth === 'number' ? { bitDepth: source.bitDepth } : {}),
    action: source.action as VideoAction,
    ...(copy !== undefined ? { copy } : {}),
  };
}

/** What starting a video's copy is told (the video workflow's input, adapters/video-workflow.ts). */
export interface VideoCopyInput {
  readonly key: string;
  readonly etag: string;
  /** The run making it (`copyRunId`): the workflow execution's name and its scratch folder. */
  readonly runId: string;
  readonly folder: string;
  readonly name: string;
  readonly probe: VideoProbe;
  readonly decision: VideoDecision;
}

/** Starts making a video's playable copy; the maker records the outcome on the row (`recordVideoCopy`). */
export interface VideoCopyStarter {
  startVideoCopy(input: VideoCopyInput): Promise<void>;
}
