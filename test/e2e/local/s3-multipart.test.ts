/**
 * The local S3's multipart uploads answer as S3 does where s3rver alone would not
 * (local/s3-multipart.ts): ListParts with pages, abort, unknown uploads, checksums bound to
 * the upload and answered as S3 answers them, and the completion's checks. Through the SDK,
 * lib-storage's `Upload` and the uploads function's adapter.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { S3MultipartUploads } from '../../../handlers/adapters/multipart-uploads';
import { silentLogger } from '../../../local/log';
import { startLocalS3, type LocalS3, type S3EventRecord } from '../../../local/s3';
import { localS3Client } from '../support/local-s3';
import { crc32cBase64 } from '../support/multipart';
import { generateLocalCredentials } from '../../../local/sigv4';

const credentials = generateLocalCredentials();

const BUCKET = 'multipart-test';
const MiB = 1024 ** 2;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('base64');

describe('multipart uploads on the local S3', () => {
  let s3: LocalS3;
  let client: S3Client;
  const records: S3EventRecord[] = [];

  const start = async (key: string, checksum?: 'SHA256'): Promise<string> =>
    (await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'video/mp4', ...(checksum ? { ChecksumAlgorithm: checksum } : {}) }))).UploadId as string;
  const part = (key: string, uploadId: string, partNumber: number, body: Buffer, checksum?: string) =>
    client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ...(checksum ? { ChecksumSHA256: checksum } : {}) }));
  const complete = (key: string, uploadId: string, parts: { PartNumber: number; ETag?: string; ChecksumSHA256?: string }[]) =>
    client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: { name?: string }) => error.name);

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

  it('lists parts page by page, aborts, and then knows the upload no more', async () => {
    const uploads = new S3MultipartUploads({ bucket: BUCKET, client, listPageSize: 2 });
    const uploadId = await start('media/paged.mp4');
    for (const n of [1, 2, 3, 4, 5]) await part('media/paged.mp4', uploadId, n, randomBytes(n));
    expect((await uploads.listParts('media/paged.mp4', uploadId))?.map((p) => [p.partNumber, p.size])).toEqual([1, 2, 3, 4, 5].map((n) => [n, n]));
    await uploads.abort('media/paged.mp4', uploadId);
    expect(await uploads.listParts('media/paged.mp4', uploadId)).toBeUndefined();
    expect(await code(part('media/paged.mp4', uploadId, 1, randomBytes(1)))).toBe('NoSuchUpload');
  });

  it('completes the listed parts in order into one object and reports CompleteMultipartUpload', async () => {
    const key = 'media/whole.mp4';
    const parts = [randomBytes(5 * MiB), randomBytes(10)];
    const uploadId = await start(key);
    const etags = [];
    for (const [i, body] of parts.entries()) etags.push((await part(key, uploadId, i + 1, body)).ETag as string);
    const before = records.length;
    await complete(key, uploadId, etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })));
    const stored = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
    expect(stored.equals(Buffer.concat(parts))).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.slice(before).map((r) => `${r.eventName} ${r.s3.object.key} ${r.s3.object.size}`)).toEqual([`ObjectCreated:CompleteMultipartUpload media/whole.mp4 ${5 * MiB + 10}`]);
  });

  it('refuses completions S3 refuses: unknown part or ETag, wrong order, a part under 5 MiB but the last', async () => {
    const key = 'media/refused.mp4';
    const uploadId = await start(key);
    const first = (await part(key, uploadId, 1, randomBytes(100))).ETag as string;
    const second = (await part(key, uploadId, 2, randomBytes(100))).ETag as string;
    expect(await code(complete(key, uploadId, [{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]))).toBe('InvalidPart');
    expect(await code(complete(key, uploadId, [{ PartNumber: 3, ETag: first }]))).toBe('InvalidPart');
    expect(await code(complete(key, uploadId, [{ PartNumber: 2, ETag: second }, { PartNumber: 1, ETag: first }]))).toBe('InvalidPartOrder');
    expect(await code(complete(key, uploadId, [{ PartNumber: 1, ETag: first }, { PartNumber: 2, ETag: second }]))).toBe('EntityTooSmall');
    // A single small part is a valid (last) part.
    expect(await code(complete(key, uploadId, [{ PartNumber: 2, ETag: second }]))).toBe('ok');
  });

  it('binds part checksums to the upload\'s algorithm and checks them against the bytes', async () => {
    const body = randomBytes(1000);
    const plainCreated = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/plain.mp4' }));
    const plain = plainCreated.UploadId as string;
    expect(plainCreated.ChecksumAlgorithm).toBeUndefined();
    expect(await code(part('media/plain.mp4', plain, 1, body, sha256(body)))).toBe('InvalidRequest');
    expect((await part('media/plain.mp4', plain, 1, body)).ChecksumSHA256).toBeUndefined();

    const key = 'media/summed.mp4';
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'SHA256' }));
    expect(created.ChecksumAlgorithm).toBe('SHA256');
    const summed = created.UploadId as string;
    expect(await code(part(key, summed, 1, body))).toBe('InvalidRequest');
    expect(await code(part(key, summed, 1, body, sha256(Buffer.from('other'))))).toBe('BadDigest');
    const stored = await part(key, summed, 1, body, sha256(body));
    // S3 answers the accepted part's checksum (what SDK clients complete with).
    expect(stored.ChecksumSHA256).toBe(sha256(body));
    // A refused replacement keeps the part stored before it.
    expect(await code(part(key, summed, 1, randomBytes(1000), sha256(body)))).toBe('BadDigest');
    const listed = await new S3MultipartUploads({ bucket: BUCKET, client }).listParts(key, summed);
    expect(listed).toEqual([{ partNumber: 1, etag: (stored.ETag as string).replace(/"/g, ''), size: 1000, checksum: sha256(body) }]);

    expect(await code(complete(key, summed, [{ PartNumber: 1, ETag: stored.ETag }]))).toBe('InvalidRequest');
    expect(await code(complete(key, summed, [{ PartNumber: 1, ETag: stored.ETag, ChecksumSHA256: sha256(Buffer.from('x')) }]))).toBe('InvalidPart');
    expect(await code(complete(key, summed, [{ PartNumber: 1, ETag: stored.ETag, ChecksumSHA256: sha256(body) }]))).toBe('ok');
  });

  it('checks CRC-32C parts (the clients\' algorithm) against the bytes and completes with them through the API\'s adapter', async () => {
    const key = 'media/crc32c.mp4';
    const first = randomBytes(5 * MiB + 3);
    const last = randomBytes(1001);
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'CRC32C' }));
    expect(created.ChecksumAlgorithm).toBe('CRC32C');
    const uploadId = created.UploadId as string;
    const crcPart = (partNumber: number, body: Buffer, checksum: string) =>
      client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ChecksumCRC32C: checksum }));
    // Another algorithm than the upload's, and a CRC-32C of other bytes: refused, as S3 does.
    expect(await code(part(key, uploadId, 1, first, sha256(first)))).toBe('InvalidRequest');
    expect(await code(crcPart(1, first, await crc32cBase64(last)))).toBe('BadDigest');
    const stored = await crcPart(1, first, await crc32cBase64(first));
    expect(stored.ChecksumCRC32C).toBe(await crc32cBase64(first));
    const flipped = Buffer.from(first);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(await code(crcPart(1, flipped, await crc32cBase64(first)))).toBe('BadDigest');
    await crcPart(2, last, await crc32cBase64(last));

    const adapter = new S3MultipartUploads({ bucket: BUCKET, client });
    const listed = (await adapter.listParts(key, uploadId)) ?? [];
    expect(listed.map((p) => [p.partNumber, p.size, p.checksum])).toEqual([
      [1, first.length, await crc32cBase64(first)],
      [2, last.length, await crc32cBase64(last)],
    ]);
    expect(await code(complete(key, uploadId, listed.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` }))))).toBe('InvalidRequest');
    await expect(adapter.complete(key, uploadId, listed, { checksumAlgorithm: 'CRC32C' })).resolves.toEqual({ etag: expect.any(String) });
    const object = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
    expect(object.equals(Buffer.concat([first, last]))).toBe(true);
  });

  it('completes lib-storage\'s Upload with ChecksumAlgorithm SHA256 (part checksums from the UploadPart answers)', async () => {
    const key = 'media/lib-storage-sha256.mp4';
    const body = randomBytes(11 * MiB); // parts of 5, 5 and 1 MiB
    const sentParts: { PartNumber?: number; ChecksumSHA256?: string }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CompleteMultipartUploadCommand') {
          sentParts.push(...((args.input as { MultipartUpload?: { Parts?: typeof sentParts } }).MultipartUpload?.Parts ?? []));
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordCompletedParts' },
    );
    try {
      await new Upload({ client, params: { Bucket: BUCKET, Key: key, Body: body, ChecksumAlgorithm: 'SHA256' }, partSize: 5 * MiB, queueSize: 2 }).done();
    } finally {
      client.middlewareStack.remove('recordCompletedParts');
    }
    expect(sentParts).toEqual([0, 1, 2].map((i) => ({ PartNumber: i + 1, ETag: expect.any(String), ChecksumSHA256: sha256(body.subarray(i * 5 * MiB, (i + 1) * 5 * MiB)) })));
    const stored = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
    expect(stored.equals(body)).toBe(true);
  });

  it('refuses a PUT whose body does not match its x-amz-checksum-sha256, keeping the object before it', async () => {
    const key = 'media/put.mp4';
    const first = randomBytes(100);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: first, ChecksumSHA256: sha256(first) }));
    expect(await code(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: randomBytes(100), ChecksumSHA256: sha256(first) })))).toBe('BadDigest');
    const stored = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
    expect(stored.equals(first)).toBe(true);
  });
});
