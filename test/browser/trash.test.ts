/**
 * The trash in real Chromium against the local stack (issue 22 §1): an editor deletes a file
 * and a folder with files in it; both leave the folder view and the timeline; the Trash view
 * lists them; one restored is back in its place with its thumbnail; an admin deletes one
 * forever; "Restore all" brings back the rest. A reload shows the same state after each step
 * (what the server holds, not what the page assumed). The editor is limited to this test's
 * folder, so its timeline and its trash are this test's files alone. axe on the Trash view;
 * screenshots at desktop and phone sizes (test-artifacts/screenshots/trash-*).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { FileItem } from '../../contract/wire';
import { addUser, apiToken, callApi, removeUser, uploadViaApi } from './support/api';
import { DESKTOP, launchChromium, PHONE, screenshots, seriousAxeViolations } from './support/chromium';
import { browserContext, type BrowserUser } from './support/context';
import { png } from './support/media-files';
import { logIn, openAs, tile } from './support/session';

jest.setTimeout(300_000);

const ctx = browserContext();
const RUN = randomBytes(3).toString('hex');
const FOLDER = `/trash-${RUN}`;
const ALBUM = `${FOLDER}/album`;
/** Names carry the run, so an admin's trash (everyone's) is read for this test's entries alone. */
const name = (base: string): string => `${base}-${RUN}.png`;
const KEEP = name('keep');
const GONE = name('gone');
const ALBUM_FILES = [name('a1'), name('a2'), name('a3')];
const [A1, A2, A3] = ALBUM_FILES as [string, string, string];
const sorted = (names: readonly string[]): string[] => [...names].sort();

let browser: Browser;
let adminToken: string;
let editor: BrowserUser;
let editorToken: string;
let page: Page;

/** Presses an entry of the Main menu (in the page: on a phone the menu holding it is closed). */
async function openView(target: Page, label: 'Timeline' | 'Folders' | 'Trash'): Promise<void> {
  await target.getByRole('button', { name: 'Log out', includeHidden: true }).waitFor({ state: 'attached' });
  await target.evaluate(`[...document.querySelectorAll('nav[aria-label="Main"] button')].find((b) => b.textContent === ${JSON.stringify(label)}).click()`);
}

/** This run's names in the Trash view, once it has loaded (the list, or "The trash is empty."). */
async function trashNames(target: Page): Promise<string[]> {
  await target.getByRole('heading', { name: 'Trash' }).waitFor();
  await target.locator('.trash-entries, .trash .empty').first().waitFor();
  const names = await target.locator('.trash-entries .name').allTextContents();
  return sorted(names.filter((n) => n.includes(RUN)));
}

/** The Trash view after a reload (which lands on the timeline: the view has no address of its own). */
async function trashAfterReload(target: Page): Promise<string[]> {
  await target.reload();
  await openView(target, 'Trash');
  return trashNames(target);
}

/** The names of the tiles shown in the folder view or the timeline (`Open <name>` buttons). */
async function tileNames(target: Page): Promise<string[]> {
  const labels = await target.locator('button[aria-label^="Open "]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
  return sorted(labels.map((label) => label.slice('Open '.length)).filter((n) => n.includes(RUN)));
}

/** Opens `folder` by its address after a reload, as a bookmark would, and waits until its tiles are listed. */
async function folderAfterReload(target: Page, folder: string, expectTile: string): Promise<string[]> {
  await target.goto(`${ctx.appUrl}#${folder}`);
  await target.reload();
  await target.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: folder.split('/').pop() as string, exact: true }).waitFor();
  await tile(target, expectTile).waitFor({ timeout: 30_000 });
  await target.waitForLoadState('networkidle');
  return tileNames(target);
}

const subfolders = (target: Page): Promise<string[]> => target.getByRole('list', { name: 'Subfolders' }).getByRole('button').allTextContents().catch(() => []);

/** A file's row as the API reads it, once `ready` holds. */
async function fileWhen(folder: string, fileName: string, ready: (file: FileItem) => boolean): Promise<FileItem> {
  const until = Date.now() + 60_000;
  for (;;) {
    const listed = await callApi<{ files: FileItem[] }>(ctx, `/files?folder=${encodeURIComponent(folder)}&limit=1000`, { token: editorToken });
    const file = listed.body.files?.find((f) => f.name === fileName);
    if (file && ready(file)) return file;
    if (Date.now() > until) throw new Error(`${folder}/${fileName} not ready: ${JSON.stringify(file)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  adminToken = await apiToken(ctx, ctx.admin);
  for (const folder of [FOLDER, ALBUM]) expect((await callApi(ctx, '/folders', { token: adminToken, json: { path: folder } })).status).toBeLessThan(300);
  editor = await addUser(ctx, adminToken, 'web-trash', 'editor', [FOLDER]);
  editorToken = await apiToken(ctx, editor);
  // Each its own picture (the app skips content already in the library), thumbnails made.
  const files: [string, string][] = [[FOLDER, KEEP], [FOLDER, GONE], ...ALBUM_FILES.map((n): [string, string] => [ALBUM, n])];
  await Promise.all(
    files.map(([folder, fileName], i) =>
      uploadViaApi<FileItem>(ctx, editorToken, { folder, name: fileName, bytes: png(240, 160, [30 + 40 * i, 200 - 30 * i, (RUN.charCodeAt(0) * 7) % 256]), contentType: 'image/png' }, (f) => f.thumbUrl !== undefined, 60_000),
    ),
  );
  browser = await launchChromium();
  page = await openAs(browser, ctx.appUrl, editor, FOLDER);
});

afterAll(async () => {
  await browser?.close();
  if (editor) await removeUser(ctx, adminToken, editor.username);
});

describe('the trash in Chromium', () => {
  it('deletes a file and a folder with its files: both leave the folder view and the timeline, after a reload too', async () => {
    // Act: one file by its selection, then the album folder with everything in it.
    await tile(page, GONE).waitFor();
    await page.getByRole('checkbox', { name: `Select ${GONE}` }).check();
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Moved 1 file to the trash' }).waitFor();
    await tile(page, GONE).waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Subfolders' }).getByRole('button', { name: 'album', exact: true }).click();
    await tile(page, A1).waitFor();
    await page.getByRole('button', { name: 'Delete folder', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete folder', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Moved folder ${ALBUM} and its 3 files to the trash` }).waitFor({ timeout: 60_000 });

    // Assess: the folder view, as left and after a reload.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: FOLDER.slice(1), exact: true }).waitFor();
    await tile(page, KEEP).waitFor();
    expect(await tileNames(page)).toEqual([KEEP]);
    expect(await subfolders(page)).not.toContain('album');
    expect(await folderAfterReload(page, FOLDER, KEEP)).toEqual([KEEP]);
    expect(await subfolders(page)).not.toContain('album');
    // The timeline (this user's: this test's folder alone), as opened and after a reload (it is the landing view).
    await openView(page, 'Timeline');
    await tile(page, KEEP).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await tileNames(page)).toEqual([KEEP]);
    await page.reload();
    await tile(page, KEEP).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await tileNames(page)).toEqual([KEEP]);
  });

  it('lists both in the Trash view, the same after a reload; readable on a phone, no serious axe violations', async () => {
    // Act
    await openView(page, 'Trash');
    // Assess
    const expected = sorted([GONE, ...ALBUM_FILES]);
    expect(await trashNames(page)).toEqual(expected);
    const albumEntry = page.getByRole('listitem').filter({ hasText: A1 });
    expect(await albumEntry.textContent()).toContain(`with folder ${ALBUM}`);
    expect(await trashAfterReload(page)).toEqual(expected);
    await screenshots(page, 'trash');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(100);
    expect(await page.locator('.trash').evaluate((section) => section.scrollWidth - section.clientWidth)).toBeLessThanOrEqual(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.setViewportSize(DESKTOP);
  });

  it('restores one to its place, where its thumbnail shows; the trash no longer lists it, after a reload too', async () => {
    // Act
    await page.getByRole('button', { name: `Restore ${GONE}`, exact: true }).click();
    // Assess
    await page.getByRole('status').filter({ hasText: `Restored ${FOLDER}/${GONE}` }).waitFor();
    await page.getByRole('button', { name: `Restore ${GONE}`, exact: true }).waitFor({ state: 'detached' });
    expect(await trashAfterReload(page)).toEqual(sorted(ALBUM_FILES));
    // Its derived images are made again; the tile then paints the thumbnail (under derived/).
    await fileWhen(FOLDER, GONE, (f) => f.thumbUrl !== undefined);
    expect(await folderAfterReload(page, FOLDER, GONE)).toEqual(sorted([KEEP, GONE]));
    const img = tile(page, GONE).locator('img');
    await img.waitFor();
    await img.evaluate((el) => (el as unknown as { decode(): Promise<void> }).decode());
    const painted = await img.evaluate((el) => ({ src: (el as unknown as { src: string }).src, width: (el as unknown as { naturalWidth: number }).naturalWidth }));
    expect(painted.src).toMatch(/derived(\/|%2F)/);
    expect(painted.width).toBeGreaterThan(0);
  });

  it('lets an admin delete one forever: gone from every trash, after a reload too', async () => {
    const adminContext = await browser.newContext({ viewport: DESKTOP });
    try {
      // Prepare: the admin's Trash view (everyone's).
      const admin = await adminContext.newPage();
      await admin.goto(ctx.appUrl);
      await logIn(admin, ctx.admin, { view: 'timeline' });
      await openView(admin, 'Trash');
      expect(await trashNames(admin)).toEqual(sorted(ALBUM_FILES));
      // Act
      admin.once('dialog', (dialog) => void dialog.accept());
      await admin.getByRole('button', { name: `Delete forever: ${A3}`, exact: true }).click();
      // Assess
      await admin.getByRole('status').filter({ hasText: `Deleted ${A3} forever` }).waitFor();
      expect(await trashAfterReload(admin)).toEqual(sorted([A1, A2]));
    } finally {
      await adminContext.close();
    }
    expect(await trashAfterReload(page)).toEqual(sorted([A1, A2]));
  });

  it('restores all the rest into their folder; the trash is empty, after a reload too', async () => {
    // Act
    await page.getByRole('button', { name: 'Restore all', exact: true }).click();
    // Assess
    await page.getByRole('status').filter({ hasText: 'Restored 2 files' }).waitFor({ timeout: 60_000 });
    await page.getByText('The trash is empty.').waitFor();
    expect(await trashAfterReload(page)).toEqual([]);
    await page.getByText('The trash is empty.').waitFor();
    expect(await folderAfterReload(page, ALBUM, A1)).toEqual(sorted([A1, A2]));
    expect(await folderAfterReload(page, FOLDER, KEEP)).toEqual(sorted([KEEP, GONE]));
    expect(await subfolders(page)).toContain('album');
  });
});
