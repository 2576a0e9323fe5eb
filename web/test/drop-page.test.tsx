import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { IDBFactory } from 'fake-indexeddb';
import { createCRC32 } from 'hash-wasm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicShareInfo } from '../../contract/wire';
import { DropPage } from '../src/components/DropPage';
import { initialState, store } from '../src/store';
import { dropLinkEndpoints, type DropLinkOptions } from '../src/upload/endpoints';
import { guestKeyFor, linkDigest } from '../src/upload/guest-key';
import { fileKey } from '../src/upload/machine';
import { forgetUpload, saveUpload, savedUploads } from '../src/upload/resume-db';
import { answer } from './support';

const MiB = 1024 * 1024;
const TOKEN = 'drop-token-for-tests-0123456789ab';

const dropShare = (extra: Partial<PublicShareInfo> = {}): PublicShareInfo => ({
  kind: 'folder', mode: 'drop', label: 'Wedding photos', allowDownload: false, expiresAt: '2999-01-01T00:00:00.000Z',
  maxBytes: 100 * MiB, usedBytes: 40 * MiB, maxFiles: 10, usedFiles: 3, ...extra,
});

type Handler = (method: string, path: string, init: RequestInit) => Response | undefined;
interface Call { readonly method: string; readonly path: string; readonly headers: Record<string, string>; readonly body: unknown }

/** The API as a list of handlers tried in order; every call is recorded. */
function api(...handlers: Handler[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = url.replace(/^\/api/, '').replace(/\?.*$/, '');
    calls.push({ method, path, headers: (init.headers ?? {}) as Record<string, string>, body: init.body ? JSON.parse(String(init.body)) : undefined });
    for (const handle of handlers) {
      const response = handle(method, path, init);
      if (response) return response;
    }
    if (method === 'GET' && path === `/public/shares/${TOKEN}/uploads`) return answer(200, { uploads: [] });
    if (method === 'GET' && path === `/public/shares/${TOKEN}`) return answer(200, { share: dropShare() });
    return answer(500, { error: { code: 'Unexpected', message: `${method} ${path}` } });
  }));
  return calls;
}

/** Presigned PUTs, answered at once with an ETag. */
class FakeXhr {
  static puts: string[] = [];
  readonly upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  status = 0;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  private url = '';
  open(_method: string, url: string): void {
    this.url = url;
  }
  setRequestHeader(): void {}
  getResponseHeader(name: string): string | null {
    return name.toLowerCase() === 'etag' ? `"etag-${this.url.split('part=')[1] ?? 'single'}"` : null;
  }
  abort(): void {}
  send(body: Blob): void {
    FakeXhr.puts.push(this.url);
    setTimeout(() => {
      this.status = 200;
      this.upload.onprogress?.({ loaded: body.size });
      this.onload?.();
      this.onloadend?.();
    }, 0);
  }
}

const immediately: DropLinkOptions['wait'] = async () => undefined;
const endpointsFor: typeof dropLinkEndpoints = (token, options) => dropLinkEndpoints(token, { ...options, wait: immediately });

function file(name: string, size: number, lastModified = 1_700_000_000_000): File {
  return new File([new Uint8Array(size)], name, { type: 'image/jpeg', lastModified });
}

async function pick(files: File[]): Promise<void> {
  const input = screen.getByLabelText('Choose files to send') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  fireEvent.change(input);
}

async function renderPage(share: PublicShareInfo = dropShare()): Promise<void> {
  render(<DropPage token={TOKEN} share={share} endpointsFor={endpointsFor} />);
  await screen.findByRole('button', { name: 'Choose files' });
  // The guest's uploads in progress are asked for once the link's endpoints are made.
  await waitFor(() => expect(vi.mocked(fetch).mock.calls.some(([url]) => String(url) === `/api/public/shares/${TOKEN}/uploads`)).toBe(true));
}

const creates = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && c.path === `/public/shares/${TOKEN}/uploads`);

beforeEach(() => {
  store.update(initialState);
  localStorage.clear();
  FakeXhr.puts = [];
  vi.stubGlobal('indexedDB', new IDBFactory());
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('DropPage', () => {
  it("shows the link's label, the bytes and files left, a drop zone and pickers for files and folders, and asks only for the guest's own uploads", async () => {
    // Prepare
    const calls = api();
    // Act
    await renderPage();
    // Assess
    expect(calls).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Wedding photos');
    expect(screen.getByRole('region', { name: 'Quota' }).textContent).toBe('60 MiB of 100 MiB left · 7 of 10 files left');
    expect(screen.getByText('Drop files or folders here')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Choose a folder' })).toBeTruthy();
    expect((screen.getByLabelText('Choose files to send') as HTMLInputElement).multiple).toBe(true);
    expect(screen.getByLabelText('Choose a folder to send').hasAttribute('webkitdirectory')).toBe(true);
    const key = guestKeyFor(await linkDigest(TOKEN));
    expect(calls[0]).toMatchObject({ method: 'GET', path: `/public/shares/${TOKEN}/uploads`, headers: { 'x-share-guest': key } });
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('sends picked files into the link with the guest key and no folder, then counts them against what is left', async () => {
    // Prepare
    const calls = api((method, path, init) => {
      if (method !== 'POST' || path !== `/public/shares/${TOKEN}/uploads`) return undefined;
      const { fileName } = JSON.parse(String(init.body)) as { fileName: string };
      return answer(201, { uploadId: `u-${fileName}`, fileId: `f-${fileName}`, mode: 'single', url: `https://s3.test/${fileName}`, headers: {}, expiresAt: '2999-01-01T00:00:00Z', guestKey: (init.headers as Record<string, string>)['x-share-guest'] });
    });
    await renderPage();
    // Act
    await pick([file('a.jpg', 2 * MiB), file('b.jpg', 3 * MiB)]);
    // Assess
    await waitFor(() => expect(screen.getAllByText(/^done/)).toHaveLength(2));
    const key = guestKeyFor(await linkDigest(TOKEN));
    // Small files declare their SHA-256 (S3 verifies it on the single PUT).
    const sha256 = async (size: number): Promise<string> => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(size)))));
    expect(creates(calls).map((c) => c.body)).toEqual([
      { fileName: 'a.jpg', contentType: 'image/jpeg', size: 2 * MiB, sha256: await sha256(2 * MiB), checksumAlgorithm: 'CRC32C' },
      { fileName: 'b.jpg', contentType: 'image/jpeg', size: 3 * MiB, sha256: await sha256(3 * MiB), checksumAlgorithm: 'CRC32C' },
    ]);
    for (const c of creates(calls)) expect(c.headers['x-share-guest']).toBe(key);
    expect(FakeXhr.puts.sort()).toEqual(['https://s3.test/a.jpg', 'https://s3.test/b.jpg']);
    expect(screen.getByRole('region', { name: 'Quota' }).textContent).toBe('55 MiB of 100 MiB left · 5 of 10 files left');
    expect(screen.getByRole('region', { name: 'Uploads' }).textContent).toMatch(/2 of 2 files · 5\.0 MiB of 5\.0 MiB/);
  });

  it('says under which name a file was stored when its own was taken in the folder', async () => {
    // Prepare: the API stores one of the two under a free name (the guest never sees the folder).
    api((method, path, init) => {
      if (method !== 'POST' || path !== `/public/shares/${TOKEN}/uploads`) return undefined;
      const { fileName } = JSON.parse(String(init.body)) as { fileName: string };
      const storedAs = fileName === 'cake.jpg' ? 'cake (1).jpg' : fileName;
      return answer(201, { uploadId: `u-${fileName}`, fileId: `f-${fileName}`, mode: 'single', url: `https://s3.test/${fileName}`, headers: {}, expiresAt: '2999-01-01T00:00:00Z', guestKey: 'k'.repeat(32), storedAs });
    });
    await renderPage();
    // Act
    await pick([file('cake.jpg', 100), file('tea.jpg', 100)]);
    // Assess
    await waitFor(() => expect(screen.getAllByText(/^done/)).toHaveLength(2));
    expect(screen.getByText('cake.jpg').textContent).toBe('cake.jpg · saved as cake (1).jpg');
    expect(screen.getByText('tea.jpg').textContent).toBe('tea.jpg');
  });

  it('refuses a file over what is left of the quota before asking the API, and says how much is left', async () => {
    const calls = api();
    await renderPage(dropShare({ usedBytes: 95 * MiB }));
    await pick([file('huge.mov', 20 * MiB)]);
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Not sent, over this link's quota \(5\.0 MiB and 7 files left\): huge\.mov \(20 MiB\)\./);
    expect(creates(calls)).toEqual([]);
  });

  it('refuses any file once no file is left', async () => {
    const calls = api();
    await renderPage(dropShare({ usedFiles: 10 }));
    await pick([file('tiny.jpg', 10)]);
    expect((await screen.findByRole('alert')).textContent).toMatch(/0 files left\): tiny\.jpg/);
    expect(creates(calls)).toEqual([]);
  });

  it("says the quota is used up when the API refuses the file (413), and shows the link's usage again", async () => {
    const calls = api((method, path) => {
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads`) return answer(413, { error: { code: 'ShareQuotaExceeded', message: 'This drop link takes no more files' } });
      if (method === 'GET' && path === `/public/shares/${TOKEN}`) return answer(200, { share: dropShare({ usedBytes: 100 * MiB, usedFiles: 4 }) });
      return undefined;
    });
    await renderPage();
    await pick([file('late.jpg', MiB)]);
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Refused: this link takes no more files or bytes \(its quota is used up\)/);
    await waitFor(() => expect(screen.getByRole('region', { name: 'Quota' }).textContent).toBe('0 B of 100 MiB left · 6 of 10 files left'));
    expect(await screen.findByText(/^failed · .* · Refused: this link takes no more files/)).toBeTruthy();
    expect(calls.some((c) => c.method === 'GET' && c.path === `/public/shares/${TOKEN}`)).toBe(true);
  });

  it('stops and says the link has expired or was revoked when the API answers 404 mid-upload', async () => {
    api((method, path) => {
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads`) {
        return answer(201, { uploadId: 'u-big', fileId: 'f-big', mode: 'multipart', partSize: 8 * MiB, partCount: 2, expiresAt: '2999-01-01T00:00:00Z', guestKey: 'k'.repeat(32) });
      }
      if (path.endsWith('/parts') || path === `/public/shares/${TOKEN}`) return answer(404, { error: { code: 'NotFound', message: 'No such share' } });
      return undefined;
    });
    await renderPage();
    await pick([file('big.mov', 9 * MiB)]);
    expect((await screen.findByRole('alert')).textContent).toBe('This link has expired or was revoked: it takes no more files.');
    expect(screen.queryByRole('button', { name: 'Choose files' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Quota' })).toBeNull();
    expect(await screen.findByText(/^failed · .* · This link has expired or was revoked/)).toBeTruthy();
  });

  it("gives a cancelled upload's bytes and file back: aborts it with the guest key, then shows the link's usage again", async () => {
    // Prepare: a two-part upload whose parts are never signed, so it is still running when cancelled.
    let usedFiles = 3;
    const calls = api((method, path) => {
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads`) {
        usedFiles = 4;
        return answer(201, { uploadId: 'u-c', fileId: 'f-c', mode: 'multipart', partSize: 8 * MiB, partCount: 2, expiresAt: '2999-01-01T00:00:00Z', guestKey: 'k'.repeat(32) });
      }
      if (path.endsWith('/parts')) return new Promise<Response>(() => undefined) as unknown as Response;
      if (method === 'DELETE' && path === `/public/shares/${TOKEN}/uploads/u-c`) {
        usedFiles = 3;
        return new Response(null, { status: 204 });
      }
      if (method === 'GET' && path === `/public/shares/${TOKEN}`) return answer(200, { share: dropShare({ usedFiles }) });
      return undefined;
    });
    await renderPage();
    await pick([file('c.mov', 9 * MiB)]);
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/parts'))).toBe(true));
    // Act
    fireEvent.click(screen.getByRole('button', { name: 'Cancel c.mov' }));
    // Assess
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE')).toBe(true));
    const abort = calls.find((c) => c.method === 'DELETE');
    expect(abort?.path).toBe(`/public/shares/${TOKEN}/uploads/u-c`);
    expect(abort?.headers['x-share-guest']).toBe('k'.repeat(32));
    await waitFor(() => expect(screen.getByRole('region', { name: 'Quota' }).textContent).toBe('60 MiB of 100 MiB left · 7 of 10 files left'));
  });

  it('waits out a short throttle and goes on; a long one says how long to wait', async () => {
    // Prepare: the first create is throttled for 1 s, the second for 2 min.
    let throttles = 0;
    const calls = api((method, path) => {
      if (method !== 'POST' || path !== `/public/shares/${TOKEN}/uploads`) return undefined;
      throttles += 1;
      if (throttles === 1) return answer(429, { message: 'Too Many Requests' }, { 'retry-after': '1' });
      if (throttles === 2) return answer(201, { uploadId: 'u-t', fileId: 'f-t', mode: 'single', url: 'https://s3.test/t.jpg', headers: {}, expiresAt: '2999-01-01T00:00:00Z', guestKey: 'k'.repeat(32) });
      return answer(429, { message: 'Too Many Requests' }, { 'retry-after': '120' });
    });
    await renderPage();
    // Act
    await pick([file('t.jpg', 100)]);
    await waitFor(() => expect(screen.getByText(/^done/)).toBeTruthy());
    await pick([file('u.jpg', 100)]);
    // Assess
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Too many uploads on this link right now: wait 2 min 0 s, then press Resume\./);
    expect(creates(calls)).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Resume u.jpg' })).toBeTruthy();
  });

  it("after a reload, lists the link's unfinished upload (not the account's) and resumes it with only the missing part", async () => {
    // Prepare: part 1 of 2 is on the server; a record of the account's is beside it.
    const video = file('ceremony.mov', 9 * MiB);
    const target = `share:${await linkDigest(TOKEN)}`;
    const record = { key: fileKey(video), uploadId: 'u-ceremony', fileId: 'f-ceremony', name: video.name, folder: '/', size: video.size, contentType: 'video/quicktime', partSize: 8 * MiB, partCount: 2, savedAt: '2026-01-01T00:00:00Z' };
    await saveUpload({ ...record, target });
    await saveUpload({ ...record, key: 'account-file.jpg|1|1', name: 'account-file.jpg', target: 'account' });
    const calls = api((method, path) => {
      if (method === 'GET' && path === `/public/shares/${TOKEN}/uploads`) return answer(200, { uploads: [{ uploadId: 'u-ceremony', fileName: 'ceremony.mov', size: video.size, mode: 'multipart', partSize: 8 * MiB, partCount: 2, expiresAt: '2999-01-01T00:00:00Z' }] });
      if (method === 'GET' && path === `/public/shares/${TOKEN}/uploads/u-ceremony`) {
        return answer(200, { uploadId: 'u-ceremony', status: 'pending', mode: 'multipart', partSize: 8 * MiB, partCount: 2, parts: [{ partNumber: 1, etag: 'e1', size: 8 * MiB }] });
      }
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads/u-ceremony/parts`) return answer(200, { parts: [{ partNumber: 2, url: 'https://s3.test/ceremony?part=2', headers: {} }], expiresAt: '2999-01-01T00:00:00Z' });
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads/u-ceremony/complete`) return answer(200, { file: { id: 'f-ceremony' } });
      return undefined;
    });
    // Act
    await renderPage();
    await screen.findByText(/interrupted — select the file again to resume/);
    expect(screen.queryByText('account-file.jpg')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Unfinished uploads from before' })).toBeNull();
    await pick([video]);
    // Assess
    await waitFor(() => expect(screen.getByText(/^done/)).toBeTruthy());
    expect(calls.filter((c) => c.path.endsWith('/parts')).map((c) => c.body)).toEqual([{ partNumbers: [2] }]);
    expect(FakeXhr.puts).toEqual(['https://s3.test/ceremony?part=2']);
    // The upload declared no SHA-256 when created: the whole file was hashed while sending, and declared on completion.
    const sha256 = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', await video.arrayBuffer()))));
    expect(calls.find((c) => c.path.endsWith('/complete'))?.body).toEqual({ parts: [{ partNumber: 1, etag: 'e1' }, { partNumber: 2, etag: 'etag-2' }], sha256 });
    expect(creates(calls)).toEqual([]);
    expect(screen.getByRole('region', { name: 'Quota' }).textContent).toBe('60 MiB of 100 MiB left · 7 of 10 files left');
    await waitFor(async () => expect(await savedUploads(target)).toEqual([]));
    expect((await savedUploads('account')).map((r) => r.name)).toEqual(['account-file.jpg']);
  });

  it('signs each part of a checksummed upload with its CRC-32C, hashed from the file\'s slice', async () => {
    // Prepare: a two-part upload created with CRC32C; part 1 is on the server.
    const bytes = new Uint8Array(9 * MiB).map((_, i) => (i * 31) % 251);
    const video = new File([bytes], 'speech.mov', { type: 'video/quicktime', lastModified: 1 });
    const target = `share:${await linkDigest(TOKEN)}`;
    await saveUpload({ key: fileKey(video), uploadId: 'u-speech', fileId: 'f-speech', name: video.name, folder: '/', size: video.size, contentType: 'video/quicktime', partSize: 8 * MiB, partCount: 2, savedAt: '2026-01-01T00:00:00Z', target });
    const calls = api((method, path) => {
      if (method === 'GET' && path === `/public/shares/${TOKEN}/uploads`) return answer(200, { uploads: [{ uploadId: 'u-speech', fileName: 'speech.mov', size: video.size, mode: 'multipart', partSize: 8 * MiB, partCount: 2, expiresAt: '2999-01-01T00:00:00Z' }] });
      if (method === 'GET' && path === `/public/shares/${TOKEN}/uploads/u-speech`) {
        return answer(200, { uploadId: 'u-speech', status: 'pending', mode: 'multipart', partSize: 8 * MiB, partCount: 2, checksumAlgorithm: 'CRC32C', parts: [{ partNumber: 1, etag: 'e1', size: 8 * MiB, checksum: 'AAAAAA==' }] });
      }
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads/u-speech/parts`) return answer(200, { parts: [{ partNumber: 2, url: 'https://s3.test/speech?part=2', headers: {} }], expiresAt: '2999-01-01T00:00:00Z' });
      if (method === 'POST' && path === `/public/shares/${TOKEN}/uploads/u-speech/complete`) return answer(200, { file: { id: 'f-speech' } });
      return undefined;
    });
    // Act
    await renderPage();
    await screen.findByText(/interrupted — select the file again to resume/);
    await pick([video]);
    // Assess: the CRC-32C of part 2 (bytes 8 MiB to the end), as hash-wasm computes it.
    await waitFor(() => expect(screen.getByText(/^done/)).toBeTruthy());
    const crc = await createCRC32(0x82f63b78);
    crc.init();
    crc.update(bytes.subarray(8 * MiB));
    const expected = btoa(String.fromCharCode(...(crc.digest('binary') as Uint8Array)));
    expect(calls.filter((c) => c.path.endsWith('/parts')).map((c) => c.body)).toEqual([{ partNumbers: [2], checksums: { '2': expected } }]);
    expect(FakeXhr.puts).toEqual(['https://s3.test/speech?part=2']);
  });

  it('lists an unfinished upload of this guest that this browser cannot continue', async () => {
    api((method, path) => (method === 'GET' && path === `/public/shares/${TOKEN}/uploads`
      ? answer(200, { uploads: [{ uploadId: 'u-old', fileName: 'old.jpg', size: 2048, mode: 'single', expiresAt: '2999-01-01T00:00:00Z' }] })
      : undefined));
    await renderPage();
    const earlier = await screen.findByRole('region', { name: 'Unfinished uploads from before' });
    expect(earlier.textContent).toMatch(/old\.jpg · 2\.0 KiB/);
  });
});

describe('guest key', () => {
  it('is the same for a link after a reload, another for another link, and shaped like the API wants', async () => {
    const first = guestKeyFor(await linkDigest('link-a'));
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(guestKeyFor(await linkDigest('link-a'))).toBe(first);
    expect(guestKeyFor(await linkDigest('link-b'))).not.toBe(first);
    expect(JSON.stringify({ ...localStorage })).not.toContain('link-a');
  });
});

describe('resume records', () => {
  it("keeps an account's and a drop link's uploads of the same file apart", async () => {
    const record = { key: 'a.mov|10|1', uploadId: 'u', fileId: 'f', name: 'a.mov', folder: '/', size: 10, contentType: 'video/quicktime', partSize: 5, partCount: 2, savedAt: '2026-01-01T00:00:00Z' };
    await saveUpload({ ...record, target: 'account' });
    await saveUpload({ ...record, uploadId: 'u2', target: 'share:x' });
    expect((await savedUploads('account')).map((r) => r.uploadId)).toEqual(['u']);
    expect((await savedUploads('share:x')).map((r) => r.uploadId)).toEqual(['u2']);
    await forgetUpload('share:x', record.key);
    expect((await savedUploads('account')).map((r) => r.uploadId)).toEqual(['u']);
    expect(await savedUploads('share:x')).toEqual([]);
  });

  it("keeps the records of the first version (keyed by file only) as the account's", async () => {
    // Prepare: version 1's store.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open('media-store-uploads', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('uploads', { keyPath: 'key' }).put({ key: 'old.mov|1|1', uploadId: 'u-old', name: 'old.mov' });
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    // Act
    const account = await savedUploads('account');
    // Assess
    expect(account).toEqual([{ key: 'old.mov|1|1', uploadId: 'u-old', name: 'old.mov', target: 'account' }]);
  });
});
