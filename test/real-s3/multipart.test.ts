/**
 * Multipart uploads against a real S3 (Ceph RGW 16): presigned UploadPart URLs whose signed
 * Content-Length and x-amz-checksum-sha256 (or -crc32c, the clients' part checksum) the server
 * holds the client to, the requests of an upload with CRC-32C parts as AWS documents them
 * (CreateMultipartUpload with x-amz-checksum-algorithm CRC32C and x-amz-checksum-type
 * COMPOSITE, every part's ChecksumCRC32C in the completion), and the uploads function's S3
 * adapter (create, ListParts, complete, abort, S3's refusals) end to end.
 *
 * Not proven here: RGW 16 ignores x-amz-checksum-* values (it stores a part whose bytes do not
 * match its SHA-256, and lists no part checksums). That S3 refuses such a part (BadDigest) is
 * emulated by the local stack (local/s3-multipart.ts) and tested in test/e2e. Nor does RGW 16
 * answer NoSuchUpload when an aborted upload is completed (it says InternalError).
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PartsRejected, S3MultipartUploads } from '../../handlers/adapters/multipart-uploads';
import { checksumHeader, MiB } from '../../contract/multipart';
import { crc32cOf } from '../../contract/crc32c';
import { S3UrlSigner } from '../../handlers/core/presign';
import { readRealS3Env } from './env';

jest.setTimeout(60_000);

const env = readRealS3Env();
const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
const signer = new S3UrlSigner({ region: env.region, endpoint: env.endpoint, forcePathStyle: true });
const bucket = `multipart-${randomBytes(6).toString('hex')}`;
let client: S3Client;
let uploads: S3MultipartUploads;

/** A raw PUT: exactly these headers and this body (fetch would set Content-Length itself). */
function put(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; etag?: string; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(typeof res.headers.etag === 'string' ? { etag: res.headers.etag.replace(/"/g, '') } : {}),
          ...(/<Code>([^<]+)<\/Code>/.exec(Buffer.concat(chunks).toString()) ? { code: /<Code>([^<]+)<\/Code>/.exec(Buffer.concat(chunks).toString())?.[1] } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function partUrl(key: string, s3UploadId: string, partNumber: number, headers: Record<string, string>): string {
  return signer.presign({ operation: 'UploadPart', bucket, key, expiresIn: 300, headers, query: { partNumber: String(partNumber), uploadId: s3UploadId } }, credentials);
}

beforeAll(async () => {
  client = new S3Client({ endpoint: env.endpoint, region: env.region, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  uploads = new S3MultipartUploads({ bucket, client });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'media/whole.bin' })).catch(() => undefined);
  await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  client.destroy();
});

describe('presigned UploadPart URLs on a real S3', () => {
  const key = 'media/parts.bin';
  let s3UploadId: string;

  beforeAll(async () => {
    s3UploadId = await uploads.create({ key, contentType: 'video/mp4', metadata: { 'upload-id': 'x' } });
  });

  afterAll(async () => {
    await uploads.abort(key, s3UploadId);
  });

  it('stores a part of exactly the signed Content-Length', async () => {
    const body = randomBytes(1000);
    const sent = await put(partUrl(key, s3UploadId, 1, { 'content-length': '1000' }), { 'content-length': '1000' }, body);
    expect(sent.status).toBe(200);
    expect(sent.etag).toBe(createHash('md5').update(body).digest('hex'));
  });

  it.each([
    ['shorter', 999],
    ['longer', 1001],
  ])('refuses a %s part than signed with 403 SignatureDoesNotMatch', async (_, length) => {
    const sent = await put(partUrl(key, s3UploadId, 2, { 'content-length': '1000' }), { 'content-length': String(length) }, randomBytes(length));
    expect(sent).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses a part sent with another x-amz-checksum-sha256 than signed, or without it', async () => {
    const body = randomBytes(1000);
    const signedSum = createHash('sha256').update(body).digest('base64');
    const url = partUrl(key, s3UploadId, 3, { 'content-length': '1000', 'x-amz-checksum-sha256': signedSum });
    const otherSum = createHash('sha256').update('other').digest('base64');
    expect(await put(url, { 'content-length': '1000', 'x-amz-checksum-sha256': otherSum }, body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await put(url, { 'content-length': '1000' }, body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });
});

describe('CRC-32C parts, sent as AWS S3 expects them', () => {
  /** What the adapter's client sent: each command's headers and body, as they left the SDK. */
  const sent: { command: string; headers: Record<string, string>; body: string }[] = [];
  let watched: S3Client;
  let checked: S3MultipartUploads;

  beforeAll(() => {
    watched = new S3Client({ endpoint: env.endpoint, region: env.region, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
    watched.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body?: unknown };
        sent.push({ command: context.commandName as string, headers: { ...request.headers }, body: typeof request.body === 'string' ? request.body : '' });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRequests' },
    );
    checked = new S3MultipartUploads({ bucket, client: watched });
  });

  afterAll(async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'media/crc.bin' })).catch(() => undefined);
    watched.destroy();
  });

  it('creates the upload COMPOSITE CRC32C, signs each part\'s x-amz-checksum-crc32c, completes with every part\'s ChecksumCRC32C; the object holds the parts', async () => {
    // Prepare: two parts and their CRC-32C (contract/crc32c.ts, what both clients send).
    const key = 'media/crc.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(4321)];
    const sums = parts.map((body) => crc32cOf(body));

    // Act
    const s3UploadId = await checked.create({ key, contentType: 'video/mp4', metadata: {}, checksumAlgorithm: 'CRC32C' });
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const headers = { 'content-length': String(body.length), [checksumHeader('CRC32C')]: sums[i] as string };
      const url = partUrl(key, s3UploadId, i + 1, headers);
      expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'x-amz-checksum-crc32c']));
      // The signed CRC-32C binds the part: another value (or none) is refused before any byte is stored.
      expect(await put(url, { ...headers, 'x-amz-checksum-crc32c': crc32cOf(Buffer.from('other')) }, body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
      expect(await put(url, { 'content-length': String(body.length) }, body)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
      const stored = await put(url, headers, body);
      expect(stored.status).toBe(200);
      etags.push(stored.etag as string);
    }
    const held = parts.map((body, i) => ({ partNumber: i + 1, etag: etags[i] as string, size: body.length, checksum: sums[i] as string }));
    await expect(checked.complete(key, s3UploadId, held, { checksumAlgorithm: 'CRC32C' })).resolves.toBeDefined();

    // Assess: the requests as AWS documents them (RGW 16 accepts them but checks no checksum)…
    const create = sent.find((r) => r.command === 'CreateMultipartUploadCommand');
    expect(create?.headers).toMatchObject({ 'x-amz-checksum-algorithm': 'CRC32C', 'x-amz-checksum-type': 'COMPOSITE' });
    const complete = sent.find((r) => r.command === 'CompleteMultipartUploadCommand');
    const completedParts = [...(complete?.body ?? '').matchAll(/<Part>(.*?)<\/Part>/g)].map(([, part]) => [/<PartNumber>(\d+)</.exec(part as string)?.[1], /<ChecksumCRC32C>([^<]+)</.exec(part as string)?.[1]]);
    expect(completedParts).toEqual(sums.map((sum, i) => [String(i + 1), sum]));
    // …and the object is the parts in order.
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
  });
});

describe('the uploads function\'s S3 adapter on a real S3', () => {
  it('creates, lists, completes: the object holds the parts in order', async () => {
    const key = 'media/whole.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(1234)];
    const s3UploadId = await uploads.create({ key, contentType: 'video/mp4', metadata: { 'upload-id': 'u1', sha256: 'declared' } });
    for (const [i, body] of parts.entries()) {
      const length = String(body.length);
      expect((await put(partUrl(key, s3UploadId, i + 1, { 'content-length': length }), { 'content-length': length }, body)).status).toBe(200);
    }
    const held = await uploads.listParts(key, s3UploadId);
    expect(held?.map((p) => [p.partNumber, p.size, p.etag])).toEqual(parts.map((b, i) => [i + 1, b.length, createHash('md5').update(b).digest('hex')]));

    await expect(uploads.complete(key, s3UploadId, held ?? [])).resolves.toBeDefined();
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
    expect(object.ContentType).toBe('video/mp4');
    expect(object.Metadata).toMatchObject({ 'upload-id': 'u1', sha256: 'declared' });
    expect(await uploads.listParts(key, s3UploadId)).toBeUndefined();
  });

  it('lists every part across ListParts pages', async () => {
    const key = 'media/paged.bin';
    const paged = new S3MultipartUploads({ bucket, client, listPageSize: 2 });
    const s3UploadId = await paged.create({ key, contentType: 'video/mp4', metadata: {} });
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await put(partUrl(key, s3UploadId, n, { 'content-length': String(n) }), { 'content-length': String(n) }, randomBytes(n))).status).toBe(200);
    }
    expect((await paged.listParts(key, s3UploadId))?.map((p) => [p.partNumber, p.size])).toEqual([1, 2, 3, 4, 5].map((n) => [n, n]));
    await paged.abort(key, s3UploadId);
  });

  it('maps S3 refusing a part under 5 MiB but the last to PartsRejected', async () => {
    const key = 'media/too-small.bin';
    const s3UploadId = await uploads.create({ key, contentType: 'video/mp4', metadata: {} });
    for (const n of [1, 2]) {
      expect((await put(partUrl(key, s3UploadId, n, { 'content-length': '100' }), { 'content-length': '100' }, randomBytes(100))).status).toBe(200);
    }
    const held = (await uploads.listParts(key, s3UploadId)) ?? [];
    await expect(uploads.complete(key, s3UploadId, held)).rejects.toEqual(new PartsRejected('EntityTooSmall'));
    await uploads.abort(key, s3UploadId);
  });

  it('answers undefined for an upload S3 no longer knows, and aborts it twice without error', async () => {
    const key = 'media/aborted.bin';
    const s3UploadId = await uploads.create({ key, contentType: 'video/mp4', metadata: {} });
    await uploads.abort(key, s3UploadId);
    await expect(uploads.abort(key, s3UploadId)).resolves.toBeUndefined();
    // The API lists parts before it completes, so this is how it learns the upload is gone.
    // (Completing an aborted upload is NoSuchUpload on AWS; RGW 16 answers a 500 InternalError.)
    expect(await uploads.listParts(key, s3UploadId)).toBeUndefined();
  });
});
