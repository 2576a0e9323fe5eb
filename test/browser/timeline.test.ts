/**
 * The timeline in real Chromium against the local stack: login lands on it (a phone with touch
 * and a desktop), with a photo near the top; photos keep their own aspect ratio; the scrubber
 * jumps to a month five years back and shows its thumbnails; a tile opens the viewer; axe finds
 * nothing serious. The user is limited to this test's folder, so the timeline is this test's
 * files alone. Screenshots at 1280×800 and 390×844 (test-artifacts/screenshots/timeline-*).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { FileItem } from '../../contract/wire';
import { addUser, apiToken, callApi, removeUser, uploadViaApi } from './support/api';
import { DESKTOP, launchChromium, SCREENSHOT_DIR, seriousAxeViolations, settled } from './support/chromium';
import { browserContext, type BrowserUser } from './support/context';
import { logIn, tile } from './support/session';

jest.setTimeout(300_000);

const ctx = browserContext();
const folder = `/timeline-${randomBytes(3).toString('hex')}`;
const PHONE_390 = { width: 390, height: 844 } as const;
let browser: Browser;
let adminToken: string;
let user: BrowserUser;

/** A JPEG of one colour, `width`×`height`, taken at `taken` (EXIF, UTC). */
const photo = (width: number, height: number, rgb: [number, number, number], taken: string): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: taken, OffsetTimeOriginal: '+00:00' } })
    .toBuffer();

/** Five recent months (a landscape and a portrait each), and one five years back. */
const RECENT = ['2024:06:14', '2024:05:02', '2024:04:20', '2024:03:09', '2024:02:01'];
const OLD = '2019:06:10';

async function newPage(viewport: { width: number; height: number }, touch: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport, hasTouch: touch, isMobile: touch, deviceScaleFactor: touch ? 2 : 1 });
  const page = await context.newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, user, { view: 'timeline' });
  return page;
}

async function shot(page: Page, name: string, viewport: { width: number; height: number }): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.setViewportSize(viewport);
  await page.waitForTimeout(300);
  await settled(page);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Whether the tile of `name` has painted its thumbnail inside the viewport (in-page code is a string: no DOM types here). */
const SHOWN = (name: string): string => `(() => {
  const button = document.querySelector(${JSON.stringify(`[aria-label="Open ${name}"]`)});
  const img = button && button.querySelector('img');
  const box = button && button.getBoundingClientRect();
  return !!img && img.complete && img.naturalWidth > 0 && box.top >= 0 && box.top < window.innerHeight;
})()`;

/** Polls an in-page expression until it is true (waitForFunction would eval it, which the app's CSP forbids). */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${expression}`);
    await page.waitForTimeout(100);
  }
}

beforeAll(async () => {
  browser = await launchChromium();
  adminToken = await apiToken(ctx, ctx.admin);
  expect((await callApi(ctx, '/folders', { token: adminToken, json: { path: folder } })).status).toBeLessThan(300);
  user = await addUser(ctx, adminToken, 'web-timeline', 'viewer', [folder]);
  const files: [string, Promise<Buffer>][] = [];
  RECENT.forEach((day, i) => {
    files.push([`recent-${i}-wide.jpg`, photo(300, 200, [40 * i, 120, 200], `${day} 10:00:00`)]);
    files.push([`recent-${i}-tall.jpg`, photo(200, 300, [200, 40 * i, 80], `${day} 09:00:00`)]);
  });
  files.push(['old-summer.jpg', photo(300, 200, [250, 200, 0], `${OLD} 12:00:00`)]);
  // One at a time: on a loaded machine a burst of uploads meets function timeouts.
  for (const [name, bytes] of files) {
    await uploadViaApi<FileItem>(ctx, adminToken, { folder, name, bytes: await bytes, contentType: 'image/jpeg' }, (f) => f.thumbUrl !== undefined, 120_000);
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (user) await removeUser(ctx, adminToken, user.username);
});

describe('the timeline in Chromium', () => {
  it('is where login lands on a phone with touch: newest month first, a photo near the top, photos at their own aspect ratio', async () => {
    // Act
    const page = await newPage(PHONE_390, true);
    const newest = tile(page, 'recent-0-wide.jpg');
    await newest.waitFor();
    // Assess
    await page.getByRole('heading', { name: /June 2024/ }).waitFor();
    const box = await newest.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeLessThanOrEqual(160);
    // Justified rows: a 3:2 photo is wider than tall, a 2:3 one taller than wide, no letterbox.
    const wide = (await newest.boundingBox())!;
    const tall = (await tile(page, 'recent-0-tall.jpg').boundingBox())!;
    expect(wide.width / wide.height).toBeCloseTo(1.5, 1);
    expect(tall.width / tall.height).toBeCloseTo(2 / 3, 1);
    expect(await page.getByRole('button', { name: 'Timeline', includeHidden: true }).getAttribute('aria-current')).toBe('page');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(page, 'timeline-phone-390x844', PHONE_390);
    await page.context().close();
  });

  it('jumps with the scrubber to a month five years back and shows its thumbnails; a tile opens the viewer', async () => {
    // Arrange
    const page = await newPage(DESKTOP, false);
    await tile(page, 'recent-0-wide.jpg').waitFor();
    expect(await page.evaluate<boolean>(SHOWN('old-summer.jpg'))).toBe(false);
    const scrubber = page.getByRole('slider', { name: 'Jump to a date' });
    // Act: a click on the scrubber's 2019 label.
    await page.locator('.tl-year', { hasText: '2019' }).click({ force: true });
    // Assess
    await until(page, SHOWN('old-summer.jpg'));
    expect(await scrubber.getAttribute('aria-valuetext')).toBe('June 2019');
    await page.getByRole('heading', { name: /June 2019/ }).waitFor();
    await shot(page, 'timeline-desktop-1280x800', DESKTOP);
    // The keyboard: Home goes back to the newest month.
    await scrubber.focus();
    await page.keyboard.press('Home');
    await until(page, `document.querySelector('[role="slider"]')?.getAttribute('aria-valuetext') === 'June 2024'`);
    // A tile opens the viewer.
    await tile(page, 'recent-0-wide.jpg').click();
    await page.getByRole('dialog', { name: 'recent-0-wide.jpg' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.context().close();
  });

  it('keeps the folders next to it', async () => {
    const page = await newPage(DESKTOP, false);
    // The main navigation's entries (a folder of another test may be called timeline-…).
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Folders', exact: true }).click();
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor();
    expect(await nav.getByRole('button', { name: 'Folders', exact: true }).getAttribute('aria-current')).toBe('page');
    await nav.getByRole('button', { name: 'Timeline', exact: true }).click();
    await tile(page, 'recent-0-wide.jpg').waitFor();
    await page.context().close();
  });
});
