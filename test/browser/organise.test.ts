/**
 * Organising by dragging, in real Chromium against the local stack: an editor drags a tile
 * with the mouse onto a folder of the tree, drags a selection onto a subfolder, and is told
 * plainly when the destination already has a file of that name; the API then lists the files
 * where they were dropped. A viewer gets nothing to drag. Screenshots at desktop and phone
 * sizes (test-artifacts/screenshots/organise-*).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext as PwContext, Locator, Page } from 'playwright-core';
import { browserContext, type BrowserUser } from './support/context';
import { logIn, tile } from './support/session';
import { DESKTOP, launchChromium, SCREENSHOT_DIR, screenshots } from './support/chromium';
import { png } from './support/media-files';

jest.setTimeout(180_000);

const ctx = browserContext();
const RUN = randomBytes(3).toString('hex');
const SOURCE = `/organise-${RUN}`;
const DESTINATION = `/organise-${RUN}-to`;
const INNER = `${SOURCE}/inner`;
const FILES = ['one.png', 'two.png', 'three.png', 'clash.png'];

let browser: Browser;
let context: PwContext;
let page: Page;
let token: string;

async function apiCall<T>(method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; body: T }> {
  const response = await fetch(`${ctx.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function loginToken(user: BrowserUser): Promise<string> {
  const response = await fetch(`${ctx.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  return ((await response.json()) as { token: string }).token;
}

async function upload(folder: string, name: string, colour: [number, number, number]): Promise<void> {
  const bytes = png(200, 150, colour);
  const created = await apiCall<{ url: string; headers: Record<string, string> }>('POST', '/uploads', { folder, fileName: name, contentType: 'image/png', size: bytes.length });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
  expect(put.status).toBe(200);
}

/** Names the API lists in `folder`, once `ready` holds (the catalog follows S3 events). */
async function namesIn(folder: string, ready: (names: string[]) => boolean): Promise<string[]> {
  let names: string[] = [];
  for (let i = 0; i < 120; i += 1) {
    const page = await apiCall<{ files: { name: string }[] }>('GET', `/files?folder=${encodeURIComponent(folder)}&limit=1000`);
    names = page.body.files.map((f) => f.name).sort();
    if (ready(names)) return names;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return names;
}

const tileItem = (target: Page, name: string): Locator => target.getByRole('listitem').filter({ has: tile(target, name) });
const treeEntry = (target: Page, name: string): Locator => target.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name, exact: true });

async function openSource(target: Page): Promise<void> {
  await treeEntry(target, SOURCE.slice(1)).click();
  await target.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: SOURCE.slice(1) }).waitFor();
}

beforeAll(async () => {
  token = await loginToken(ctx.editor);
  for (const folder of [SOURCE, DESTINATION, INNER]) expect((await apiCall('POST', '/folders', { path: folder })).status).toBeLessThan(300);
  await Promise.all(FILES.map((name, i) => upload(SOURCE, name, [40 * i, 120, 200 - 40 * i])));
  await upload(DESTINATION, 'clash.png', [250, 40, 40]);
  expect(await namesIn(SOURCE, (n) => n.length === FILES.length)).toEqual([...FILES].sort());
  expect(await namesIn(DESTINATION, (n) => n.length === 1)).toEqual(['clash.png']);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: DESKTOP });
  page = await context.newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, ctx.editor);
  await openSource(page);
  for (const name of FILES) await tile(page, name).waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
});

describe('moving files by dragging them in Chromium', () => {
  it('drags one tile onto a folder of the tree: the folder lights up under the mouse, and the file moves there', async () => {
    // Prepare
    const from = await tile(page, 'one.png').boundingBox();
    const to = await treeEntry(page, DESTINATION.slice(1)).boundingBox();
    if (!from || !to) throw new Error('tile or tree entry not laid out');
    // Act: a real mouse drag, paused over the target for the screenshot of the highlight.
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 20, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await treeEntry(page, DESTINATION.slice(1)).and(page.locator('.drop-target')).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'organise-drag-over-folder-desktop.png') });
    await page.mouse.up();
    // Assess
    await tile(page, 'one.png').waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: `Moved 1 file to ${DESTINATION}` }).waitFor();
    expect(await namesIn(DESTINATION, (n) => n.includes('one.png'))).toEqual(['clash.png', 'one.png']);
    expect(await namesIn(SOURCE, (n) => !n.includes('one.png'))).not.toContain('one.png');
  });

  it('drags the selection onto a subfolder (Playwright dragTo): every selected file moves there', async () => {
    // Prepare
    await page.getByRole('checkbox', { name: 'Select two.png' }).check();
    await page.getByRole('checkbox', { name: 'Select three.png' }).check();
    const subfolder = page.getByRole('list', { name: 'Subfolders' }).getByRole('button', { name: 'inner' });
    // Act
    await tileItem(page, 'three.png').dragTo(subfolder);
    // Assess
    await page.getByRole('status').filter({ hasText: `Moved 2 files to ${INNER}` }).waitFor();
    await tile(page, 'two.png').waitFor({ state: 'detached' });
    expect(await namesIn(INNER, (n) => n.length === 2)).toEqual(['three.png', 'two.png']);
    await screenshots(page, 'organise-after-move');
  });

  it('says plainly that the destination already has a file of that name, and leaves the file where it was', async () => {
    // Act
    await tileItem(page, 'clash.png').dragTo(treeEntry(page, DESTINATION.slice(1)));
    // Assess
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`clash.png was not moved: ${DESTINATION} already has a file named clash.png.`);
    await screenshots(page, 'organise-name-clash');
    expect(await tile(page, 'clash.png').isVisible()).toBe(true);
    expect(await namesIn(SOURCE, () => true)).toEqual(['clash.png']);
    await page.getByRole('button', { name: 'Dismiss message' }).click();
  });

  it('drops on a breadcrumb: a file in a subfolder moves up to its parent', async () => {
    // Prepare
    await page.getByRole('list', { name: 'Subfolders' }).getByRole('button', { name: 'inner' }).click();
    await tile(page, 'two.png').waitFor();
    // Act
    await tileItem(page, 'two.png').dragTo(page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: SOURCE.slice(1) }));
    // Assess
    await tile(page, 'two.png').waitFor({ state: 'detached' });
    expect(await namesIn(SOURCE, (n) => n.includes('two.png'))).toEqual(['clash.png', 'two.png']);
  });

  it('gives a viewer no tile to drag', async () => {
    const viewerContext = await browser.newContext({ viewport: DESKTOP });
    try {
      const viewer = await viewerContext.newPage();
      await viewer.goto(ctx.appUrl);
      await logIn(viewer, ctx.viewer);
      await openSource(viewer);
      await tile(viewer, 'clash.png').waitFor();

      expect(await tileItem(viewer, 'clash.png').getAttribute('draggable')).not.toBe('true');
      await tileItem(viewer, 'clash.png').dragTo(treeEntry(viewer, DESTINATION.slice(1)));
      expect(await namesIn(SOURCE, () => true)).toContain('clash.png');
      expect(await viewer.getByRole('status').filter({ hasText: 'Moved' }).count()).toBe(0);
    } finally {
      await viewerContext.close();
    }
  });
});
