/**
 * What a visitor of an album share gets over HTTP on the local stack, beyond opening it
 * (test/e2e/shares.test.ts): thumbnail and preview URLs that never outlive the share, and
 * `POST /public/shares/{token}/links` — download links for many files at once (the album's
 * ZIP) — with its refusals and its access log; and the expiry limits `GET /shares` tells the
 * app, on the shared stack (defaults) and on a stack where shares may never expire.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FileLinks, PublicShare, ShareList, ShareLog } from '../../contract/wire';
import type { LocalStack } from '../../local/stack';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { uploadFile } from './support/files';
import { jpegLike, sha256 } from './support/media';
import { startOwnStack } from './support/own-stack';
import { png } from '../support/media-samples';

jest.setTimeout(180_000);

interface CreatedShare {
  token: string;
  share: { id: string; expiresAt: string | null };
}

const PROCESSING_TIMEOUT_MS = 30_000;
const NO_SUCH_SHARE = { error: { code: 'NotFound', message: 'No such share' } };

/** When a presigned URL stops working: X-Amz-Date + X-Amz-Expires. */
function presignedExpiry(url: string): number {
  const query = new URL(url).searchParams;
  const date = query.get('X-Amz-Date');
  const expires = query.get('X-Amz-Expires');
  if (!date || !expires) throw new Error(`not a presigned URL: ${url}`);
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`;
  return Date.parse(iso) + Number(expires) * 1000;
}

async function fetchBytes(url: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('album shares for visitors', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  const album = `/visit-${tag}`;
  const photos = new Map<string, Buffer>();
  const ids = new Map<string, string>();
  let editor: string;
  let subFile: string;
  let privateFile: string;

  const share = async (json: Record<string, unknown>): Promise<CreatedShare> => {
    const response = await api<CreatedShare>('/shares', { token: editor, json });
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${response.text}`);
    return response.body;
  };
  const links = (token: string, json: unknown, headers: Record<string, string> = {}) => api<FileLinks>(`/api/public/shares/${token}/links`, { json, headers });

  beforeAll(async () => {
    editor = await login(context.editor);
    photos.set('beach.png', await png(640, 400));
    photos.set('forest.png', await png(300, 500));
    for (const [name, bytes] of photos) ids.set(name, await uploadFile(editor, album, name, bytes, { contentType: 'image/png' }));
    subFile = await uploadFile(editor, `${album}/sub`, 'inner.jpg', jpegLike(1000));
    privateFile = await uploadFile(editor, `/elsewhere-${tag}`, 'secret.jpg', jpegLike(1200));
    // Thumbnails exist once processing has run.
    for (const id of ids.values()) {
      const ready = await eventually(async () => {
        const file = await api<{ processing?: string }>(`/files/${id}`, { token: editor });
        return file.status === 200 && file.body.processing === 'ready' ? true : undefined;
      }, PROCESSING_TIMEOUT_MS, 250);
      expect(ready).toBe(true);
    }
  });

  describe('GET /public/shares/{token}', () => {
    it('gives an album\'s images thumbnail and preview URLs that answer WebP and expire no later than the share', async () => {
      // Prepare: a share ending in 2 minutes, shorter than the view URLs' hour.
      const created = await share({ folder: album, expires: 120 });
      const shareEnd = Date.parse(created.share.expiresAt as string);
      // Act
      const opened = await api<PublicShare>(`/public/shares/${created.token}`);
      // Assess
      expect(opened.status).toBe(200);
      const files = opened.body.files ?? [];
      expect(files.map((f) => f.name).sort()).toEqual(['beach.png', 'forest.png']);
      for (const file of files) {
        expect(file.thumbUrl).toBeDefined();
        expect(file.previewUrl).toBeDefined();
        expect([file.width, file.height]).toEqual(file.name === 'beach.png' ? [640, 400] : [300, 500]);
        for (const url of [file.thumbUrl as string, file.previewUrl as string]) expect(presignedExpiry(url)).toBeLessThanOrEqual(shareEnd);
        expect(Date.parse(file.urlExpiresAt)).toBeLessThanOrEqual(shareEnd);
        const thumb = await fetchBytes(file.thumbUrl as string);
        expect(thumb.status).toBe(200);
        expect(thumb.type).toBe('image/webp');
        expect((await sharp(thumb.bytes).metadata()).format).toBe('webp');
        const preview = await fetchBytes(file.previewUrl as string);
        expect(preview.type).toBe('image/webp');
        // Only the shape: no camera, date taken, place, uploader, folder or tags.
        for (const hidden of ['takenAt', 'cameraMake', 'latitude', 'uploadedBy', 'folder', 'tags']) expect(file).not.toHaveProperty(hidden);
      }
    });

    it('gives a shared image file its thumbnail and preview too', async () => {
      const created = await share({ fileId: ids.get('beach.png'), expires: 300 });
      const opened = await api<PublicShare>(`/public/shares/${created.token}`);
      expect(opened.status).toBe(200);
      expect((await fetchBytes(opened.body.file?.previewUrl as string)).type).toBe('image/webp');
      expect(presignedExpiry(opened.body.file?.thumbUrl as string)).toBeLessThanOrEqual(Date.parse(created.share.expiresAt as string));
    });
  });

  describe('POST /public/shares/{token}/links', () => {
    it('signs downloads of the album\'s files in the order asked, with the original bytes as attachments, and logs each with its bytes', async () => {
      // Prepare
      const created = await share({ folder: album, allowDownload: true, expires: 600 });
      const asked = [ids.get('forest.png') as string, ids.get('beach.png') as string];
      // Act
      const response = await links(created.token, { ids: asked });
      // Assess
      expect(response.status).toBe(200);
      expect(response.body.links.map((l) => l.id)).toEqual(asked);
      for (const link of response.body.links) {
        if (!('url' in link)) throw new Error(`no link for ${link.id}: ${link.error.message}`);
        const got = await fetchBytes(link.url);
        expect(got.status).toBe(200);
        expect(got.disposition).toMatch(/^attachment/);
        expect(sha256(got.bytes)).toBe(sha256(photos.get(link.name) as Buffer));
        expect(presignedExpiry(link.url)).toBeLessThanOrEqual(Date.parse(created.share.expiresAt as string));
      }
      const log = await api<ShareLog>(`/shares/${created.share.id}/log`, { token: editor });
      const downloads = log.body.entries.filter((e) => e.event === 'download');
      expect(downloads.map((e) => [e.name, e.bytes]).sort()).toEqual([
        ['beach.png', (photos.get('beach.png') as Buffer).length],
        ['forest.png', (photos.get('forest.png') as Buffer).length],
      ]);
      for (const entry of downloads) expect(entry.ip).toMatch(/^(\d+\.\d+\.\d+\.0\/24|[0-9a-f:]+\/48)$/);
    });

    it('includes a file added to the folder after the share was made', async () => {
      const created = await share({ folder: album, allowDownload: true });
      const later = jpegLike(2048);
      const laterId = await uploadFile(editor, album, 'later.jpg', later);
      const link = await eventually(async () => {
        const response = await links(created.token, { ids: [laterId] });
        const first = response.body.links?.[0];
        return first && 'url' in first ? first : undefined;
      }, 5000);
      expect(link?.name).toBe('later.jpg');
      expect(sha256((await fetchBytes(link!.url)).bytes)).toBe(sha256(later));
    });

    it('answers ids outside the album (a subfolder, another folder, made up) exactly like missing files, in their own items', async () => {
      const created = await share({ folder: album, allowDownload: true });
      const beach = ids.get('beach.png') as string;
      const foreign = [subFile, privateFile, Buffer.from(`media${album}/nothing.jpg`).toString('base64url'), 'bm90LWEtZmlsZQ', '..', '%2e%2e'];
      const response = await links(created.token, { ids: [beach, ...foreign] });
      expect(response.status).toBe(200);
      expect('url' in (response.body.links[0] as object)).toBe(true);
      expect(response.body.links.slice(1)).toEqual(foreign.map((id) => ({ id, error: { code: 'NotFound', message: 'No such file in this share' } })));
      expect(JSON.stringify(response.body.links.slice(1))).not.toMatch(/https?:/);
    });

    it('signs only the shared file through a file share', async () => {
      const created = await share({ fileId: ids.get('forest.png'), allowDownload: true });
      const response = await links(created.token, { ids: [ids.get('forest.png'), ids.get('beach.png')] });
      expect(response.status).toBe(200);
      expect(response.body.links[0]).toMatchObject({ name: 'forest.png' });
      expect(response.body.links[1]).toEqual({ id: ids.get('beach.png'), error: { code: 'NotFound', message: 'No such file in this share' } });
    });

    it('refuses a share without downloads with the single download\'s 403, and signs nothing', async () => {
      const created = await share({ folder: album });
      const beach = ids.get('beach.png') as string;
      const batch = await links(created.token, { ids: [beach] });
      const single = await api(`/api/public/shares/${created.token}/files/${beach}/download`);
      expect(batch.status).toBe(403);
      expect(batch.body).toEqual(single.body);
      expect(batch.body).toMatchObject({ error: { code: 'DownloadNotAllowed' } });
      expect(batch.text).not.toMatch(/https?:/);
    });

    it('answers a revoked share, an unknown token and a drop link with the same 404', async () => {
      const created = await share({ folder: album, allowDownload: true });
      expect((await api(`/shares/${created.share.id}`, { method: 'DELETE', token: editor })).status).toBe(204);
      const drop = await share({ folder: album, mode: 'drop', maxBytes: 1024, maxFiles: 1 });
      const beach = ids.get('beach.png') as string;
      const revoked = await links(created.token, { ids: [beach] });
      const unknown = await links(randomBytes(24).toString('base64url'), { ids: [beach] });
      expect(revoked.status).toBe(404);
      expect(revoked.body).toEqual(NO_SUCH_SHARE);
      expect(unknown.body).toEqual(NO_SUCH_SHARE);
      expect((await links(drop.token, { ids: [beach] })).status).toBe(404);
    });

    it('needs the share session of a password-protected album', async () => {
      const created = await share({ folder: album, allowDownload: true, password: 'a long password' });
      const beach = ids.get('beach.png') as string;
      expect((await links(created.token, { ids: [beach] })).body).toMatchObject({ error: { code: 'SharePasswordRequired' } });
      const unlocked = await api<{ session: string }>(`/public/shares/${created.token}/unlock`, { json: { password: 'a long password' } });
      const response = await links(created.token, { ids: [beach] }, { 'x-share-session': unlocked.body.session });
      expect(response.status).toBe(200);
      expect(response.body.links[0]).toMatchObject({ name: 'beach.png' });
    });

    it('refuses bodies that are not 1 to 200 ids with a 400', async () => {
      const created = await share({ folder: album, allowDownload: true });
      for (const body of [{}, { ids: [] }, { ids: 'x' }, { ids: [7] }, { ids: Array.from({ length: 201 }, (_, i) => `id${i}`) }, { ids: ['a'], more: 1 }]) {
        const response = await links(created.token, body);
        expect(response.status).toBe(400);
        expectErrorBody(response);
      }
    });
  });

  describe('GET /shares', () => {
    it('tells the app the module\'s expiry limits: 30 days and no "never" by default', async () => {
      const response = await api<ShareList>('/shares', { token: editor });
      expect(response.status).toBe(200);
      expect(response.body.limits).toEqual({ maxDays: 30, allowNever: false });
    });
  });
});

describe('a stack whose shares may never expire (share_allow_never, share_max_days 3)', () => {
  let stack: LocalStack;
  let token: string;
  const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-share-never-'));
  const call = async <T>(route: string, init: { token?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.json === undefined ? 'GET' : 'POST',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    const own = await startOwnStack(logDir, { share_allow_never: true, share_max_days: 3 });
    stack = own.stack;
    token = (await call<{ token: string }>('/auth/login', { json: { username: stack.adminUser, password: own.adminPassword } })).body.token;
    expect((await call('/folders', { token, json: { path: '/forever' } })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('reports the limits in GET /shares and accepts exactly what they allow', async () => {
    const listed = await call<ShareList>('/shares', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.limits).toEqual({ maxDays: 3, allowNever: true });
    const never = await call<CreatedShare>('/shares', { token, json: { folder: '/forever', expires: 'never' } });
    expect(never.status).toBe(201);
    expect(never.body.share.expiresAt).toBeNull();
    expect((await call('/shares', { token, json: { folder: '/forever', expires: 3 * 86_400 } })).status).toBe(201);
    expect((await call('/shares', { token, json: { folder: '/forever', expires: 3 * 86_400 + 1 } })).status).toBe(400);
  });
});
