/**
 * Share links over HTTP on the local stack: file shares, album shares and drop links, opened
 * without login; downloads allowed or not; passwords and their throttling; revoke and expiry;
 * token guessing and path tricks; the creator's folder limits; the access log; and a guest's
 * resumed 100 MiB multipart upload through a drop link up to its quota.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login, type ApiResponse } from './support/http';
import { listFolder, uploadFile } from './support/files';
import { jpegLike, sha256 } from './support/media';
import { documents, partOf, putPart, type HeldPart, type SignedPart } from './support/multipart';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { hashPassword } from '../../handlers/core/password';

jest.setTimeout(120_000);

interface CreatedShare {
  token: string;
  path: string;
  share: { id: string; owner: string; views: number; lastAccessAt?: string; revokedAt?: string; usedBytes: number; usedFiles: number; hasPassword: boolean; expiresAt: string | null };
}

interface PublicFile {
  id: string;
  name: string;
  size: number;
  url: string;
  urlExpiresAt: string;
  downloadUrl?: string;
}

interface PublicShare {
  share: { kind: string; mode: string; label?: string; allowDownload: boolean; expiresAt: string | null; usedBytes?: number; usedFiles?: number };
  file?: PublicFile;
  files?: PublicFile[];
  nextCursor?: string | null;
}

const MiB = 1024 * 1024;
const NO_SUCH_SHARE = { error: { code: 'NotFound', message: 'No such share' } };

async function bytesOf(url: string): Promise<{ status: number; bytes: Buffer; disposition: string | null }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), disposition: response.headers.get('content-disposition') };
}

/** A request whose path is sent exactly as written (fetch would resolve `..`). */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  const url = new URL(e2eContext().apiUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'GET', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('share links', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  const album = `/shares-${tag}`;
  const elsewhere = `/private-${tag}`;
  const photoA = jpegLike(3000);
  const photoB = jpegLike(5000);
  let editor: string;
  let admin: string;
  let fileA: string;
  let fileB: string;
  let subFile: string;
  let privateFile: string;
  const tokensSeen: string[] = [];

  const share = async (token: string, json: Record<string, unknown>): Promise<CreatedShare> => {
    const response = await api<CreatedShare>('/shares', { token, json });
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${response.text}`);
    tokensSeen.push(response.body.token);
    return response.body;
  };
  const open = (token: string, headers: Record<string, string> = {}, query = '') => api<PublicShare>(`/public/shares/${token}${query}`, { headers });

  beforeAll(async () => {
    [editor, admin] = await Promise.all([login(context.editor), login(context.admin)]);
    fileA = await uploadFile(editor, album, 'a.jpg', photoA);
    fileB = await uploadFile(editor, album, 'b.jpg', photoB);
    subFile = await uploadFile(editor, `${album}/sub`, 'inner.jpg', jpegLike(1000));
    privateFile = await uploadFile(editor, elsewhere, 'secret.jpg', jpegLike(1200));
    for (const id of [fileA, fileB, subFile, privateFile]) {
      expect(await eventually(async () => ((await api(`/files/${id}`, { token: editor })).status === 200 ? true : undefined), 5000)).toBe(true);
    }
  });

  describe('file share', () => {
    it('opens without login with a view URL and, when allowed, a download URL of the shared bytes', async () => {
      // Prepare
      const created = await share(editor, { fileId: fileA, allowDownload: true, label: 'Grandma' });
      expect(Buffer.from(created.token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      expect(created.path).toBe(`/s/${created.token}`);
      // Act
      const opened = await open(created.token);
      // Assess
      expect(opened.status).toBe(200);
      expect(opened.body.share).toMatchObject({ kind: 'file', mode: 'view', label: 'Grandma', allowDownload: true });
      expect(opened.body.file).toMatchObject({ id: fileA, name: 'a.jpg', size: photoA.length });
      // Never the owner, tags or uploader; the folder only as far as the S3 key in the URL shows it.
      expect(JSON.stringify(opened.body)).not.toContain(context.editor.username);
      expect(Object.keys(opened.body.file!).sort()).toEqual(['contentType', 'downloadUrl', 'fileType', 'id', 'name', 'size', 'uploadedAt', 'url', 'urlExpiresAt']);
      const view = await bytesOf(opened.body.file!.url!);
      expect(view.status).toBe(200);
      expect(sha256(view.bytes)).toBe(sha256(photoA));
      const download = await bytesOf(opened.body.file!.downloadUrl!);
      expect(download.disposition).toMatch(/^attachment/);
      const route = await api<{ url: string; name: string }>(`/public/shares/${created.token}/files/${fileA}/download`);
      expect(route.status).toBe(200);
      expect(route.body.name).toBe('a.jpg');
      expect(sha256((await bytesOf(route.body.url)).bytes)).toBe(sha256(photoA));
    });

    it('refuses downloads when the share does not allow them, and offers no download URL', async () => {
      const created = await share(editor, { fileId: fileB });
      const opened = await open(created.token);
      expect(opened.status).toBe(200);
      expect(opened.body.file?.downloadUrl).toBeUndefined();
      const route = await api(`/public/shares/${created.token}/files/${fileB}/download`);
      expect(route.status).toBe(403);
      expect(route.body).toMatchObject({ error: { code: 'DownloadNotAllowed' } });
    });

    it('reaches no other file through the share', async () => {
      const created = await share(editor, { fileId: fileA, allowDownload: true });
      // Through /api, as the web app and CloudFront call it: un-prefixed paths that match no route are the app's pages.
      for (const other of [fileB, privateFile, subFile, 'bm90LWEtZmlsZQ', '..']) {
        const response = await api(`/api/public/shares/${created.token}/files/${other}/download`);
        expect(response.status).toBe(404);
        expect(JSON.stringify(response.body)).not.toMatch(/https?:\/\//);
      }
    });

    it('ends when the shared file is deleted', async () => {
      const id = await uploadFile(editor, album, 'doomed.jpg', jpegLike(900));
      await eventually(async () => ((await api(`/files/${id}`, { token: editor })).status === 200 ? true : undefined), 5000);
      const created = await share(editor, { fileId: id });
      expect((await open(created.token)).status).toBe(200);
      expect((await api(`/files/${id}`, { token: editor, method: 'DELETE' })).status).toBe(204);
      const after = await open(created.token);
      expect(after.status).toBe(404);
      expect(after.body).toEqual(NO_SUCH_SHARE);
    });
  });

  describe('album share', () => {
    it('lists the folder\'s own files live, not its subfolders, with URLs no longer than the share lives', async () => {
      // Prepare
      const created = await share(editor, { folder: album, expires: 120 });
      // Act
      const first = await open(created.token);
      // Assess
      expect(first.status).toBe(200);
      expect(first.body.share).toMatchObject({ kind: 'folder', mode: 'view', allowDownload: false });
      const names = first.body.files!.map((f) => f.name);
      expect(names).toEqual(expect.arrayContaining(['a.jpg', 'b.jpg']));
      expect(names).not.toContain('inner.jpg');
      for (const file of first.body.files!) {
        expect(Date.parse(file.urlExpiresAt)).toBeLessThanOrEqual(Date.parse(created.share.expiresAt!));
        // No downloads: a photo's original is not handed out at all (its previews are).
        expect(file.url).toBeUndefined();
      }
      // Live: a file added later appears.
      const late = await uploadFile(editor, album, 'late.jpg', jpegLike(700));
      const listed = await eventually(async () => ((await open(created.token)).body.files ?? []).some((f) => f.id === late) || undefined, 5000);
      expect(listed).toBe(true);
    });

    it('pages with a cursor that names no folder', async () => {
      const created = await share(editor, { folder: album });
      const page1 = await open(created.token, {}, '?limit=1');
      expect(page1.body.files).toHaveLength(1);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      expect(Buffer.from(page1.body.nextCursor!, 'base64url').toString()).not.toContain(album);
      const page2 = await open(created.token, {}, `?limit=1&cursor=${page1.body.nextCursor}`);
      expect(page2.status).toBe(200);
      expect(page2.body.files![0]!.name > page1.body.files![0]!.name).toBe(true);
    });

    it('downloads a file of the folder when allowed, and nothing from outside it', async () => {
      const created = await share(editor, { folder: album, allowDownload: true });
      expect((await api(`/public/shares/${created.token}/files/${fileB}/download`)).status).toBe(200);
      for (const other of [privateFile, subFile]) expect((await api(`/public/shares/${created.token}/files/${other}/download`)).status).toBe(404);
    });

    it('answers path tricks and guessed tokens with the same 404, reaching nothing else', async () => {
      const created = await share(editor, { folder: album, allowDownload: true });
      const guessed = randomBytes(24).toString('base64url');
      for (const path of [
        `/public/shares/${created.token}/../files`,
        `/public/shares/${created.token}/..%2F..%2Ffiles`,
        `/public/shares/${created.token}/files/..%2F${privateFile}/download`,
        `/public/shares/${created.token}%2F..%2F${guessed}`,
        `/public/shares/../../files/${privateFile}`,
      ]) {
        // Through /api (as the web app and CloudFront call the API): a 4xx. Without the prefix, a
        // path that matches no route is one of the web app's pages: never a signed URL either.
        const response = await rawGet(`/api${path}`);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.text).not.toMatch(/X-Amz-Signature|secret\.jpg/);
        const unprefixed = await rawGet(path);
        expect(unprefixed.status).toBeLessThan(500);
        expect(unprefixed.text).not.toMatch(/X-Amz-Signature|secret\.jpg/);
      }
      for (const token of [guessed, created.token.slice(0, -1), `${created.token}A`, 'x', '%00']) {
        const response = await api(`/public/shares/${token}`);
        expect(response.status).toBe(404);
        if (response.status === 404 && typeof response.body === 'object') expect(response.body).toEqual(NO_SUCH_SHARE);
      }
    });
  });

  describe('password', () => {
    it('needs the password; wrong ones are throttled like logins (429 after 5)', async () => {
      // Prepare
      const created = await share(editor, { folder: album, password: 'open sesame' });
      expect(created.share.hasPassword).toBe(true);
      // Act / Assess: no session, no content.
      const closed = await open(created.token);
      expect(closed.status).toBe(401);
      expect(closed.body).toMatchObject({ error: { code: 'SharePasswordRequired' } });
      const unlocked = await api<{ session: string; expiresAt: string }>(`/public/shares/${created.token}/unlock`, { json: { password: 'open sesame' } });
      expect(unlocked.status).toBe(200);
      const opened = await open(created.token, { 'x-share-session': unlocked.body.session });
      expect(opened.status).toBe(200);
      expect(opened.body.files!.length).toBeGreaterThanOrEqual(2);
      // A session is bound to its share.
      const other = await share(editor, { folder: album, password: 'other' });
      expect((await open(other.token, { 'x-share-session': unlocked.body.session })).status).toBe(401);
      // Wrong passwords: 401 until the lock, then 429 even for the right one.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await api(`/public/shares/${created.token}/unlock`, { json: { password: `guess-${i}` } })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const locked = await api(`/public/shares/${created.token}/unlock`, { json: { password: 'open sesame' } });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expectErrorBody(locked);
    });
  });

  describe('revoke and expiry', () => {
    it('revokes at once: the next request is the 404 of an unknown token, and the owner keeps the log', async () => {
      const created = await share(editor, { fileId: fileA });
      expect((await open(created.token)).status).toBe(200);
      expect((await api(`/shares/${created.share.id}`, { token: editor, method: 'DELETE' })).status).toBe(204);
      const after = await open(created.token);
      expect(after.status).toBe(404);
      expect(after.body).toEqual(NO_SUCH_SHARE);
      const listed = await api<{ shares: CreatedShare['share'][] }>('/shares', { token: editor });
      expect(listed.body.shares.find((s) => s.id === created.share.id)?.revokedAt).toEqual(expect.any(String));
      expect((await api(`/shares/${created.share.id}/log`, { token: editor })).status).toBe(200);
    });

    it('lets neither another editor revoke nor read the log of a share that is not theirs', async () => {
      const created = await share(admin, { fileId: fileA });
      expect((await api(`/shares/${created.share.id}`, { token: editor, method: 'DELETE' })).status).toBe(404);
      expect((await api(`/shares/${created.share.id}/log`, { token: editor })).status).toBe(404);
      expect((await open(created.token)).status).toBe(200);
      const viewer = await login(context.viewer);
      expect((await api('/shares', { token: viewer, json: { fileId: fileA } })).status).toBe(403);
    });

    it('expires: a 2-second share answers 404 after its life', async () => {
      const created = await share(editor, { fileId: fileA, allowDownload: true, expires: 2 });
      const opened = await open(created.token);
      expect(opened.status).toBe(200);
      expect(Number(new URL(opened.body.file!.url!).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 2200));
      const after = await open(created.token);
      expect(after.status).toBe(404);
      expect(after.body).toEqual(NO_SUCH_SHARE);
    });

    it('refuses a lifetime past share_max_days and "never" by default', async () => {
      for (const expires of [31 * 86400, 'never', 0]) {
        const response = await api('/shares', { token: editor, json: { fileId: fileA, expires } });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ error: { code: 'ValidationError' } });
      }
    });
  });

  describe('folder-limited creator', () => {
    it('cannot share outside their folders, and their share stops when they lose the folder', async () => {
      // Prepare: a limited editor of this test's own.
      const username = `sharer-${tag}`;
      const password = randomBytes(18).toString('base64url');
      const client = documents(context);
      try {
        await new UsersRepository({ tableName: context.tableName, client }).create({ username, role: 'editor', folders: [album], passwordHash: await hashPassword(password) });
      } finally {
        client.destroy();
      }
      const limited = await login({ username, password });
      // Act / Assess
      const outside = await api('/shares', { token: limited, json: { folder: elsewhere } });
      expect(outside.status).toBe(403);
      expect((await api('/shares', { token: limited, json: { fileId: privateFile } })).status).toBe(403);
      const created = await share(limited, { folder: album, allowDownload: true });
      expect((await open(created.token)).status).toBe(200);
      expect((await api(`/public/shares/${created.token}/files/${privateFile}/download`)).status).toBe(404);
      // The creator loses the folder: the share stops at the next request.
      expect((await api(`/users/${username}`, { token: admin, method: 'PATCH', json: { folders: [elsewhere] } })).status).toBe(200);
      const after = await open(created.token);
      expect(after.status).toBe(404);
      expect(after.body).toEqual(NO_SUCH_SHARE);
      // The e2e stack is shared: give the place back.
      expect((await api(`/users/${username}`, { token: admin, method: 'DELETE' })).status).toBe(204);
    });
  });

  describe('owner views', () => {
    it('lists the caller\'s shares with views and last access, and logs opens and downloads with truncated addresses', async () => {
      // Prepare
      const created = await share(editor, { fileId: fileA, allowDownload: true });
      await open(created.token);
      await open(created.token);
      await api(`/public/shares/${created.token}/files/${fileA}/download`);
      // Act
      const listed = await api<{ shares: (CreatedShare['share'] & { tokenHash?: string })[] }>('/shares', { token: editor });
      const log = await api<{ entries: { event: string; bytes: number; ip: string; name?: string }[] }>(`/shares/${created.share.id}/log`, { token: editor });
      // Assess
      const mine = listed.body.shares.find((s) => s.id === created.share.id)!;
      expect(mine.views).toBe(2);
      expect(mine.lastAccessAt).toEqual(expect.any(String));
      expect(listed.body.shares.every((s) => s.owner === context.editor.username)).toBe(true);
      expect(listed.text).not.toContain(created.token);
      expect(mine.tokenHash).toBeUndefined();
      const events = log.body.entries.map((e) => e.event).sort();
      expect(events).toEqual(['download', 'open', 'open']);
      for (const entry of log.body.entries) {
        expect(entry.ip).toMatch(/^(\d+\.\d+\.\d+\.0\/24|[0-9a-f:]+::\/48)$/);
        expect(entry.bytes).toBe(photoA.length);
      }
      const adminList = await api<{ shares: CreatedShare['share'][] }>('/shares', { token: admin });
      expect(adminList.body.shares.some((s) => s.id === created.share.id)).toBe(true);
    });
  });

  describe('drop link', () => {
    it('takes a guest\'s resumed 100 MiB multipart upload, shows them only their own uploads, then refuses one more past the quota', async () => {
      // Prepare
      const inbox = `${album}/inbox`;
      expect((await api('/folders', { token: editor, json: { path: inbox } })).status).toBeLessThan(300);
      const created = await share(editor, { folder: inbox, mode: 'drop', maxBytes: 110 * MiB, maxFiles: 5, label: 'Wedding' });
      const video = randomBytes(100 * MiB + 123);
      const base = `/public/shares/${created.token}`;
      // The guest sees the quota, never files.
      const opened = await open(created.token);
      expect(opened.status).toBe(200);
      expect(opened.body.share).toMatchObject({ mode: 'drop', usedBytes: 0, usedFiles: 0 });
      expect(opened.body.files).toBeUndefined();
      // Act: start, send half the parts, "crash", resume from the server's view, complete.
      const start = await api<{ uploadId: string; mode: string; partSize: number; partCount: number; guestKey: string; fileId: string }>(`${base}/uploads`, {
        json: { fileName: 'ceremony.mp4', contentType: 'video/mp4', size: video.length },
      });
      expect(start.status).toBe(201);
      expect(start.body.mode).toBe('multipart');
      tokensSeen.push(start.body.guestKey);
      const guest = { 'x-share-guest': start.body.guestKey };
      const { uploadId, partSize, partCount } = start.body;
      const all = Array.from({ length: partCount }, (_, i) => i + 1);
      const signed = await api<{ parts: SignedPart[] }>(`${base}/uploads/${uploadId}/parts`, { headers: guest, json: { partNumbers: all.slice(0, Math.ceil(partCount / 2)) } });
      expect(signed.status).toBe(200);
      for (const part of signed.body.parts) expect((await putPart(part, partOf(video, partSize, part.partNumber))).status).toBe(200);
      // Resume: the guest lists their uploads in progress and asks which parts S3 holds.
      const inProgress = await api<{ uploads: { uploadId: string; fileName: string }[] }>(`${base}/uploads`, { headers: guest });
      expect(inProgress.body.uploads.map((u) => u.uploadId)).toEqual([uploadId]);
      const status = await api<{ parts: HeldPart[]; folder?: string }>(`${base}/uploads/${uploadId}`, { headers: guest });
      expect(status.status).toBe(200);
      expect(status.body.folder).toBeUndefined();
      const held = new Set(status.body.parts.map((p) => p.partNumber));
      expect(held.size).toBe(signed.body.parts.length);
      const missing = all.filter((n) => !held.has(n));
      const rest = await api<{ parts: SignedPart[] }>(`${base}/uploads/${uploadId}/parts`, { headers: guest, json: { partNumbers: missing } });
      for (const part of rest.body.parts) expect((await putPart(part, partOf(video, partSize, part.partNumber))).status).toBe(200);
      const parts = (await api<{ parts: HeldPart[] }>(`${base}/uploads/${uploadId}`, { headers: guest })).body.parts;
      const done = await api(`${base}/uploads/${uploadId}/complete`, { headers: guest, json: { parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) } });
      // Assess
      expect(done.status).toBe(200);
      const landed = await eventually(async () => (await listFolder(editor, inbox)).find((f) => f.name === 'ceremony.mp4'), 10_000);
      expect(landed).toMatchObject({ size: video.length, uploadedBy: 'share:Wedding' });
      // Another guest, or none, sees nothing and reaches nothing.
      expect((await api<{ uploads: unknown[] }>(`${base}/uploads`)).body.uploads).toEqual([]);
      const stranger = { 'x-share-guest': randomBytes(24).toString('base64url') };
      expect((await api<{ uploads: unknown[] }>(`${base}/uploads`, { headers: stranger })).body.uploads).toEqual([]);
      expect((await api(`${base}/uploads/${uploadId}`, { headers: stranger })).status).toBe(404);
      expect((await api(`${base}/uploads/${uploadId}/parts`, { headers: stranger, json: { partNumbers: [1] } })).status).toBe(404);
      expect((await api(`${base}/files/${landed!.id}/download`, { headers: guest })).status).toBe(404);
      // The quota: 10 MiB left, so 20 MiB is refused, atomically and for everyone.
      const tooMuch = await api(`${base}/uploads`, { headers: guest, json: { fileName: 'more.mp4', contentType: 'video/mp4', size: 20 * MiB } });
      expect(tooMuch.status).toBe(413);
      expect(tooMuch.body).toMatchObject({ error: { code: 'ShareQuotaExceeded' } });
      // A drop link is not a view link, nor the other way round.
      const viewShare = await share(editor, { folder: inbox });
      expect((await api(`/public/shares/${viewShare.token}/uploads`, { json: { fileName: 'x.jpg', contentType: 'image/jpeg', size: 10 } })).status).toBe(404);
      const usage = await open(created.token);
      expect(usage.body.share).toMatchObject({ usedFiles: 1, usedBytes: video.length });
    });

    it('enforces the file-count quota atomically under concurrent guests', async () => {
      const inbox = `${album}/race`;
      expect((await api('/folders', { token: editor, json: { path: inbox } })).status).toBeLessThan(300);
      const created = await share(editor, { folder: inbox, mode: 'drop', maxBytes: 1000 * MiB, maxFiles: 3 });
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) => api(`/public/shares/${created.token}/uploads`, { json: { fileName: `p${i}.jpg`, contentType: 'image/jpeg', size: 100 } })),
      );
      const statuses = attempts.map((r: ApiResponse) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 413)).toHaveLength(5);
    });
  });

  afterAll(() => {
    // Share tokens and guest keys never reach the stack's log (API access lines, function logs).
    const log = readFileSync(context.logFile, 'utf8');
    expect(tokensSeen.length).toBeGreaterThan(5);
    for (const token of tokensSeen) expect(log).not.toContain(token);
    expect(log).toContain('/public/shares/[REDACTED]');
  });
});
