/**
 * The web app in real Chromium against the local stack: a user's whole journey, from the
 * login screen to logging out, with screenshots of each screen at desktop and phone sizes
 * (test-artifacts/screenshots) and an axe-core check of each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext as PwContext, Page, Route } from 'playwright-core';
import { browserContext } from './support/context';
import { logIn, tile } from './support/session';
import { DESKTOP, launchChromium, screenshots, seriousAxeViolations } from './support/chromium';
import { largeMp4, png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
const FOLDER = '/holiday';
const VIDEO_BYTES = 100 * 1024 * 1024 + 12_345;
const HELD_BEFORE_RELOAD = 4;

let browser: Browser;
let context: PwContext;
let page: Page;
let dir: string;
const images = ['beach.png', 'forest.png', 'sky.png'];
let videoFile: string;

async function expectNoSeriousAxeViolations(target: Page): Promise<void> {
  expect(await seriousAxeViolations(target)).toEqual([]);
}

/** What the test touches of an HTMLVideoElement (the DOM library is not in the Node tests' types). */
interface PlayableVideo {
  muted: boolean;
  currentTime: number;
  readonly duration: number;
  readonly readyState: number;
  readonly error: { readonly message: string } | null;
  play(): Promise<void>;
  pause(): void;
  addEventListener(type: string, listener: (event: unknown) => void, options?: { once?: boolean }): void;
}


beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-web-files-'));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  page = await context.newPage();
  const colours: [number, number, number][] = [[30, 120, 200], [40, 150, 60], [120, 170, 230]];
  images.forEach((name, i) => writeFileSync(path.join(dir, name), png(240 + i * 40, 160, colours[i] as [number, number, number])));
  await page.goto(ctx.appUrl);
  videoFile = path.join(dir, 'clip.mp4');
  await largeMp4(page, videoFile, VIDEO_BYTES);
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web app journey in Chromium', () => {
  it('serves the app with a strict CSP, nosniff and no framing, and the API under /api', async () => {
    const response = await page.goto(ctx.appUrl);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toBe('no-cache');
    const health = await page.request.get(`${ctx.appUrl}api/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const deepLink = await page.request.get(`${ctx.appUrl}s/some-share-token`);
    expect(deepLink.headers()['content-type']).toContain('text/html');
  });

  it('shows the login screen and says so when the password is wrong', async () => {
    await page.getByLabel('Username').waitFor();
    await screenshots(page, '01-login');
    await expectNoSeriousAxeViolations(page);
    await logIn(page, { username: ctx.editor.username, password: 'not-the-password' }, { expectLoggedIn: false });
    await page.getByText('Wrong username or password.').waitFor();
    await screenshots(page, '02-login-wrong-password');
  });

  it('tells a throttled user how long to wait', async () => {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      await logIn(page, { username: ctx.throttled.username, password: 'wrong' }, { expectLoggedIn: false });
      const message = await page.getByRole('alert').textContent();
      if (message?.startsWith('Too many failed attempts')) break;
    }
    await page.getByText(/Too many failed attempts\. Try again in \d+ (min|s)/).waitFor();
    await screenshots(page, '03-login-throttled');
  });

  it('logs in and creates a folder', async () => {
    await logIn(page, ctx.editor);
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill(FOLDER.slice(1));
    await screenshots(page, '04-new-folder-dialog');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText(`Created folder ${FOLDER}`).waitFor();
    await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: FOLDER.slice(1), exact: true }).click();
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: FOLDER.slice(1) }).waitFor();
    await screenshots(page, '05-empty-folder');
    await expectNoSeriousAxeViolations(page);
  });

  it('uploads three images and a 100 MiB video through the file chooser; after a reload mid-upload only the missing parts are sent', async () => {
    // Parts after the first few wait, so the reload lands mid-upload.
    const heldRoutes: Route[] = [];
    const partsDone = new Set<number>();
    const partOf = (url: string): number | undefined => {
      const n = new URL(url).searchParams.get('partNumber');
      return n === null ? undefined : Number(n);
    };
    await page.route((url) => url.searchParams.has('partNumber'), (route) => {
      if ((partOf(route.request().url()) as number) > HELD_BEFORE_RELOAD) heldRoutes.push(route);
      else void route.continue();
    });
    const onFinished = (request: { url(): string; method(): string }): void => {
      const n = partOf(request.url());
      if (request.method() === 'PUT' && n !== undefined) partsDone.add(n);
    };
    page.on('requestfinished', onFinished);

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles([...images.map((n) => path.join(dir, n)), videoFile]);
    for (const name of images) await tile(page, name).waitFor({ timeout: 60_000 });
    for (let i = 0; i < 600 && [...partsDone].filter((n) => n <= HELD_BEFORE_RELOAD).length < HELD_BEFORE_RELOAD; i += 1) await page.waitForTimeout(100);
    expect([...partsDone].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    await screenshots(page, '06-uploading');
    page.off('requestfinished', onFinished);

    // Reload with the held parts still held: the old page's requests die with it. Unrouting first
    // would release them (Chromium continues paused requests when interception stops), and a
    // part could reach S3 before the reload cancelled it.
    await page.reload();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    // The session survives the reload (the refresh cookie), though the access token lived in memory only.
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    // No token in storage a script could read.
    expect(await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).not.toMatch(/eyJ/);
    // The top bar's upload ring says an upload needs attention; a press opens the list, which says what to do.
    const indicator = page.getByRole('button', { name: /^Uploads \d+\/\d+ done, \d+ %, some need attention$/ });
    await indicator.click();
    expect(await indicator.getAttribute('aria-expanded')).toBe('true');
    await page.getByText('interrupted — select the file again to resume').waitFor();
    await screenshots(page, '07-upload-interrupted');

    const sentAfterReload: number[] = [];
    page.on('request', (request) => {
      const n = partOf(request.url());
      if (request.method() === 'PUT' && n !== undefined) sentAfterReload.push(n);
    });
    const again = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await again).setFiles(videoFile);
    await tile(page, 'clip.mp4').waitFor({ timeout: 120_000 });
    const partCount = Math.ceil(VIDEO_BYTES / (8 * 1024 * 1024));
    expect(new Set(sentAfterReload)).toEqual(new Set(Array.from({ length: partCount - HELD_BEFORE_RELOAD }, (_, i) => i + HELD_BEFORE_RELOAD + 1)));
    await page.getByText(`${HELD_BEFORE_RELOAD} parts already sent`).waitFor().catch(() => undefined);
    expect(heldRoutes.length).toBeGreaterThan(0);
    // The list folds back into the ring, which no longer asks for attention.
    await page.getByRole('button', { name: 'Close uploads' }).click();
    await page.getByRole('button', { name: /^Uploads (\d+)\/\1 done, 100 %$/ }).waitFor();
    expect(await page.getByText('interrupted — select the file again to resume').count()).toBe(0);
  });

  it('shows a tile for every file with its name, thumbnail or type icon', async () => {
    for (const name of [...images, 'clip.mp4']) await expect(tile(page, name).isVisible()).resolves.toBe(true);
    const tiles = page.getByRole('list', { name: 'Files' }).getByRole('listitem');
    expect(await tiles.count()).toBe(4);
    // Images and icons carry their size: no layout shift.
    const sizes = await page.locator('.tile img, .tile svg').evaluateAll((els) => els.map((e) => [e.getAttribute('width'), e.getAttribute('height')]));
    expect(sizes.length).toBe(4);
    for (const [w, h] of sizes) expect(Number(w) > 0 && Number(h) > 0).toBe(true);
    await screenshots(page, '08-folder-with-files');
  });

  it('opens the lightbox, moves with the arrow keys, shows metadata, and Esc closes it', async () => {
    await tile(page, 'beach.png').click();
    const lightbox = page.getByRole('dialog', { name: 'beach.png' });
    await lightbox.waitFor();
    const image = lightbox.getByRole('img', { name: 'beach.png' });
    const naturalWidth = (): Promise<number> => image.evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete ? i.naturalWidth : 0; });
    for (let i = 0; i < 100 && (await naturalWidth()) === 0; i += 1) await page.waitForTimeout(100);
    expect(await naturalWidth()).toBe(240);
    await screenshots(page, '09-lightbox-image');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'forest.png' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor();
    await page.getByRole('button', { name: 'Info' }).click();
    await page.getByText('Uploaded by').waitFor();
    await expect(page.getByText(ctx.editor.username, { exact: true }).count()).resolves.toBeGreaterThan(0);
    await screenshots(page, '10-lightbox-metadata');
    await expectNoSeriousAxeViolations(page);
    await page.getByRole('button', { name: 'Info' }).click();
  });

  it('plays the video and seeks in it', async () => {
    const video = page.getByRole('dialog', { name: 'clip.mp4' }).locator('video');
    await video.waitFor();
    const outcome = await video.evaluate(async (element) => {
      const v = element as unknown as PlayableVideo;
      v.muted = true;
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      await v.play();
      await new Promise((r) => setTimeout(r, 700));
      const playedTo = v.currentTime;
      v.pause();
      v.currentTime = 2.5;
      await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      return { playedTo, seekedTo: v.currentTime, duration: v.duration, error: v.error?.message ?? null };
    });
    expect(outcome.error).toBeNull();
    expect(outcome.playedTo).toBeGreaterThan(0);
    expect(outcome.seekedTo).toBeCloseTo(2.5, 0);
    expect(outcome.duration).toBeGreaterThan(3);
    await screenshots(page, '11-lightbox-video');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'clip.mp4' }).waitFor({ state: 'detached' });
  });

  it('downloads two files as one ZIP whose entries are the uploaded bytes', async () => {
    await page.getByRole('checkbox', { name: 'Select beach.png' }).check();
    await page.getByRole('checkbox', { name: 'Select sky.png' }).check();
    await screenshots(page, '12-selection');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download ZIP' }).click();
    const zipPath = path.join(dir, 'download.zip');
    await (await download).saveAs(zipPath);
    const listed = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listed).toEqual(['beach.png', 'sky.png']);
    for (const name of listed) {
      expect(execFileSync('unzip', ['-p', zipPath, name]).equals(readFileSync(path.join(dir, name)))).toBe(true);
    }
    execFileSync('unzip', ['-tq', zipPath]);
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('renames, moves and deletes files', async () => {
    await tile(page, 'forest.png').click();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name').fill('woods.png');
    await screenshots(page, '13-rename-dialog');
    await page.getByRole('dialog', { name: 'Rename forest.png' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog', { name: 'woods.png' }).waitFor();
    await page.keyboard.press('Escape');
    await tile(page, 'woods.png').waitFor();

    await page.getByRole('checkbox', { name: 'Select woods.png' }).check();
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByLabel('Destination folder').fill(`${FOLDER}/best`);
    await screenshots(page, '14-move-dialog');
    await page.getByRole('dialog', { name: 'Move woods.png' }).getByRole('button', { name: 'Move' }).click();
    await page.getByText(`Moved 1 file to ${FOLDER}/best`).waitFor();
    await tile(page, 'woods.png').waitFor({ state: 'detached' });

    await page.getByRole('checkbox', { name: 'Select sky.png' }).check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await screenshots(page, '15-delete-dialog');
    await page.getByRole('dialog', { name: 'Delete sky.png?' }).getByRole('button', { name: 'Delete' }).click();
    await tile(page, 'sky.png').waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: 'best', exact: true }).click();
    await tile(page, 'woods.png').waitFor();
  });

  it('shows a viewer no write controls', async () => {
    const viewerPage = await context.newPage();
    // A second tab shares the refresh cookie once sessions exist; log in as the viewer in a fresh context.
    const viewerContext = await browser.newContext({ viewport: DESKTOP });
    const viewer = await viewerContext.newPage();
    await viewerPage.close();
    await viewer.goto(`${ctx.appUrl}#${FOLDER}`);
    await logIn(viewer, ctx.viewer);
    await tile(viewer, 'beach.png').waitFor();
    for (const name of ['Upload files', 'Upload folder', 'New folder', 'Delete folder']) {
      expect(await viewer.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await viewer.getByRole('checkbox', { name: 'Select beach.png' }).check();
    expect(await viewer.getByRole('button', { name: 'Download', exact: true }).count()).toBe(1);
    for (const name of ['Move', 'Delete']) expect(await viewer.getByRole('button', { name, exact: true }).count()).toBe(0);
    await tile(viewer, 'beach.png').click();
    expect(await viewer.getByRole('button', { name: 'Rename' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Edit tags' }).count()).toBe(0);
    await viewer.keyboard.press('Escape');
    await screenshots(viewer, '16-viewer');
    await viewerContext.close();
  });

  it('lets an admin add a user, showing the generated password once, change its role and remove it', async () => {
    const adminContext = await browser.newContext({ viewport: DESKTOP });
    const admin = await adminContext.newPage();
    admin.on('dialog', (dialog) => void dialog.accept());
    await admin.goto(ctx.appUrl);
    await logIn(admin, ctx.admin);
    await admin.getByRole('button', { name: 'Users' }).click();
    await admin.getByLabel('Username').fill('web-newcomer');
    await admin.getByRole('button', { name: 'Add user' }).click();
    const secret = admin.getByRole('status').filter({ hasText: 'shown only this once' });
    await secret.waitFor();
    const password = (await secret.locator('code').textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    await screenshots(admin, '17-admin-users');
    await expectNoSeriousAxeViolations(admin);
    // The password works, and is not shown again.
    const login = await admin.request.post(`${ctx.appUrl}api/auth/login`, { data: { username: 'web-newcomer', password } });
    expect(login.status()).toBe(200);
    await secret.getByRole('button', { name: 'I have saved it' }).click();
    expect(await admin.getByText(password).count()).toBe(0);
    await admin.getByRole('combobox', { name: 'Role of web-newcomer' }).selectOption('editor');
    await admin.getByText('web-newcomer: role editor').waitFor();
    await admin.getByRole('row', { name: /web-newcomer/ }).getByRole('button', { name: 'Remove' }).click();
    await admin.getByRole('row', { name: /web-newcomer/ }).waitFor({ state: 'detached' });
    await adminContext.close();
  });

  it('logs out to the login screen, and a reload does not bring the session back', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Username').waitFor();
    await page.reload();
    await page.getByLabel('Username').waitFor();
    const refresh = await page.request.post(`${ctx.appUrl}api/auth/refresh`, { data: {} });
    expect(refresh.status()).toBe(401);
  });
});
