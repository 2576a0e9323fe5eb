/**
 * A drop link in real Chromium against the local stack: an owner opens a folder to uploads; a
 * guest in a fresh context (no cookies, no account) opens `/s/<token>`, sends a ≥ 100 MiB
 * video in parts, reloads mid-upload and resumes with only the missing parts; the video lands
 * in the owner's folder attributed to the link's label; one more file past the quota is
 * refused with a clear message; and the guest never sees another file of the folder, in the
 * page or in any answer it receives. Screenshots at desktop and phone sizes (drop-*).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext as PwContext, type Page, type Request, type Route } from 'playwright-core';
import type { CreatedShare, FileItem, FilePage } from '../../contract/wire';
import { browserContext } from './support/context';
import { logIn } from './support/session';
import { DESKTOP, launchChromium, screenshots, seriousAxeViolations } from './support/chromium';
import { largeMp4, png } from './support/media-files';

jest.setTimeout(300_000);

const ctx = browserContext();
const FOLDER = 'wedding-inbox';
const LABEL = 'Anna & Ben wedding';
const SECRET = 'owners-private-photo.png';
const VIDEO = 'ceremony.mp4';
const EXTRA = 'one-more.png';
const MiB = 1024 * 1024;
const PART_SIZE = 8 * MiB;
const HELD_BEFORE_RELOAD = 4;

let browser: Browser;
let ownerApi: APIRequestContext;
let ownerToken: string;
let owner: Page;
let dir: string;
let videoFile: string;
let videoBytes: number;
let secretId: string;
let link: string;

const partNumberOf = (url: string): number | undefined => {
  const n = new URL(url).searchParams.get('partNumber');
  return n === null ? undefined : Number(n);
};

async function ownerCall<T>(method: 'GET' | 'POST' | 'DELETE', route: string, data?: unknown): Promise<T> {
  const response = await ownerApi.fetch(`${ctx.appUrl}api${route}`, { method, headers: { authorization: `Bearer ${ownerToken}` }, ...(data !== undefined ? { data } : {}) });
  expect(response.status()).toBeLessThan(300);
  return (response.status() === 204 ? undefined : await response.json()) as T;
}

async function folderFiles(): Promise<readonly FileItem[]> {
  return (await ownerCall<FilePage>('GET', `/files?folder=${encodeURIComponent(`/${FOLDER}`)}`)).files;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-drop-files-'));
  writeFileSync(path.join(dir, SECRET), png(200, 120, [180, 40, 90]));
  writeFileSync(path.join(dir, EXTRA), Buffer.concat([png(64, 64, [20, 160, 90]), Buffer.alloc(2 * MiB)]));
  browser = await launchChromium();
  // The owner, in the app: a folder with a private photo in it.
  const ownerContext = await browser.newContext({ viewport: DESKTOP });
  owner = await ownerContext.newPage();
  await owner.goto(ctx.appUrl);
  videoFile = path.join(dir, VIDEO);
  videoBytes = await largeMp4(owner, videoFile, 100 * MiB + 4321);
  expect(statSync(videoFile).size).toBe(videoBytes);
  await logIn(owner, ctx.editor);
  await owner.getByRole('button', { name: 'New folder' }).click();
  await owner.getByLabel('Folder name').fill(FOLDER);
  await owner.getByRole('button', { name: 'Create' }).click();
  await owner.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: FOLDER, exact: true }).click();
  await owner.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: FOLDER }).waitFor();
  const chooser = owner.waitForEvent('filechooser');
  await owner.getByRole('button', { name: 'Upload files' }).click();
  await (await chooser).setFiles(path.join(dir, SECRET));
  await owner.getByRole('button', { name: `Open ${SECRET}`, exact: true }).waitFor({ timeout: 60_000 });
  // The drop link, through the API (quota: the video and 1 MiB more, at most 3 files).
  ownerApi = await playwrightRequest.newContext();
  const login = await ownerApi.post(`${ctx.appUrl}api/auth/login`, { data: { username: ctx.editor.username, password: ctx.editor.password } });
  ownerToken = ((await login.json()) as { token: string }).token;
  secretId = (await folderFiles()).find((f) => f.name === SECRET)?.id as string;
  expect(secretId).toEqual(expect.any(String));
  const created = await ownerCall<CreatedShare>('POST', '/shares', { folder: `/${FOLDER}`, mode: 'drop', label: LABEL, maxBytes: videoBytes + MiB, maxFiles: 3, expires: 86_400 });
  link = new URL(created.path, ctx.appUrl).toString();
});

afterAll(async () => {
  await ownerApi?.dispose();
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a drop link in Chromium', () => {
  let guest: PwContext;
  let page: Page;
  const apiRequests: Request[] = [];
  /** Every answer the guest's page received from the app's origin (pages, scripts, API). */
  const answers: string[] = [];
  const pending: Promise<void>[] = [];

  beforeAll(async () => {
    guest = await browser.newContext({ viewport: DESKTOP });
    page = await guest.newPage();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests.push(request);
    });
    page.on('response', (response) => {
      if (!response.url().startsWith(ctx.appUrl)) return;
      pending.push(response.text().then((text) => void answers.push(`${response.url()}\n${text}`), () => undefined));
    });
  });

  afterAll(async () => {
    await guest?.close();
  });

  it("a guest without cookies sees the link's label, its quota, a drop zone and pickers, and nothing of the folder", async () => {
    // Prepare
    expect(await guest.cookies()).toEqual([]);
    // Act
    await page.goto(link);
    // Assess
    await page.getByRole('heading', { name: LABEL }).waitFor();
    await page.getByRole('button', { name: 'Choose files', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Choose a folder', exact: true }).waitFor();
    await page.getByText('Drop files or folders here').waitFor();
    const quota = await page.getByRole('region', { name: 'Quota' }).textContent();
    expect(quota).toMatch(/^101 MiB of 101 MiB left · 3 of 3 files left$/);
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
    await screenshots(page, 'drop-01-open');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('sends a 100 MiB video in parts; after a reload mid-upload, choosing it again sends only the missing parts', async () => {
    // Prepare: parts after the first few wait, so the reload lands mid-upload.
    const held: Route[] = [];
    const finished = new Set<number>();
    await page.route((url) => url.searchParams.has('partNumber'), (route) => {
      if ((partNumberOf(route.request().url()) as number) > HELD_BEFORE_RELOAD) held.push(route);
      else void route.continue();
    });
    const onFinished = (request: Request): void => {
      const n = partNumberOf(request.url());
      if (request.method() === 'PUT' && n !== undefined) finished.add(n);
    };
    page.on('requestfinished', onFinished);
    // Act: pick the video, wait for parts 1–4, reload.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose files', exact: true }).click();
    await (await chooser).setFiles(videoFile);
    for (let i = 0; i < 900 && finished.size < HELD_BEFORE_RELOAD; i += 1) await page.waitForTimeout(100);
    expect([...finished].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    await page.getByRole('region', { name: 'Uploads' }).getByText(VIDEO).waitFor();
    await screenshots(page, 'drop-02-uploading');
    page.off('requestfinished', onFinished);
    // Reload with the held parts still held: the old page's requests die with it. Unrouting first
    // would release them (Chromium continues paused requests when interception stops), and a
    // part could reach S3 before the reload cancelled it.
    await page.reload();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.getByText('interrupted — select the file again to resume').waitFor();
    await screenshots(page, 'drop-03-interrupted');
    const sentAfterReload: number[] = [];
    page.on('request', (request) => {
      const n = partNumberOf(request.url());
      if (request.method() === 'PUT' && n !== undefined) sentAfterReload.push(n);
    });
    const again = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose files', exact: true }).click();
    await (await again).setFiles(videoFile);
    // Assess
    const row = page.getByRole('region', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: VIDEO });
    await row.getByText(/^done/).waitFor({ timeout: 180_000 });
    const partCount = Math.ceil(videoBytes / PART_SIZE);
    expect(sentAfterReload.sort((a, b) => a - b)).toEqual(Array.from({ length: partCount - HELD_BEFORE_RELOAD }, (_, i) => i + HELD_BEFORE_RELOAD + 1));
    expect(held.length).toBeGreaterThan(0);
    expect(await page.getByRole('region', { name: 'Quota' }).textContent()).toBe('1.0 MiB of 101 MiB left · 2 of 3 files left');
    await screenshots(page, 'drop-04-done');
  });

  it("lists the video in the owner's folder, attributed to the link's label", async () => {
    // Act
    let landed: FileItem | undefined;
    for (let i = 0; i < 100 && !landed; i += 1) {
      landed = (await folderFiles()).find((f) => f.name === VIDEO);
      if (!landed) await new Promise((r) => setTimeout(r, 200));
    }
    // Assess
    expect(landed).toMatchObject({ size: videoBytes, uploadedBy: `share:${LABEL}` });
    await owner.reload();
    await owner.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: FOLDER, exact: true }).click();
    await owner.getByRole('button', { name: `Open ${VIDEO}`, exact: true }).click();
    await owner.getByRole('button', { name: 'Info' }).click();
    await owner.getByText(`share:${LABEL}`).waitFor();
    await screenshots(owner, 'drop-05-owner-sees-upload');
  });

  it("refuses one more file past the link's quota with a message saying what is left", async () => {
    const creates: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/api\/public\/shares\/[^/]+\/uploads$/.test(new URL(request.url()).pathname)) creates.push(request);
    });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose files', exact: true }).click();
    await (await chooser).setFiles(path.join(dir, EXTRA));
    const alert = page.getByRole('alert').filter({ hasText: "over this link's quota" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Not sent, over this link's quota \(1\.0 MiB and 2 files left\): one-more\.png \(2\.0 MiB\)\./);
    expect(creates).toEqual([]);
    await screenshots(page, 'drop-06-over-quota');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('never showed the guest another file of the folder: not in the page, not in any answer, and only public API calls without credentials', async () => {
    await Promise.all(pending);
    expect(await page.content()).not.toContain(SECRET);
    expect(answers.length).toBeGreaterThan(5);
    for (const text of answers) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(secretId);
    }
    const paths = apiRequests.map((r) => new URL(r.url()).pathname);
    expect(paths.some((p) => p.endsWith('/uploads'))).toBe(true);
    for (const p of paths) expect(p).toMatch(/^\/api\/public\/shares\//);
    for (const r of apiRequests) expect(await r.headerValue('authorization')).toBeNull();
    expect(await guest.cookies()).toEqual([]);
  });

  it('revoking the link mid-upload stops the upload and tells the guest the link has expired or was revoked', async () => {
    // Prepare: a second link; the guest's part PUTs wait until the owner has revoked it.
    const second = await ownerCall<CreatedShare>('POST', '/shares', { folder: `/${FOLDER}`, mode: 'drop', label: 'Second link', maxBytes: 100 * MiB, maxFiles: 2, expires: 86_400 });
    const other = await browser.newContext({ viewport: DESKTOP });
    const visitor = await other.newPage();
    const held: Route[] = [];
    let revoked = false;
    // Parts are signed ahead in batches: after the revoke, parts signed before it still reach S3 (their URLs stay valid), and the
    // upload must still end there: a retry's signing or the completion answers 404.
    await visitor.route((url) => url.searchParams.has('partNumber'), (route) => void (revoked ? route.continue() : held.push(route)));
    const file = path.join(dir, 'second-clip.mp4');
    writeFileSync(file, Buffer.alloc(72 * MiB, 7)); // over the 64 MiB multipart threshold: in parts
    await visitor.goto(new URL(second.path, ctx.appUrl).toString());
    const chooser = visitor.waitForEvent('filechooser');
    await visitor.getByRole('button', { name: 'Choose files', exact: true }).click();
    await (await chooser).setFiles(file);
    for (let i = 0; i < 300 && held.length === 0; i += 1) await visitor.waitForTimeout(100);
    expect(held.length).toBeGreaterThan(0);
    // Act: revoke, then the parts in flight fail and the uploader asks the API again.
    await ownerCall('DELETE', `/shares/${second.share.id}`);
    revoked = true;
    for (const route of held.splice(0)) await route.abort('connectionreset');
    // Assess
    await visitor.getByRole('alert').filter({ hasText: 'This link has expired or was revoked: it takes no more files.' }).waitFor({ timeout: 60_000 });
    expect(await visitor.getByRole('button', { name: 'Choose files', exact: true }).count()).toBe(0);
    await visitor.getByRole('region', { name: 'Uploads' }).getByText(/^failed/).waitFor({ timeout: 60_000 });
    await screenshots(visitor, 'drop-07-revoked');
    expect(await folderFiles().then((files) => files.some((f) => f.name === 'second-clip.mp4'))).toBe(false);
    await other.close();
  });
});
