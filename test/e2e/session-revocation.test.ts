/**
 * Revocation and signing keys on a stack of their own: a 2-second authorizer cache (the
 * module's default is 60 s, see docs/security.md section 8) and a secret that starts empty.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { rotateJwtKey } from '../../scripts/rotate-jwt-key';
import type { LocalStack } from '../../local/stack';
import { jwtSigningKey, secretsManager } from './support/context';
import { headerOf } from './support/tokens';
import { startOwnStack } from './support/own-stack';

const CACHE_SECONDS = 2;
jest.setTimeout(120_000);

let stack: LocalStack;
let adminPassword: string;
let adminToken: string;

async function call<T = unknown>(route: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const login = (username: string, password: string) => call<{ token: string; refreshToken: string }>('/auth/login', { json: { username, password, client: 'cli' } });

async function newUser(username: string, folders?: string[]): Promise<{ token: string; refreshToken: string; password: string }> {
  const password = `pw-${username}-0123456789`;
  const created = await call('/users', { token: adminToken, json: { username, role: 'editor', password, ...(folders ? { folders } : {}) } });
  expect(created.status).toBe(201);
  const session = await login(username, password);
  expect(session.status).toBe(200);
  // The token works (and its allow decision is now cached).
  expect((await call('/folders', { token: session.body.token })).status).toBe(200);
  return { ...session.body, password };
}

/** Waits out the authorizer cache, then asks with the old token. */
async function afterCache(token: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, (CACHE_SECONDS + 1) * 1000));
  return (await call('/folders', { token })).status;
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-sessions-'));
  ({ stack, adminPassword } = await startOwnStack(dir, { authorizer_result_ttl_seconds: CACHE_SECONDS }));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('signing key', () => {
  it('is created at the first login: concurrent first logins converge on one key version', async () => {
    // Prepare: the module creates the secret empty.
    const client = secretsManager(stack);
    const before = await client.send(new DescribeSecretCommand({ SecretId: stack.jwtSecretArn }));
    // Act
    const [a, b] = await Promise.all([login(stack.adminUser, adminPassword), login(stack.adminUser, adminPassword)]);
    // Assess
    const after = await client.send(new DescribeSecretCommand({ SecretId: stack.jwtSecretArn }));
    client.destroy();
    expect(before.VersionIdsToStages ?? {}).toEqual({});
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(Object.keys(after.VersionIdsToStages ?? {})).toHaveLength(1);
    expect(headerOf(a.body.token).kid).toBe(headerOf(b.body.token).kid);
    expect(headerOf(a.body.token).kid).toBe(Object.keys(after.VersionIdsToStages ?? {})[0]);
    adminToken = a.body.token;
  });

  it('rotates: tokens of the previous key stay valid, new tokens are signed with the new key', async () => {
    // Prepare
    const old = await login(stack.adminUser, adminPassword);
    const oldKid = headerOf(old.body.token).kid;
    const client = secretsManager(stack);
    // Act
    const newVersion = await rotateJwtKey(client, stack.jwtSecretArn);
    client.destroy();
    // Assess: the old token still passes the authorizer (it refreshes its key ring on the new kid too).
    expect(newVersion).not.toBe(oldKid);
    expect((await call('/users', { token: old.body.token })).status).toBe(200);
    let fresh = old;
    const deadline = Date.now() + 30_000;
    while (headerOf(fresh.body.token).kid !== newVersion && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      fresh = await login(stack.adminUser, adminPassword);
    }
    expect(headerOf(fresh.body.token).kid).toBe(newVersion);
    expect((await jwtSigningKey(stack)).id).toBe(newVersion);
    expect((await call('/users', { token: fresh.body.token })).status).toBe(200);
    expect((await call('/users', { token: old.body.token })).status).toBe(200);
    adminToken = fresh.body.token;
  });
});

describe('revocation', () => {
  it.each([
    ['deleted', (name: string) => call(`/users/${name}`, { method: 'DELETE', token: adminToken })],
    ['demoted', (name: string) => call(`/users/${name}`, { method: 'PATCH', token: adminToken, json: { role: 'viewer' } })],
    ['limited to other folders', (name: string) => call(`/users/${name}`, { method: 'PATCH', token: adminToken, json: { folders: ['/elsewhere'] } })],
    ['re-passworded', (name: string) => call(`/users/${name}`, { method: 'PATCH', token: adminToken, json: { password: 'a-brand-new-password' } })],
  ])('refuses the access token of a %s user once the authorizer cache expires, and its refresh token at once', async (label, change) => {
    // Prepare
    const name = `revoked-${label.split(' ')[0]}`;
    const user = await newUser(name);
    // Act
    const changed = await change(name);
    const refresh = await call('/auth/refresh', { json: { refreshToken: user.refreshToken } });
    // Assess
    expect([200, 204]).toContain(changed.status);
    expect(refresh.status).toBe(401);
    expect(await afterCache(user.token)).toBe(403);
  });

  it('keeps the sessions of users nobody changed', async () => {
    const user = await newUser('untouched');
    expect(await afterCache(user.token)).toBe(200);
    expect((await call('/auth/refresh', { json: { refreshToken: user.refreshToken } })).status).toBe(200);
  });
});
