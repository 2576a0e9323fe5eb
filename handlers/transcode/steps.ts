/**
 * The steps of the video workflow (modules/media-store/video-workflow.ts), one per invocation:
 *
 * - `plan`: the row must still be this version; `remux`, `whole` (a video of one segment's
 *   length at most), or the segments to transcode (core/video-segments.ts), or nothing (no
 *   copy, or a newer version).
 * - `remux`: stream copy into a faststart MP4 (seconds, even for GBs). An H.264 MP4 with its
 *   index at the end takes the fast path first (adapters/faststart-copies.ts over
 *   core/mp4-faststart.ts: the index rewritten, the media data copied inside S3, no ffmpeg and
 *   nothing on /tmp); any file that path refuses is remuxed by ffmpeg as before.
 * - `whole`: the video and its audio transcoded in one ffmpeg run straight into the faststart
 *   MP4: a short clip (most phone videos) pays for no scratch, no separate audio run, no join.
 * - `segment`: one video window (MPEG-TS, its own timestamps kept) or the whole audio track
 *   (AAC), to `scratch/`; one that cannot be made throws `VideoSegmentFailed` naming it, which
 *   the Map retries and then hands to `fail`.
 * - `join`: the segments end to end and the audio, stream-copied into ONE faststart MP4 under
 *   `derived/`; recorded on the row if the original is still the same version, else deleted.
 * - `fail`: what the workflow caught after the retries: `failed` and why (a failed segment by its name).
 *
 * Every ffmpeg run goes through the decoder box (adapters/video-box.ts). A file the box cannot
 * decode is an outcome (`failed` with a reason, the invocation succeeds: never retried in a loop),
 * but for a segment, which is retried as the state machine says (once) before the copy fails;
 * S3 or DynamoDB errors are thrown, and the state machine retries them.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger';
import type { ObjectUrls } from '../core/object-urls';
import { copySize, remuxArgs, transcodeArgs, type CopyJobArgs } from '../core/video-commands';
import { displayedSizeOf } from '../core/video-probe';
import { expectedPictures, MIN_PICTURE_SHARE, TsPictureCounter } from '../core/mpegts-pictures';
import { VIDEO_COPY_TYPE, videoCopyKeyOf, type StoredVideoCopy, type VideoCopyInput } from '../core/video-copies';
import { firstFailure, planSegments, scratchKeyOf, scratchPrefixOf, VideoSegmentFailed, workflowFailureReason, type SegmentItem, type SegmentPart } from '../core/video-segments';
import type { FileCatalog } from '../adapters/files-repository';
import type { FileTransfers } from '../adapters/file-transfers';
import type { FaststartCopies } from '../adapters/faststart-copies';
import { openVideo, runBoxed, type BoxedRun, type BoxedVideo } from '../adapters/video-box';

type CopyPlan = { readonly mode: 'none' | 'stale' | 'remux' | 'whole' } | { readonly mode: 'segments'; readonly items: readonly SegmentItem[] };

type StepEvent =
  | { readonly step: 'plan'; readonly input: VideoCopyInput }
  | { readonly step: 'remux'; readonly input: VideoCopyInput }
  | { readonly step: 'whole'; readonly input: VideoCopyInput }
  | { readonly step: 'segment'; readonly input: VideoCopyInput; readonly item: SegmentItem }
  | { readonly step: 'join'; readonly input: VideoCopyInput; readonly parts: readonly SegmentPart[] }
  | { readonly step: 'fail'; readonly input: VideoCopyInput; readonly error: { readonly Error?: string; readonly Cause?: string } };

type CopyOutcome = { readonly outcome: 'ready' | 'failed' | 'stale'; readonly key?: string; readonly bytes?: number; readonly reason?: string };

export interface TranscodeDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'recordVideoCopy'>;
  readonly objects: { urlSigner(): Promise<ObjectUrls>; list(prefix: string): Promise<string[]>; deleteMany(keys: readonly string[]): Promise<void> };
  readonly transfers: FileTransfers;
  /** The remux's fast path (an H.264 MP4 with its index at the end). */
  readonly faststart: FaststartCopies;
  /** The bundled ffmpeg. */
  readonly ffmpeg: string;
  /** The function's /tmp (a folder per invocation is made and removed in it). */
  readonly workDir: string;
  readonly segmentSeconds: number;
  readonly maxHeight: number;
  readonly logger: Logger;
  /** Milliseconds the invocation has left (Lambda's context). */
  readonly remainingMs: () => number;
}

/** Time kept back from ffmpeg for the upload after it (and Lambda's own margin). */
const UPLOAD_MARGIN_MS = 60_000;
/** Lifetime of the URL ffmpeg reads the original through: a segment's run at most. */
const ORIGINAL_URL_TTL_SECONDS = 900;
const MP4 = VIDEO_COPY_TYPE;

export async function runStep(event: StepEvent, deps: TranscodeDeps): Promise<CopyPlan | SegmentPart | CopyOutcome | { readonly recorded: string }> {
  switch (event.step) {
    case 'plan':
      return plan(event.input, deps);
    case 'remux':
      return remux(event.input, deps);
    case 'whole':
      return whole(event.input, deps);
    case 'segment':
      return segment(event.input, event.item, deps);
    case 'join':
      return join(event.input, event.parts, deps);
    case 'fail': {
      // A failed segment's own words, else only the error's name: a cause may quote paths and ffmpeg's log.
      const reason = workflowFailureReason(event.error);
      await deleteScratch(event.input, deps);
      return { recorded: await deps.files.recordVideoCopy(event.input.folder, event.input.name, event.input.etag, { state: 'failed', reason }) };
    }
  }
}

async function plan(input: VideoCopyInput, deps: TranscodeDeps): Promise<CopyPlan> {
  const { file } = await deps.files.getRow(input.folder, input.name);
  if (file === undefined || file.key !== input.key || file.etag !== input.etag) return { mode: 'stale' };
  if (input.decision.copy === 'remux') return { mode: 'remux' };
  if (input.decision.copy !== 'transcode') return { mode: 'none' };
  const items = planSegments(input.probe.durationSeconds, deps.segmentSeconds, input.probe.audioCodec !== undefined);
  // One segment's worth: one run, as ffmpeg by hand would (no fan-out to gain from).
  return items.filter((item) => item.kind === 'video').length === 1 ? { mode: 'whole' } : { mode: 'segments', items };
}

/** A folder of its own under /tmp for one invocation, removed whatever happens. */
async function inWorkDir<T>(deps: TranscodeDeps, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = path.join(deps.workDir, `video-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(dir, { recursive: true });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ffmpeg's budget in this invocation: the time left but the upload's, the free /tmp but a margin. */
async function budget(deps: TranscodeDeps, share = 1): Promise<{ timeoutMs: number; maxOutputBytes: number }> {
  const fs = await statfs(deps.workDir);
  return { timeoutMs: Math.max(1000, deps.remainingMs() - UPLOAD_MARGIN_MS), maxOutputBytes: Math.max(1, Math.floor(fs.bavail * fs.bsize * share * 0.95)) };
}

async function openOriginal(input: VideoCopyInput, deps: TranscodeDeps): Promise<{ ok: true; video: BoxedVideo } | { ok: false; reason: string }> {
  const url = (await deps.objects.urlSigner()).get({ key: input.key, name: input.name, contentType: MP4 }, 'inline', { expiresIn: ORIGINAL_URL_TTL_SECONDS });
  const opened = await openVideo({ url });
  return opened.ok ? { ok: true, video: opened.video } : { ok: false, reason: opened.reason };
}

function failureOf(run: BoxedRun): string | undefined {
  if (run.outcome === 'done') return undefined;
  if (run.outcome === 'timeout') return 'the video took too long to convert';
  if (run.outcome === 'too-large') return 'the copy would be too large';
  return 'the video could not be decoded';
}

async function box(deps: TranscodeDeps, video: BoxedVideo, args: CopyJobArgs, limits: { timeoutMs: number; maxOutputBytes: number }, more: readonly BoxedVideo[] = []): Promise<string | undefined> {
  const run = await runBoxed(deps.ffmpeg, video, { inputOptions: args.inputOptions, output: args.output, ...limits, ...(more.length > 0 ? { moreInputs: more } : {}) });
  const failure = failureOf(run);
  if (failure !== undefined) deps.logger.warn('ffmpeg failed', { outcome: run.outcome, code: run.code, log: run.log.slice(-2000) });
  return failure;
}

async function remux(input: VideoCopyInput, deps: TranscodeDeps): Promise<CopyOutcome> {
  return (await fastRemux(input, deps)) ?? oneRun(input, deps, (target) => remuxArgs(input.probe, input.decision, { target }), displayedSizeOf(input.probe));
}

/** A video of one segment's length at most: video and audio in one run, straight into the faststart MP4. */
function whole(input: VideoCopyInput, deps: TranscodeDeps): Promise<CopyOutcome> {
  return oneRun(input, deps, (target) => transcodeArgs(input.probe, { target, maxHeight: deps.maxHeight }), copySize(input.probe, deps.maxHeight));
}

/** One boxed ffmpeg run from the original to the copy on /tmp, then published; a file the box cannot decode ends `failed`. */
async function oneRun(input: VideoCopyInput, deps: TranscodeDeps, argsFor: (target: string) => CopyJobArgs, size: { width: number; height: number } | undefined): Promise<CopyOutcome> {
  return inWorkDir(deps, async (dir) => {
    const opened = await openOriginal(input, deps);
    if (!opened.ok) return recordFailure(input, opened.reason, deps);
    const target = path.join(dir, 'copy.mp4');
    // The output, then its index moved to the front: twice the copy on /tmp at most.
    const failure = await box(deps, opened.video, argsFor(target), await budget(deps, 0.5));
    if (failure !== undefined) return recordFailure(input, failure, deps);
    return publish(input, target, size, deps);
  });
}

/**
 * The remux without ffmpeg, when the original is an H.264 MP4 whose audio is copied or absent;
 * `undefined` when the fast path refuses the file (the reason logged), and ffmpeg remuxes it.
 */
async function fastRemux(input: VideoCopyInput, deps: TranscodeDeps): Promise<CopyOutcome | undefined> {
  const { probe, decision } = input;
  if (probe.container !== 'mp4' || probe.videoCodec !== 'h264' || decision.audio === 'encode') return undefined;
  const key = videoCopyKeyOf(input.key, input.etag);
  const made = await deps.faststart.copy({ sourceKey: input.key, sourceEtag: input.etag, destinationKey: key, contentType: MP4, audio: decision.audio });
  if (!made.ok) {
    deps.logger.info('remux by ffmpeg', { key: input.key, why: made.reason });
    return undefined;
  }
  deps.logger.info('remuxed in place', { key: input.key, parts: made.parts });
  return record(input, key, made.bytes, displayedSizeOf(probe), deps);
}

/** One segment to scratch; one that cannot be made throws VideoSegmentFailed (the Map retries it, then fails the copy). */
async function segment(input: VideoCopyInput, item: SegmentItem, deps: TranscodeDeps): Promise<SegmentPart> {
  return inWorkDir(deps, async (dir) => {
    const opened = await openOriginal(input, deps);
    if (!opened.ok) throw new VideoSegmentFailed(item, opened.reason);
    const key = scratchKeyOf(input.runId, item);
    const target = path.join(dir, path.basename(key));
    const args = item.kind === 'audio'
      ? transcodeArgs(input.probe, { target, maxHeight: deps.maxHeight, streams: 'audio', format: 'mp4' })
      : withTimestampsFrom(item.startSeconds, transcodeArgs(input.probe, { target, maxHeight: deps.maxHeight, streams: 'video', format: 'mpegts', startSeconds: item.startSeconds, ...(item.durationSeconds !== undefined ? { durationSeconds: item.durationSeconds } : {}) }));
    const failure = await box(deps, opened.video, args, await budget(deps));
    if (failure !== undefined) throw new VideoSegmentFailed(item, failure);
    // ffmpeg exits 0 having written nothing when no picture of the window could be decoded.
    if (item.kind === 'video' && !(await holdsItsPictures(target, item, input.probe))) throw new VideoSegmentFailed(item, 'the video could not be decoded');
    const bytes = await deps.transfers.upload(key, target, item.kind === 'audio' ? 'audio/mp4' : 'video/mp2t');
    deps.logger.info('segment made', { key: input.key, item: item.kind === 'audio' ? 'audio' : item.index, bytes });
    return { ok: true, key, bytes };
  });
}

/** Whether a video segment holds most of its window's pictures (core/mpegts-pictures.ts), read back from /tmp. */
async function holdsItsPictures(file: string, item: Extract<SegmentItem, { kind: 'video' }>, probe: VideoCopyInput['probe']): Promise<boolean> {
  const counter = new TsPictureCounter();
  for await (const chunk of createReadStream(file)) counter.push(chunk as Buffer);
  const expected = expectedPictures(item, probe);
  return counter.pictures > 0 && (expected === undefined || counter.pictures >= expected * MIN_PICTURE_SHARE);
}

/**
 * Every segment's timestamps start this far into the timeline: none is ever negative (B-frames
 * put the first decoding time before the first picture), so no muxer shifts one segment and
 * not the others. The join starts the joined stream at zero again.
 */
const SEGMENT_TIMELINE_BASE_SECONDS = 10;

/** A segment keeps the original's timeline (`-output_ts_offset`): segments laid end to end are one stream. */
function withTimestampsFrom(startSeconds: number, args: CopyJobArgs): CopyJobArgs {
  const output = [...args.output];
  const target = output.pop() as string;
  return { inputOptions: args.inputOptions, output: [...output, '-output_ts_offset', String(SEGMENT_TIMELINE_BASE_SECONDS + startSeconds), target] };
}

async function join(input: VideoCopyInput, parts: readonly SegmentPart[], deps: TranscodeDeps): Promise<CopyOutcome> {
  const failure = firstFailure(parts);
  if (failure !== undefined) return recordFailure(input, failure, deps);
  return inWorkDir(deps, async (dir) => {
    const ok = parts.filter((part): part is Extract<SegmentPart, { ok: true }> => part.ok);
    const videoFile = path.join(dir, 'video.ts');
    const audioFile = path.join(dir, 'audio.m4a');
    const audio = ok.find((part) => part.key.endsWith('.m4a'));
    // In segment order (the Map returns results in item order), end to end: MPEG-TS concatenates.
    for (const part of ok.filter((p) => p !== audio)) await deps.transfers.download(part.key, videoFile, { append: true });
    if (audio !== undefined) await deps.transfers.download(audio.key, audioFile);
    const [video, sound] = await Promise.all([openVideo({ path: videoFile }), audio !== undefined ? openVideo({ path: audioFile }) : undefined]);
    if (!video.ok || (sound !== undefined && !sound.ok)) return recordFailure(input, 'the segments could not be joined', deps);
    const target = path.join(dir, 'copy.mp4');
    const args: CopyJobArgs = {
      inputOptions: [],
      output: ['-map', '0:v:0', ...(sound !== undefined ? ['-map', '1:a:0'] : []), '-c', 'copy', '-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', target],
    };
    const joined = await box(deps, video.video, args, await budget(deps, 0.5), sound?.ok === true ? [sound.video] : []);
    if (joined !== undefined) return recordFailure(input, 'the segments could not be joined', deps);
    const outcome = await publish(input, target, copySize(input.probe, deps.maxHeight), deps);
    await deleteScratch(input, deps);
    return outcome;
  });
}

/** Uploads the copy and records it; a copy of a version that is no longer the row's is deleted. */
/** `size`: the copy as displayed (upright), when the probe knew the original's. */
async function publish(input: VideoCopyInput, file: string, size: { width: number; height: number } | undefined, deps: TranscodeDeps): Promise<CopyOutcome> {
  const key = videoCopyKeyOf(input.key, input.etag);
  const bytes = await deps.transfers.upload(key, file, MP4);
  return record(input, key, bytes, size, deps);
}

/** Records a copy already at `key`; one of a version that is no longer the row's is deleted. */
async function record(input: VideoCopyInput, key: string, bytes: number, size: { width: number; height: number } | undefined, deps: TranscodeDeps): Promise<CopyOutcome> {
  const copy: StoredVideoCopy = { state: 'ready', key, bytes, ...(size !== undefined ? { width: size.width, height: size.height } : {}) };
  const write = await deps.files.recordVideoCopy(input.folder, input.name, input.etag, copy);
  if (write === 'stale') {
    await deps.objects.deleteMany([key]);
    deps.logger.info('copy discarded: the original changed', { key: input.key });
    return { outcome: 'stale' };
  }
  deps.logger.info('playable copy made', { key: input.key, copy: key, bytes });
  return { outcome: 'ready', key, bytes };
}

async function recordFailure(input: VideoCopyInput, reason: string, deps: TranscodeDeps): Promise<CopyOutcome> {
  await deleteScratch(input, deps);
  const write = await deps.files.recordVideoCopy(input.folder, input.name, input.etag, { state: 'failed', reason });
  deps.logger.warn('no playable copy', { key: input.key, reason, write });
  return { outcome: write === 'stale' ? 'stale' : 'failed', reason };
}

async function deleteScratch(input: VideoCopyInput, deps: TranscodeDeps): Promise<void> {
  const keys = await deps.objects.list(scratchPrefixOf(input.runId));
  await deps.objects.deleteMany(keys);
}

/** The step event, checked: a malformed one is refused (the workflow never sends one). */
export function parseStepEvent(event: unknown): StepEvent {
  const value = event as Partial<Record<string, unknown>> | null;
  const input = value?.input as Partial<VideoCopyInput> | undefined;
  const fine = typeof input?.key === 'string' && typeof input.etag === 'string' && typeof input.runId === 'string' && /^copy-[0-9a-f]{64}$/.test(input.runId) && typeof input.folder === 'string' && typeof input.name === 'string' && typeof input.probe === 'object' && typeof input.decision === 'object';
  if (!fine || typeof value?.step !== 'string' || !['plan', 'remux', 'whole', 'segment', 'join', 'fail'].includes(value.step)) throw new Error('not a video workflow step');
  if (value.step === 'segment' && typeof value.item !== 'object') throw new Error('a segment step needs its item');
  if (value.step === 'join' && !Array.isArray(value.parts)) throw new Error('a join step needs its parts');
  return { ...value, error: value.error ?? {} } as StepEvent;
}

