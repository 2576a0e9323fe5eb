/**
 * Our presigned URLs against a real S3 that verifies SigV4 (Ceph RGW): what s3rver cannot prove.
 * The signed Content-Type, Content-Length and x-amz-meta-upload-id must be honoured, and any
 * tampering, expiry or anonymous access refused.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { S3UrlSigner, type PresignInput, type SignerConfig, type SigningCredentials } from '../../handlers/core/presign';
import { readRealS3Env } from './env';
import { referenceClient, referencePresign } from './sdk-reference';

jest.setTimeout(30_000);

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw HTTP exchange: exactly these headers, exactly this body (fetch would add its own). */
function send(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorCode(reply: Reply): string {
  return /<Code>([^<]+)<\/Code>/.exec(reply.body.toString('utf8'))?.[1] ?? `(no code, HTTP ${reply.status})`;
}

const env = readRealS3Env();
const config: SignerConfig = { region: env.region, endpoint: env.endpoint, forcePathStyle: true };
const credentials: SigningCredentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
const signer = new S3UrlSigner(config);
let admin: S3Client;
const bucket = `presign-${randomBytes(6).toString('hex')}`;
const KEY = "media/spain 2024/IMG 1+~!*'()%&=;,@$ é😀 [x].jpg";
const photo = randomBytes(4096);
const uploadId = randomBytes(16).toString('base64url');

function putInput(key: string, size: number, contentType = 'image/jpeg'): PresignInput {
  return {
    operation: 'PutObject',
    bucket,
    key,
    expiresIn: 300,
    headers: { 'content-type': contentType, 'content-length': String(size), 'x-amz-meta-upload-id': uploadId },
  };
}

function putHeaders(size: number, contentType = 'image/jpeg'): Record<string, string> {
  return { 'Content-Type': contentType, 'Content-Length': String(size), 'x-amz-meta-upload-id': uploadId };
}

const quiet = process.emitWarning;
beforeAll(async () => {
  process.emitWarning = () => undefined; // the SDK's Node 20 end-of-support notice
  admin = new S3Client({ ...config, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const url = signer.presign(putInput(KEY, photo.length), credentials);
  const reply = await send('PUT', url, putHeaders(photo.length), photo);
  expect(reply.status).toBe(200);
});

afterAll(async () => {
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of listed.Contents ?? []) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  admin.destroy();
  process.emitWarning = quiet;
});

describe('S3UrlSigner against a real S3 (Ceph RGW)', () => {
  describe('presigned PUT', () => {
    it('stores the object with the signed content type and metadata', async () => {
      // Assess (the PUT itself ran in beforeAll)
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));
      expect(head.ContentType).toBe('image/jpeg');
      expect(head.ContentLength).toBe(photo.length);
      expect(head.Metadata).toEqual({ 'upload-id': uploadId });
    });

    it('is the URL the SDK would sign, and the server agrees', async () => {
      const input = { ...putInput('media/same as sdk.jpg', 3), now: new Date() };
      const ours = signer.presign(input, credentials);
      expect(ours).toBe(await referencePresign(referenceClient(config, credentials), input));
      expect((await send('PUT', ours, putHeaders(3), Buffer.from('abc'))).status).toBe(200);
    });

    it('refuses a different Content-Type with 403 SignatureDoesNotMatch', async () => {
      const url = signer.presign(putInput('media/wrong-type.jpg', photo.length), credentials);
      const reply = await send('PUT', url, putHeaders(photo.length, 'text/html'), photo);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'SignatureDoesNotMatch']);
    });

    it('refuses a body longer than the signed Content-Length', async () => {
      const url = signer.presign(putInput('media/too-long.jpg', 10), credentials);
      const body = randomBytes(11);
      const reply = await send('PUT', url, putHeaders(body.length), body);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'SignatureDoesNotMatch']);
    });

    it('refuses a body shorter than the signed Content-Length', async () => {
      const url = signer.presign(putInput('media/too-short.jpg', 10), credentials);
      const body = randomBytes(9);
      const reply = await send('PUT', url, putHeaders(body.length), body);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'SignatureDoesNotMatch']);
    });

    it('refuses a missing or changed x-amz-meta-upload-id', async () => {
      const url = signer.presign(putInput('media/meta.jpg', 3), credentials);
      const { 'x-amz-meta-upload-id': _dropped, ...withoutMeta } = putHeaders(3);
      const missing = await send('PUT', url, withoutMeta, Buffer.from('abc'));
      const changed = await send('PUT', url, { ...putHeaders(3), 'x-amz-meta-upload-id': 'forged' }, Buffer.from('abc'));
      expect([missing.status, changed.status]).toEqual([403, 403]);
    });

    it('sends the object part by part with presigned UploadPart URLs', async () => {
      // Prepare
      const key = 'media/multi part.mov';
      const created = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'video/quicktime' }));
      const body = randomBytes(1234);
      // Act
      const url = signer.presign(
        {
          operation: 'UploadPart',
          bucket,
          key,
          expiresIn: 300,
          headers: { 'content-length': String(body.length) },
          query: { partNumber: '1', uploadId: created.UploadId as string },
        },
        credentials,
      );
      const reply = await send('PUT', url, { 'Content-Length': String(body.length) }, body);
      await admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: created.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: reply.headers.etag as string }] },
        }),
      );
      // Assess
      expect(reply.status).toBe(200);
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect([head.ContentLength, head.ContentType]).toEqual([body.length, 'video/quicktime']);
    });
  });

  describe('presigned GET and HEAD', () => {
    const get = (extra: Partial<PresignInput> = {}) =>
      signer.presign({ operation: 'GetObject', bucket, key: KEY, expiresIn: 300, ...extra }, credentials);

    it('returns the object to the holder of the URL', async () => {
      const reply = await send('GET', get());
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('image/jpeg');
      expect(reply.body.equals(photo)).toBe(true);
    });

    it('answers HEAD with the signed metadata', async () => {
      const url = signer.presign({ operation: 'HeadObject', bucket, key: KEY, expiresIn: 300 }, credentials);
      const reply = await send('HEAD', url);
      expect([reply.status, reply.headers['content-length'], reply.headers['x-amz-meta-upload-id']]).toEqual([
        200,
        String(photo.length),
        uploadId,
      ]);
    });

    it('sets the signed response-content-disposition (non-ASCII and quotes encoded)', async () => {
      const disposition = `attachment; filename="IMG \\"1\\".jpg"; filename*=UTF-8''${encodeURIComponent('IMG "1" é😀.jpg')}`;
      const reply = await send('GET', get({ query: { 'response-content-disposition': disposition } }));
      expect([reply.status, reply.headers['content-disposition']]).toEqual([200, disposition]);
    });

    it('refuses an anonymous GET of the object (private bucket)', async () => {
      const url = get();
      const reply = await send('GET', url.slice(0, url.indexOf('?')));
      expect([reply.status, errorCode(reply)]).toEqual([403, 'AccessDenied']);
    });

    it('refuses a tampered signature', async () => {
      const url = get();
      // Flip the signature's last hex digit (the URL itself ends in other query parameters).
      const tampered = url.replace(/(X-Amz-Signature=[0-9a-f]{63})([0-9a-f])/, (_m, head: string, digit: string) => `${head}${digit === '0' ? '1' : '0'}`);
      expect(tampered).not.toBe(url);
      const reply = await send('GET', tampered);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'SignatureDoesNotMatch']);
    });

    it.each([
      ['a longer X-Amz-Expires', (url: string) => url.replace('X-Amz-Expires=300', 'X-Amz-Expires=600')],
      ['another key', (url: string) => url.replace('IMG%201', 'IMG%202')],
      ['an added response header override', (url: string) => `${url}&response-content-type=text%2Fhtml`],
    ])('refuses a URL with %s', async (_name, tamper) => {
      const url = get();
      const tampered = tamper(url);
      expect(tampered).not.toBe(url);
      const reply = await send('GET', tampered);
      expect(reply.status).toBe(403);
    });

    it('refuses an expired URL', async () => {
      const url = get({ now: new Date(Date.now() - 120_000), expiresIn: 60 });
      const reply = await send('GET', url);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'AccessDenied']);
    });

    it('refuses a URL signed with the wrong secret', async () => {
      const url = signer.presign({ operation: 'GetObject', bucket, key: KEY, expiresIn: 300 }, { ...credentials, secretAccessKey: 'not-the-secret' });
      const reply = await send('GET', url);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'SignatureDoesNotMatch']);
    });
  });
});
