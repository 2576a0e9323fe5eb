/**
 * The app on a phone, in real Chromium with touch (390×844) against the local stack, and the
 * same shell on a desktop (1280×800): the first photo near the top after login, the overflow
 * menu, the folder drawer, the selection's bottom bar, the upload indicator that never shrinks
 * the grid, the viewer's swipe, pinch and double-tap, a tile turning from placeholder to
 * poster without a reload, dark mode; axe on every screen. Screenshots in
 * test-artifacts/screenshots/phone-*.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext as PlaywrightContext, CDPSession, Page } from 'playwright-core';
import type { FileItem } from '../../contract/wire';
import { video } from '../support/media-samples';
import { addUser, apiToken, callApi, removeUser, uploadViaApi } from './support/api';
import { DESKTOP, launchChromium, SCREENSHOT_DIR, seriousAxeViolations, settled } from './support/chromium';
import { browserContext, type BrowserUser } from './support/context';
import { png } from './support/media-files';
import { logIn, tile } from './support/session';

jest.setTimeout(240_000);

const PHONE_390 = { width: 390, height: 844 } as const;
const ctx = browserContext();
const folder = `/phone-${randomBytes(3).toString('hex')}`;
const scratch = mkdtempSync(path.join(tmpdir(), 'phone-test-'));
let browser: Browser;
let adminToken: string;
let editor: BrowserUser;
const contexts: PlaywrightContext[] = [];
const PHOTOS = ['a-red.png', 'b-green.png', 'c-blue.png', 'd-amber.png'];

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForTimeout(150);
  await settled(page);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** A logged-in page in a phone context (touch, mobile viewport) or a desktop one, showing `folder`. */
async function signedIn(kind: 'phone' | 'desktop', options: { colorScheme?: 'dark' | 'light' } = {}): Promise<Page> {
  const context = await browser.newContext(kind === 'phone'
    ? { viewport: PHONE_390, hasTouch: true, isMobile: true, deviceScaleFactor: 2, colorScheme: options.colorScheme ?? 'light' }
    : { viewport: DESKTOP, colorScheme: options.colorScheme ?? 'light' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${ctx.appUrl}#${folder}`);
  await logIn(page, editor);
  await tile(page, PHOTOS[0] as string).waitFor();
  await page.waitForLoadState('networkidle');
  return page;
}

/** One finger from `from` to `to` in `steps` moves, as a phone's touch screen reports it. */
async function swipe(cdp: CDPSession, from: { x: number; y: number }, to: { x: number; y: number }, steps = 8): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
  for (let i = 1; i <= steps; i += 1) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps }] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** Two fingers moving apart around `centre`, from `start` px to `end` px between them. */
async function pinch(cdp: CDPSession, centre: { x: number; y: number }, start: number, end: number, steps = 8): Promise<void> {
  const points = (gap: number) => [{ x: centre.x - gap / 2, y: centre.y, id: 0 }, { x: centre.x + gap / 2, y: centre.y, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(start) });
  for (let i = 1; i <= steps; i += 1) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(start + ((end - start) * i) / steps) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function tap(cdp: CDPSession, at: { x: number; y: number }): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** The zoom of the viewer's picture, from its transform. */
const zoomOf = (page: Page): Promise<number> =>
  page.evaluate<number>(`(() => { const m = /scale\\(([\\d.]+)\\)/.exec(document.querySelector('.lightbox .picture').style.transform); return m ? Number(m[1]) : 1; })()`);

beforeAll(async () => {
  browser = await launchChromium();
  adminToken = await apiToken(ctx, ctx.admin);
  editor = await addUser(ctx, adminToken, 'web-phone', 'editor');
  const token = await apiToken(ctx, editor);
  expect((await callApi(ctx, '/folders', { token, json: { path: folder } })).status).toBeLessThan(300);
  expect((await callApi(ctx, '/folders', { token, json: { path: `${folder}/trips` } })).status).toBeLessThan(300);
  const colours: [number, number, number][] = [[200, 50, 50], [40, 160, 70], [40, 80, 200], [230, 170, 40]];
  await Promise.all(PHOTOS.map((name, i) => uploadViaApi<FileItem>(ctx, token, { folder, name, bytes: png(480 + i * 40, 320, colours[i] as [number, number, number]), contentType: 'image/png' }, (f) => f.thumbUrl !== undefined, 120_000)));
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  if (editor) await removeUser(ctx, adminToken, editor.username);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the shell on a 390×844 phone', () => {
  it('shows the first photo at most 160 px from the top after login, with one compact bar above it', async () => {
    // Act
    const page = await signedIn('phone');
    // Assess
    const first = await tile(page, PHOTOS[0] as string).boundingBox();
    expect(first?.y).toBeLessThanOrEqual(160);
    expect((await page.locator('header.top').boundingBox())?.height).toBeLessThanOrEqual(56);
    // The menu's entries are out of sight until it opens.
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    await shot(page, 'phone-folder-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('holds the rest in the overflow menu: it opens, its entries work, and Esc closes it', async () => {
    // Prepare
    const page = await signedIn('phone');
    // Act
    await page.getByRole('button', { name: 'More' }).tap();
    // Assess
    for (const name of ['Upload folder', 'New folder', 'Share folder', 'Log out']) await page.getByRole('button', { name, exact: true }).waitFor();
    // The views, in the menu's main navigation (the bar's drawer button is named Folders too).
    for (const name of ['Timeline', 'Folders', 'Shares']) await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true }).waitFor();
    await page.getByLabel('Sort by').waitFor();
    expect(await page.getByRole('button', { name: 'More' }).getAttribute('aria-expanded')).toBe('true');
    await shot(page, 'phone-menu-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Log out' }).waitFor({ state: 'hidden' });
    // An entry does its work and closes the menu.
    await page.getByRole('button', { name: 'More' }).tap();
    await page.getByRole('button', { name: 'New folder', exact: true }).tap();
    await page.getByRole('dialog').waitFor();
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
  });

  it('opens the folder tree as a drawer, and a folder picked there closes it and opens', async () => {
    const page = await signedIn('phone');
    expect(await page.getByRole('navigation', { name: 'Folders' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Folders' }).tap();
    const tree = page.getByRole('navigation', { name: 'Folders' });
    await tree.waitFor();
    await page.getByRole('button', { name: `Expand ${folder.slice(1)}` }).waitFor().catch(() => undefined);
    await shot(page, 'phone-drawer-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await tree.getByRole('button', { name: 'All folders', exact: true }).tap();
    await tree.waitFor({ state: 'hidden' });
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: 'Home', exact: true }).waitFor();
  });

  it('keeps the closed drawer out of sight when a desktop window narrows to phone width (no slide across the grid)', async () => {
    // Prepare: a desktop window, where the tree stands beside the grid
    const page = await signedIn('desktop');
    // Act
    await page.setViewportSize(PHONE_390);
    // Assess: at once, nothing moving and the drawer wholly left of the screen
    const drawer = await page.evaluate<{ right: number; moving: number }>(`(() => {
      const drawer = document.getElementById('folder-drawer');
      return { right: drawer.getBoundingClientRect().right, moving: drawer.getAnimations().length };
    })()`);
    expect(drawer).toEqual({ right: expect.any(Number), moving: 0 });
    expect(drawer.right).toBeLessThanOrEqual(0);
    await tile(page, PHOTOS[0] as string).waitFor();
  });

  it('shows a selection\'s actions in a bar at the bottom of the screen', async () => {
    const page = await signedIn('phone');
    await page.getByRole('checkbox', { name: `Select ${PHOTOS[1]}` }).tap();
    const bar = page.getByRole('toolbar', { name: 'Selection' });
    await bar.getByText('1 selected').waitFor();
    for (const name of ['Download', 'Share', 'Move', 'Delete', 'Clear selection']) await bar.getByRole('button', { name, exact: true }).waitFor();
    const box = await bar.boundingBox();
    // At the foot of the screen (the page's 4-px margin below it).
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeGreaterThanOrEqual(PHONE_390.height - 8);
    // In one row, inside the screen: every button at the same height, none past its right edge.
    const buttons = await bar.getByRole('button').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return { top: Math.round(r.top), right: r.right }; }));
    expect(new Set(buttons.map((b) => b.top)).size).toBe(1);
    for (const b of buttons) expect(b.right).toBeLessThanOrEqual(PHONE_390.width);
    await shot(page, 'phone-selection-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await bar.getByRole('button', { name: 'Clear selection' }).tap();
    await bar.waitFor({ state: 'hidden' });
  });
});

describe('the shell on a desktop', () => {
  it('keeps one top bar on Timeline and Folders: the same height, the views and account where they were', async () => {
    // Prepare: the folder, whose filter, sort and actions stand at the top of the folder, not in the bar
    const page = await signedIn('desktop');
    await page.getByLabel('Sort by').waitFor();
    const bar = async (): Promise<unknown> => {
      const header = (await page.locator('header.top').boundingBox())!;
      const places = await page.locator('header.top nav[aria-label="Main"] button, header.top .who, header.top button:text("Log out")').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return [e.textContent, Math.round(r.x), Math.round(r.y)]; }));
      return { height: Math.round(header.height), places };
    };
    const inFolders = await bar();
    expect(await page.locator('header.top').getByLabel('Sort by').count()).toBe(0);
    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Timeline' }).click();
    await page.getByRole('main', { name: 'Timeline' }).waitFor();
    // Assess
    expect(await bar()).toEqual(inFolders);
    expect((inFolders as { height: number }).height).toBeLessThanOrEqual(56);
    await page.locator('.tl-tile img').first().waitFor();
    await shot(page, 'phone-timeline-bar-desktop');
  });
});

describe('the upload indicator', () => {
  for (const kind of ['phone', 'desktop'] as const) {
    it(`on a ${kind}: uploads show as a small ring that never covers or shrinks the grid, and open into the list on a tap`, async () => {
      // Prepare
      const page = await signedIn(kind);
      const gridBefore = await page.locator('.grid-scroller').boundingBox();
      const name = `upload-${kind}.png`;
      // A picture of its own per kind: the app would skip the second as already in the library.
      writeFileSync(path.join(scratch, name), png(300, 200, kind === 'phone' ? [90, 90, 90] : [91, 91, 91]));
      // Act
      const chooser = page.waitForEvent('filechooser');
      if (kind === 'phone') await page.getByRole('button', { name: 'Upload', exact: true }).tap();
      else await page.getByRole('button', { name: 'Upload files' }).click();
      await (await chooser).setFiles(path.join(scratch, name));
      // Assess: the ring, in the top bar, and the grid as large as before.
      const indicator = page.getByRole('button', { name: /^Uploads / });
      await indicator.waitFor();
      await tile(page, name).waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Uploads 1/1 done, 100 %', exact: true }).waitFor();
      const ring = await indicator.boundingBox();
      const header = await page.locator('header.top').boundingBox();
      expect(ring!.y + ring!.height).toBeLessThanOrEqual(header!.y + header!.height);
      expect(await page.locator('.grid-scroller').boundingBox()).toEqual(gridBefore);
      expect(await page.getByRole('region', { name: 'Uploads' }).count()).toBe(0);
      await shot(page, `phone-upload-ring-${kind}`);
      // Act: a tap opens the list.
      await (kind === 'phone' ? indicator.tap() : indicator.click());
      const list = page.getByRole('region', { name: 'Uploads' });
      await list.getByText(name).waitFor();
      await list.getByText(/^done/).waitFor();
      // The list opens under the top bar, covering none of its buttons (on a desktop, in the bottom right corner, over none of the folder's tools either).
      const topBar = (await page.locator('header.top').boundingBox())!;
      const listBox = (await list.boundingBox())!;
      expect(listBox.y).toBeGreaterThanOrEqual(topBar.y + topBar.height);
      if (kind === 'desktop') {
        const tools = (await page.getByRole('toolbar', { name: 'Files' }).boundingBox())!;
        expect(listBox.y).toBeGreaterThanOrEqual(tools.y + tools.height);
        expect(listBox.y + listBox.height).toBeLessThanOrEqual(DESKTOP.height);
      }
      await shot(page, `phone-upload-list-${kind}`);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await list.getByRole('button', { name: 'Close uploads' }).click();
      await list.waitFor({ state: 'hidden' });
    });
  }
});

describe('the viewer on a phone', () => {
  it('moves to the next item on a swipe left, back on a swipe right, and closes on a swipe down', async () => {
    const page = await signedIn('phone');
    const cdp = await page.context().newCDPSession(page);
    await tile(page, PHOTOS[0] as string).tap();
    await page.getByRole('dialog', { name: PHOTOS[0] }).waitFor();
    // The bar shows the close button and the file's name, on screen (the focused close button scrolls nothing away).
    for (const shown of [page.getByRole('button', { name: 'Close', exact: true }), page.getByRole('dialog', { name: PHOTOS[0] }).getByText(PHOTOS[0] as string, { exact: true })]) {
      const at = (await shown.boundingBox())!;
      expect(at.x).toBeGreaterThanOrEqual(0);
      expect(at.x + at.width).toBeLessThanOrEqual(PHONE_390.width);
    }
    await shot(page, 'phone-viewer-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Act: swipe left
    await swipe(cdp, { x: 320, y: 420 }, { x: 60, y: 430 });
    // Assess
    await page.getByRole('dialog', { name: PHOTOS[1] }).waitFor();
    await swipe(cdp, { x: 60, y: 420 }, { x: 330, y: 410 });
    await page.getByRole('dialog', { name: PHOTOS[0] }).waitFor();
    // A short drag springs back: still the same item.
    await swipe(cdp, { x: 200, y: 420 }, { x: 180, y: 420 }, 3);
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog', { name: PHOTOS[0] }).count()).toBe(1);
    // Swipe down closes.
    await swipe(cdp, { x: 200, y: 300 }, { x: 205, y: 560 });
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('fits its bar on the screen and keeps Show original, Rename, Edit tags and Share in a menu that a tap or Esc closes', async () => {
    const page = await signedIn('phone');
    await tile(page, PHOTOS[3] as string).tap();
    const viewer = page.getByRole('dialog', { name: PHOTOS[3] });
    await viewer.waitFor();
    // Every control of the bar on screen, none scrolled out of it.
    const bar = page.locator('.lightbox-bar');
    expect(await bar.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    for (const name of ['Close', 'Info', 'Download', 'More actions']) {
      const at = (await viewer.getByRole('button', { name, exact: true }).boundingBox())!;
      expect(at.x).toBeGreaterThanOrEqual(0);
      expect(at.x + at.width).toBeLessThanOrEqual(PHONE_390.width);
    }
    expect(await viewer.getByRole('button', { name: 'Rename', exact: true }).isVisible()).toBe(false);
    // Act: open the menu.
    await viewer.getByRole('button', { name: 'More actions' }).tap();
    // Assess
    for (const name of ['Show original', 'Rename', 'Edit tags', 'Share']) expect(await viewer.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    await shot(page, 'phone-viewer-menu-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Esc closes the menu, not the viewer.
    await page.keyboard.press('Escape');
    await viewer.getByRole('button', { name: 'Rename', exact: true }).waitFor({ state: 'hidden' });
    expect(await viewer.count()).toBe(1);
    // An entry does its work and closes the menu.
    await viewer.getByRole('button', { name: 'More actions' }).tap();
    await viewer.getByRole('button', { name: 'Rename', exact: true }).tap();
    const rename = page.getByRole('dialog', { name: `Rename ${PHOTOS[3]}` });
    await rename.waitFor();
    await rename.getByRole('button', { name: 'Cancel' }).tap();
    await rename.waitFor({ state: 'detached' });
  });

  it('zooms on a pinch and pans the zoomed photo instead of swiping; a double tap zooms in and out', async () => {
    const page = await signedIn('phone');
    const cdp = await page.context().newCDPSession(page);
    await tile(page, PHOTOS[2] as string).tap();
    await page.getByRole('dialog', { name: PHOTOS[2] }).waitFor();
    const stage = (await page.locator('.lightbox .stage').boundingBox())!;
    const centre = { x: stage.x + stage.width / 2, y: stage.y + stage.height / 2 };
    // Act: pinch out from 80 to 240 px.
    await pinch(cdp, centre, 80, 240);
    // Assess: about three times larger.
    expect(await zoomOf(page)).toBeGreaterThan(2.5);
    await shot(page, 'phone-viewer-zoomed-phone');
    // Zoomed, a one-finger drag pans: still the same item.
    await swipe(cdp, { x: centre.x + 100, y: centre.y }, { x: centre.x - 100, y: centre.y });
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog', { name: PHOTOS[2] }).count()).toBe(1);
    // A double tap goes back to the whole photo, another zooms in again.
    await tap(cdp, centre);
    await tap(cdp, centre);
    await page.waitForTimeout(300);
    expect(await zoomOf(page)).toBe(1);
    await tap(cdp, centre);
    await tap(cdp, centre);
    await page.waitForTimeout(300);
    expect(await zoomOf(page)).toBe(2.5);
    // The keyboard works as before on the same viewer.
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });
});

describe('live tiles', () => {
  it('shows a new video as a placeholder, then its poster once processing made it, without a reload', async () => {
    // Prepare: the page records what the new tile shows, each time it changes.
    const page = await signedIn('desktop');
    const name = 'live-clip.mp4';
    // Bytes of its own: other tests upload the same sample, and the app skips content already in the library.
    writeFileSync(path.join(scratch, name), video('mp4', name));
    let navigations = 0;
    page.on('framenavigated', () => { navigations += 1; });
    await page.evaluate(`(() => {
      const seen = (window.seen = []);
      new MutationObserver(() => {
        const button = document.querySelector('button[aria-label="Open ${name}"]');
        if (!button) return;
        const state = button.querySelector('img') ? 'picture' : 'placeholder';
        if (seen.at(-1) !== state) seen.push(state);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    // Act
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles(path.join(scratch, name));
    // Assess: placeholder first, then the poster, in the same document.
    await tile(page, name).locator('img').waitFor({ timeout: 90_000 });
    expect(await page.evaluate<string[]>('window.seen')).toEqual(['placeholder', 'picture']);
    expect(navigations).toBe(0);
    await shot(page, 'phone-live-tile-desktop');
  });
});

describe('dark mode', () => {
  it('follows the system: dark colours, and axe finds no contrast problem', async () => {
    const page = await signedIn('phone', { colorScheme: 'dark' });
    const background = await page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    expect((r ?? 255) + (g ?? 255) + (b ?? 255)).toBeLessThan(120);
    await shot(page, 'phone-dark-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'More' }).tap();
    await shot(page, 'phone-dark-menu-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

describe('the installable app', () => {
  it('has a manifest with its icons and share target, and a Service Worker that caches the app shell only', async () => {
    // Prepare: a session that lists the folder and shows its thumbnails (API calls and presigned media).
    const page = await signedIn('phone');
    await page.evaluate('navigator.serviceWorker.ready');
    await page.reload();
    await tile(page, PHOTOS[0] as string).locator('img').waitFor();
    await page.waitForLoadState('networkidle');
    // Assess: the manifest and its icons.
    const manifestUrl = new URL((await page.locator('link[rel=manifest]').getAttribute('href')) as string, ctx.appUrl);
    const manifest = (await (await fetch(manifestUrl)).json()) as { display: string; icons: { src: string; sizes: string; type: string }[]; share_target: { action: string; method: string; enctype: string; params: { files: { name: string }[] } } };
    expect(manifest.display).toBe('standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size);
      const answer = await fetch(new URL(icon?.src as string, ctx.appUrl));
      expect(answer.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await answer.arrayBuffer());
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(size);
    }
    expect(manifest.share_target).toMatchObject({ method: 'POST', enctype: 'multipart/form-data' });
    // Only the shell is cached: same-origin build files, never /api, media or a presigned URL.
    const cached = await page.evaluate<string[]>(`(async () => {
      const out = [];
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) out.push(name + ' ' + request.url);
      return out;
    })()`);
    expect(cached.length).toBeGreaterThan(3);
    for (const entry of cached) {
      const [name, url] = entry.split(' ') as [string, string];
      expect(name).toMatch(/^shell-/);
      expect(new URL(url).origin).toBe(new URL(ctx.appUrl).origin);
      expect(new URL(url).pathname).toMatch(/^\/(index\.html|manifest\.webmanifest|icon\.svg|assets\/[^/]+\.(js|css)|icons\/[^/]+\.png)$/);
      expect(new URL(url).search).toBe('');
    }
  });

  it('uploads files shared to it (POSTed to the manifest\'s share target, as a phone\'s share sheet does) into the folder the user picks', async () => {
    // Prepare: the installed app (its Service Worker active), two photos to share.
    const page = await signedIn('phone');
    await page.evaluate('navigator.serviceWorker.ready');
    const manifest = (await (await fetch(new URL('/manifest.webmanifest', ctx.appUrl))).json()) as { share_target: { action: string; params: { files: { name: string }[] } } };
    const shared = ['shared-1.png', 'shared-2.png'];
    shared.forEach((name, i) => writeFileSync(path.join(scratch, name), png(200 + i * 20, 150, [120, 40 + i * 60, 160])));
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.enctype = 'multipart/form-data';
      form.action = ${JSON.stringify(manifest.share_target.action)};
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.name = ${JSON.stringify(manifest.share_target.params.files[0]?.name)};
      input.id = 'shared-input';
      form.append(input);
      document.body.append(form);
    })()`);
    await page.setInputFiles('#shared-input', shared.map((name) => path.join(scratch, name)));
    // Act: the share sheet's POST navigation.
    await page.evaluate(`document.getElementById('shared-input').form.submit()`).catch(() => undefined);
    const dialog = page.getByRole('dialog', { name: 'Upload 2 shared files' });
    await dialog.waitFor({ timeout: 30_000 });
    expect(page.url()).not.toContain('share-target=');
    await dialog.getByRole('textbox', { name: 'Destination folder' }).fill(`${folder}/trips`);
    await shot(page, 'phone-share-target-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Upload', exact: true }).tap();
    // Assess: they land in the folder picked, which opens.
    for (const name of shared) await tile(page, name).waitFor({ timeout: 60_000 });
    const listing = await callApi<{ files: FileItem[] }>(ctx, `/files?folder=${encodeURIComponent(`${folder}/trips`)}`, { token: await apiToken(ctx, editor) });
    expect(listing.body.files.map((f) => f.name).sort()).toEqual(shared);
  });
});
