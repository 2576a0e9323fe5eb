/**
 * The video workflow's segment path on a stack of its own with 2-second segments
 * (`video_segment_seconds = 2`): a 10-second HEVC clip becomes five video segments and one
 * audio track transcoded in parallel by the transcoding function's sandboxes, joined into ONE
 * faststart MP4 by the plan's own state machine run by the local interpreter. The clip flashes
 * white and beeps at every even second (0, 2, 4, 6, 8: every join), so the copy's decoded
 * pictures and sound show whether they are still together at each join. A clip whose bytes go
 * bad in the middle has that one segment retried as the state machine says, then the copy fails
 * naming it, with nothing half-made left behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { SCRATCH_PREFIX } from '../../contract/bucket';
import type { FileItem } from '../../contract/wire';
import { derivedPrefixOf } from '../../handlers/core/media';
import type { LocalStack } from '../../local/stack';
import { VideoCopyRunner } from '../support/video-copy-run';
import { canMakeVideoFixtures, FIXTURE_FFMPEG } from '../support/video-fixtures';
import { adminTokenOf, startOwnStack } from './support/own-stack';

const FFPROBE = path.join(path.dirname(FIXTURE_FFMPEG), 'ffprobe');
const CLIP_SECONDS = 10;
/** Flash and beep at every even second, 100 ms long. */
const MARK_TIMES = [0, 2, 4, 6, 8];
const COPY_TIMEOUT_MS = 240_000;
/** How a Lambda attempt ends in an execution's history. */
const OUTCOMES = new Set(['LambdaFunctionSucceeded', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut']);

const run = canMakeVideoFixtures() ? describe : describe.skip;

run('video workflow: segments transcoded in parallel, joined into one playable MP4', () => {
  let stack: LocalStack;
  let work: string;
  let runner: VideoCopyRunner;
  let s3: S3Client;
  let sfn: SFNClient;
  let token: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'media-store-fanout-e2e-'));
    const own = await startOwnStack(work, { video_segment_seconds: 2, video_max_parallel_segments: 3 });
    stack = own.stack;
    token = await adminTokenOf(stack, own.adminPassword);
    runner = new VideoCopyRunner(stack, token);
    s3 = new S3Client({ region: stack.region, credentials: stack.credentials, endpoint: stack.s3Endpoint, forcePathStyle: true });
    sfn = new SFNClient({ region: stack.region, credentials: stack.credentials, endpoint: stack.sfnEndpoint });
    // A stack of its own: its DynamoDB Local and sandboxes take minutes to start on a loaded machine.
  }, 300_000);

  afterAll(async () => {
    runner?.destroy();
    s3?.destroy();
    sfn?.destroy();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const copyOf = (folder: string, name: string) => runner.copy(folder, name, { timeoutMs: COPY_TIMEOUT_MS });
  const upload = (folder: string, name: string, bytes: Buffer, contentType?: string) => runner.upload(folder, name, bytes, contentType);
  const row = (folder: string, name: string) => runner.row(folder, name);

  it('makes one faststart MP4 of the clip\'s duration (±0.1 s), keyframes every 2 s, sound and picture together (±40 ms) at every join; the scratch is gone', async () => {
    // Prepare
    const clip = path.join(work, 'beeps.mov');
    makeMarkedClip(clip);

    // Act
    const id = await upload('/clips', 'beeps.mov', readFileSync(clip));
    const { execution, row: done } = await copyOf('/clips', 'beeps.mov');

    // Assert
    expect(id).toBeTruthy();
    expect(execution?.status).toBe('SUCCEEDED');
    expect(done?.video?.copy).toMatchObject({ state: 'ready', height: 180 });
    const copyKey = done?.video?.copy?.key as string;
    const copy = path.join(work, 'copy.mp4');
    const object = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: copyKey }));
    expect(object.Contents?.map((o) => o.Key)).toEqual([copyKey]);
    writeFileSync(copy, Buffer.from(await (await fetch(await signedGet(copyKey))).arrayBuffer()));

    const streams = ffprobeJson(copy, ['-show_streams', '-show_format']) as { streams: { codec_type: string; codec_name: string; profile?: string; duration: string; width?: number }[]; format: { duration: string } };
    expect(streams.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(streams.streams.find((s) => s.codec_type === 'video')?.profile).toBe('High');
    expect(Math.abs(Number(streams.format.duration) - CLIP_SECONDS)).toBeLessThanOrEqual(0.1);
    for (const stream of streams.streams) expect(Math.abs(Number(stream.duration) - CLIP_SECONDS)).toBeLessThanOrEqual(0.1);
    // Faststart: the index before the media data, so a browser starts and seeks at once.
    const bytes = readFileSync(copy);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    // A keyframe at every join (and so at least every 2 s): seeking lands anywhere.
    const keyframes = (ffprobeJson(copy, ['-select_streams', 'v:0', '-skip_frame', 'nokey', '-show_frames', '-show_entries', 'frame=pts_time']) as { frames: { pts_time: string }[] }).frames.map((f) => Number(f.pts_time));
    for (const join of [0, 2, 4, 6, 8]) expect(keyframes.some((t) => Math.abs(t - join) < 0.02)).toBe(true);
    // Every flash has its beep within 40 ms, at every join.
    const flashes = flashStarts(copy);
    const beeps = beepStarts(copy);
    expect(flashes).toHaveLength(MARK_TIMES.length);
    expect(beeps).toHaveLength(MARK_TIMES.length);
    MARK_TIMES.forEach((time, i) => {
      expect(Math.abs((flashes[i] as number) - time)).toBeLessThanOrEqual(0.04);
      expect(Math.abs((beeps[i] as number) - (flashes[i] as number))).toBeLessThanOrEqual(0.04);
    });
    const scratch = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: SCRATCH_PREFIX }));
    expect(scratch.KeyCount ?? 0).toBe(0);
  }, COPY_TIMEOUT_MS + 60_000);

  it('ends a file that is no video `failed` with a reason and starts no copy; its original stays downloadable, the other copy untouched', async () => {
    // Prepare
    const clip = path.join(work, 'beeps.mov');
    const corrupt = Buffer.concat([Buffer.from('not a video at all: '), readFileSync(clip).subarray(4096)]);
    const before = await row('/clips', 'beeps.mov');

    // Act
    const id = await upload('/clips', 'broken.mov', corrupt);
    const { execution, row: failed } = await copyOf('/clips', 'broken.mov');

    // Assert
    expect(id).toBeTruthy();
    expect(execution).toBeUndefined();
    expect(failed).toMatchObject({ processing: 'failed' });
    expect(failed?.processingReason).toBeTruthy();
    expect(failed?.video?.copy).toBeUndefined();
    const original = await fetch(await signedGet(failed?.key as string));
    expect(Buffer.from(await original.arrayBuffer()).equals(corrupt)).toBe(true);
    expect((await row('/clips', 'beeps.mov'))?.video).toEqual(before?.video);
    const scratch = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: SCRATCH_PREFIX }));
    expect(scratch.KeyCount ?? 0).toBe(0);
  }, COPY_TIMEOUT_MS + 60_000);

  it('retries a segment whose bytes went bad as the state machine says, then ends the copy `failed` naming it: no copy object, no scratch, the original byte for byte, `playable` honest', async () => {
    // Prepare: a 10 s HEVC MPEG-TS whose pictures from 4 s to 6 s are garbage (segment 3 of 5).
    const clip = path.join(work, 'bad-middle.ts');
    makeClipBadInTheMiddle(clip);
    const bytes = readFileSync(clip);

    // Act
    const id = await upload('/clips', 'bad-middle.ts', bytes, 'video/mp2t');
    const { execution, row: failed } = await copyOf('/clips', 'bad-middle.ts');

    // Assert: the workflow failed through MarkFailed, the row says which segment and why.
    expect(failed?.processing).toBe('ready');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'VideoCopyFailed' });
    expect(failed?.video?.copy).toEqual({ state: 'failed', reason: 'could not make a playable copy: segment 3 (4–6 s): the video could not be decoded' });
    // The bad segment was tried twice (once more, as its Retry says), each other segment once, and all of them succeeded.
    const events = await historyOf(execution?.executionArn as string);
    // Each attempt: what was scheduled, and the outcome that names it as its previous event.
    const segmentAttempts = events
      .filter((e) => e.type === 'LambdaFunctionScheduled')
      .map((e) => {
        const input = JSON.parse(String(e.lambdaFunctionScheduledEventDetails?.input)) as { step: string; item?: { kind: string; index?: number } };
        return { index: input.step === 'segment' ? input.item?.index : undefined, outcome: events.find((o) => o.previousEventId === e.id && OUTCOMES.has(o.type as string)) };
      });
    const bad = segmentAttempts.filter((a) => a.index === 2);
    expect(bad).toHaveLength(2);
    for (const attempt of bad) expect(attempt.outcome).toMatchObject({ type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: 'VideoSegmentFailed' } });
    const others = segmentAttempts.filter((a) => a.index !== undefined && a.index !== 2);
    expect(others.length).toBeGreaterThan(0);
    for (const attempt of others) expect(attempt.outcome?.type).toBe('LambdaFunctionSucceeded');
    expect(new Set(others.map((a) => a.index)).size).toBe(others.length);
    expect(events.filter((e) => e.type === 'MapIterationFailed').map((e) => e.mapIterationFailedEventDetails?.index)).toEqual([2]);
    expect(events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name).slice(-2)).toEqual(['MarkFailed', 'Failed']);
    // No copy object and no scratch left; the poster and thumbnail stay.
    const derived = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: derivedPrefixOf(failed?.key as string) }));
    expect((derived.Contents ?? []).map((o) => o.Key).filter((k) => !k?.endsWith('.webp'))).toEqual([]);
    const scratch = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: SCRATCH_PREFIX }));
    expect(scratch.KeyCount ?? 0).toBe(0);
    // The API is honest: no copy to play, why not, and the original downloads byte for byte.
    const file = await api<FileItem>(`/files/${id}`);
    expect(file.video).toMatchObject({ action: 'transcode', playable: 'none', copy: { state: 'failed', reason: failed?.video?.copy?.reason } });
    expect(file.video?.copyUrl).toBeUndefined();
    const original = await fetch(file.url as string);
    expect(Buffer.from(await original.arrayBuffer()).equals(bytes)).toBe(true);
  }, COPY_TIMEOUT_MS + 60_000);

  /** The execution's whole history (GetExecutionHistory, page by page). */
  const historyOf = async (executionArn: string): Promise<HistoryEvent[]> => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return events;
  };

  const api = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${stack.apiUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  /** A GET URL of an object, signed with the stack's key pair (test inspection). */
  const signedGet = async (key: string): Promise<string> => {
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    return getSignedUrl(s3, new GetObjectCommand({ Bucket: stack.bucketName, Key: key }), { expiresIn: 300 });
  };
});

/** HEVC + AAC in QuickTime, 320x180 at 30 fps: black with a white flash and a 1 kHz beep for 100 ms at every even second. */
function makeMarkedClip(file: string): void {
  execFileSync(FIXTURE_FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=black:s=320x180:r=30:d=${CLIP_SECONDS},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t\\,2)\\,0.1)'`,
    '-f', 'lavfi', '-i', `aevalsrc='if(lt(mod(t\\,2)\\,0.1)\\,0.8*sin(2*PI*1000*t)\\,0)':s=48000:d=${CLIP_SECONDS}`,
    '-c:v', 'libx265', '-tag:v', 'hvc1', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-f', 'mov', file,
  ]);
}

function ffprobeJson(file: string, args: readonly string[]): unknown {
  return JSON.parse(execFileSync(FFPROBE, ['-v', 'error', '-of', 'json', ...args, file]).toString('utf8'));
}

/** Where the picture turns white: the ends of the black stretches (and 0 when it starts white). */
function flashStarts(file: string): number[] {
  const log = ffmpegLog(file, ['-an', '-vf', 'blackdetect=d=0.01:pix_th=0.2', '-f', 'null', '-']);
  const starts = [...log.matchAll(/black_start:(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  const ends = [...log.matchAll(/black_end:(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  return [...(starts[0] !== undefined && starts[0] > 0.02 ? [0] : []), ...ends.filter((t) => t < CLIP_SECONDS - 0.05)];
}

/** Where the sound starts: the ends of the silences (and 0 when it starts with a beep). */
function beepStarts(file: string): number[] {
  const log = ffmpegLog(file, ['-vn', '-af', 'silencedetect=n=-30dB:d=0.05', '-f', 'null', '-']);
  const starts = [...log.matchAll(/silence_start: (-?\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  const ends = [...log.matchAll(/silence_end: (\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]));
  return [...(starts[0] !== undefined && starts[0] > 0.02 ? [0] : []), ...ends.filter((t) => t < CLIP_SECONDS - 0.05)];
}

function ffmpegLog(file: string, args: readonly string[]): string {
  // The filters report on stderr.
  return spawnSync(FIXTURE_FFMPEG, ['-hide_banner', '-nostats', '-i', file, ...args], { encoding: 'utf8' }).stderr;
}

/**
 * HEVC in MPEG-TS, 320x180 at 30 fps with a keyframe every second, no sound: 10 s whose pictures
 * from 4 s to 6 s are noise inside intact transport packets (timestamps, packet headers and every
 * other picture untouched), as a memory card going bad in the middle leaves a recording. The
 * probe and the poster (at 1 s) read it; segment 3 (4-6 s) cannot be decoded.
 */
function makeClipBadInTheMiddle(file: string): void {
  const clean = `${file}.clean.ts`;
  execFileSync(FIXTURE_FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30:d=${CLIP_SECONDS}`,
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=30:min-keyint=30:scenecut=0:open-gop=0', '-pix_fmt', 'yuv420p',
    '-f', 'mpegts', clean,
  ]);
  const ts = readFileSync(clean);
  rmSync(clean);
  garblePictures(ts, 4, 6);
  writeFileSync(file, ts);
}

/** Overwrites, in place, the coded bytes of every video picture whose PTS lies in [from, to) seconds of the stream with noise (a fixed seed). */
function garblePictures(ts: Buffer, from: number, to: number): void {
  let seed = 0x2545f491;
  const noise = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed & 0xff;
  };
  let videoPid: number | undefined;
  let firstPts: number | undefined;
  let inWindow = false;
  for (let at = 0; at + 188 <= ts.length; at += 188) {
    if (ts[at] !== 0x47) throw new Error(`not a transport packet at ${at}`);
    const pid = ((ts[at + 1]! & 0x1f) << 8) | ts[at + 2]!;
    const unitStart = (ts[at + 1]! & 0x40) !== 0;
    const control = (ts[at + 3]! >> 4) & 3;
    if ((control & 1) === 0) continue;
    let payload = at + 4 + ((control & 2) !== 0 ? 1 + ts[at + 4]! : 0);
    if (unitStart && ts[payload] === 0 && ts[payload + 1] === 0 && ts[payload + 2] === 1 && (ts[payload + 3]! & 0xf0) === 0xe0) {
      videoPid ??= pid;
      if (pid !== videoPid || (ts[payload + 7]! & 0x80) === 0) continue;
      const p = payload + 9;
      const pts = (ts[p]! & 0x0e) * 2 ** 29 + ts[p + 1]! * 2 ** 22 + (ts[p + 2]! & 0xfe) * 2 ** 14 + ts[p + 3]! * 2 ** 7 + (ts[p + 4]! >> 1);
      firstPts ??= pts;
      const seconds = (pts - firstPts) / 90_000;
      inWindow = seconds >= from - 0.001 && seconds < to - 0.001;
      payload += 9 + ts[payload + 8]!;
    } else if (pid !== videoPid) {
      continue;
    }
    if (inWindow) for (let i = payload; i < at + 188; i += 1) ts[i] = noise();
  }
}
