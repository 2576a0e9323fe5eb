/**
 * Every fixture of issue 19 plays in real Chromium (which cannot decode HEVC) against the local
 * stack, in the app's lightbox and on a public share page without downloads: it plays
 * (`currentTime` advances), seeks to 80 % and plays on, shows upright at the right size, and
 * no "cannot play" message is shown. Fixtures are made once with Debian's ffmpeg.
 */
import type { Browser, Page } from 'playwright-core';
import { apiToken, callApi, uploadViaApi } from './support/api';
import { DESKTOP, launchChromium } from './support/chromium';
import { browserContext } from './support/context';
import { openAs, tile } from './support/session';
import { makeVideoFixtures, VIDEO_FIXTURE_NAMES, VIDEO_FIXTURES, type VideoFixtureName } from '../support/video-fixtures';
import { readFileSync } from 'node:fs';

jest.setTimeout(240_000);

const ctx = browserContext();
const FOLDER = `videos-${Date.now().toString(36)}`;
/** The parts of an HTMLVideoElement the test drives (the tests' TypeScript has no DOM types). */
interface PlayableVideo {
  muted: boolean;
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly videoWidth: number;
  readonly videoHeight: number;
  readonly error: { readonly code: number } | null;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: string, listener: () => void): void;
}
interface Uploaded { id: string; processing: string; video?: { copy?: { state: string } } }

let browser: Browser;
let app: Page;
const shareLinks = new Map<VideoFixtureName, string>();

beforeAll(async () => {
  const paths = makeVideoFixtures();
  const token = await apiToken(ctx, ctx.editor);
  for (const name of VIDEO_FIXTURE_NAMES) {
    const settled = (file: Uploaded): boolean => file.processing !== 'pending' && file.video?.copy?.state !== 'pending';
    const file = await uploadViaApi<Uploaded>(ctx, token, { folder: `/${FOLDER}`, name, bytes: readFileSync(paths[name]), contentType: VIDEO_FIXTURES[name].contentType }, settled, 90_000);
    const share = await callApi<{ path: string }>(ctx, '/shares', { token, json: { fileId: file.id, allowDownload: false, expires: 3600 } });
    if (share.status !== 201) throw new Error(`share ${name}: ${share.status}`);
    shareLinks.set(name, new URL(share.body.path, ctx.appUrl).toString());
  }
  browser = await launchChromium();
  app = await openAs(browser, ctx.appUrl, ctx.editor, `/${FOLDER}`);
});

afterAll(async () => {
  await browser?.close();
});

/** Plays the page's video muted: time advances, a seek to 80 % plays on; answers its decoded size. */
async function playsAndSeeks(page: Page): Promise<{ width: number; height: number }> {
  const video = page.locator('video');
  await video.waitFor();
  return video.evaluate(async (node) => {
    const element = node as unknown as PlayableVideo;
    const advances = (from: number): Promise<void> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stuck at ${element.currentTime} (error ${element.error?.code ?? 'none'})`)), 20_000);
      const check = (): void => {
        if (element.currentTime > from + 0.2) { clearTimeout(timer); element.removeEventListener('timeupdate', check); resolve(); }
      };
      element.addEventListener('timeupdate', check);
    });
    element.muted = true;
    await element.play();
    await advances(0);
    const at = element.duration * 0.8;
    element.currentTime = at;
    await new Promise<void>((resolve) => element.addEventListener('seeked', resolve, { once: true }));
    if (element.paused) await element.play();
    await advances(at - 0.05);
    return { width: element.videoWidth, height: element.videoHeight };
  });
}

describe('video playback in Chromium', () => {
  it.each(VIDEO_FIXTURE_NAMES)('%s plays, seeks and is upright in the app', async (name) => {
    await tile(app, name).click();
    const size = await playsAndSeeks(app);
    expect(size).toEqual({ width: VIDEO_FIXTURES[name].width, height: VIDEO_FIXTURES[name].height });
    expect(await app.getByText(/cannot play/).count()).toBe(0);
    await app.getByRole('button', { name: 'Close' }).click();
  });

  it.each(VIDEO_FIXTURE_NAMES)('%s plays, seeks and is upright on a share page without downloads', async (name) => {
    const visitor = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await visitor.goto(shareLinks.get(name) as string);
    const size = await playsAndSeeks(visitor);
    expect(size).toEqual({ width: VIDEO_FIXTURES[name].width, height: VIDEO_FIXTURES[name].height });
    expect(await visitor.getByText(/cannot play/).count()).toBe(0);
    await visitor.context().close();
  });
});
