/**
 * Sign-in with the organisation's identity provider, against a real OpenID provider (panva's
 * `oidc-provider`, local/oidc.ts) and a stack of its own wired to it by the module variables
 * (docs/security.md "Identity provider"). No mocks: tokens come from the provider's endpoints.
 * The authorizer's decisions are not cached here (0 s), so each request is decided anew.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { freePort } from '../../local/ports';
import {
  localOidcStackOptions,
  LOCAL_OIDC_MACHINE_CLIENT,
  LOCAL_OIDC_OTHER_AUDIENCE,
  LOCAL_OIDC_SHORT_LIVED_CLIENT,
  oidcCallbackUrl,
  startLocalOidcProvider,
  type LocalOidcProvider,
} from '../../local/oidc';
import { LOCAL_OIDC_USERS } from '../../local/oidc';
import { startOwnStack } from './support/own-stack';
import { approveDevice, sessionOf, signInThroughProvider } from './support/provider-sign-in';
import { cliHome, startCli, type StartedCli } from './support/cli';
import { readConfig } from '../../cli/config';
import { headerOf } from './support/tokens';
import { jpegLike } from './support/media';

jest.setTimeout(120_000);

let provider: LocalOidcProvider;
let stack: LocalStack;
/** The app's origin: the stack serves the web app at / and the API under /api. */
let origin: string;

async function call(route: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const photo = jpegLike(2048);
const startUpload = (token: string, fileName: string) =>
  call('/uploads', { token, json: { folder: '/ci', fileName, contentType: 'image/jpeg', size: photo.length } });

/** Polls until `check` holds (the provider's clock and the authorizer's JWKS refetch take seconds). */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-oidc-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  provider = await startLocalOidcProvider({ redirectUris: [oidcCallbackUrl(origin)], postLogoutRedirectUris: [`${origin}/`] });
  const oidc = localOidcStackOptions(provider);
  ({ stack } = await startOwnStack(dir, { ...oidc.variables, authorizer_result_ttl_seconds: 0 }, { port, externalSecrets: oidc.externalSecrets }));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await provider?.stop();
});

describe('machine clients with the provider\'s access tokens', () => {
  it('let a CI job upload with a client-credentials token: POST /uploads, the PUT, and the file listed as the client\'s', async () => {
    // Prepare: a client-credentials token of the provider for the API's audience, scope media-store.upload (→ editor).
    const token = await provider.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT);
    // Act
    const created = await startUpload(token, 'build-1.jpg');
    const put = await fetch(String(created.body.url), { method: 'PUT', body: photo, headers: (created.body.headers ?? {}) as Record<string, string> });
    const listed = await eventually(async () => {
      const list = await call('/files?folder=/ci', { token });
      return list.status === 200 && JSON.stringify(list.body).includes('build-1.jpg');
    }, 20_000);
    // Assess
    expect(created.status).toBe(201);
    expect(put.status).toBe(200);
    expect(listed).toBe(true);
    const files = (await call('/files?folder=/ci', { token })).body.files as { name: string; uploadedBy?: string }[];
    expect(files.find((f) => f.name === 'build-1.jpg')?.uploadedBy).toBe(`client:${LOCAL_OIDC_MACHINE_CLIENT}`);
  });

  it('refuses a token of the same provider for another audience (403, as API Gateway answers a refused token)', async () => {
    const token = await provider.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT, { resource: LOCAL_OIDC_OTHER_AUDIENCE });
    expect((await startUpload(token, 'other-audience.jpg')).status).toBe(403);
  });

  it('refuses a token whose claims and scopes map to no role', async () => {
    const token = await provider.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT, { scope: '' });
    expect((await startUpload(token, 'no-role.jpg')).status).toBe(403);
  });

  it('refuses a token of another issuer for the same audience', async () => {
    // Prepare: a second, independent provider with the same clients and audience.
    const other = await startLocalOidcProvider();
    try {
      const token = await other.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT);
      // Act, Assess
      expect((await startUpload(token, 'other-issuer.jpg')).status).toBe(403);
    } finally {
      await other.stop();
    }
  });

  it('accepts a short-lived token while it lasts and refuses it once expired', async () => {
    const token = await provider.clientCredentialsToken(LOCAL_OIDC_SHORT_LIVED_CLIENT);
    expect((await startUpload(token, 'short-1.jpg')).status).toBe(201);
    // The token lives 2 s; the authorizer allows 5 s of clock difference with the provider.
    expect(await eventually(async () => (await startUpload(token, 'short-2.jpg')).status === 403, 15_000)).toBe(true);
  });

  it('follows a key rotation at the provider: a token signed with the new key is accepted once the keys are fetched again, the old key\'s token still works', async () => {
    // Prepare: a token signed with the current key, accepted (the authorizer holds the keys).
    const before = await provider.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT);
    expect((await startUpload(before, 'before-rotation.jpg')).status).toBe(201);
    // Act: the provider signs with a new key from now on.
    const kid = await provider.rotateKeys();
    const after = await provider.clientCredentialsToken(LOCAL_OIDC_MACHINE_CLIENT);
    // Assess: an unknown kid makes the authorizer fetch the keys again (at most every 10 s).
    expect(headerOf(after).kid).toBe(kid);
    expect(headerOf(after).kid).not.toBe(headerOf(before).kid);
    expect(await eventually(async () => (await startUpload(after, 'after-rotation.jpg')).status === 201, 20_000)).toBe(true);
    expect((await startUpload(before, 'old-key.jpg')).status).toBe(201);
  });
});

describe('web sign-in through the provider (authorization code with PKCE)', () => {
  const signIn = (name: keyof typeof LOCAL_OIDC_USERS, options?: Parameters<typeof signInThroughProvider>[3]) =>
    signInThroughProvider(origin, name, LOCAL_OIDC_USERS[name].password, options);

  it('creates the user at the first sign-in with the role the group claim maps to; the service\'s own session takes over', async () => {
    // Act: alice (group media-admins) through the provider's sign-in page.
    const result = await signIn('alice');
    const session = await sessionOf(origin, result.refreshCookie ?? '');
    // Assess: back to the app with the service's session cookie, whose access token works.
    expect(result.status).toBe(302);
    expect(result.location).toBe(`${origin}/`);
    expect(session.status).toBe(200);
    expect(session.user).toEqual({ username: 'alice', role: 'admin', folders: null });
    expect((await call('/users', { token: session.token ?? '' })).status).toBe(200);
  });

  it('maps an editor\'s group and takes the folder limits from the folders claim', async () => {
    const result = await signIn('bob');
    const session = await sessionOf(origin, result.refreshCookie ?? '');
    expect(session.user).toEqual({ username: 'bob', role: 'editor', folders: ['/family'] });
    expect((await call('/folders?parent=/', { token: session.token ?? '' })).status).toBe(200);
    expect((await call('/uploads', { token: session.token ?? '', json: { folder: '/work', fileName: 'a.jpg', contentType: 'image/jpeg', size: 10 } })).status).toBe(403);
  });

  it('refuses a user none of whose groups is mapped, with a page saying so, and creates no user', async () => {
    // Prepare: an admin to list the users.
    const admin = await sessionOf(origin, (await signIn('alice')).refreshCookie ?? '');
    // Act
    const result = await signIn('mallory');
    // Assess
    expect(result.status).toBe(403);
    expect(result.refreshCookie).toBeUndefined();
    expect(result.body).toContain('no role in this service');
    const users = (await call('/users', { token: admin.token ?? '' })).body.users as { username: string }[];
    expect(users.map((u) => u.username)).not.toContain('mallory');
  });

  it('refuses a return without the browser\'s state cookie, or with another state, and opens no session', async () => {
    const withoutCookie = await signIn('bob', { dropStateCookie: true });
    const otherState = await signIn('bob', { tamper: (callback) => callback.searchParams.set('state', 'forged-state-value') });
    expect(withoutCookie.status).toBe(400);
    expect(withoutCookie.body).toContain('start again');
    expect(withoutCookie.refreshCookie).toBeUndefined();
    expect(otherState.status).toBe(400);
    expect(otherState.refreshCookie).toBeUndefined();
  });

  it('finds the user again by issuer and subject: the next sign-in is the same user, not a second one', async () => {
    const admin = await sessionOf(origin, (await signIn('alice')).refreshCookie ?? '');
    const count = async () => ((await call('/users', { token: admin.token ?? '' })).body.users as unknown[]).length;
    const before = await count();
    const again = await sessionOf(origin, (await signIn('bob')).refreshCookie ?? '');
    expect(again.user?.username).toBe('bob');
    expect(await count()).toBe(before);
  });

  it('never hands a provider identity the user of a reused name: once its user is deleted and a local user takes the name, its next sign-in is a new user', async () => {
    // Prepare: carol signs in (a viewer), an admin deletes her and adds a local editor "carol".
    const admin = await sessionOf(origin, (await signIn('alice')).refreshCookie ?? '');
    expect((await sessionOf(origin, (await signIn('carol')).refreshCookie ?? '')).user?.username).toBe('carol');
    expect((await call('/users/carol', { method: 'DELETE', token: admin.token ?? '' })).status).toBe(204);
    expect((await call('/users', { token: admin.token ?? '', json: { username: 'carol', role: 'editor', password: 'local-carol-password' } })).status).toBe(201);
    // Act
    const next = await sessionOf(origin, (await signIn('carol')).refreshCookie ?? '');
    // Assess: a new user under another name, with the provider's role; the local carol untouched.
    expect(next.user?.username).toMatch(/^carol-[0-9a-f]{6}$/);
    expect(next.user?.role).toBe('viewer');
    const users = (await call('/users', { token: admin.token ?? '' })).body.users as { username: string; role: string }[];
    expect(users.find((u) => u.username === 'carol')?.role).toBe('editor');
  });

  it('ends the service\'s session at logout and offers the provider\'s end-session URL', async () => {
    const result = await signIn('bob');
    const options = await call('/auth/options');
    const logout = await fetch(`${origin}/api/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `__Secure-media-store-refresh=${result.refreshCookie ?? ''}` }, body: '{}' });
    expect(options.body).toEqual({ localLogin: true, provider: { name: new URL(provider.issuer).host, signInPath: '/auth/oidc/start', endSessionUrl: `${provider.issuer}/session/end` } });
    expect(logout.status).toBe(204);
    expect((await sessionOf(origin, result.refreshCookie ?? '')).status).toBe(401);
  });
});


describe('the CLI signs in through the provider (device authorization, `media-store login --sso`)', () => {
  /** The verification URL the CLI prints once it has a code (it then polls until approved). */
  async function verificationUrl(cli: StartedCli): Promise<{ url: string; code: string }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const shown = /open (\S+)\s+and check that it shows the code (\S+)/.exec(cli.output.stderr);
      if (shown?.[1] !== undefined && shown[2] !== undefined) return { url: shown[1], code: shown[2] };
      if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`the CLI printed no verification URL: ${cli.output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('saves a session for the user the person approves at the provider, which the API then takes', async () => {
    const home = cliHome(stack.apiUrl);
    let cli: StartedCli | undefined;
    try {
      // Prepare: the CLI asks for a code and waits.
      cli = startCli(['login', '--sso'], { env: home.env });
      const { url, code } = await verificationUrl(cli);
      // Act: a person opens the URL, confirms the code and signs in as bob on the provider's page.
      const approved = await approveDevice(url, 'bob', LOCAL_OIDC_USERS.bob.password);
      const run = await cli.done;
      // Assess: the URL is the provider's and names the code; the CLI saved bob's session (0600).
      expect(new URL(url).origin).toBe(provider.issuer);
      expect(new URL(url).searchParams.get('user_code')).toBe(code);
      expect(approved.status).toBe(200);
      expect(approved.body).toContain('Sign-in Success');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`logged in to ${stack.apiUrl} as bob`);
      const config = readConfig(home.configFile);
      expect(config.username).toBe('bob');
      expect(config.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const session = await call('/auth/me', { token: config.token ?? '' });
      expect(session.body.user).toEqual({ username: 'bob', role: 'editor', folders: ['/family'] });
    } finally {
      cli?.child.kill();
      home.remove();
    }
  });

  it('fails with the reason when the approving user has no role here, and saves nothing', async () => {
    const home = cliHome(stack.apiUrl);
    let cli: StartedCli | undefined;
    try {
      cli = startCli(['login', '--sso'], { env: home.env });
      const { url } = await verificationUrl(cli);
      await approveDevice(url, 'mallory', LOCAL_OIDC_USERS.mallory.password);
      const run = await cli.done;
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('no role in this service');
      expect(readConfig(home.configFile).refreshToken).toBeUndefined();
    } finally {
      cli?.child.kill();
      home.remove();
    }
  });
});
