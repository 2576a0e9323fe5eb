/**
 * Sign-in through the organisation's identity provider in real Chromium: a stack of its own
 * with password login off (`local_login_enabled = false`) and the local OpenID provider
 * (local/oidc.ts). The app shows only "Sign in with …"; the person signs in on the provider's own
 * page and lands in the app. (The API's password routes, refused: test/e2e/oidc-local-login-off.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fileLogger } from '../../local/log';
import { LOCAL_OIDC_USERS, localOidcStackOptions, oidcCallbackUrl, startLocalOidcProvider, type LocalOidcProvider } from '../../local/oidc';
import { freePort } from '../../local/ports';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { launchChromium, screenshots, seriousAxeViolations } from './support/chromium';

jest.setTimeout(180_000);

let provider: LocalOidcProvider;
let stack: LocalStack;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-browser-oidc-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  provider = await startLocalOidcProvider({ redirectUris: [oidcCallbackUrl(origin)], postLogoutRedirectUris: [`${origin}/`] });
  const oidc = localOidcStackOptions(provider, { localLoginEnabled: false });
  stack = await startLocalStack({
    inMemory: true,
    port,
    stackFile: null,
    adminPassword: 'local-admin-password-unused',
    logger: fileLogger(path.join(dir, 'local-stack.log')),
    webDir: path.join(PROJECT_ROOT, 'dist', 'web'),
    variables: { ...oidc.variables, authorizer_result_ttl_seconds: 0 },
    externalSecrets: oidc.externalSecrets,
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await provider?.stop();
});

async function signInOnProviderPage(page: Page, name: keyof typeof LOCAL_OIDC_USERS): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('link', { name: `Sign in with ${new URL(provider.issuer).host}` }).click();
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(LOCAL_OIDC_USERS[name].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until the app, back on its own origin, shows `name` signed in. */
async function signedIn(page: Page, name: string): Promise<void> {
  await page.waitForURL((url) => url.origin === origin, { timeout: 30_000 });
  await page.getByRole('button', { name: new RegExp(name) }).or(page.getByText(name)).first().waitFor({ timeout: 30_000 });
}

describe('sign-in through the identity provider, password login off', () => {
  it('shows only "Sign in with …", signs a new user in through the provider\'s page, and lands in the app with their role', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      // Prepare: the login screen.
      await page.goto(`${origin}/`);
      await page.getByRole('link', { name: /^Sign in with / }).waitFor();
      // Assess: no password form at all.
      expect(await page.getByLabel('Password').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshots(page, 'oidc-sign-in');
      // Act: alice signs in on the provider's own page.
      await signInOnProviderPage(page, 'alice');
      // Assess: back in the app, signed in as the admin the group maps to (the Users page is an admin's).
      await signedIn(page, 'alice');
      const me = await page.evaluate(async () => {
        const refreshed = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        const { token } = (await refreshed.json()) as { token: string };
        return (await (await fetch('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { username: string; role: string } };
      });
      expect(me.user).toEqual({ username: 'alice', role: 'admin', folders: null });
    } finally {
      await context.close();
    }
  });

  it('refuses a user without a mapped group with a page that says so', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signInOnProviderPage(page, 'mallory');
      await page.getByRole('heading', { name: 'You cannot sign in' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('no role in this service');
    } finally {
      await context.close();
    }
  });
});
