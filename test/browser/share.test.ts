/**
 * Sharing in real Chromium against the local stack: an editor shares an album and a file
 * through the app; visitors open the links in fresh browser contexts (no cookies, no login),
 * see the grid and the lightbox, unlock a password-protected file; revoking ends the link at once.
 * Screenshots at desktop and phone sizes (test-artifacts/screenshots/share-*).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext as PwContext, Page, Request } from 'playwright-core';
import { browserContext } from './support/context';
import { logIn, tile } from './support/session';
import { DESKTOP, launchChromium, screenshots, seriousAxeViolations } from './support/chromium';
import { png } from './support/media-files';

jest.setTimeout(180_000);

const ctx = browserContext();
const FOLDER = 'spain-share';
const images = ['paella.png', 'plaza.png'];
const PASSWORD = 'gazpacho-123';

let browser: Browser;
let owner: PwContext;
let page: Page;
let dir: string;
let albumLink: string;


/** A visitor: a new browser context, so no cookie or storage of the owner's. */
async function visitor(): Promise<{ context: PwContext; page: Page; apiRequests: Request[] }> {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const visitorPage = await context.newPage();
  const apiRequests: Request[] = [];
  visitorPage.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests.push(request);
  });
  return { context, page: visitorPage, apiRequests };
}

async function createLink(target: Page, label: string, password?: string): Promise<string> {
  await target.getByLabel('Expires after (days)').fill('2');
  if (password) await target.getByLabel('Password (optional)').fill(password);
  await target.getByLabel('Label (optional, shown to visitors)').fill(label);
  await target.getByRole('button', { name: 'Create link' }).click();
  const link = await target.getByLabel('Link').inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/s\/[A-Za-z0-9_-]{32}$/);
  return link;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-share-files-'));
  images.forEach((name, i) => writeFileSync(path.join(dir, name), png(320, 200 + i * 40, i ? [200, 120, 40] : [220, 180, 60])));
  browser = await launchChromium();
  owner = await browser.newContext({ viewport: DESKTOP });
  page = await owner.newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, ctx.editor);
  await page.getByRole('button', { name: 'New folder' }).click();
  await page.getByLabel('Folder name').fill(FOLDER);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: FOLDER, exact: true }).click();
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: FOLDER }).waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files' }).click();
  await (await chooser).setFiles(images.map((n) => path.join(dir, n)));
  for (const name of images) await tile(page, name).waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sharing in Chromium', () => {
  it('an editor shares the current folder from the toolbar and gets the link to copy', async () => {
    await page.getByRole('button', { name: 'Share folder' }).click();
    await page.getByRole('dialog', { name: `Share folder /${FOLDER}` }).waitFor();
    await screenshots(page, 'share-01-dialog');
    albumLink = await createLink(page, 'For Grandma');
    await page.getByText('It is shown only now.').waitFor();
    await screenshots(page, 'share-02-link');
    // Done closes the dialog (exactly "Done": the top bar's upload ring is named "Uploads 2/2 done, …").
    const dialog = page.getByRole('dialog', { name: `Share folder /${FOLDER}` });
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('a visitor without cookies opens the album: the grid, then the lightbox, with no download button and no login or refresh call', async () => {
    // Prepare
    const guest = await visitor();
    expect(await guest.context.cookies()).toEqual([]);
    // Act
    await guest.page.goto(albumLink);
    // Assess
    await guest.page.getByRole('heading', { name: 'For Grandma' }).waitFor();
    for (const name of images) await tile(guest.page, name).waitFor();
    await guest.page.locator('.tile img').first().waitFor();
    expect(await guest.page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
    expect(await guest.page.getByRole('checkbox').count()).toBe(0);
    await screenshots(guest.page, 'share-03-album');
    expect(await seriousAxeViolations(guest.page)).toEqual([]);

    await tile(guest.page, 'plaza.png').click();
    const lightbox = guest.page.getByRole('dialog', { name: 'plaza.png' });
    await lightbox.waitFor();
    const size = await lightbox.locator('img.media').evaluate((img) => [(img as unknown as { naturalWidth: number }).naturalWidth, (img as unknown as { naturalHeight: number }).naturalHeight]);
    expect(size).toEqual([320, 240]);
    expect(await lightbox.getByRole('button', { name: 'Download' }).count()).toBe(0);
    await screenshots(guest.page, 'share-04-album-lightbox');
    await guest.page.keyboard.press('ArrowLeft');
    await guest.page.getByRole('dialog', { name: 'paella.png' }).waitFor();

    const paths = guest.apiRequests.map((r) => new URL(r.url()).pathname);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toMatch(/^\/api\/public\/shares\//);
    for (const r of guest.apiRequests) expect(await r.headerValue('authorization')).toBeNull();
    await guest.context.close();
  });

  it('a password-protected file share: wrong password says so, the right one shows the image', async () => {
    await page.getByRole('checkbox', { name: 'Select paella.png' }).check();
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share', exact: true }).click();
    const fileLink = await createLink(page, 'Dinner', PASSWORD);
    // Esc closes the dialog too, the link already made.
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Share paella.png' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Clear selection' }).click();

    const guest = await visitor();
    await guest.page.goto(fileLink);
    await guest.page.getByRole('heading', { name: 'This share is protected' }).waitFor();
    await guest.page.getByLabel('Password').fill('not-it');
    await guest.page.getByRole('button', { name: 'Open' }).click();
    await guest.page.getByRole('alert').filter({ hasText: 'Wrong password.' }).waitFor();
    await screenshots(guest.page, 'share-05-wrong-password');
    await guest.page.getByLabel('Password').fill(PASSWORD);
    await guest.page.getByRole('button', { name: 'Open' }).click();
    await guest.page.getByRole('heading', { name: 'Dinner' }).waitFor();
    await guest.page.getByRole('img', { name: 'paella.png' }).waitFor();
    expect(await guest.page.getByRole('button', { name: 'Download' }).count()).toBe(0);
    await screenshots(guest.page, 'share-06-file');
    await guest.context.close();
  });

  it('a file share that allows downloads shows a Download button that saves the file under its name', async () => {
    await page.getByRole('checkbox', { name: 'Select plaza.png' }).check();
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share', exact: true }).click();
    await page.getByLabel('Allow downloads').check();
    const fileLink = await createLink(page, 'Plaza');
    const dialog = page.getByRole('dialog', { name: 'Share plaza.png' });
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Clear selection' }).click();

    const guest = await visitor();
    await guest.page.goto(fileLink);
    await guest.page.getByRole('img', { name: 'plaza.png' }).waitFor();
    const download = guest.page.waitForEvent('download');
    await guest.page.getByRole('button', { name: 'Download' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('plaza.png');
    const file = await saved.path();
    expect(readFileSync(file).equals(readFileSync(path.join(dir, 'plaza.png')))).toBe(true);
    await guest.context.close();
  });

  it('revoking the album in the Shares list ends the link at once: "This link is not available"', async () => {
    // Prepare
    const guest = await visitor();
    await guest.page.goto(albumLink);
    await tile(guest.page, 'paella.png').waitFor();
    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Shares' }).click();
    await page.getByRole('heading', { name: 'Shares' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'For Grandma' });
    await expect(row.getByRole('cell').nth(5).textContent()).resolves.toMatch(/^[1-9]\d*$/);
    await screenshots(page, 'share-07-list');
    await row.getByRole('button', { name: `Revoke the share of /${FOLDER}` }).click();
    await row.getByText(/^Revoked /).waitFor();
    // Assess
    await guest.page.reload();
    await guest.page.getByRole('heading', { name: 'This link is not available' }).waitFor();
    expect(await tile(guest.page, 'paella.png').count()).toBe(0);
    await screenshots(guest.page, 'share-08-not-available');
    await guest.context.close();
  });
});
