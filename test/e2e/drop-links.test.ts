/**
 * Drop links (issue 17, section 6), on a stack of its own whose upload URLs live 3 seconds
 * (`upload_url_ttl_seconds`; the local stack does not apply Terraform's 60 s minimum) and
 * whose multipart threshold is 5 MiB, so a hold on the quota (two URL lifetimes) lapses in
 * seconds on the real clock:
 * - a guest never learns what the folder holds: a taken name stores their file as
 *   `name (1).jpg`, free of other guests' uploads in progress too, and the answer says so;
 * - a request that declares the whole quota and sends nothing holds it for two URL lifetimes,
 *   not the multipart session's 7 days; signing parts renews the hold.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { jpegLike } from './support/media';
import { putPart, type SignedPart } from './support/multipart';
import { adminTokenOf, startOwnStack } from './support/own-stack';

const MiB = 1024 ** 2;
const URL_TTL_SECONDS = 3;
/** A hold lapses two URL lifetimes after it was last renewed. */
const HOLD_MS = 2 * URL_TTL_SECONDS * 1000;

interface GuestStart {
  uploadId: string;
  fileId: string;
  mode: 'single' | 'multipart';
  url?: string;
  headers?: Record<string, string>;
  guestKey: string;
  storedAs: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('drop links', () => {
  let stack: LocalStack;
  let token: string;

  const call = async <T>(route: string, method: string, json?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { ...headers, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const owner = <T>(route: string, method = 'GET', json?: unknown) => call<T>(route, method, json, { authorization: `Bearer ${token}` });
  const dropLink = async (folder: string, maxBytes: number, maxFiles: number): Promise<string> => {
    expect((await owner('/folders', 'POST', { path: folder })).status).toBeLessThan(300);
    const created = await owner<{ token: string }>('/shares', 'POST', { folder, mode: 'drop', maxBytes, maxFiles });
    expect(created.status).toBe(201);
    return created.body.token;
  };
  const guestUpload = (link: string, fileName: string, size: number, guestKey?: string) =>
    call<GuestStart & { error?: { code: string } }>(`/public/shares/${link}/uploads`, 'POST', { fileName, contentType: fileName.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg', size }, guestKey ? { 'x-share-guest': guestKey } : {});
  const namesIn = async (folder: string): Promise<string[]> => {
    const listed = await owner<{ files: { name: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`);
    return listed.body.files.map((f) => f.name).sort();
  };
  const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined || Date.now() > deadline) return value;
      await sleep(100);
    }
  };

  beforeAll(async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-drop-links-'));
    const own = await startOwnStack(logDir, { upload_url_ttl_seconds: URL_TTL_SECONDS, multipart_threshold_bytes: 5 * MiB });
    stack = own.stack;
    token = await adminTokenOf(stack, own.adminPassword);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('names', () => {
    it('stores a guest\'s file under a free name when theirs is taken, says so, and leaves the file there untouched', async () => {
      // Prepare: the owner's photo.jpg, which the guest cannot see.
      const folder = `/inbox-${randomBytes(3).toString('hex')}`;
      const original = jpegLike(900);
      const mine = await owner<{ url: string; headers: Record<string, string> }>('/uploads', 'POST', { folder, fileName: 'photo.jpg', contentType: 'image/jpeg', size: original.length });
      expect((await fetch(mine.body.url, { method: 'PUT', headers: mine.body.headers, body: original })).status).toBe(200);
      expect(await eventually(async () => ((await namesIn(folder)).includes('photo.jpg') ? true : undefined), 10_000)).toBe(true);
      const link = await dropLink(folder, 10 * MiB, 5);
      const theirs = jpegLike(500);
      // Act
      const started = await guestUpload(link, 'photo.jpg', theirs.length);
      const put = await fetch(started.body.url!, { method: 'PUT', headers: started.body.headers, body: theirs });
      // Assess
      expect(started.status).toBe(201);
      expect(started.body.storedAs).toBe('photo (1).jpg');
      expect(put.status).toBe(200);
      expect(await eventually(async () => ((await namesIn(folder)).length === 2 ? namesIn(folder) : undefined), 10_000)).toEqual(['photo (1).jpg', 'photo.jpg']);
      const kept = await owner<{ size: number }>(`/files/${Buffer.from(`media${folder}/photo.jpg`).toString('base64url')}`);
      expect(kept.body.size).toBe(original.length);
    }, 60_000);

    it('gives guests sending the same name at once different names, free of each other\'s uploads in progress', async () => {
      // Prepare
      const folder = `/party-${randomBytes(3).toString('hex')}`;
      const link = await dropLink(folder, 10 * MiB, 10);
      // Act
      const started = await Promise.all(Array.from({ length: 4 }, () => guestUpload(link, 'cake.jpg', 100)));
      // Assess
      expect(started.map((s) => s.status)).toEqual([201, 201, 201, 201]);
      expect(started.map((s) => s.body.storedAs).sort()).toEqual(['cake (1).jpg', 'cake (2).jpg', 'cake (3).jpg', 'cake.jpg']);
      expect(new Set(started.map((s) => s.body.fileId)).size).toBe(4);
    }, 60_000);
  });

  describe('holds on the quota', () => {
    it('gives back the hold of an upload that declared the whole quota and sent nothing, two URL lifetimes later', async () => {
      // Prepare: one request declares all 6 MiB of the link (multipart: a 7-day session).
      const link = await dropLink(`/hold-${randomBytes(3).toString('hex')}`, 6 * MiB, 5);
      const hog = await guestUpload(link, 'everything.mp4', 6 * MiB);
      expect(hog.body.mode).toBe('multipart');
      const refused = await guestUpload(link, 'small.jpg', MiB);
      expect(refused.status).toBe(413);
      // Act
      await sleep(HOLD_MS + 1000);
      const later = await guestUpload(link, 'small.jpg', MiB);
      // Assess
      expect(later.status).toBe(201);
      // The hog carries on: its hold is taken again only if it still fits, and it no longer does.
      const resumed = await call<{ error: { code: string } }>(`/public/shares/${link}/uploads/${hog.body.uploadId}/parts`, 'POST', { partNumbers: [1] }, { 'x-share-guest': hog.body.guestKey });
      expect(resumed.status).toBe(413);
      expect(resumed.body.error.code).toBe('ShareQuotaExceeded');
    }, 60_000);

    it('keeps the hold of an upload whose guest keeps signing parts, and counts the file that arrives', async () => {
      // Prepare
      const link = await dropLink(`/steady-${randomBytes(3).toString('hex')}`, 6 * MiB, 5);
      const video = randomBytes(6 * MiB);
      const start = await guestUpload(link, 'steady.mp4', video.length);
      const guest = { 'x-share-guest': start.body.guestKey };
      const base = `/public/shares/${link}/uploads/${start.body.uploadId}`;
      // Act: sign part 1 again and again for longer than a hold lasts, then send it.
      let signed: SignedPart | undefined;
      for (const until = Date.now() + HOLD_MS + 2000; Date.now() < until; await sleep(1000)) {
        const parts = await call<{ parts: SignedPart[] }>(`${base}/parts`, 'POST', { partNumbers: [1] }, guest);
        expect(parts.status).toBe(200);
        signed = parts.body.parts[0];
      }
      const meanwhile = await guestUpload(link, 'small.jpg', MiB);
      const sent = await putPart(signed!, video);
      const done = await call<{ file: { size: number } }>(`${base}/complete`, 'POST', { parts: [{ partNumber: 1, etag: sent.etag }] }, guest);
      // Assess
      expect(meanwhile.status).toBe(413);
      expect(sent.status).toBe(200);
      expect(done.status).toBe(200);
      const usage = await eventually(async () => {
        const opened = await call<{ share: { usedBytes: number; usedFiles: number } }>(`/public/shares/${link}`, 'GET');
        return opened.body.share.usedFiles === 1 && opened.body.share.usedBytes === video.length ? opened.body.share : undefined;
      }, 10_000);
      expect(usage).toEqual(expect.objectContaining({ usedBytes: video.length, usedFiles: 1 }));
    }, 60_000);
  });
});
