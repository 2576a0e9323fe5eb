/**
 * `local_login_enabled = false` over HTTP: a stack of its own signing in only through the local
 * OpenID provider (local/oidc.ts). Password login and every way to set a password are refused
 * (403 LocalLoginDisabled through the API, `npm run users` refuses too); the provider's users
 * still sign in and an admin still manages roles. (The web app's side: test/browser/oidc.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileLogger } from '../../local/log';
import { LOCAL_OIDC_USERS, localOidcStackOptions, oidcCallbackUrl, startLocalOidcProvider, type LocalOidcProvider } from '../../local/oidc';
import { freePort } from '../../local/ports';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { run as usersCommand } from '../../scripts/users';
import { sessionOf, signInThroughProvider } from './support/provider-sign-in';

jest.setTimeout(120_000);

const ADMIN_PASSWORD = 'bootstrap-admin-password-1';
let provider: LocalOidcProvider;
let stack: LocalStack;
let origin: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'media-store-login-off-'));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  provider = await startLocalOidcProvider({ redirectUris: [oidcCallbackUrl(origin)] });
  const oidc = localOidcStackOptions(provider, { localLoginEnabled: false });
  stack = await startLocalStack({
    inMemory: true,
    port,
    // stack.json for `npm run users` (scripts/users.ts --stack).
    stackFile: path.join(dir, 'stack.json'),
    adminPassword: ADMIN_PASSWORD,
    logger: fileLogger(path.join(dir, 'local-stack.log')),
    variables: { ...oidc.variables, authorizer_result_ttl_seconds: 0 },
    externalSecrets: oidc.externalSecrets,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await provider?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function send(method: string, route: string, body: unknown, token?: string): Promise<{ status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** An admin's access token, signed in through the provider (alice is in media-admins). */
async function adminToken(): Promise<string> {
  const session = await sessionOf(origin, (await signInThroughProvider(origin, 'alice', LOCAL_OIDC_USERS.alice.password)).refreshCookie ?? '');
  if (session.token === undefined) throw new Error(`alice could not sign in (${session.status})`);
  return session.token;
}

describe('password login off (local_login_enabled = false)', () => {
  it('tells the web app there is no password login, only the provider', async () => {
    const options = await fetch(`${stack.apiUrl}/auth/options`);
    expect(await options.json()).toMatchObject({ localLogin: false, provider: { name: new URL(provider.issuer).host } });
  });

  it('refuses password login with the right password: 403 LocalLoginDisabled, saying why', async () => {
    const login = await send('POST', '/auth/login', { username: stack.adminUser, password: ADMIN_PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.error?.code).toBe('LocalLoginDisabled');
    expect(login.body.error?.message).toContain('identity provider');
    expect(login.body).not.toHaveProperty('token');
  });

  it('refuses every way to set a password through the API, and still lets an admin change a role', async () => {
    const token = await adminToken();
    const answers = [
      await send('POST', '/users', { username: 'dave', role: 'viewer', password: 'a-long-password-1' }, token),
      await send('POST', '/users', { username: 'erin', role: 'viewer' }, token),
      await send('PATCH', '/users/alice', { password: 'a-long-password-2' }, token),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe('LocalLoginDisabled');
    }
    expect((await send('PATCH', '/users/alice', { role: 'admin' }, token)).status).toBe(200);
  });

  it('refuses `npm run users passwd` and `add` against the stack', async () => {
    const stackFile = path.join(dir, 'stack.json');
    await expect(usersCommand(['passwd', stack.adminUser, '--stack', stackFile])).rejects.toThrow(/password login is off .*local_login_enabled = false/);
    await expect(usersCommand(['add', 'frank', '--role', 'viewer', '--stack', stackFile])).rejects.toThrow(/password login is off/);
  });
});
