/**
 * Playable copies on the local stack (issue 19): an iPhone-style HEVC QuickTime clip goes up
 * through the API, the process function probes it, records a pending copy and makes it (in one
 * transcoding run: it is shorter than a segment); the
 * files API then answers a signed URL of an upright H.264/AAC MP4 with its index first, kept
 * beside the derived images and deleted with the original, and carried to the new key when the
 * file moves (no second workflow). An H.264 MP4 with its index at the end is remuxed on the fast
 * path (no ffmpeg: its index rewritten, its media data copied inside S3). A video the decoder
 * cannot read ends `failed` with a reason, and its original still downloads.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import sharp from 'sharp';
import type { FileItem } from '../../contract/wire';
import { localDecoders } from '../../handlers/adapters/media-decoders';
import { derivedPrefixOf } from '../../handlers/core/media';
import { videoCopyKeyOf } from '../../handlers/core/video-copies';
import { reprocess } from '../../scripts/reprocess';
import { FIXTURE_FFMPEG, makeVideoFixtures } from '../support/video-fixtures';
import { e2eContext } from './support/context';
import { adminS3, catalogRow, keyOf, uploadFile } from './support/files';
import { api, eventually, login } from './support/http';
import { sha256 } from './support/media';

const SETTLE_TIMEOUT_MS = 60_000;

describe('video copies', () => {
  const context = e2eContext();
  const folder = `/videos-${randomBytes(4).toString('hex')}`;
  const s3 = adminS3();
  let token: string;
  let fixtures: ReturnType<typeof makeVideoFixtures>;

  beforeAll(async () => {
    fixtures = makeVideoFixtures(undefined, ['iphone-hevc-rotated.mov', 'vp9.webm']);
    token = await login(context.editor);
  }, 120_000);

  /** GET /files/{id} until processing and any copy have settled. */
  const settled = async (id: string): Promise<FileItem & { processing: string; processingReason?: string }> => {
    const file = await eventually(async () => {
      const response = await api<FileItem & { processing: string }>(`/files/${id}`, { token });
      if (response.status !== 200 || response.body.processing === 'pending' || response.body.video?.copy?.state === 'pending') return undefined;
      return response.body;
    }, SETTLE_TIMEOUT_MS, 250);
    if (file === undefined) throw new Error(`file ${keyOf(id)} did not settle in ${SETTLE_TIMEOUT_MS} ms`);
    return file;
  };

  const sfn = new SFNClient({ region: context.region, credentials: context.credentials, endpoint: context.sfnEndpoint });
  afterAll(() => sfn.destroy());
  /** The video workflow's executions for `key` (other test files make copies on this stack meanwhile). */
  const executionsOf = async (key: string) => {
    const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: context.stateMachineArns.video }))).executions ?? [];
    const described = await Promise.all(listed.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
    return described.filter((e) => (JSON.parse(e.input ?? '{}') as { key?: string }).key === key);
  };
  /** The states an execution entered, in order. */
  const statesOf = async (executionArn: string | undefined): Promise<string[]> => {
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    return events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name as string);
  };

  const derivedKeys = async (key: string): Promise<string[]> => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: context.bucketName, Prefix: derivedPrefixOf(key) }));
    return (out.Contents ?? []).map((o) => o.Key as string);
  };

  it('makes an upright H.264/AAC MP4 with its index first of an iPhone HEVC clip, serves it signed and deletes it with the original', async () => {
    const id = await uploadFile(token, folder, 'iphone.mov', readFileSync(fixtures['iphone-hevc-rotated.mov']), { contentType: 'video/quicktime' });
    const file = await settled(id);

    expect(file.video).toMatchObject({ container: 'mov', videoCodec: 'hevc', audioCodec: 'aac', action: 'transcode', playable: 'copy', copy: { state: 'ready', width: 180, height: 320 } });
    expect(file.video?.copy?.bytes).toBeGreaterThan(1000);
    // The key stays on the row; the wire has the signed URL.
    expect(file.video?.copy).not.toHaveProperty('key');

    const response = await fetch(file.video?.copyUrl as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const copyPath = path.join(mkdtempSync(path.join(tmpdir(), 'video-copies-e2e-')), 'copy.mp4');
    writeFileSync(copyPath, Buffer.from(await response.arrayBuffer()));
    const { probe } = await localDecoders().videoFrame({ path: copyPath });
    expect(probe).toMatchObject({ container: 'mp4', videoCodec: 'h264', profile: 'High', bitDepth: 8, rotation: 0, width: 180, height: 320, audioCodec: 'aac', moov: 'start' });
    expect(probe.durationSeconds).toBeCloseTo(3, 1);

    const row = await catalogRow(keyOf(id));
    expect(await derivedKeys(keyOf(id))).toContain(videoCopyKeyOf(keyOf(id), String(row?.etag)));
    // Three seconds are less than one segment: one transcoding run, no fan-out and no join.
    const [execution] = await executionsOf(keyOf(id));
    expect(await statesOf(execution?.executionArn)).toEqual(['Plan', 'Route', 'Whole', 'Done']);

    expect((await api(`/files/${id}`, { token, method: 'DELETE' })).status).toBe(204);
    expect(await eventually(async () => ((await derivedKeys(keyOf(id))).length === 0 ? true : undefined), 15_000)).toBe(true);
  }, 90_000);

  it('makes the copy again on npm run reprocess --all: the reprocess removes the old one and runs a workflow of its own', async () => {
    const again = `${folder}/again`;
    const id = await uploadFile(token, again, 'iphone.mov', readFileSync(fixtures['iphone-hevc-rotated.mov']), { contentType: 'video/quicktime' });
    expect((await settled(id)).video?.copy?.state).toBe('ready');
    const stackFile = path.join(mkdtempSync(path.join(tmpdir(), 'video-reprocess-')), 'stack.json');
    writeFileSync(stackFile, JSON.stringify(context), { mode: 0o600 });
    const out: string[] = [];

    const code = await reprocess(['--stack', stackFile, '--folder', again, '--all', '--json'], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });

    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ files: 1, counts: { ready: 1, failed: 0, error: 0 } });
    const file = await settled(id);
    expect(file.video?.copy).toMatchObject({ state: 'ready', width: 180, height: 320 });
    const row = await catalogRow(keyOf(id));
    const head = await s3.send(new HeadObjectCommand({ Bucket: context.bucketName, Key: videoCopyKeyOf(keyOf(id), String(row?.etag)) }));
    expect(head.ContentLength).toBe(file.video?.copy?.bytes);
    expect((await fetch(file.video?.copyUrl as string)).status).toBe(200);
  }, 120_000);

  it('brings the copy back with a video restored from the trash: deleted with it, made again, served signed', async () => {
    const binned = `${folder}/binned`;
    const id = await uploadFile(token, binned, 'iphone.mov', readFileSync(fixtures['iphone-hevc-rotated.mov']), { contentType: 'video/quicktime' });
    expect((await settled(id)).video?.copy?.state).toBe('ready');
    expect((await api(`/files/${id}`, { token, method: 'DELETE' })).status).toBe(204);
    expect(await eventually(async () => ((await derivedKeys(keyOf(id))).length === 0 ? true : undefined), 15_000)).toBe(true);
    const trash = await api<{ entries: { id: string; folder: string; name: string }[] }>('/trash?limit=500', { token });
    const entry = trash.body.entries.find((e) => e.folder === binned && e.name === 'iphone.mov');
    expect(entry).toBeDefined();

    const restored = await api(`/trash/${entry!.id}/restore`, { method: 'POST', json: {}, token });

    expect(restored.status).toBe(200);
    const file = await eventually(async () => {
      const response = await api<FileItem>(`/files/${id}`, { token });
      return response.status === 200 && response.body.video?.copy?.state === 'ready' ? response.body : undefined;
    }, SETTLE_TIMEOUT_MS, 250);
    expect(file?.video).toMatchObject({ action: 'transcode', playable: 'copy', copy: { state: 'ready', width: 180, height: 320 } });
    const row = await catalogRow(keyOf(id));
    expect(await derivedKeys(keyOf(id))).toContain(videoCopyKeyOf(keyOf(id), String(row?.etag)));
    const copy = await fetch(file?.video?.copyUrl as string);
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-type')).toBe('video/mp4');
  }, 120_000);

  describe('a move keeps the derived objects', () => {
    /** The names of the video workflow's executions for `key`. */
    const executionsFor = async (key: string): Promise<string[]> => (await executionsOf(key)).map((e) => e.name as string);
    const bytesOf = async (url: string | undefined): Promise<Buffer> => {
      const response = await fetch(url as string);
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    /** The process function's lines about `key` in the stack's log: it rendered the file, or started its copy. */
    const processedLines = (key: string): string[] => readFileSync(context.logFile, 'utf8').split('\n').filter((line) => line.includes('"file processed"') && line.includes(JSON.stringify(key)));
    /** Once the old key's derived prefix is gone (its removal reached the process function, after the new key's creation), a quiet while in which nothing may start. */
    const settledAfterMove = async (oldKey: string, newId: string): Promise<FileItem & { processing: string }> => {
      expect(await eventually(async () => ((await derivedKeys(oldKey)).length === 0 ? true : undefined), 15_000)).toBe(true);
      let file: (FileItem & { processing: string }) | undefined;
      for (const until = Date.now() + 3000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
        const response = await api<FileItem & { processing: string }>(`/files/${newId}`, { token });
        expect(response.status).toBe(200);
        // Never pending again: the file is not processed a second time.
        expect(response.body.processing).toBe('ready');
        file = response.body;
      }
      return file as FileItem & { processing: string };
    };

    it('moves a video with its ready copy: ready at once at the new place, the same bytes, no new workflow, the old derived prefix gone', async () => {
      // Prepare
      const id = await uploadFile(token, `${folder}/before`, 'iphone.mov', readFileSync(fixtures['iphone-hevc-rotated.mov']), { contentType: 'video/quicktime' });
      const before = await settled(id);
      expect(before.video?.copy?.state).toBe('ready');
      const copyBefore = sha256(await bytesOf(before.video?.copyUrl));
      const posterBefore = sha256(await bytesOf(before.posterUrl));
      const oldKey = keyOf(id);
      expect(await executionsFor(oldKey)).toHaveLength(1);

      // Act
      const moved = await api<FileItem & { processing: string }>(`/files/${id}`, { method: 'PATCH', token, json: { folder: `${folder}/after`, name: 'moved.mov' } });

      // Assert: the answer and the first read already have the copy.
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ folder: `${folder}/after`, name: 'moved.mov', processing: 'ready' });
      expect(moved.body.video).toMatchObject({ action: 'transcode', playable: 'copy', copy: { state: 'ready', width: 180, height: 320 } });
      const first = await api<FileItem>(`/files/${moved.body.id}`, { token });
      expect(first.body.video).toMatchObject({ playable: 'copy', copy: { state: 'ready' } });
      const after = await settledAfterMove(oldKey, moved.body.id);
      expect(after.video).toMatchObject({ playable: 'copy', copy: { state: 'ready', bytes: before.video?.copy?.bytes } });
      expect(sha256(await bytesOf(after.video?.copyUrl))).toBe(copyBefore);
      expect(sha256(await bytesOf(after.posterUrl))).toBe(posterBefore);
      const newKey = keyOf(moved.body.id);
      const row = await catalogRow(newKey);
      expect((row?.video as { copy?: { key?: string } }).copy?.key?.startsWith(derivedPrefixOf(newKey))).toBe(true);
      expect((await derivedKeys(newKey)).sort()).toEqual([...Object.values(row?.derived as Record<string, string>), (row?.video as { copy: { key: string } }).copy.key].sort());
      expect(await executionsFor(newKey)).toEqual([]);
      expect(await executionsFor(oldKey)).toHaveLength(1);
      // The original was processed (and logged so) at its old key; the moved file never is.
      expect(processedLines(oldKey).length).toBeGreaterThan(0);
      expect(processedLines(newKey)).toEqual([]);
      expect(await derivedKeys(oldKey)).toEqual([]);
    }, 120_000);

    it("moves a photo with its thumbnail and preview: the same bytes at the new place, not rendered again, the old ones gone", async () => {
      // Prepare
      const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 90, b: 30 } } }).jpeg().toBuffer();
      const id = await uploadFile(token, `${folder}/photos`, 'sunset.jpg', photo);
      const before = await settled(id);
      expect(before.processing).toBe('ready');
      const [thumbBefore, previewBefore] = [sha256(await bytesOf(before.thumbUrl)), sha256(await bytesOf(before.previewUrl))];
      const oldKey = keyOf(id);

      // Act
      const moved = await api<FileItem & { processing: string }>(`/files/${id}`, { method: 'PATCH', token, json: { name: 'renamed.jpg' } });

      // Assert
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ name: 'renamed.jpg', processing: 'ready' });
      expect(moved.body.thumbUrl).toBeDefined();
      const after = await settledAfterMove(oldKey, moved.body.id);
      expect(sha256(await bytesOf(after.thumbUrl))).toBe(thumbBefore);
      expect(sha256(await bytesOf(after.previewUrl))).toBe(previewBefore);
      const newKey = keyOf(moved.body.id);
      expect((await derivedKeys(newKey)).sort()).toEqual(Object.values((await catalogRow(newKey))?.derived as Record<string, string>).sort());
      // The original was processed (and logged so) at its old key; the moved file never is.
      expect(processedLines(oldKey).length).toBeGreaterThan(0);
      expect(processedLines(newKey)).toEqual([]);
      expect(await derivedKeys(oldKey)).toEqual([]);
    }, 90_000);
  });

  describe('the remux fast path', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'video-fast-remux-'));
    const FFPROBE = path.join(path.dirname(FIXTURE_FFMPEG), 'ffprobe');
    const ffprobe = (file: string, entries: string): string => execFileSync(FFPROBE, ['-v', 'error', '-show_entries', entries, '-of', 'default=nw=1', file], { encoding: 'utf8' });
    /** An H.264/AAC MP4 with its index at the end, a GPS position and Apple's location key in it. */
    const clip = (name: string, size: string, seconds: number, video: readonly string[]): string => {
      const file = path.join(work, name);
      execFileSync(FIXTURE_FFMPEG, [
        '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
        '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
        '-threads', '1', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...video, '-c:a', 'aac',
        '-movflags', 'use_metadata_tags', '-metadata', 'com.apple.quicktime.location.ISO6709=+48.8577+002.2950/', '-metadata', 'title=Secret holiday',
        file,
      ]);
      return file;
    };
    const fastRemuxLines = (key: string): string[] => readFileSync(context.logFile, 'utf8').split('\n').filter((line) => line.includes('"remuxed in place"') && line.includes(JSON.stringify(key)));

    it.each([
      // One PutObject: under 5 MiB.
      ['small.mp4', '320x180', 3, [], 1],
      // Part 1 uploaded (index + the first bytes of the data, 5 MiB), the rest an UploadPartCopy: ~7 MiB of noisy 720p at 15 Mbit/s.
      ['large.mp4', '1280x720', 4, ['-vf', 'noise=alls=80:allf=t+u', '-b:v', '15M', '-maxrate', '15M', '-bufsize', '15M'], 2],
    ] as const)('remuxes %s without ffmpeg: index first, same streams and duration, decodes, no location or title', async (name, size, seconds, video, parts) => {
      // Prepare
      const source = clip(name, size, seconds, video);
      const original = readFileSync(source);
      expect(original.includes(Buffer.from('48.8577'))).toBe(true);
      if (parts > 1) expect(original.length).toBeGreaterThan(6 * 1024 * 1024);

      // Act
      const id = await uploadFile(token, `${folder}/fast`, name, original, { contentType: 'video/mp4' });
      const file = await settled(id);

      // Assess
      const [width, height] = size.split('x').map(Number);
      expect(file.video).toMatchObject({ container: 'mp4', videoCodec: 'h264', audioCodec: 'aac', action: 'remux', playable: 'copy', copy: { state: 'ready', width, height } });
      expect(fastRemuxLines(keyOf(id)).map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { parts: number }).parts)).toEqual([parts]);
      const response = await fetch(file.video?.copyUrl as string);
      expect(response.headers.get('content-type')).toBe('video/mp4');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.length).toBe(file.video?.copy?.bytes);
      const copy = path.join(work, `copy-${name}`);
      writeFileSync(copy, bytes);
      expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
      expect(execFileSync(FIXTURE_FFMPEG, ['-v', 'error', '-i', copy, '-f', 'null', '-'], { encoding: 'utf8' })).toBe('');
      expect(ffprobe(copy, 'format=duration')).toBe(ffprobe(source, 'format=duration'));
      expect(ffprobe(copy, 'stream=codec_name,width,height,nb_frames,duration')).toBe(ffprobe(source, 'stream=codec_name,width,height,nb_frames,duration'));
      expect(ffprobe(copy, 'format_tags')).not.toMatch(/location|title|48\.8577/i);
      expect(bytes.includes(Buffer.from('48.8577'))).toBe(false);
      expect(bytes.includes(Buffer.from('Secret holiday'))).toBe(false);
    }, 120_000);

    it('leaves a file the fast path refuses to ffmpeg: a second audio track, remuxed with the first one only', async () => {
      // Prepare
      const source = path.join(work, 'two-tracks.mp4');
      execFileSync(FIXTURE_FFMPEG, [
        '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
        '-map', '0:v', '-map', '1:a', '-map', '1:a', '-threads', '1', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', source,
      ]);

      // Act
      const id = await uploadFile(token, `${folder}/fast`, 'two-tracks.mp4', readFileSync(source), { contentType: 'video/mp4' });
      const file = await settled(id);

      // Assess
      expect(file.video).toMatchObject({ action: 'remux', playable: 'copy', copy: { state: 'ready' } });
      expect(fastRemuxLines(keyOf(id))).toEqual([]);
      const refused = readFileSync(context.logFile, 'utf8').split('\n').filter((line) => line.includes('"remux by ffmpeg"') && line.includes(JSON.stringify(keyOf(id))));
      expect(refused.map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { why: string }).why)).toEqual(['not exactly one audio track']);
      const copy = path.join(work, 'copy-two-tracks.mp4');
      writeFileSync(copy, Buffer.from(await (await fetch(file.video?.copyUrl as string)).arrayBuffer()));
      expect(ffprobe(copy, 'stream=codec_type')).toBe('codec_type=video\ncodec_type=audio\n');
    }, 120_000);
  });

  it('makes no copy of a VP9 WebM, which plays as stored', async () => {
    const id = await uploadFile(token, folder, 'clip.webm', readFileSync(fixtures['vp9.webm']), { contentType: 'video/webm' });
    const file = await settled(id);
    expect(file.video).toEqual({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', bitDepth: 8, action: 'none', playable: 'original' });
    expect((await derivedKeys(keyOf(id))).filter((k) => k.endsWith('.mp4'))).toEqual([]);
  }, 90_000);

  it('ends a video it cannot decode failed with a reason, and its original still downloads', async () => {
    // The clip without its index (the `moov` box is at its end): a file a camera died writing.
    const whole = readFileSync(fixtures['iphone-hevc-rotated.mov']);
    const broken = whole.subarray(0, Math.floor(whole.length * 0.6));
    const id = await uploadFile(token, folder, 'broken.mov', broken, { contentType: 'video/quicktime' });
    const file = await settled(id);
    expect(file.processing).toBe('failed');
    expect(file.processingReason).toMatch(/video/);
    expect(file.video).toBeUndefined();
    const original = await fetch(file.url as string);
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(broken)).toBe(true);
  }, 90_000);
});
