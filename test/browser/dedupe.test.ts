/**
 * No duplicate uploads in real Chromium against the local stack (issue 22 §2): photos picked a
 * second time, into another folder, are hashed and found in the library; the upload list says
 * how many and where each copy is, sends none of them, and "Upload anyway" sends one all the
 * same. The admin's Duplicates section then lists both copies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FilePage } from '../../contract/wire';
import { apiToken, callApi } from './support/api';
import { DESKTOP, launchChromium, seriousAxeViolations } from './support/chromium';
import { browserContext } from './support/context';
import { logIn } from './support/session';
import { png } from './support/media-files';

jest.setTimeout(240_000);

const ctx = browserContext();
const ROOT = `/dedupe-${randomBytes(3).toString('hex')}`;
const FIRST = `${ROOT}/first`;
const AGAIN = `${ROOT}/again`;
const names = ['one.png', 'two.png'];

let browser: Browser;
let page: Page;
let dir: string;
let token: string;

const tile = (name: string) => page.getByRole('button', { name: `Open ${name}`, exact: true });
const listed = async (folder: string): Promise<string[]> => ((await callApi<FilePage>(ctx, `/files?folder=${encodeURIComponent(folder)}`, { token })).body.files ?? []).map((f) => f.name);

async function openFolder(folder: string): Promise<void> {
  await page.goto(`${ctx.appUrl}#${folder}`);
  await page.reload();
  await page.getByRole('main', { name: `Folder ${folder}` }).waitFor();
}

async function pick(files: readonly string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload files' }).click();
  await (await chooser).setFiles(files.map((n) => path.join(dir, n)));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-dedupe-'));
  // Colours of this run: no other test uploads the same bytes.
  names.forEach((name, i) => writeFileSync(path.join(dir, name), png(90 + i * 10, 60, [randomBytes(1)[0]!, randomBytes(1)[0]!, i * 100])));
  token = await apiToken(ctx, ctx.admin);
  for (const folder of [FIRST, AGAIN]) expect((await callApi(ctx, '/folders', { token, json: { path: folder } })).status).toBeLessThan(300);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  await page.goto(ctx.appUrl);
  await logIn(page, ctx.admin);
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('duplicate uploads in Chromium', () => {
  it('sends photos already in the library no more, says where they are, and sends one anyway when asked', async () => {
    // Prepare: the two photos uploaded once.
    await openFolder(FIRST);
    await pick(names);
    for (const name of names) await tile(name).waitFor({ timeout: 90_000 });

    // Act: the same photos picked again in another folder.
    await openFolder(AGAIN);
    const creates: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/uploads')) creates.push(request.url());
    });
    await pick(names);
    const indicator = page.getByRole('button', { name: /^Uploads / });
    await indicator.waitFor();
    if ((await indicator.getAttribute('aria-expanded')) !== 'true') await indicator.click();

    // Assess: said, where, and nothing sent.
    const list = page.getByRole('region', { name: 'Uploads' });
    await list.getByRole('status').filter({ hasText: '2 already in your library' }).waitFor({ timeout: 60_000 });
    await list.getByRole('listitem').filter({ hasText: 'one.png' }).getByText(`${FIRST}/one.png`).waitFor();
    await list.getByRole('listitem').filter({ hasText: 'two.png' }).getByText(`${FIRST}/two.png`).waitFor();
    expect(creates).toEqual([]);
    expect(await listed(AGAIN)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Act: one of them sent anyway.
    await list.getByRole('button', { name: 'Upload anyway: one.png' }).click();
    await tile('one.png').waitFor({ timeout: 90_000 });
    expect(creates).toHaveLength(1);
    expect(await listed(AGAIN)).toEqual(['one.png']);
  });

  it('lists both copies in the admin\'s Duplicates section', async () => {
    await page.getByRole('button', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Duplicates' }).waitFor();
    const table = page.getByRole('table', { name: '2 copies of one.png' });
    await table.waitFor({ timeout: 30_000 });
    expect(await table.getByRole('rowheader').allTextContents()).toEqual([`${FIRST}/one.png`, `${AGAIN}/one.png`]);
  });
});
