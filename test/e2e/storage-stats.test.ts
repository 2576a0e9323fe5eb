/**
 * `GET /stats/storage` over HTTP on a local stack of its own (a catalog no other suite writes
 * to, so the totals can be compared exactly): uploads by two users and a drop-link guest, an
 * overwrite by another user, a rename, a move, a delete and duplicate or late S3 events
 * replayed to the sync function — then the figures must equal what the bucket holds and what
 * `GET /files` lists, by type, by content type and by uploader. Then a photo with its derived
 * images, a video with its playable copy and a file in the trash: what is stored besides the
 * originals must equal what the bucket holds under derived/ and trash/, each kind apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../local/stack';
import type { StorageStats } from '../../contract/wire';
import type { FileBody } from './support/files';
import { eventually } from './support/http';
import { localS3Client } from './support/local-s3';
import { jpegLike } from './support/media';
import { png, video } from '../support/media-samples';
import { startOwnStack } from './support/own-stack';
import { signedFetch } from './support/signed';

jest.setTimeout(120_000);

type Listed = FileBody;

describe('GET /stats/storage', () => {
  const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-stats-'));
  let stack: LocalStack;
  let admin: string;
  let ann: string;
  let bob: string;
  let viewer: string;

  const call = async <T>(route: string, init: { method?: string; json?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const answer = await call<{ token: string }>('/auth/login', { json: { username, password } });
    if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status}`);
    return answer.body.token;
  };
  const addUser = async (username: string, role: string): Promise<string> => {
    const password = randomBytes(18).toString('base64url');
    expect((await call('/users', { token: admin, json: { username, role, password } })).status).toBe(201);
    return login(username, password);
  };
  /** Uploads like a client (presigned PUT) and waits until the catalog lists it at that size. */
  const upload = async (token: string, folder: string, fileName: string, bytes: Buffer, contentType: string, overwrite = false): Promise<string> => {
    const created = await call<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
      token,
      json: { folder, fileName, contentType, size: bytes.length, ...(overwrite ? { overwrite } : {}) },
    });
    expect(created.status).toBe(201);
    expect((await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes })).status).toBe(200);
    await landed(token, created.body.fileId, (f) => f.size === bytes.length);
    return created.body.fileId;
  };
  const landed = async (token: string, id: string, predicate: (file: Listed) => boolean = () => true): Promise<Listed> => {
    const file = await eventually(async () => {
      const response = await call<Listed>(`/files/${id}`, { token });
      return response.status === 200 && predicate(response.body) ? response.body : undefined;
    }, 10_000);
    if (file === undefined) throw new Error(`${Buffer.from(id, 'base64url').toString()} did not land`);
    return file;
  };
  const listAll = async (folders: readonly string[]): Promise<Listed[]> => {
    const pages = await Promise.all(folders.map((folder) => call<{ files: Listed[] }>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`, { token: admin })));
    return pages.flatMap((page) => page.body.files);
  };
  /** What the bucket holds under `prefix` (media/: the originals): key → size and content type. */
  const bucketObjects = async (prefix = 'media/'): Promise<Map<string, { size: number; contentType: string }>> => {
    const s3 = localS3Client(stack.s3Endpoint, stack.credentials, stack.region);
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: prefix }));
      const objects = new Map<string, { size: number; contentType: string }>();
      for (const object of listed.Contents ?? []) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: stack.bucketName, Key: object.Key }));
        objects.set(object.Key!, { size: Number(head.ContentLength), contentType: String(head.ContentType) });
      }
      return objects;
    } finally {
      s3.destroy();
    }
  };
  /** Sends the sync function an S3 record as S3 would (a duplicate or a late delivery). */
  const deliver = async (eventName: string, key: string, sequencer: string): Promise<void> => {
    const record = { eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: stack.region, eventTime: new Date().toISOString(), eventName, s3: { bucket: { name: stack.bucketName }, object: { key, sequencer, size: 0 } } };
    const response = await signedFetch(`${stack.lambdaEndpoint}/2015-03-31/functions/media-store-sync/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Records: [record] }) }, stack, 'lambda');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBeNull();
  };

  beforeAll(async () => {
    let adminPassword: string;
    ({ stack, adminPassword } = await startOwnStack(logDir, { allowed_content_types: ['image/*', 'video/*', 'application/pdf'] }));
    admin = await login(stack.adminUser, adminPassword);
    [ann, bob, viewer] = [await addUser('ann', 'editor'), await addUser('bob', 'editor'), await addUser('vic', 'viewer')];
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers 403 with a JSON error to viewers and editors', async () => {
    for (const token of [viewer, ann]) {
      const response = await call<{ error: { code: string; message: string } }>('/stats/storage', { token });
      expect(response.status).toBe(403);
      expect(response.body.error).toEqual({ code: 'Forbidden', message: expect.stringContaining('storage figures') });
    }
    expect((await call('/stats/storage')).status).toBe(401);
  });

  it('counts nothing in an empty catalog', async () => {
    const response = await call<StorageStats>('/stats/storage', { token: admin });

    expect(response.status).toBe(200);
    expect(response.body.total).toEqual({ files: 0, bytes: 0 });
    expect(response.body.byType.map((t) => [t.fileType, t.files])).toEqual([['image', 0], ['video', 0], ['other', 0]]);
    expect(response.body.byUser).toEqual([]);
  });

  it('equals the bucket and GET /files after uploads, a guest drop, an overwrite, a rename, a move, a delete and replayed events', async () => {
    // Prepare: ann and bob upload, a drop-link guest too.
    const before = Date.now();
    const a1 = await upload(ann, '/s', 'a1.jpg', jpegLike(3000), 'image/jpeg');
    await upload(ann, '/s', 'a2.png', randomBytes(2000), 'image/png');
    const clip = await upload(ann, '/s', 'clip.mp4', randomBytes(5000), 'video/mp4');
    await upload(ann, '/s', 'doc.pdf', randomBytes(700), 'application/pdf');
    const b1 = await upload(bob, '/s', 'b1.jpg', jpegLike(4000), 'image/jpeg');
    expect((await call('/folders', { token: ann, json: { path: '/s/inbox' } })).status).toBeLessThan(300);
    const drop = await call<{ token: string }>('/shares', { token: ann, json: { folder: '/s/inbox', mode: 'drop', maxBytes: 1e6, maxFiles: 5, label: 'Party' } });
    expect(drop.status).toBe(201);
    const guest = await call<{ fileId: string; url: string; headers: Record<string, string> }>(`/public/shares/${drop.body.token}/uploads`, {
      json: { fileName: 'g1.jpg', contentType: 'image/jpeg', size: 1500 },
    });
    expect(guest.status).toBe(201);
    expect((await fetch(guest.body.url, { method: 'PUT', headers: guest.body.headers, body: jpegLike(1500) })).status).toBe(200);
    await landed(admin, guest.body.fileId);

    // Act: bob overwrites ann's a2.png (he is its uploader now), ann renames a1, bob moves ann's
    // clip (she stays its uploader), bob's b1 is deleted; then S3 events arrive again, late.
    await upload(bob, '/s', 'a2.png', randomBytes(2500), 'image/png', true);
    const renamed = await call<Listed>(`/files/${a1}`, { method: 'PATCH', token: ann, json: { name: 'a1-renamed.jpg' } });
    expect(renamed.status).toBe(200);
    const moved = await call<Listed>(`/files/${clip}`, { method: 'PATCH', token: bob, json: { folder: '/s/archive' } });
    expect(moved.status).toBe(200);
    expect((await call(`/files/${b1}`, { method: 'DELETE', token: ann })).status).toBe(204);
    // A created event of a deleted key, an old one of an overwritten key, a removal delivered twice.
    await deliver('ObjectCreated:Put', 'media/s/b1.jpg', '0000000000000001');
    await deliver('ObjectCreated:Put', 'media/s/a2.png', '0000000000000001');
    await deliver('ObjectRemoved:Delete', 'media/s/a1.jpg', '0000000000000002');
    await deliver('ObjectRemoved:Delete', 'media/s/a1.jpg', '0000000000000002');

    // Assess: once the events have settled, the figures are the bucket's and the listings'.
    const folders = ['/s', '/s/inbox', '/s/archive'];
    const settled = await eventually(async () => {
      const [objects, listed, stats] = await Promise.all([bucketObjects(), listAll(folders), call<StorageStats>('/stats/storage', { token: admin })]);
      const keys = [...objects.keys()].sort();
      const listedKeys = listed.map((f) => `media${f.folder}/${f.name}`).sort();
      return JSON.stringify(keys) === JSON.stringify(listedKeys) && stats.body.total.files === keys.length ? { objects, listed, stats: stats.body } : undefined;
    }, 15_000, 200);
    expect(settled).toBeDefined();
    const { objects, listed, stats } = settled!;

    expect([...objects.keys()].sort()).toEqual(['media/s/a1-renamed.jpg', 'media/s/a2.png', 'media/s/archive/clip.mp4', 'media/s/doc.pdf', 'media/s/inbox/g1.jpg']);
    const bucketBytes = [...objects.values()].reduce((n, o) => n + o.size, 0);
    expect(bucketBytes).toBe(3000 + 2500 + 5000 + 700 + 1500);
    expect(stats.total).toEqual({ files: 5, bytes: bucketBytes });
    expect(stats.byType).toEqual([
      { fileType: 'image', files: 3, bytes: 3000 + 2500 + 1500 },
      { fileType: 'video', files: 1, bytes: 5000 },
      { fileType: 'other', files: 1, bytes: 700 },
    ]);
    expect(stats.byContentType).toEqual([
      { contentType: 'video/mp4', files: 1, bytes: 5000 },
      { contentType: 'image/jpeg', files: 2, bytes: 4500 },
      { contentType: 'image/png', files: 1, bytes: 2500 },
      { contentType: 'application/pdf', files: 1, bytes: 700 },
    ]);
    expect(stats.byUser).toEqual([
      { uploadedBy: 'ann', files: 3, bytes: 3000 + 5000 + 700 },
      { uploadedBy: 'bob', files: 1, bytes: 2500 },
      { uploadedBy: 'share:Party', files: 1, bytes: 1500 },
    ]);
    // The same figures, derived from what GET /files lists and what the bucket holds.
    const sum = (files: readonly { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
    for (const user of stats.byUser) {
      const theirs = listed.filter((f) => f.uploadedBy === user.uploadedBy);
      expect({ uploadedBy: user.uploadedBy, files: theirs.length, bytes: sum(theirs) }).toEqual(user);
    }
    for (const type of stats.byType) {
      const ofType = listed.filter((f) => f.fileType === type.fileType);
      expect({ fileType: type.fileType, files: ofType.length, bytes: sum(ofType) }).toEqual(type);
    }
    for (const file of listed) expect(objects.get(`media${file.folder}/${file.name}`)).toEqual({ size: file.size, contentType: file.contentType });
    expect(Date.parse(stats.computedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(stats.computedAt)).toBeLessThanOrEqual(Date.now());
  });
  it('counts what is stored besides the originals — derived images, a video\'s copy, the trash — as the bucket holds them', async () => {
    // Prepare: a photo (thumbnail and preview), a video browsers cannot play (poster and a
    // transcoded copy), a document deleted to the trash.
    const photo = await upload(ann, '/kinds', 'photo.png', await png(640, 480), 'image/png');
    const clip = await upload(ann, '/kinds', 'clip.mp4', video('mpeg4-mp4', `stats-${randomBytes(4).toString('hex')}`), 'video/mp4');
    const doc = await upload(bob, '/kinds', 'gone.pdf', randomBytes(1234), 'application/pdf');
    const processed = async (id: string): Promise<Listed> => {
      const file = await eventually(async () => {
        const response = await call<Listed & { processing?: string; video?: { copy?: { state: string } } }>(`/files/${id}`, { token: admin });
        const body = response.body;
        return response.status === 200 && body.processing !== 'pending' && body.video?.copy?.state !== 'pending' ? body : undefined;
      }, 90_000, 250);
      if (file === undefined) throw new Error(`${Buffer.from(id, 'base64url').toString()} was not processed`);
      return file;
    };
    const [photoFile, clipFile] = await Promise.all([processed(photo), processed(clip)]);
    expect(photoFile).toMatchObject({ processing: 'ready' });
    expect(clipFile).toMatchObject({ processing: 'ready', video: { action: 'transcode', copy: { state: 'ready' } } });
    expect((await call(`/files/${doc}`, { method: 'DELETE', token: bob })).status).toBe(204);

    // Act
    const stats = (await call<StorageStats>('/stats/storage', { token: admin })).body;

    // Assess: each kind is what the bucket holds under its prefix.
    const [originals, derived, trash] = await Promise.all([bucketObjects('media/'), bucketObjects('derived/'), bucketObjects('trash/')]);
    const sum = (objects: readonly { size: number }[]): number => objects.reduce((n, o) => n + o.size, 0);
    const copies = [...derived].filter(([key]) => key.endsWith('-copy.mp4')).map(([, o]) => o);
    const images = [...derived].filter(([key]) => !key.endsWith('-copy.mp4')).map(([, o]) => o);
    expect(copies).toHaveLength(1);
    expect(images.length).toBeGreaterThanOrEqual(3);
    expect(trash.size).toBeGreaterThanOrEqual(1);
    expect(stats.stored).toEqual({
      originals: stats.total,
      derivedImages: { files: 2, bytes: sum(images) },
      videoCopies: { files: 1, bytes: sum(copies) },
      trash: { files: trash.size, bytes: sum([...trash.values()]) },
      total: { files: stats.total.files + trash.size, bytes: sum([...originals.values()]) + sum(images) + sum(copies) + sum([...trash.values()]) },
    });
    expect(stats.total.bytes).toBe(sum([...originals.values()]));
  }, 150_000);
});
