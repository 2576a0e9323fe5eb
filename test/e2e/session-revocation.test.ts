/**
 * Revocation, user ids and signing keys on a stack of their own: a 2-second authorizer cache
 * (the module's default is 60 s, see docs/security.md section 8), a secret that starts empty,
 * and users created, deleted and created again under the same name without touching the
 * shared stack's users.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { rotateJwtKey } from '../../scripts/rotate-jwt-key';
import type { LocalStack } from '../../local/stack';
import { jwtSigningKey, secretsManager } from './support/context';
import { headerOf } from './support/tokens';
import { callStack, startOwnStack } from './support/own-stack';
import { jpegLike } from './support/media';

const CACHE_SECONDS = 2;
jest.setTimeout(120_000);

let stack: LocalStack;
let adminPassword: string;
let adminToken: string;

const call = <T = unknown>(route: string, init: { method?: string; token?: string; json?: unknown } = {}) => callStack<T>(stack, route, init);

const login = (username: string, password: string) => call<{ token: string; refreshToken: string }>('/auth/login', { json: { username, password, client: 'cli' } });

async function newUser(username: string, folders?: string[], options: { use?: boolean } = {}): Promise<{ token: string; refreshToken: string; password: string }> {
  const password = `pw-${username}-0123456789`;
  const created = await call('/users', { token: adminToken, json: { username, role: 'editor', password, ...(folders ? { folders } : {}) } });
  expect(created.status).toBe(201);
  const session = await login(username, password);
  expect(session.status).toBe(200);
  // The token works (and its allow decision is now cached).
  if (options.use !== false) expect((await call('/folders', { token: session.body.token })).status).toBe(200);
  return { ...session.body, password };
}

const logout = (refreshToken: string) => call('/auth/logout', { json: { refreshToken } });
const deleteUser = (name: string) => call(`/users/${name}`, { method: 'DELETE', token: adminToken });

/** Waits out the authorizer cache, then asks with the old token. */
async function afterCache(token: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, (CACHE_SECONDS + 1) * 1000));
  return (await call('/folders', { token })).status;
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-sessions-'));
  ({ stack, adminPassword } = await startOwnStack(dir, { authorizer_result_ttl_seconds: CACHE_SECONDS, max_users: 50 }));
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

  it('refuses the access token of a logged-out session right away, and once the authorizer cache expires when it was cached', async () => {
    // Prepare: one token never used (no cached decision), one used (its allow decision cached).
    const unused = await newUser('logged-out-fresh', undefined, { use: false });
    const used = await newUser('logged-out-cached');
    // Act
    expect((await logout(unused.refreshToken)).status).toBe(204);
    expect((await logout(used.refreshToken)).status).toBe(204);
    // Assess
    expect((await call('/folders', { token: unused.token })).status).toBe(403);
    expect(await afterCache(used.token)).toBe(403);
  });

  it('ends only the session that logs out: the same user\'s other session keeps working', async () => {
    // Prepare: two logins of one user (the first token never used: no cached decision).
    const first = await newUser('two-sessions', undefined, { use: false });
    const second = await login('two-sessions', first.password);
    // Act
    expect((await logout(first.refreshToken)).status).toBe(204);
    // Assess
    expect((await call('/folders', { token: first.token })).status).toBe(403);
    expect((await call('/folders', { token: second.body.token })).status).toBe(200);
    expect((await call('/auth/refresh', { json: { refreshToken: second.body.refreshToken } })).status).toBe(200);
  });

  it('refuses the access token of a demoted user right away when its decision was not cached', async () => {
    const user = await newUser('demoted-fresh', undefined, { use: false });
    expect((await call('/users/demoted-fresh', { method: 'PATCH', token: adminToken, json: { role: 'viewer' } })).status).toBe(200);
    expect((await call('/folders', { token: user.token })).status).toBe(403);
  });
});

describe('user ids: a name deleted and created again is another user', () => {
  it('keeps a deleted user\'s share ended after the same name is created again', async () => {
    // Prepare: a user shares a file of theirs; the share opens.
    const name = 'sharer';
    const user = await newUser(name);
    const upload = await call<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
      token: user.token,
      json: { folder: '/shared-by-sharer', fileName: 'a.jpg', contentType: 'image/jpeg', size: 2000 },
    });
    expect(upload.status).toBe(201);
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: jpegLike(2000) })).status).toBe(200);
    let fileReady = 0;
    for (const deadline = Date.now() + 10_000; fileReady !== 200 && Date.now() < deadline; ) {
      fileReady = (await call(`/files/${upload.body.fileId}`, { token: user.token })).status;
      if (fileReady !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const created = await call<{ token: string; share: { id: string } }>('/shares', { token: user.token, json: { fileId: upload.body.fileId } });
    expect(created.status).toBe(201);
    expect((await call(`/public/shares/${created.body.token}`)).status).toBe(200);
    // Act: the user is deleted, then a new user gets the same name.
    expect((await deleteUser(name)).status).toBe(204);
    const afterDelete = (await call(`/public/shares/${created.body.token}`)).status;
    const again = await newUser(name);
    // Assess: the share stays ended, and is not the new user's to list or manage.
    expect(afterDelete).toBe(404);
    expect((await call(`/public/shares/${created.body.token}`)).status).toBe(404);
    const listed = await call<{ shares: { id: string }[] }>('/shares', { token: again.token });
    expect(listed.status).toBe(200);
    expect(listed.body.shares.map((s) => s.id)).not.toContain(created.body.share.id);
    expect((await call(`/shares/${created.body.share.id}/log`, { token: again.token })).status).toBe(404);
  });

  it('refuses a deleted user\'s sessions and upload sessions, to the old tokens and to a new user of the same name', async () => {
    // Prepare: a user with a session and an upload under way.
    const name = 'uploader';
    const user = await newUser(name);
    const upload = await call<{ uploadId: string }>('/uploads', { token: user.token, json: { folder: '/uploads-of-uploader', fileName: 'b.jpg', contentType: 'image/jpeg', size: 1000 } });
    expect(upload.status).toBe(201);
    expect((await call(`/uploads/${upload.body.uploadId}`, { token: user.token })).status).toBe(200);
    // Act: deleted, and the name created again.
    expect((await deleteUser(name)).status).toBe(204);
    const again = await newUser(name);
    // Assess: the old access token (once its cached decision expires) and refresh token are refused,
    // and the new user does not reach the old user's upload.
    expect(await afterCache(user.token)).toBe(403);
    expect((await call('/auth/refresh', { json: { refreshToken: user.refreshToken } })).status).toBe(401);
    const status = await call<{ error: { code: string } }>(`/uploads/${upload.body.uploadId}`, { token: again.token });
    expect(status.status).toBe(404);
    expect((await call(`/uploads/${upload.body.uploadId}`, { method: 'DELETE', token: again.token })).status).toBe(404);
    // The new user's own session works.
    expect((await call('/folders', { token: again.token })).status).toBe(200);
  });
});
