/**
 * Playable copies on the local stack (issue 19): an iPhone-style HEVC QuickTime clip goes up
 * through the API, the process function probes it, records a pending copy and makes it; the
 * files API then answers a signed URL of an upright H.264/AAC MP4 with its index first, kept
 * beside the derived images and deleted with the original. A video the decoder cannot read
 * ends `failed` with a reason, and its original still downloads.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { FileItem } from '../../contract/wire';
import { localDecoders } from '../../handlers/adapters/media-decoders';
import { derivedPrefixOf } from '../../handlers/core/media';
import { videoCopyKeyOf } from '../../handlers/core/video-copies';
import { reprocess } from '../../scripts/reprocess';
import { makeVideoFixtures } from '../support/video-fixtures';
import { e2eContext } from './support/context';
import { adminS3, catalogRow, keyOf, uploadFile } from './support/files';
import { api, eventually, login } from './support/http';

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
