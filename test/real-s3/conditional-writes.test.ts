/**
 * An upload never replaces a file: the presigned PUT the uploads function hands out signs
 * `If-None-Match: *`, and a real S3 (Ceph RGW) refuses the PUT onto an existing key (412)
 * and a PUT that leaves the signed header out (403). RGW 16.2 ignores If-None-Match on
 * CompleteMultipartUpload, so the completion's condition is proven against the local S3 only
 * (test/e2e/multipart-upload.test.ts) — see README, "Uploads never replace a file".
 */
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { S3UrlSigner, type SigningCredentials } from '../../handlers/core/presign';
import { readRealS3Env } from './env';

jest.setTimeout(30_000);

const env = readRealS3Env();
const config = { region: env.region, endpoint: env.endpoint, forcePathStyle: true };
const credentials: SigningCredentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
const signer = new S3UrlSigner(config);
const bucket = `conditional-${randomBytes(6).toString('hex')}`;
let admin: S3Client;

/** The URL and headers `POST /uploads` answers for a new file (handlers/uploads/create-upload.ts). */
function upload(key: string, body: Buffer): { url: string; headers: Record<string, string> } {
  const headers = { 'content-type': 'image/jpeg', 'content-length': String(body.length), 'x-amz-meta-upload-id': randomBytes(16).toString('base64url'), 'if-none-match': '*' };
  return { url: signer.presign({ operation: 'PutObject', bucket, key, expiresIn: 300, headers }, credentials), headers };
}

const put = async (signed: { url: string; headers: Record<string, string> }, body: Buffer) => {
  const response = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
  return { status: response.status, text: await response.text() };
};

const stored = async (key: string): Promise<Buffer> => {
  const out = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
};

const quiet = process.emitWarning;
beforeAll(async () => {
  process.emitWarning = () => undefined;
  admin = new S3Client({ ...config, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const object of listed.Contents ?? []) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  admin.destroy();
  process.emitWarning = quiet;
});

describe('presigned PUT with a signed If-None-Match: * against a real S3 (Ceph RGW)', () => {
  it('stores a new key, then refuses a second upload of the same key with 412 PreconditionFailed, keeping the first', async () => {
    const first = randomBytes(2048);
    const second = randomBytes(3000);
    const a = upload('media/race/photo.jpg', first);
    const b = upload('media/race/photo.jpg', second);

    expect((await put(a, first)).status).toBe(200);
    const refused = await put(b, second);

    expect(refused.status).toBe(412);
    expect(refused.text).toContain('PreconditionFailed');
    expect((await stored('media/race/photo.jpg')).equals(first)).toBe(true);
  });

  it('refuses the PUT when the signed If-None-Match header is left out (403)', async () => {
    const body = randomBytes(100);
    const { url, headers } = upload('media/unsent.jpg', body);
    const { 'if-none-match': _dropped, ...rest } = headers;

    const response = await fetch(url, { method: 'PUT', headers: rest, body });

    expect(response.status).toBe(403);
  });
});
