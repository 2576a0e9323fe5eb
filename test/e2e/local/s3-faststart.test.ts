/**
 * The remux's fast path in S3 (`S3FaststartCopies`, adapters/faststart-copies.ts) against the
 * local S3: a faststart-less MP4 of 16 MiB made by Debian's ffmpeg becomes a copy whose part 1
 * is the new index and the data's first bytes and whose other parts are UploadPartCopy ranges;
 * the copy is the bytes the pure rewrite plans, and decodes. An original replaced during the
 * copy aborts the multipart upload (no copy, no upload left) and is refused by its ETag.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListPartsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3FaststartCopies } from '../../../handlers/adapters/faststart-copies';
import { readMp4Layout, rewriteMoov } from '../../../handlers/core/mp4-faststart';
import { silentLogger } from '../../../local/log';
import { startLocalS3, type LocalS3 } from '../../../local/s3';
import { generateLocalCredentials } from '../../../local/sigv4';
import { FIXTURE_FFMPEG } from '../../support/video-fixtures';
import { localS3Client } from '../support/local-s3';

const credentials = generateLocalCredentials();
const BUCKET = 'faststart-test';
const MiB = 1024 * 1024;

describe('S3FaststartCopies on the local S3', () => {
  let s3: LocalS3;
  let client: S3Client;
  let original: Buffer;
  const work = mkdtempSync(path.join(tmpdir(), 's3-faststart-'));

  const put = async (key: string, bytes: Buffer): Promise<string> => (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, ContentType: 'video/mp4' }))).ETag?.replace(/"/g, '') as string;
  const read = async (key: string): Promise<{ bytes: Buffer; contentType?: string }> => {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { bytes: Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()), ...(out.ContentType ? { contentType: out.ContentType } : {}) };
  };
  const exists = (key: string): Promise<boolean> => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false);

  beforeAll(async () => {
    // 6 s of lossless noise: ~16 MiB, the index at the end (no +faststart).
    const file = path.join(work, 'noise.mp4');
    execFileSync(FIXTURE_FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
      '-threads', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-vf', 'noise=alls=100:allf=t+u', '-qp', '0', '-c:a', 'aac', file,
    ]);
    original = readFileSync(file);
    s3 = await startLocalS3({ region: 'us-east-1', logger: silentLogger, credentials });
    await s3.ensureBucket(BUCKET, []);
    client = localS3Client(s3.endpoint, credentials);
  }, 60_000);

  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('writes part 1 (index + first data bytes) and copies the rest by range: the bytes the rewrite plans, which decode', async () => {
    // Prepare
    expect(original.length).toBeGreaterThan(15 * MiB);
    const etag = await put('media/a b/noise.mp4', original);
    const reader = async (offset: number, length: number): Promise<Uint8Array> => original.subarray(offset, offset + length);
    const walked = await readMp4Layout(reader, original.length);
    if (!walked.ok) throw new Error(walked.reason);
    const { layout } = walked;
    const made = rewriteMoov(original.subarray(0, layout.ftyp.end), original.subarray(layout.moov.start, layout.moov.end), layout, 'copy');
    if (!made.ok) throw new Error(made.reason);
    const expected = Buffer.concat([made.rewritten.head, original.subarray(layout.data.start, layout.data.end)]);

    // Act
    const result = await new S3FaststartCopies({ bucket: BUCKET, client, copyPartBytes: 5 * MiB }).copy({ sourceKey: 'media/a b/noise.mp4', sourceEtag: etag, destinationKey: 'derived/a b/copy.mp4', contentType: 'video/mp4', audio: 'copy' });

    // Assess
    expect(result).toEqual({ ok: true, bytes: expected.length, parts: 1 + Math.ceil((expected.length - 5 * MiB) / (5 * MiB)) });
    const copy = await read('derived/a b/copy.mp4');
    expect(copy.contentType).toBe('video/mp4');
    expect(copy.bytes.equals(expected)).toBe(true);
    const file = path.join(work, 'copy.mp4');
    writeFileSync(file, copy.bytes);
    expect(execFileSync(FIXTURE_FFMPEG, ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' })).toBe('');
  }, 60_000);

  it('answers a reason and writes nothing for a file it does not take, or an original of another version', async () => {
    const tinyEtag = await put('media/tiny.mp4', original.subarray(0, 4));
    const copies = new S3FaststartCopies({ bucket: BUCKET, client });
    const etag = await put('media/noise.mp4', original);

    expect(await copies.copy({ sourceKey: 'media/tiny.mp4', sourceEtag: tinyEtag, destinationKey: 'derived/tiny.mp4', contentType: 'video/mp4', audio: 'copy' })).toEqual({ ok: false, reason: 'too small to be an MP4' });
    expect(await copies.copy({ sourceKey: 'media/noise.mp4', sourceEtag: `${etag.slice(0, -1)}0`, destinationKey: 'derived/other.mp4', contentType: 'video/mp4', audio: 'copy' })).toEqual({ ok: false, reason: 'the original changed' });
    expect(await copies.copy({ sourceKey: 'media/noise.mp4', sourceEtag: etag, destinationKey: 'derived/silent.mp4', contentType: 'video/mp4', audio: 'none' })).toEqual({ ok: false, reason: 'an audio track where none was expected' });
    expect(await exists('derived/tiny.mp4')).toBe(false);
    expect(await exists('derived/other.mp4')).toBe(false);
    expect(await exists('derived/silent.mp4')).toBe(false);
  }, 60_000);

  it('aborts the multipart upload when the original is replaced between part 1 and the part copies', async () => {
    // Prepare: the original replaced as soon as part 1 is up.
    const etag = await put('media/replaced.mp4', original);
    let uploadId: string | undefined;
    const replacing = new Proxy(client, {
      get(target, name, receiver) {
        if (name !== 'send') return Reflect.get(target, name, receiver);
        return async (command: { constructor: { name: string } }) => {
          const out = await target.send(command as Parameters<S3Client['send']>[0]);
          if (command.constructor.name === 'CreateMultipartUploadCommand') uploadId = (out as { UploadId?: string }).UploadId;
          if (command.constructor.name === 'UploadPartCommand') await put('media/replaced.mp4', Buffer.concat([original, Buffer.from('changed')]));
          return out;
        };
      },
    });

    // Act
    const result = await new S3FaststartCopies({ bucket: BUCKET, client: replacing, copyPartBytes: 5 * MiB }).copy({ sourceKey: 'media/replaced.mp4', sourceEtag: etag, destinationKey: 'derived/replaced.mp4', contentType: 'video/mp4', audio: 'copy' });

    // Assess
    expect(result).toEqual({ ok: false, reason: 'the original changed' });
    expect(uploadId).toBeDefined();
    expect(await exists('derived/replaced.mp4')).toBe(false);
    await expect(client.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'derived/replaced.mp4', UploadId: uploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
  }, 60_000);
});
