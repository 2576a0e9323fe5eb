/**
 * The video workflow's plan, pure: how a video is cut into segments transcoded in parallel,
 * and where each piece lives. The state machine (modules/media-store/video-workflow.ts) runs
 * the transcoding function once per step; every step finds its way from these functions.
 *
 * - Segments are windows of `segmentSeconds` (a multiple of the copies' keyframe interval):
 *   each is transcoded video-only from its start (input seeking decodes from the source's
 *   previous keyframe and drops what comes before, so it is frame-exact), into MPEG-TS with its
 *   own timestamps kept (`-output_ts_offset`): the segments joined end to end are one stream.
 * - The audio is encoded once, whole, beside the segments: joins never cut an AAC frame or
 *   repeat an encoder's priming, so the sound stays in sync at every join.
 * - One run per original version: its id (the execution name) is a hash of key and ETag, so a
 *   repeated S3 event or a retried process invocation never starts a second copy.
 */
import { createHash } from 'node:crypto';
import { SCRATCH_PREFIX } from '../../contract/bucket';
import { VIDEO_SEGMENT_FAILED } from '../../contract/video';

export type SegmentItem =
  | { readonly kind: 'video'; readonly index: number; readonly startSeconds: number; readonly durationSeconds?: number }
  | { readonly kind: 'audio' };

/**
 * What a segment step made: its scratch object. A segment that cannot be made throws
 * VideoSegmentFailed; `ok: false` is how steps answered before that, which the join still refuses.
 */
export type SegmentPart = { readonly ok: true; readonly key: string; readonly bytes: number } | { readonly ok: false; readonly reason: string };

/** Most segments one video is cut into (a Map state's result must stay well under 256 KiB). */
const MAX_SEGMENTS = 2000;

/**
 * The items of a transcode: video windows of `segmentSeconds` covering `durationSeconds` (the
 * last one open-ended, so a duration the banner rounded loses no frame), plus the audio when
 * there is any. An unknown duration is one open-ended window.
 */
export function planSegments(durationSeconds: number | undefined, segmentSeconds: number, hasAudio: boolean): SegmentItem[] {
  if (!Number.isFinite(segmentSeconds) || segmentSeconds <= 0) throw new Error('segmentSeconds must be a positive number');
  const count = durationSeconds === undefined || !(durationSeconds > 0) ? 1 : Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(durationSeconds / segmentSeconds - 1e-6)));
  const length = count === MAX_SEGMENTS && durationSeconds !== undefined ? Math.ceil(durationSeconds / MAX_SEGMENTS) : segmentSeconds;
  const items: SegmentItem[] = Array.from({ length: count }, (_, index) => ({
    kind: 'video' as const,
    index,
    startSeconds: index * length,
    ...(index < count - 1 ? { durationSeconds: length } : {}),
  }));
  return hasAudio ? [...items, { kind: 'audio' }] : items;
}

/**
 * The id of the run that makes the copy of this version of this original: a Step Functions
 * execution name (≤ 80 characters) and the run's scratch folder. One per version, so repeated
 * events start nothing new; a reprocess names its own `run` and so gets a run of its own.
 */
export function copyRunId(key: string, etag: string, run?: string): string {
  const source = run === undefined ? `${key}\n${etag}` : `${key}\n${etag}\n${run}`;
  return `copy-${createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 64)}`;
}

/**
 * The run processing names for the catalog row's version: the S3 event's sequencer (the row's),
 * so the same bytes back at the same key (a restore from the trash: same ETag) get a run of their
 * own, where the old execution's name is taken for good.
 */
export const eventRun = (sequencer: string): string => `event ${sequencer}`;

/** Where a run's segments and audio wait for the join. */
export function scratchPrefixOf(runId: string): string {
  return `${SCRATCH_PREFIX}${runId}/`;
}

export function scratchKeyOf(runId: string, item: SegmentItem): string {
  return `${scratchPrefixOf(runId)}${item.kind === 'audio' ? 'audio.m4a' : `video-${String(item.index).padStart(5, '0')}.ts`}`;
}

/**
 * A segment that could not be made: thrown by the segment step, so the Map's Retry tries that
 * segment again (ffmpeg reads the original over HTTP: a dropped connection looks like bytes it
 * cannot decode) and then its Catch records the copy `failed`. The message names the segment and
 * says why in words of this module only (never a path, URL or ffmpeg's log): it becomes the reason.
 */
export class VideoSegmentFailed extends Error {
  constructor(item: SegmentItem, reason: string) {
    super(`${segmentLabel(item)}: ${reason}`);
    this.name = VIDEO_SEGMENT_FAILED;
  }
}

/** `segment 3 (4–6 s)`, `segment 5 (from 8 s)`, `the audio track`: 1-based, as a person counts. */
export function segmentLabel(item: SegmentItem): string {
  if (item.kind === 'audio') return 'the audio track';
  const start = round(item.startSeconds);
  return item.durationSeconds === undefined ? `segment ${item.index + 1} (from ${start} s)` : `segment ${item.index + 1} (${start}–${round(item.startSeconds + item.durationSeconds)} s)`;
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
const SEGMENT_FAILURE = /^(segment \d+ \((from )?[0-9.]+(–[0-9.]+)? s\)|the audio track): [a-z ]{1,80}$/;

/**
 * The reason a failed workflow records, from the error its Catch received (`{Error, Cause}`): a
 * failed segment's own message (checked against the form VideoSegmentFailed writes, as the
 * cause is text from the function), else only the error's name (a cause may quote paths or logs).
 */
export function workflowFailureReason(error: { readonly Error?: string; readonly Cause?: string }): string {
  if (error.Error === VIDEO_SEGMENT_FAILED && typeof error.Cause === 'string') {
    let message: unknown;
    try {
      message = (JSON.parse(error.Cause) as { errorMessage?: unknown }).errorMessage;
    } catch {
      message = undefined;
    }
    if (typeof message === 'string' && SEGMENT_FAILURE.test(message)) return `could not make a playable copy: ${message}`;
  }
  return `could not make a playable copy (${error.Error ?? 'unknown error'})`;
}

/** The first reason a part failed, if any did. */
export function firstFailure(parts: readonly SegmentPart[]): string | undefined {
  const failed = parts.find((part): part is Extract<SegmentPart, { ok: false }> => !part.ok);
  return failed?.reason;
}
