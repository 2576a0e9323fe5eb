/**
 * What every browser test does with the app: log in through its own login form, as a user
 * would (the form the app shows at its URL when nobody is logged in), open a folder, find a
 * file's tile.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { DESKTOP } from './chromium';
import type { BrowserUser } from './context';

export interface LogInOptions {
  /** Wait for the logged-in app (its Log out button, shown or in the menu); false for a login meant to fail. @default true */
  readonly expectLoggedIn?: boolean;
  /**
   * Where to be once logged in: `timeline`, where login lands, or `folders`, the root folder's
   * view (the menu's Folders, pressed for the tests written before the timeline).
   * @default 'folders'
   */
  readonly view?: 'timeline' | 'folders';
}

/** Fills the login form on `page` (already showing it) as `user` and submits it. */
export async function logIn(page: Page, user: BrowserUser, options: LogInOptions = {}): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Attached, not visible: on a phone the Log out button is in the top bar's overflow menu.
  if (!(options.expectLoggedIn ?? true)) return;
  await page.getByRole('button', { name: 'Log out', includeHidden: true }).waitFor({ state: 'attached' });
  if ((options.view ?? 'folders') === 'folders') {
    // A press in the page (on a phone the menu holding it is closed).
    await page.evaluate(`[...document.querySelectorAll('nav[aria-label="Main"] button')].find((b) => b.textContent === 'Folders').click()`);
  }
}

export interface OpenAsOptions {
  /** @default DESKTOP */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** @default false */
  readonly acceptDownloads?: boolean;
}

/**
 * A new page in its own browser context, logged in as `user` at `appUrl` and showing `folder`
 * (opened by its address, as a bookmark would), settled: no request still in flight. Tests that
 * change the user's rights next need that, or an in-flight request (the folder tree's) meets the
 * change first and ends the session before the step under test.
 */
export async function openAs(browser: Browser, appUrl: string, user: BrowserUser, folder: string, options: OpenAsOptions = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: options.viewport ?? DESKTOP, acceptDownloads: options.acceptDownloads ?? false })).newPage();
  await page.goto(appUrl);
  await logIn(page, user);
  await page.goto(`${appUrl}#${folder}`);
  await page.reload();
  const crumb = folder === '/' ? 'Home' : (folder.split('/').pop() as string);
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: crumb, exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
  return page;
}

/** A file's tile in the grid (its button, named "Open <name>"). */
export const tile = (page: Page, name: string): Locator => page.getByRole('button', { name: `Open ${name}`, exact: true });
