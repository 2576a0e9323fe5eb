/**
 * What owners hear about their shares, and the quota drop links give back, on a stack of this
 * suite's own: upload URLs live 2 seconds (`upload_url_ttl_seconds`, so an abandoned single
 * upload is given back within seconds), files from 5 MiB go multipart, "never" shares are
 * allowed, and the sweep's schedule (hourly in AWS) runs every 500 ms. Messages are read from
 * the local SNS (local/sns.ts) the functions publish to.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/stack';
import { fileItemKey } from '../../contract/table';
import { jpegLike } from './support/media';
import { partOf, putPart, type SignedPart } from './support/multipart';
import { adminTokenOf, startOwnStack } from './support/own-stack';
import { snsMessages } from './support/signed';

jest.setTimeout(120_000);

const MiB = 1024 ** 2;
const URL_TTL_SECONDS = 2;
const SWEEP_EVERY_MS = 500;

interface Published {
  message: string;
  attributes: Record<string, { dataType: string; value: string }>;
}

interface Response<T> {
  status: number;
  body: T;
}

interface DropUsage {
  share: { usedBytes: number; usedFiles: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(100);
  }
}

describe('share notifications and drop quota', () => {
  let stack: LocalStack;
  let token: string;
  const tag = randomBytes(4).toString('hex');

  const call = async <T>(route: string, init: { method?: string; json?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<Response<T>> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.method ?? (init.json !== undefined ? 'POST' : 'GET'),
      headers: {
        ...(init.auth === false ? {} : { authorization: `Bearer ${token}` }),
        ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const guestCall = <T>(route: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) => call<T>(route, { ...init, auth: false });

  const published = async (type: string): Promise<(Published & { body: Record<string, unknown> })[]> => {
    const all = await snsMessages<Published>(stack);
    return all.map((m) => ({ ...m, body: JSON.parse(m.message) as Record<string, unknown> })).filter((m) => m.body.type === type);
  };

  const createShare = async (json: Record<string, unknown>): Promise<{ token: string; share: { id: string } }> => {
    const created = await call<{ token: string; share: { id: string } }>('/shares', { json });
    if (created.status !== 201) throw new Error(`POST /shares: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const dropLink = async (name: string, quota: { maxBytes: number; maxFiles: number }, label?: string) => {
    const folder = `/drop-${tag}-${name}`;
    expect((await call('/folders', { json: { path: folder } })).status).toBeLessThan(300);
    const created = await createShare({ folder, mode: 'drop', ...quota, ...(label !== undefined ? { label } : {}) });
    return { ...created, folder, base: `/public/shares/${created.token}` };
  };
  const usage = async (shareToken: string) => {
    const { usedBytes, usedFiles } = (await guestCall<DropUsage>(`/public/shares/${shareToken}`)).body.share;
    return { usedBytes, usedFiles };
  };
  const sweepRuns = (n: number) => sleep(n * SWEEP_EVERY_MS + 500);

  beforeAll(async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-share-notifications-'));
    const own = await startOwnStack(
      logDir,
      { upload_url_ttl_seconds: URL_TTL_SECONDS, multipart_threshold_bytes: 5 * MiB, share_allow_never: true },
      { scheduleIntervalMs: SWEEP_EVERY_MS },
    );
    stack = own.stack;
    token = await adminTokenOf(stack, own.adminPassword);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('a file arriving through a drop link', () => {
    it('tells the owner once with share.files-arrived, even when S3 delivers the event twice', async () => {
      // Prepare
      const drop = await dropLink('arrive', { maxBytes: 10 * MiB, maxFiles: 5 }, 'Wedding');
      const photo = jpegLike(4321);
      // Act
      const started = await guestCall<{ url: string; headers: Record<string, string>; fileId: string; uploadId: string }>(`${drop.base}/uploads`, {
        json: { fileName: 'first dance.jpg', contentType: 'image/jpeg', size: photo.length },
      });
      expect(started.status).toBe(201);
      expect((await fetch(started.body.url, { method: 'PUT', headers: started.body.headers, body: photo })).status).toBe(200);
      const arrived = await eventually(async () => ((await published('share.files-arrived')).some((m) => m.body.fileId === started.body.fileId) ? true : undefined), 15_000);
      // The same S3 event again, as S3's at-least-once delivery may send it.
      const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials }));
      const row = (await documents.send(new GetCommand({ TableName: stack.tableName, Key: fileItemKey(drop.folder, 'first dance.jpg') }))).Item!;
      documents.destroy();
      const duplicate = await stack.functions.invoke('sync', {
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventTime: new Date().toISOString(),
            s3: { bucket: { name: stack.bucketName }, object: { key: encodeURIComponent(String(row.key)).replace(/%2F/g, '/').replace(/%20/g, '+'), size: photo.length, eTag: row.etag, sequencer: row.sequencer } },
          },
        ],
      });
      await sleep(500);
      // Assess
      expect(arrived).toBe(true);
      expect(duplicate).toMatchObject({ ok: true, payload: ['stale'] });
      const messages = (await published('share.files-arrived')).filter((m) => m.body.fileId === started.body.fileId);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.body).toEqual({
        type: 'share.files-arrived',
        shareId: drop.share.id,
        label: 'Wedding',
        owner: stack.adminUser,
        fileId: started.body.fileId,
        folder: drop.folder,
        name: 'first dance.jpg',
        size: photo.length,
        contentType: 'image/jpeg',
        uploadedAt: expect.any(String),
      });
      // Subscribers filter on these (README: a filter policy on type and owner).
      expect(messages[0]!.attributes).toEqual({ type: { dataType: 'String', value: 'share.files-arrived' }, owner: { dataType: 'String', value: stack.adminUser } });
      expect(await usage(drop.token)).toEqual({ usedBytes: photo.length, usedFiles: 1 });
    });
  });

  describe('expiry reminders', () => {
    it('reminds once of a share ending within a day, never of a revoked one or one that never ends', async () => {
      // Prepare: no sweep runs while the shares are made and one is revoked.
      await stack.scheduler.pause();
      const folder = `/remind-${tag}`;
      expect((await call('/folders', { json: { path: folder } })).status).toBeLessThan(300);
      const soon = await createShare({ folder, expires: 3600, label: 'Soon' });
      const revoked = await createShare({ folder, expires: 3600, label: 'Revoked' });
      const never = await createShare({ folder, expires: 'never', label: 'Never' });
      const later = await createShare({ folder, expires: 3 * 24 * 3600, label: 'Later' });
      expect((await call(`/shares/${revoked.share.id}`, { method: 'DELETE' })).status).toBe(204);
      // Act: several sweeps.
      stack.scheduler.resume();
      await eventually(async () => ((await published('share.expiring')).some((m) => m.body.shareId === soon.share.id) ? true : undefined), 10_000);
      await sweepRuns(4);
      // Assess
      const reminders = await published('share.expiring');
      const about = (id: string) => reminders.filter((m) => m.body.shareId === id);
      expect(about(soon.share.id)).toHaveLength(1);
      expect(about(soon.share.id)[0]!.body).toMatchObject({ type: 'share.expiring', label: 'Soon', owner: stack.adminUser, mode: 'view', target: { kind: 'folder', folder } });
      expect(Date.parse(String(about(soon.share.id)[0]!.body.expiresAt)) - Date.now()).toBeGreaterThan(3000 * 1000);
      expect(about(soon.share.id)[0]!.attributes.type).toEqual({ dataType: 'String', value: 'share.expiring' });
      expect(about(revoked.share.id)).toHaveLength(0);
      expect(about(never.share.id)).toHaveLength(0);
      expect(about(later.share.id)).toHaveLength(0);
    });
  });

  describe('quota of abandoned guest uploads', () => {
    it('comes back when a guest aborts a multipart upload, exactly once', async () => {
      // Prepare
      const drop = await dropLink('abort', { maxBytes: 8 * MiB, maxFiles: 1 });
      const video = randomBytes(6 * MiB);
      const started = await guestCall<{ uploadId: string; mode: string; partSize: number; guestKey: string }>(`${drop.base}/uploads`, {
        json: { fileName: 'clip.mp4', contentType: 'video/mp4', size: video.length },
      });
      expect(started.status).toBe(201);
      expect(started.body.mode).toBe('multipart');
      const guest = { 'x-share-guest': started.body.guestKey };
      const signed = await guestCall<{ parts: SignedPart[] }>(`${drop.base}/uploads/${started.body.uploadId}/parts`, { headers: guest, json: { partNumbers: [1] } });
      expect((await putPart(signed.body.parts[0]!, partOf(video, started.body.partSize, 1))).status).toBe(200);
      expect(await usage(drop.token)).toEqual({ usedBytes: video.length, usedFiles: 1 });
      // The link is full: one file allowed.
      expect((await guestCall(`${drop.base}/uploads`, { json: { fileName: 'other.jpg', contentType: 'image/jpeg', size: 10 } })).status).toBe(413);
      // Act
      const stranger = await guestCall(`${drop.base}/uploads/${started.body.uploadId}`, { method: 'DELETE', headers: { 'x-share-guest': randomBytes(24).toString('base64url') } });
      const aborted = await guestCall(`${drop.base}/uploads/${started.body.uploadId}`, { method: 'DELETE', headers: guest });
      const again = await guestCall<{ error: { code: string } }>(`${drop.base}/uploads/${started.body.uploadId}`, { method: 'DELETE', headers: guest });
      // Assess
      expect(stranger.status).toBe(404);
      expect(aborted.status).toBe(204);
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('UploadNotFound');
      expect(await usage(drop.token)).toEqual({ usedBytes: 0, usedFiles: 0 });
      await sweepRuns(2);
      expect(await usage(drop.token)).toEqual({ usedBytes: 0, usedFiles: 0 });
      // The quota is usable again.
      expect((await guestCall(`${drop.base}/uploads`, { json: { fileName: 'other.jpg', contentType: 'image/jpeg', size: 10 } })).status).toBe(201);
    });

    it('comes back once an upload expires without its file, while a completed upload stays counted', async () => {
      // Prepare
      const drop = await dropLink('expire', { maxBytes: 10 * MiB, maxFiles: 3 });
      const kept = jpegLike(2000);
      const start = (fileName: string, size: number) =>
        guestCall<{ url: string; headers: Record<string, string>; fileId: string; expiresAt: string }>(`${drop.base}/uploads`, { json: { fileName, contentType: 'image/jpeg', size } });
      const completed = await start('kept.jpg', kept.length);
      expect((await fetch(completed.body.url, { method: 'PUT', headers: completed.body.headers, body: kept })).status).toBe(200);
      const abandoned = await start('abandoned.jpg', 777_777);
      expect(abandoned.status).toBe(201);
      expect(await usage(drop.token)).toEqual({ usedBytes: kept.length + 777_777, usedFiles: 2 });
      // Act: the abandoned URL expires (2 s), then one URL lifetime more, then a sweep.
      const releaseAt = Date.parse(abandoned.body.expiresAt) + URL_TTL_SECONDS * 1000;
      const given = await eventually(async () => {
        const now = await usage(drop.token);
        return now.usedFiles === 1 ? now : undefined;
      }, releaseAt - Date.now() + 10_000);
      // Assess
      expect(Date.now()).toBeGreaterThanOrEqual(releaseAt);
      expect(given).toEqual({ usedBytes: kept.length, usedFiles: 1 });
      await sweepRuns(3);
      expect(await usage(drop.token)).toEqual({ usedBytes: kept.length, usedFiles: 1 });
      // The expired URL itself is refused by S3, so nothing can land on the released quota.
      const late = await fetch(abandoned.body.url, { method: 'PUT', headers: abandoned.body.headers, body: Buffer.alloc(777_777) });
      expect(late.status).toBe(403);
    });
  });
});
