/**
 * What a user sees while browsing, in real Chromium against the local stack: an editor limited
 * to one folder sees write controls only there (not in the folders leading to it) and uploads
 * and renames there; the grid's type filter shows only that type, and each sort shows the files
 * in the order the API lists them. Screenshots at desktop and phone sizes
 * (test-artifacts/screenshots/browse-*).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FileItem, FilePage } from '../../contract/wire';
import { cameraJpeg, video } from '../support/media-samples';
import { addUser, apiToken, callApi, removeUser, uploadViaApi } from './support/api';
import { launchChromium, screenshots, seriousAxeViolations } from './support/chromium';
import { browserContext, type BrowserUser } from './support/context';
import { openAs, tile } from './support/session';
import { png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
const base = `/browse-${randomBytes(3).toString('hex')}`;
let browser: Browser;
let adminToken: string;
const users: BrowserUser[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'browse-test-'));

/** Every write control the browsing screen has (the selection's need a file selected). */
const WRITE_CONTROLS = ['Upload files', 'Upload folder', 'New folder', 'Share folder', 'Delete folder', 'Share', 'Move', 'Delete'];

async function writeControlsShown(page: Page): Promise<string[]> {
  const shown: string[] = [];
  for (const name of WRITE_CONTROLS) if ((await page.getByRole('button', { name, exact: true }).count()) > 0) shown.push(name);
  return shown;
}



/** The API's listing of `folder` (admin's view), all pages. */
async function listed(folder: string, query = ''): Promise<FileItem[]> {
  const answer = await callApi<FilePage>(ctx, `/files?folder=${encodeURIComponent(folder)}&limit=1000${query}`, { token: adminToken });
  expect(answer.status).toBe(200);
  expect(answer.body.nextCursor).toBeNull();
  return [...answer.body.files];
}

beforeAll(async () => {
  browser = await launchChromium();
  adminToken = await apiToken(ctx, ctx.admin);
});

afterAll(async () => {
  await browser?.close();
  for (const user of users) await removeUser(ctx, adminToken, user.username);
  rmSync(scratch, { recursive: true, force: true });
});

describe('write controls of an editor limited to one folder, in Chromium', () => {
  const parent = `${base}/family`;
  const mine = `${parent}/ann`;
  let editor: BrowserUser;

  beforeAll(async () => {
    editor = await addUser(ctx, adminToken, 'web-browse-limited', 'editor', [mine]);
    users.push(editor);
    for (const folder of [parent, mine, `${parent}/bo`]) expect((await callApi(ctx, '/folders', { token: adminToken, json: { path: folder } })).status).toBeLessThan(300);
    await uploadViaApi(ctx, adminToken, { folder: parent, name: 'family.png', bytes: png(120, 80, [200, 60, 60]), contentType: 'image/png' });
  });

  it('shows no write controls in the parent of their folder, only the way to it, and no error', async () => {
    // Act
    const page = await openAs(browser, ctx.appUrl, editor, parent);
    // Assess
    await page.getByText(`${parent} is outside your folders (${mine}). Open the way to them below.`).waitFor();
    expect(await writeControlsShown(page)).toEqual([]);
    expect(await page.getByRole('list', { name: 'Subfolders' }).getByRole('button').allTextContents()).toEqual(['ann']);
    expect(await tile(page, 'family.png').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshots(page, 'browse-limited-parent');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the write controls in their own folder, where they upload a file through the picker and rename it', async () => {
    // Prepare
    const page = await openAs(browser, ctx.appUrl, editor, parent);
    await page.getByRole('list', { name: 'Subfolders' }).getByRole('button', { name: 'ann' }).click();
    await page.getByRole('button', { name: 'Upload files' }).waitFor();
    expect(await writeControlsShown(page)).toEqual(['Upload files', 'Upload folder', 'New folder', 'Share folder', 'Delete folder']);
    const picked = path.join(scratch, 'picked.png');
    writeFileSync(picked, png(160, 120, [40, 140, 90]));
    // Act: upload through the file chooser
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles(picked);
    await tile(page, 'picked.png').waitFor({ timeout: 60_000 });
    // The selection's write controls, and a Move dialog that does not move outside their folder.
    await page.getByRole('checkbox', { name: 'Select picked.png' }).check();
    expect(await writeControlsShown(page)).toEqual(WRITE_CONTROLS);
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    const move = page.getByRole('dialog', { name: 'Move picked.png' });
    expect(await move.getByLabel('Destination folder').inputValue()).toBe(mine);
    await move.getByLabel('Destination folder').fill(parent);
    await move.getByRole('status').filter({ hasText: `You may not move files there: ${parent} is outside your folders (${mine}).` }).waitFor();
    expect(await move.getByRole('button', { name: 'Move', exact: true }).isDisabled()).toBe(true);
    await screenshots(page, 'browse-limited-move-refused');
    await move.getByRole('button', { name: 'Cancel' }).click();
    await screenshots(page, 'browse-limited-own-folder');
    // Act: rename in the lightbox
    await tile(page, 'picked.png').click();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name').fill('renamed.png');
    await page.getByRole('dialog', { name: 'Rename picked.png' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog', { name: 'Rename picked.png' }).waitFor({ state: 'detached' });
    // Assess
    expect((await listed(mine)).map((f) => [f.name, f.uploadedBy])).toEqual([['renamed.png', editor.username]]);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.context().close();
  });
});

describe('the grid\'s type filter and sort, in Chromium', () => {
  const folder = `${base}/mixed`;
  /** Uploaded in this order: names, upload times and dates taken each order them differently. */
  const uploads = [
    { name: 'c-sunset.png', contentType: 'image/png', bytes: async () => png(200, 150, [230, 120, 40]) },
    { name: 'a-clip.mp4', contentType: 'video/mp4', bytes: async () => video('mp4') },
    { name: 'd-camera.jpg', contentType: 'image/jpeg', bytes: () => cameraJpeg({ width: 320, height: 240 }) },
    { name: 'b-forest.png', contentType: 'image/png', bytes: async () => png(200, 150, [30, 130, 60]) },
  ];
  let page: Page;

  /** Tile names as laid out on screen: row by row, left to right. */
  async function shownOrder(): Promise<string[]> {
    const tiles = await page.getByRole('list', { name: 'Files' }).getByRole('button', { name: /^Open / }).all();
    const placed = await Promise.all(tiles.map(async (t) => ({ name: ((await t.getAttribute('aria-label')) ?? '').replace(/^Open /, ''), box: await t.boundingBox() })));
    return placed
      .filter((t) => t.box !== null)
      .sort((a, b) => (a.box?.y ?? 0) - (b.box?.y ?? 0) || (a.box?.x ?? 0) - (b.box?.x ?? 0))
      .map((t) => t.name);
  }

  /** The order shown once it is `expected` (what the API listed), or the last one seen after 30 s. */
  async function orderOnceShown(expected: readonly string[]): Promise<string[]> {
    let seen: string[] = [];
    for (const until = Date.now() + 30_000; Date.now() < until; await page.waitForTimeout(200)) {
      seen = await shownOrder();
      if (seen.join('\n') === expected.join('\n')) break;
    }
    return seen;
  }

  beforeAll(async () => {
    // Processed, so the JPEG's date taken (2024) is known.
    for (const u of uploads) {
      await uploadViaApi<FileItem & { processing?: string }>(ctx, adminToken, { folder, name: u.name, contentType: u.contentType, bytes: await u.bytes() }, (f) => f.processing === 'ready', 60_000);
    }
    page = await openAs(browser, ctx.appUrl, ctx.editor, folder);
    for (const u of uploads) await tile(page, u.name).waitFor();
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it.each([
    ['only the images', 'Images', 'image', ['b-forest.png', 'c-sunset.png', 'd-camera.jpg']],
    ['only the video', 'Videos', 'video', ['a-clip.mp4']],
    ['every file again', 'All', 'all', ['a-clip.mp4', 'b-forest.png', 'c-sunset.png', 'd-camera.jpg']],
  ] as const)('shows %s when "%s" is chosen, as the API lists them', async (_what, label, type, expected) => {
    // Act
    await page.getByLabel('Show').selectOption({ label });
    // Assess
    const api = await listed(folder, type === 'all' ? '' : `&type=${type}`);
    expect(api.map((f) => f.name)).toEqual(expected);
    expect(api.every((f) => type === 'all' || f.fileType === type)).toBe(true);
    expect(await orderOnceShown(expected)).toEqual(expected);
    if (type === 'video') await screenshots(page, 'browse-filter-videos');
  });

  it.each([
    // Each order differs from the one before it, so the grid must change to match.
    ['name', 'desc', 'Name, Z to A', ['d-camera.jpg', 'c-sunset.png', 'b-forest.png', 'a-clip.mp4']],
    ['name', 'asc', 'Name, A to Z', ['a-clip.mp4', 'b-forest.png', 'c-sunset.png', 'd-camera.jpg']],
    ['uploaded', 'desc', 'Uploaded, newest first', ['b-forest.png', 'd-camera.jpg', 'a-clip.mp4', 'c-sunset.png']],
    ['uploaded', 'asc', 'Uploaded, oldest first', ['c-sunset.png', 'a-clip.mp4', 'd-camera.jpg', 'b-forest.png']],
    ['taken', 'desc', 'Taken, newest first', ['b-forest.png', 'a-clip.mp4', 'c-sunset.png', 'd-camera.jpg']],
    ['taken', 'asc', 'Taken, oldest first', ['d-camera.jpg', 'c-sunset.png', 'a-clip.mp4', 'b-forest.png']],
  ] as const)('sorts by %s %s ("%s") in the order the API lists', async (sort, order, label, expected) => {
    // Prepare: every type shown
    await page.getByLabel('Show').selectOption({ label: 'All' });
    // Act
    await page.getByLabel('Sort by').selectOption({ label });
    // Assess
    const api = (await listed(folder, `&sort=${sort}&order=${order}`)).map((f) => f.name);
    expect(api).toEqual(expected);
    expect(await orderOnceShown(api)).toEqual(api);
    if (sort === 'taken' && order === 'asc') await screenshots(page, 'browse-sorted-taken');
  });
});
