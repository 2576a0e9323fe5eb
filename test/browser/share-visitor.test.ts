/**
 * A visitor's album and its owner's view of it, in real Chromium against the local stack: the
 * share dialog offers only the expiry the module allows; a visitor in a fresh context (no
 * cookies) sees the WebP thumbnails and previews the API signed, and "Download all" saves one
 * ZIP of every file of the album (more than one page) whose entries are the originals' bytes;
 * the owner then reads that open, view and download in the share's access log. A visitor of the
 * album shared without downloads gets previews only: no original is fetched, no download offered.
 * The link's page carries the share's Open Graph tags (link previews) and boots the app.
 * Screenshots at desktop and phone sizes (test-artifacts/screenshots/share-visit-*).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext as PwContext, Page } from 'playwright-core';
import { browserContext } from './support/context';
import { logIn, tile } from './support/session';
import { DESKTOP, launchChromium, screenshots, seriousAxeViolations } from './support/chromium';
import { png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
const FOLDER = `visit-${Date.now().toString(36)}`;
/** More files than one page of the public listing (60), so the album pages. */
const SMALL_FILES = 61;
const PHOTOS = ['a-beach.png', 'a-forest.png'];
const originals = new Map<string, Buffer>();

let browser: Browser;
let owner: PwContext;
let page: Page;
let dir: string;
let albumLink: string;
let apiToken: string;

async function apiCall<T>(route: string, init: { token?: string; json?: unknown } = {}): Promise<T> {
  const response = await fetch(`${ctx.apiUrl}${route}`, {
    method: init.json === undefined ? 'GET' : 'POST',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function upload(token: string, name: string, bytes: Buffer): Promise<string> {
  const created = await apiCall<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', { token, json: { folder: `/${FOLDER}`, fileName: name, contentType: 'image/png', size: bytes.length } });
  const put = await fetch(created.url, { method: 'PUT', headers: created.headers, body: bytes });
  if (put.status !== 200) throw new Error(`PUT ${name}: ${put.status}`);
  return created.fileId;
}

async function processed(token: string, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const file = await apiCall<{ processing?: string }>(`/files/${id}`, { token }).catch(() => undefined);
    if (file?.processing === 'ready') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${id} was not processed within 60 s`);
}

/** The image `selector` finds has loaded. Run in the page (passed as a function: the page's CSP forbids eval). */
const imageLoaded = (selector: string): boolean => {
  const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector(selector);
  return img !== null && img.complete && img.naturalWidth > 0;
};


beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-share-visit-'));
  // Files through the API (the uploader has its own journey); the owner uses the app from here on.
  const token = (await apiCall<{ token: string }>('/auth/login', { json: { username: ctx.editor.username, password: ctx.editor.password } })).token;
  apiToken = token;
  originals.set(PHOTOS[0] as string, png(640, 400, [40, 120, 200]));
  originals.set(PHOTOS[1] as string, png(300, 480, [40, 160, 60]));
  for (let i = 0; i < SMALL_FILES; i += 1) originals.set(`z-${String(i).padStart(3, '0')}.png`, png(16, 16, [i * 4, 255 - i * 4, (i * 37) % 256]));
  const ids = new Map<string, string>();
  for (const [name, bytes] of originals) ids.set(name, await upload(token, name, bytes));
  for (const name of PHOTOS) await processed(token, ids.get(name) as string);

  browser = await launchChromium();
  owner = await browser.newContext({ viewport: DESKTOP });
  page = await owner.newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, ctx.editor);
  await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: FOLDER, exact: true }).click();
  await tile(page, PHOTOS[0] as string).waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a shared album in Chromium', () => {
  it('the share dialog offers days up to share_max_days (30) and no "Never expires" where the module does not allow it', async () => {
    // Act
    await page.getByRole('button', { name: 'Share folder' }).click();
    const dialog = page.getByRole('dialog', { name: `Share folder /${FOLDER}` });
    await dialog.getByText('At most 30 days.').waitFor();
    // Assess
    expect(await dialog.getByLabel('Never expires').count()).toBe(0);
    expect(await dialog.getByLabel('Expires after (days)').getAttribute('max')).toBe('30');
    await screenshots(page, 'share-visit-01-dialog');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByLabel('Expires after (days)').fill('5');
    await dialog.getByLabel('Allow downloads').check();
    await dialog.getByLabel('Label (optional, shown to visitors)').fill('Holiday album');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    albumLink = await dialog.getByLabel('Link').inputValue();
    expect(albumLink).toMatch(/^http:\/\/[^/]+\/s\/[A-Za-z0-9_-]{32}$/);
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('a visitor without cookies sees WebP thumbnails in the grid and a WebP preview in the lightbox', async () => {
    // Prepare
    const visitor = await browser.newContext({ viewport: DESKTOP });
    const guest = await visitor.newPage();
    expect(await visitor.cookies()).toEqual([]);
    const images = new Map<string, string>();
    guest.on('response', (response) => {
      if (response.request().resourceType() === 'image') images.set(response.url(), response.headers()['content-type'] ?? '');
    });
    // Act
    const served = await guest.goto(albumLink);
    await guest.getByRole('heading', { name: 'Holiday album' }).waitFor();
    // The link's page is the share page (the app's index.html with Open Graph tags for link
    // previews, test/e2e/share-pages.test.ts), uncached, and the app booted from it as before.
    expect(served?.headers()['cache-control']).toBe('no-store');
    expect(await guest.locator('meta[property="og:title"]').getAttribute('content')).toBe('Holiday album');
    // Its picture: the share's own URL on the page's origin, which lands on the derived preview.
    const ogImage = (await guest.locator('meta[property="og:image"]').getAttribute('content')) as string;
    expect(ogImage).toBe(`${albumLink}/preview`);
    const picture = await guest.request.get(ogImage, { maxRedirects: 0 });
    expect(picture.status()).toBe(302);
    expect(new URL(picture.headers().location as string).pathname).toMatch(/\/derived\/.*preview/);
    // The page preconnects to the bucket its thumbnails come from.
    expect(served?.headers().link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+>; rel=preconnect$/);
    const thumb = tile(guest, PHOTOS[0] as string).locator('img');
    await thumb.waitFor();
    await guest.waitForFunction(imageLoaded, `button[aria-label="Open ${PHOTOS[0]}"] img`, { timeout: 60_000 });
    // Assess: the tile shows the derived thumbnail, answered as WebP, not the original PNG.
    const thumbSrc = (await thumb.getAttribute('src')) as string;
    expect(new URL(thumbSrc).pathname).toMatch(/\/derived\/.*thumb/);
    expect(images.get(thumbSrc)).toBe('image/webp');
    await screenshots(guest, 'share-visit-02-album');
    expect(await seriousAxeViolations(guest)).toEqual([]);

    await tile(guest, PHOTOS[0] as string).click();
    const lightbox = guest.getByRole('dialog', { name: PHOTOS[0] });
    const preview = lightbox.locator('img.media');
    await preview.waitFor();
    await guest.waitForFunction(imageLoaded, '.lightbox img.media', { timeout: 60_000 });
    const previewSrc = (await preview.getAttribute('src')) as string;
    expect(new URL(previewSrc).pathname).toMatch(/\/derived\/.*preview/);
    expect(images.get(previewSrc)).toBe('image/webp');
    await screenshots(guest, 'share-visit-03-lightbox');
    expect(await seriousAxeViolations(guest)).toEqual([]);
    await visitor.close();
  });

  it('"Download all" saves one ZIP of every file of the album, entries byte-equal to the originals', async () => {
    // Prepare
    const visitor = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const guest = await visitor.newPage();
    expect(await visitor.cookies()).toEqual([]);
    await guest.goto(albumLink);
    await tile(guest, PHOTOS[0] as string).waitFor();
    // Act
    const download = guest.waitForEvent('download');
    await guest.getByRole('button', { name: 'Download all' }).click();
    const saved = await download;
    const zipPath = path.join(dir, 'album.zip');
    await saved.saveAs(zipPath);
    // Assess
    await guest.getByRole('status').filter({ hasText: `Saving ${originals.size} files as Holiday album.zip.` }).waitFor();
    await screenshots(guest, 'share-visit-04-download-all');
    expect(await seriousAxeViolations(guest)).toEqual([]);
    execFileSync('unzip', ['-tq', zipPath]);
    const listed = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listed).toEqual([...originals.keys()].sort());
    for (const [name, bytes] of originals) expect(execFileSync('unzip', ['-p', zipPath, name]).equals(bytes)).toBe(true);
    await visitor.close();
  });

  it('the owner reads the visitors\' open, view of the next page and downloads in the share\'s access log', async () => {
    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Shares' }).click();
    await page.getByRole('heading', { name: 'Shares' }).waitFor();
    const logButton = page.getByRole('button', { name: `Access log of /${FOLDER}` });
    await logButton.click();
    const log = page.getByRole('region', { name: `Access log of /${FOLDER}` });
    await log.waitFor();
    // Assess
    const lines = await log.getByRole('listitem').allTextContents();
    expect(lines.some((l) => l.startsWith('Opened'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Viewed more'))).toBe(true);
    for (const [name, bytes] of originals) {
      expect(lines.some((l) => l.startsWith(`Downloaded${name}`) && l.includes(bytes.length < 1024 ? `${bytes.length} B` : 'KiB'))).toBe(true);
    }
    for (const line of lines) expect(line).toMatch(/from (127\.0\.0\.0\/24|::\/48)$/);
    const totals = await log.getByRole('definition').allTextContents();
    expect(Number(totals[0])).toBeGreaterThanOrEqual(2);
    expect(Number(totals[2])).toBe(originals.size);
    await screenshots(page, 'share-visit-05-log');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await logButton.getAttribute('aria-expanded')).toBe('true');
  });

  it('a visitor of the album shared without downloads sees previews only: no original fetched, no download button', async () => {
    // Prepare: a second share of the album, without downloads (after the log test, which reads the first share's log).
    const created = await apiCall<{ path: string }>('/shares', { token: apiToken, json: { folder: `/${FOLDER}` } });
    const visitor = await browser.newContext({ viewport: DESKTOP });
    const guest = await visitor.newPage();
    const requested: string[] = [];
    guest.on('request', (request) => requested.push(request.url()));
    // Act
    await guest.goto(new URL(created.path, ctx.appUrl).toString());
    await tile(guest, PHOTOS[0] as string).waitFor();
    await tile(guest, PHOTOS[0] as string).click();
    const lightbox = guest.getByRole('dialog', { name: PHOTOS[0] });
    await guest.waitForFunction(imageLoaded, '.lightbox img.media', { timeout: 60_000 });
    // Assess: the preview, and nothing that offers or fetches the original.
    expect(new URL((await lightbox.locator('img.media').getAttribute('src')) as string).pathname).toMatch(/\/derived\/.*preview/);
    for (const name of ['Show original', 'Download']) expect(await lightbox.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await guest.getByRole('button', { name: 'Download all' }).count()).toBe(0);
    await screenshots(guest, 'share-visit-06-no-downloads');
    expect(await seriousAxeViolations(guest)).toEqual([]);
    expect(requested.filter((url) => new URL(url).pathname.includes('/media/'))).toEqual([]);
    await visitor.close();
  });
});
