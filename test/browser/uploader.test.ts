/**
 * The web app's uploader in real Chromium against the local stack: pausing a large upload stops
 * its part PUTs until resumed, and the file then stored has the selected file's bytes; cancelling
 * aborts the multipart upload (the API no longer knows it) and no file appears; files dropped on
 * the page upload into the folder open. Part PUTs are counted with Playwright's request events.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request, Route } from 'playwright-core';
import type { FilePage } from '../../contract/wire';
import { browserContext } from './support/context';
import { logIn } from './support/session';
import { DESKTOP, launchChromium, screenshots } from './support/chromium';
import { png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
const FOLDER = '/uploader';
const DROP_FOLDER = `${FOLDER}/dropped`;
const MiB = 1024 * 1024;
/** Multipart from 64 MiB: 9 parts of 8 MiB. */
const LARGE_BYTES = 72 * MiB + 4321;
const PART_COUNT = Math.ceil(LARGE_BYTES / (8 * MiB));

let browser: Browser;
let page: Page;
let dir: string;
let token: string;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const partOf = (url: string): number | undefined => {
  const n = new URL(url).searchParams.get('partNumber');
  return n === null ? undefined : Number(n);
};
const isPartPut = (request: Request): boolean => request.method() === 'PUT' && partOf(request.url()) !== undefined;
const tile = (name: string) => page.getByRole('button', { name: `Open ${name}`, exact: true });

/** The API with the editor's own token (its own session: the page's cookie is left alone). */
async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${ctx.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

async function listed(folder: string): Promise<FilePage['files']> {
  return (await api<FilePage>('GET', `/files?folder=${encodeURIComponent(folder)}`)).body.files;
}

/** The stored bytes of a file, through its download redirect. */
async function storedBytes(fileId: string): Promise<Buffer> {
  const redirect = await fetch(`${ctx.apiUrl}/files/${encodeURIComponent(fileId)}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const download = await fetch(redirect.headers.get('location') as string);
  expect(download.status).toBe(200);
  return Buffer.from(await download.arrayBuffer());
}

async function openFolder(folder: string): Promise<void> {
  const tree = page.getByRole('navigation', { name: 'Folders' });
  const names = folder.split('/').filter(Boolean);
  for (const [i, name] of names.entries()) {
    const button = tree.getByRole('button', { name, exact: true });
    if (i < names.length - 1 && !(await tree.getByRole('button', { name: names[i + 1] as string, exact: true }).isVisible())) {
      await button.click();
      const expand = tree.getByRole('button', { name: `Expand ${name}` });
      if (await expand.isVisible().catch(() => false)) await expand.click();
    } else await button.click();
  }
  await page.getByRole('main', { name: `Folder ${folder}` }).waitFor();
}

async function chooseFile(file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files' }).click();
  await (await chooser).setFiles(file);
  // The list of uploads opens from the top bar's indicator.
  const indicator = page.getByRole('button', { name: /^Uploads / });
  await indicator.waitFor();
  if ((await indicator.getAttribute('aria-expanded')) !== 'true') await indicator.click();
}

/** Part PUTs above `free` wait until released (or until the page gives them up). */
async function holdPartsAbove(free: number): Promise<{ held: Route[] }> {
  const held: Route[] = [];
  await page.route((url) => url.searchParams.has('partNumber'), (route) => {
    if ((partOf(route.request().url()) as number) > free) held.push(route);
    else void route.continue().catch(() => undefined);
  });
  return { held };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-uploader-'));
  const login = await fetch(`${ctx.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ctx.editor.username, password: ctx.editor.password, client: 'cli' }),
  });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
  expect((await api('POST', '/folders', { path: DROP_FOLDER })).status).toBeLessThan(300);

  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, ctx.editor);
  await openFolder(FOLDER);
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('uploader in Chromium', () => {
  it('sends no part while a large upload is paused; resumed, it sends only the missing parts and stores the same bytes', async () => {
    // Prepare: a 72 MiB file; parts after the first 3 wait, so the pause lands mid-upload.
    const file = path.join(dir, 'paused.mp4');
    const content = randomBytes(LARGE_BYTES);
    writeFileSync(file, content);
    const finished = new Set<number>();
    page.on('requestfinished', (request) => {
      if (isPartPut(request)) finished.add(partOf(request.url()) as number);
    });
    const { held } = await holdPartsAbove(3);

    // Act: pause once parts 1-3 are stored and later ones are on their way.
    await chooseFile(file);
    await waitFor(() => [1, 2, 3].every((n) => finished.has(n)) && held.length > 0, 'parts 1-3 stored');
    await page.getByRole('button', { name: 'Pause paused.mp4' }).click();
    await page.getByRole('listitem').filter({ hasText: 'paused.mp4' }).getByText(/^paused · /).waitFor();
    const sentWhilePaused: number[] = [];
    const countPaused = (request: Request): void => {
      if (isPartPut(request)) sentWhilePaused.push(partOf(request.url()) as number);
    };
    page.on('request', countPaused);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.waitForTimeout(3000);
    page.off('request', countPaused);
    await screenshots(page, 'uploader-paused');

    // Assess: nothing went out while paused.
    expect(sentWhilePaused).toEqual([]);

    // Act: resume.
    const sentAfterResume: number[] = [];
    page.on('request', (request) => {
      if (isPartPut(request)) sentAfterResume.push(partOf(request.url()) as number);
    });
    await page.getByRole('button', { name: 'Resume paused.mp4' }).click();
    await tile('paused.mp4').waitFor({ timeout: 180_000 });

    // Assess: only the parts S3 lacked were sent, and the stored file is the selected one, byte for
    // byte, catalogued with its whole SHA-256 (hashed while sending, the parts S3 held read again for it).
    expect(new Set(sentAfterResume)).toEqual(new Set(Array.from({ length: PART_COUNT - 3 }, (_, i) => i + 4)));
    const stored = (await listed(FOLDER)).find((f) => f.name === 'paused.mp4');
    expect(stored?.size).toBe(LARGE_BYTES);
    expect(sha256(await storedBytes(stored?.id as string))).toBe(sha256(content));
    expect(stored?.sha256).toBe(createHash('sha256').update(content).digest('base64'));
  });

  it('cancelling a large upload aborts its multipart upload (the API no longer knows it) and no file appears', async () => {
    // Prepare
    const file = path.join(dir, 'cancelled.mp4');
    writeFileSync(file, randomBytes(LARGE_BYTES));
    const finished = new Set<number>();
    page.on('requestfinished', (request) => {
      if (isPartPut(request)) finished.add(partOf(request.url()) as number);
    });
    const { held } = await holdPartsAbove(2);
    const created = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/uploads');

    // Act
    await chooseFile(file);
    const { uploadId, mode } = (await (await created).json()) as { uploadId: string; mode: string };
    expect(mode).toBe('multipart');
    await waitFor(() => finished.has(1) && finished.has(2) && held.length > 0, 'parts 1-2 stored');
    expect((await api<{ status: string; parts: unknown[] }>('GET', `/uploads/${uploadId}`)).body).toMatchObject({ status: 'pending' });
    await page.getByRole('button', { name: 'Cancel cancelled.mp4' }).click();
    await page.unrouteAll({ behavior: 'ignoreErrors' });

    // Assess: the API answers 404 for the upload once the abort went through; nothing is listed.
    await page.getByRole('listitem').filter({ hasText: 'cancelled.mp4' }).getByText(/^cancelled · /).waitFor();
    await waitFor(async () => (await api('GET', `/uploads/${uploadId}`)).status === 404, 'the upload to be aborted', 30_000);
    await page.waitForTimeout(3000);
    expect((await listed(FOLDER)).map((f) => f.name)).not.toContain('cancelled.mp4');
    expect(await tile('cancelled.mp4').count()).toBe(0);
    await screenshots(page, 'uploader-cancelled');
  });

  it('uploads files dropped on the page into the folder open', async () => {
    // Prepare: two PNGs made here, turned into File objects inside the page.
    await openFolder(DROP_FOLDER);
    const images = [
      { name: 'drop-red.png', bytes: png(64, 48, [200, 40, 40]) },
      { name: 'drop-blue.png', bytes: png(80, 40, [40, 60, 200]) },
    ];

    // Act: a synthetic drag over and drop carrying a DataTransfer with those files.
    await page.getByRole('main', { name: `Folder ${DROP_FOLDER}` }).evaluate((element, files) => {
      // The DOM's types are not in the Node tests' library: what this uses of them.
      const dom = globalThis as unknown as {
        DataTransfer: new () => { readonly items: { add(file: unknown): void } };
        DragEvent: new (type: string, init: object) => unknown;
        File: new (parts: unknown[], name: string, options: object) => unknown;
        atob(data: string): string;
      };
      const data = new dom.DataTransfer();
      for (const f of files) data.items.add(new dom.File([Uint8Array.from(dom.atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: 'image/png' }));
      const target = element as unknown as { dispatchEvent(event: unknown): boolean };
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new dom.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, images.map((i) => ({ name: i.name, base64: i.bytes.toString('base64') })));

    // Assess: tiles in this folder, and the API lists both here with their bytes.
    for (const { name } of images) await tile(name).first().waitFor({ timeout: 60_000 });
    await screenshots(page, 'uploader-dropped');
    const files = await listed(DROP_FOLDER);
    for (const { name, bytes } of images) {
      const stored = files.find((f) => f.name === name);
      expect(stored?.size).toBe(bytes.length);
      expect(sha256(await storedBytes(stored?.id as string))).toBe(sha256(bytes));
    }
    expect((await listed(FOLDER)).map((f) => f.name)).not.toContain('drop-red.png');
  });
});

afterAll(async () => {
  // The stack is shared with the other browser suites: leave no files of ours behind.
  for (const folder of [DROP_FOLDER, FOLDER]) {
    for (const file of await listed(folder).catch(() => [])) await api('DELETE', `/files/${encodeURIComponent(file.id)}`);
  }
});

