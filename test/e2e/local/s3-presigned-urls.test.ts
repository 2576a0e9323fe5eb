/**
 * The local S3 checks presigned URLs like S3 does (s3rver alone checks nothing): signature
 * over method, path, query and signed headers; expiry; anonymous object access refused.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { silentLogger } from '../../../local/log';
import { startLocalS3, type LocalS3 } from '../../../local/s3';
import { localS3Client } from '../support/local-s3';
import { generateLocalCredentials } from '../../../local/sigv4';

const credentials = generateLocalCredentials();

const BUCKET = 'presign-test';
const KEY = 'media/folder/IMG (1) é.jpg';

describe('local S3 presigned URL checks', () => {
  let s3: LocalS3;
  let client: S3Client;
  const body = Buffer.from('sixteen bytes!!!');

  const presignPut = (expiresIn = 300) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: KEY, ContentType: 'image/jpeg', ContentLength: body.length }), {
      expiresIn,
      signableHeaders: new Set(['content-type', 'content-length']),
    });

  beforeAll(async () => {
    s3 = await startLocalS3({ region: 'us-east-1', logger: silentLogger, credentials });
    await s3.ensureBucket(BUCKET, []);
    client = localS3Client(s3.endpoint, credentials);
  });

  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('accepts a PUT that sends exactly the signed headers, then a GET by presigned URL', async () => {
    const put = await fetch(await presignPut(), { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body });
    const get = await fetch(await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), { expiresIn: 60 }));

    expect(put.status).toBe(200);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);
  });

  it('refuses a PUT with another content type than the signed one', async () => {
    const response = await fetch(await presignPut(), { method: 'PUT', headers: { 'content-type': 'text/html' }, body });

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a PUT of another length than the signed one', async () => {
    const response = await fetch(await presignPut(), { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: Buffer.concat([body, body]) });

    expect(response.status).toBe(403);
  });

  it('refuses a URL whose key was changed', async () => {
    const url = (await presignPut()).replace('folder', 'other');

    const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body });

    expect(response.status).toBe(403);
  });

  it('refuses a URL whose expiry was extended', async () => {
    const url = (await presignPut(60)).replace('X-Amz-Expires=60', 'X-Amz-Expires=600');

    const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body });

    expect(response.status).toBe(403);
  });

  it('refuses an expired URL', async () => {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });

    const response = await fetch(url);

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Request has expired');
  });

  it('refuses anonymous reads and writes of objects', async () => {
    const path = `${s3.endpoint}/${BUCKET}/${KEY.split('/').map(encodeURIComponent).join('/')}`;

    const read = await fetch(path);
    const write = await fetch(path, { method: 'PUT', body });

    expect(read.status).toBe(403);
    expect(write.status).toBe(403);
  });
});
