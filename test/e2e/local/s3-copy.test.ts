/**
 * Copies inside the bucket through the files function's adapter (`S3ObjectStore.copy`)
 * against the local S3: CopyObject keeps headers and metadata, keys with reserved characters,
 * the part-by-part copy of large objects (UploadPartCopy, which s3rver lacks and local/s3.ts
 * emulates), `x-amz-copy-source-if-match`, and the events S3 sends for copies.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore, SourceObjectMissing } from '../../../handlers/adapters/object-store';
import { silentLogger } from '../../../local/log';
import { parseCopySource, startLocalS3, type LocalS3, type S3EventRecord } from '../../../local/s3';
import { localS3Client } from '../support/local-s3';
import { generateLocalCredentials } from '../../../local/sigv4';

const credentials = generateLocalCredentials();

const BUCKET = 'copy-test';

describe('S3ObjectStore.copy on the local S3', () => {
  let s3: LocalS3;
  let client: S3Client;
  const records: S3EventRecord[] = [];

  const store = (options: { singleCopyMaxBytes?: number; copyPartBytes?: number } = {}) => new S3ObjectStore({ bucket: BUCKET, client, endpoint: s3.endpoint, forcePathStyle: true, ...options });

  async function read(key: string): Promise<{ bytes: Buffer; contentType?: string; cacheControl?: string; metadata: Record<string, string> }> {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    return { bytes, ...(out.ContentType ? { contentType: out.ContentType } : {}), ...(out.CacheControl ? { cacheControl: out.CacheControl } : {}), metadata: out.Metadata ?? {} };
  }

  async function put(key: string, bytes: Buffer): Promise<void> {
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, ContentType: 'video/mp4', CacheControl: 'max-age=60', Metadata: { 'upload-id': 'u'.repeat(22), sha256: 'abc=' } }),
    );
  }

  beforeAll(async () => {
    s3 = await startLocalS3({ region: 'us-east-1', logger: silentLogger, credentials });
    await s3.ensureBucket(BUCKET, []);
    s3.onObjectEvent((record) => records.push(record));
    client = localS3Client(s3.endpoint, credentials);
  });

  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it.each([
    ['spaces and accents', 'media/a b/é (1).mp4', 'media/c d/ü [2].mp4'],
    ['characters decodeURI leaves encoded', 'media/x/a+b&c=d#e?f;g,h:i@j$.mp4', 'media/y/%41 100% +.mp4'],
  ])('copies a key with %s, keeping bytes, headers and metadata, adding metadata', async (_what, source, destination) => {
    // Prepare
    const bytes = Buffer.from(`bytes of ${source}`);
    await put(source, bytes);
    // Act
    await store().copy({ sourceKey: source, destinationKey: destination, addMetadata: { 'move-id': 'm'.repeat(22) } });
    // Assess
    const copy = await read(destination);
    expect(copy.bytes.equals(bytes)).toBe(true);
    expect(copy.contentType).toBe('video/mp4');
    expect(copy.cacheControl).toBe('max-age=60');
    expect(copy.metadata).toEqual({ 'upload-id': 'u'.repeat(22), sha256: 'abc=', 'move-id': 'm'.repeat(22) });
    expect((await read(source)).bytes.equals(bytes)).toBe(true);
  });

  it('copies a large object part by part (UploadPartCopy) and S3 reports a completed multipart upload', async () => {
    // Prepare: 10 MiB + 123 bytes in parts of 5 MiB (S3's minimum), with "single copies" limited to 1 KiB.
    const bytes = Buffer.alloc(10 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 251;
    await put('media/big/source.mp4', bytes);
    const before = records.length;
    // Act
    await store({ singleCopyMaxBytes: 1024, copyPartBytes: 5 * 1024 * 1024 }).copy({ sourceKey: 'media/big/source.mp4', destinationKey: 'media/big/copy.mp4', addMetadata: { 'move-id': 'm'.repeat(22) } });
    // Assess
    const copy = await read('media/big/copy.mp4');
    expect(copy.bytes.equals(bytes)).toBe(true);
    expect(copy.contentType).toBe('video/mp4');
    expect(copy.metadata).toMatchObject({ 'upload-id': 'u'.repeat(22), 'move-id': 'm'.repeat(22) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(records.slice(before).map((r) => `${r.eventName} ${r.s3.object.key}`)).toEqual(['ObjectCreated:CompleteMultipartUpload media/big/copy.mp4']);
  });

  it('sends ObjectCreated:Copy for a single copy', async () => {
    await put('media/ev/a.mp4', Buffer.from('a'));
    const before = records.length;

    await store().copy({ sourceKey: 'media/ev/a.mp4', destinationKey: 'media/ev/b.mp4' });

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(records.slice(before).map((r) => `${r.eventName} ${r.s3.object.key}`)).toEqual(['ObjectCreated:Copy media/ev/b.mp4']);
  });

  it('throws SourceObjectMissing for a missing source, or one whose ETag changed, and writes nothing', async () => {
    await put('media/etag/a.mp4', Buffer.from('one'));

    await expect(store().copy({ sourceKey: 'media/etag/none.mp4', destinationKey: 'media/etag/x.mp4' })).rejects.toBeInstanceOf(SourceObjectMissing);
    await expect(store().copy({ sourceKey: 'media/etag/a.mp4', destinationKey: 'media/etag/y.mp4', sourceEtag: 'not-the-etag' })).rejects.toBeInstanceOf(SourceObjectMissing);
    await expect(
      store({ singleCopyMaxBytes: 1, copyPartBytes: 1 }).copy({ sourceKey: 'media/etag/a.mp4', destinationKey: 'media/etag/z.mp4', sourceEtag: 'not-the-etag' }),
    ).rejects.toBeInstanceOf(SourceObjectMissing);

    for (const key of ['media/etag/x.mp4', 'media/etag/y.mp4', 'media/etag/z.mp4']) {
      await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    }
  });

  it('deletes an object; deleting a missing key succeeds', async () => {
    await put('media/del/a.mp4', Buffer.from('a'));
    await store().delete('media/del/a.mp4');
    await store().delete('media/del/a.mp4');
    await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/del/a.mp4' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  describe('parseCopySource', () => {
    it.each([
      ['bucket/media/a%20b.jpg', { bucket: 'bucket', key: 'media/a b.jpg' }],
      ['/bucket/media/a%2Bb%26c.jpg?versionId=3', { bucket: 'bucket', key: 'media/a+b&c.jpg' }],
      ['bucket', undefined],
      ['bucket/%E0%A4%A.jpg', undefined],
    ])('reads %s', (header, expected) => {
      expect(parseCopySource(header)).toEqual(expected);
    });
  });
});
