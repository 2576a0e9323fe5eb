/**
 * The local S3 (s3rver) as the sync function sees it: object events rewritten into the records
 * AWS S3 delivers to Lambda, and the plan's notification filter.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { silentLogger } from '../../../local/log';
import {
  encodeEventKey,
  monotonicSequencer,
  notificationMatches,
  startLocalS3,
  type LocalS3,
  type S3EventRecord,
  type S3Notification,
} from '../../../local/s3';
import { localS3Client } from '../support/local-s3';
import { generateLocalCredentials } from '../../../local/sigv4';

const credentials = generateLocalCredentials();

const BUCKET = 'events-test';

describe('local S3 object events', () => {
  let s3: LocalS3;
  let client: S3Client;
  const records: S3EventRecord[] = [];

  /** Waits until `count` more records arrived (events are asynchronous, like S3's). */
  async function nextRecords(count: number): Promise<S3EventRecord[]> {
    const start = records.length;
    const deadline = Date.now() + 2000;
    while (records.length < start + count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return records.slice(start, start + count);
  }

  beforeAll(async () => {
    s3 = await startLocalS3({ region: 'us-east-1', logger: silentLogger, credentials });
    await s3.ensureBucket(BUCKET, [
      { allowedOrigins: ['https://app.example'], allowedMethods: ['PUT'], allowedHeaders: ['content-type'], exposeHeaders: ['ETag'], maxAgeSeconds: 60 },
    ]);
    s3.onObjectEvent((record) => records.push(record));
    client = localS3Client(s3.endpoint, credentials);
  });

  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('delivers ObjectCreated:Put with a form-encoded key, size, ETag and sequencer', async () => {
    const pending = nextRecords(1);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/spain 2024/IMG (1)+é.jpg', Body: Buffer.alloc(1234, 1) }));

    const [record] = await pending;

    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: 'media/spain+2024/IMG+%281%29%2B%C3%A9.jpg', size: 1234, eTag: expect.stringMatching(/^[0-9a-f]{32}$/) },
      },
    });
    expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe('media/spain 2024/IMG (1)+é.jpg');
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
  });

  it('gives later events of a key a greater sequencer, even within one millisecond', async () => {
    const pending = nextRecords(3);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/seq.jpg', Body: 'a' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/seq.jpg', Body: 'b' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'media/seq.jpg' }));

    const sequencers = (await pending).map((r) => r.s3.object.sequencer);

    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(3);
  });

  it('delivers ObjectRemoved:Delete without a size', async () => {
    const created = nextRecords(1);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/gone.jpg', Body: 'x' }));
    await created;
    const pending = nextRecords(1);

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'media/gone.jpg' }));

    const [record] = await pending;
    expect(record.eventName).toBe('ObjectRemoved:Delete');
    expect(record.s3.object.key).toBe('media/gone.jpg');
    expect(record.s3.object.size).toBeUndefined();
  });

  it('delivers one ObjectRemoved:Delete per key of a DeleteObjects request', async () => {
    const created = nextRecords(2);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/m1.jpg', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/m2.jpg', Body: 'x' }));
    await created;
    const pending = nextRecords(2);

    await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'media/m1.jpg' }, { Key: 'media/m2.jpg' }] } }));

    const removed = await pending;
    expect(removed.map((r) => [r.eventName, r.s3.object.key]).sort()).toEqual([
      ['ObjectRemoved:Delete', 'media/m1.jpg'],
      ['ObjectRemoved:Delete', 'media/m2.jpg'],
    ]);
  });

  it('names a completed multipart upload ObjectCreated:CompleteMultipartUpload', async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/big.mp4' }));
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'media/big.mp4', UploadId, PartNumber: 1, Body: Buffer.alloc(1000, 2) }));
    const pending = nextRecords(1);

    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/big.mp4', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
    );

    const [record] = await pending;
    expect(record.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(record.s3.object.size).toBe(1000);
  });

  it("answers a browser preflight with the bucket's CORS rules", async () => {
    const allowed = await fetch(`${s3.endpoint}/${BUCKET}/media/x.jpg`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    const refused = await fetch(`${s3.endpoint}/${BUCKET}/media/x.jpg`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(refused.status).toBe(403);
  });
});

describe('notificationMatches', () => {
  const notification: S3Notification = {
    functionResource: 'sync',
    events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
    prefix: 'media/',
    suffix: '',
    id: 'catalog-sync',
  };
  const record = (eventName: string, key: string) => ({ eventName, s3: { object: { key: encodeEventKey(key) } } }) as S3EventRecord;

  it.each([
    ['ObjectCreated:Put', 'media/a b.jpg', true],
    ['ObjectRemoved:Delete', 'media/x/y.jpg', true],
    ['ObjectCreated:CompleteMultipartUpload', 'media/v.mp4', true],
    ['ObjectCreated:Put', 'other/a.jpg', false],
    ['ObjectCreated:Put', 'mediax/a.jpg', false],
    ['ObjectRestore:Completed', 'media/a.jpg', false],
  ])('%s of %s → %s', (eventName, key, expected) => {
    expect(notificationMatches(notification, record(eventName, key))).toBe(expected);
  });
});

describe('monotonicSequencer', () => {
  it('never repeats and never goes backwards', () => {
    const next = monotonicSequencer();

    const values = Array.from({ length: 1000 }, () => next());

    expect(new Set(values).size).toBe(1000);
    expect([...values].sort()).toEqual(values);
  });
});
