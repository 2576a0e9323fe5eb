/**
 * The admin page's Storage section in real Chromium: an uploader of the test's own adds known
 * files through the file chooser, and the admin sees exactly those files and bytes on their
 * row, and totals and types equal to the API's; readable at 375 px, keyboard usable, no
 * serious axe-core violations, screenshots at desktop and phone sizes.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { StorageStats } from '../../contract/wire';
import { formatBytes } from '../../web/src/format';
import { video } from '../support/media-samples';
import { addUser, apiToken, callApi, removeUser } from './support/api';
import { DESKTOP, launchChromium, PHONE, SCREENSHOT_DIR, seriousAxeViolations } from './support/chromium';
import { browserContext, type BrowserUser } from './support/context';
import { logIn } from './support/session';
import { png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
let browser: Browser;
let dir: string;
let adminToken: string;
let uploader: BrowserUser;
const folder = `/stats-${randomBytes(3).toString('hex')}`;

/** The cells of a figures table, row by row: [label, files, size, share]. */
async function tableRows(page: Page, name: string): Promise<string[][]> {
  return page
    .getByRole('table', { name })
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => Array.from((row as unknown as { children: ArrayLike<{ textContent: string | null }> }).children).map((cell) => (cell.textContent ?? '').trim())));
}

/** Desktop and phone screenshots with the Storage section in view (the admin page scrolls inside). */
async function storageScreenshots(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.getByRole('heading', { name: 'Storage' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${size}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-web-stats-'));
  browser = await launchChromium();
  adminToken = await apiToken(ctx, ctx.admin);
  uploader = await addUser(ctx, adminToken, 'web-stats', 'editor');
});

afterAll(async () => {
  await browser?.close();
  if (uploader) await removeUser(ctx, adminToken, uploader.username);
  rmSync(dir, { recursive: true, force: true });
});

describe('admin storage figures in Chromium', () => {
  it('shows the admin exactly the files and bytes an uploader added, and totals and types equal to the API\'s', async () => {
    // Prepare: the uploader picks two photos and a video through the file chooser.
    const files = { 'red.png': png(300, 200, [200, 40, 40]), 'green.png': png(180, 120, [40, 160, 60]), 'clip.mp4': video('mp4') };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
    const sizes = Object.keys(files).map((name) => statSync(path.join(dir, name)).size);
    const uploaderToken = await apiToken(ctx, uploader);
    expect((await callApi(ctx, '/folders', { token: uploaderToken, json: { path: folder } })).status).toBeLessThan(300);
    const uploaderContext = await browser.newContext({ viewport: DESKTOP });
    const uploaderPage = await uploaderContext.newPage();
    await uploaderPage.goto(ctx.appUrl);
    await logIn(uploaderPage, uploader);
    await uploaderPage.goto(`${ctx.appUrl}#${folder}`);
    await uploaderPage.reload();
    await uploaderPage.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: folder.slice(1) }).waitFor();
    const chooser = uploaderPage.waitForEvent('filechooser');
    await uploaderPage.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles(Object.keys(files).map((name) => path.join(dir, name)));
    for (const name of Object.keys(files)) await uploaderPage.getByRole('button', { name: `Open ${name}`, exact: true }).waitFor({ timeout: 60_000 });
    await uploaderContext.close();

    // Act: the admin opens the admin page.
    const adminContext = await browser.newContext({ viewport: DESKTOP });
    const admin = await adminContext.newPage();
    await admin.goto(ctx.appUrl);
    await logIn(admin, ctx.admin);
    await admin.getByRole('button', { name: 'Users' }).click();
    await admin.getByRole('heading', { name: 'Storage' }).waitFor();

    // Assess: the uploader's row is exactly what they added.
    await admin.getByRole('table', { name: 'By uploader' }).waitFor();
    const mine = (await tableRows(admin, 'By uploader')).find((row) => row[0] === uploader.username);
    expect(mine?.slice(1, 3)).toEqual(['3', formatBytes(sizes.reduce((a, b) => a + b, 0))]);
    // Totals and types: what the API says, when it says the same before and after the page read them.
    let matched = false;
    for (let attempt = 0; attempt < 3 && !matched; attempt += 1) {
      const before = (await callApi<StorageStats>(ctx, '/stats/storage', { token: adminToken })).body;
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await admin.getByRole('button', { name: 'Refresh' }).waitFor();
      const total = (await admin.locator('.storage-total').textContent()) ?? '';
      const types = await tableRows(admin, 'By type');
      const after = (await callApi<StorageStats>(ctx, '/stats/storage', { token: adminToken })).body;
      if (JSON.stringify({ ...before, computedAt: '' }) !== JSON.stringify({ ...after, computedAt: '' })) continue;
      expect(total).toContain(`${formatBytes(after.total.bytes)} in ${after.total.files.toLocaleString('en')} file${after.total.files === 1 ? '' : 's'}`);
      const names = { image: 'Images', video: 'Videos', other: 'Other files' } as const;
      expect(types.map((row) => row.slice(0, 3))).toEqual(after.byType.map((t) => [names[t.fileType], t.files.toLocaleString('en'), formatBytes(t.bytes)]));
      matched = true;
    }
    expect(matched).toBe(true);

    // Keyboard: the content types open from their disclosure with Enter.
    const summary = admin.getByText(/^By content type \(\d+\)$/);
    await summary.focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('table', { name: 'By content type' }).waitFor();
    const pngs = (await tableRows(admin, 'By content type')).find((row) => row[0] === 'image/png');
    expect(Number(pngs?.[1])).toBeGreaterThanOrEqual(2);
    // Refresh works from the keyboard too.
    await admin.getByRole('button', { name: 'Refresh' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('table', { name: 'By type' }).waitFor();

    // Readable at 375 px: nothing in the section wider than the screen.
    await admin.setViewportSize(PHONE);
    const overflow = await admin.locator('.storage').evaluate((section) => section.scrollWidth - section.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await storageScreenshots(admin, '20-admin-storage');
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await adminContext.close();
  });

  it('gives viewers and editors a 403 with a clear JSON error, and shows them no admin page', async () => {
    for (const user of [ctx.viewer, ctx.editor]) {
      const answer = await callApi<{ error: { code: string; message: string } }>(ctx, '/stats/storage', { token: await apiToken(ctx, user) });
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toMatch(/storage figures/);
    }
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(ctx.appUrl);
    await logIn(page, ctx.editor);
    expect(await page.getByRole('button', { name: 'Users' }).count()).toBe(0);
    await page.close();
  });
});
