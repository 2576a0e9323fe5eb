/**
 * The users API's two limits on a stack of their own: the last admin can be neither deleted
 * nor demoted, and the module's max_users holds atomically under concurrent creates. Both
 * take what other files need (the admin's role for a moment, every free place), so they do
 * not run on the shared e2e stack.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { adminTokenOf, callStack, startOwnStack } from './support/own-stack';

/** The plan's default `max_users` (this stack does not override it). */
const MAX_USERS = 10;

jest.setTimeout(60_000);

let stack: LocalStack;
let adminToken: string;

const call = <T = unknown>(route: string, init: { method?: string; token?: string; json?: unknown } = {}) => callStack<T>(stack, route, init);

const createUser = (json: unknown, token = adminToken) => call<{ error?: { code: string } }>('/users', { token, json });
const listUsers = () => call<{ users: { username: string }[]; maxUsers: number }>('/users', { token: adminToken });
const remove = (name: string, token = adminToken) => call<{ error?: { code: string } }>(`/users/${encodeURIComponent(name)}`, { method: 'DELETE', token });
const change = (name: string, json: unknown, token = adminToken) => call<{ error?: { code: string } }>(`/users/${encodeURIComponent(name)}`, { method: 'PATCH', token, json });

async function login(user: { username: string; password: string }): Promise<string> {
  const response = await call<{ token: string }>('/auth/login', { json: user });
  if (response.status !== 200) throw new Error(`login of ${user.username} answered ${response.status}`);
  return response.body.token;
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-users-limits-'));
  let adminPassword: string;
  ({ stack, adminPassword } = await startOwnStack(dir, {}));
  adminToken = await adminTokenOf(stack, adminPassword);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('users API limits', () => {
  describe('the last admin', () => {
    it('cannot be deleted or demoted (409 LastAdmin); with a second admin it can be demoted', async () => {
      // Act
      const deleteSelf = await remove(stack.adminUser);
      const demoteSelf = await change(stack.adminUser, { role: 'editor' });
      // Assess
      for (const response of [deleteSelf, demoteSelf]) {
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ error: { code: 'LastAdmin' } });
      }
      // Prepare: a second admin makes the first one demotable — and the second one the last.
      expect((await createUser({ username: 'e2e-u-admin2', role: 'admin', password: 'second-admin-pw' })).status).toBe(201);
      const secondToken = await login({ username: 'e2e-u-admin2', password: 'second-admin-pw' });
      expect((await change(stack.adminUser, { role: 'viewer' }, secondToken)).status).toBe(200);
      try {
        expect((await remove('e2e-u-admin2', secondToken)).body).toMatchObject({ error: { code: 'LastAdmin' } });
      } finally {
        // The stack's admin is admin again.
        expect((await change(stack.adminUser, { role: 'admin' }, secondToken)).status).toBe(200);
      }
      expect((await remove('e2e-u-admin2')).status).toBe(204);
    });
  });

  describe('max_users', () => {
    it('lets concurrent creates fill the table exactly up to the maximum, then answers 409 MaxUsersReached', async () => {
      // Prepare
      const before = (await listUsers()).body.users.length;
      const free = MAX_USERS - before;
      expect(free).toBeGreaterThan(0);
      const names = Array.from({ length: free + 4 }, (_, i) => `e2e-u-max${i}`);
      // Act: more creates than free places, all at once.
      const responses = await Promise.all(names.map((username) => createUser({ username, role: 'viewer', password: 'max-users-pw' })));
      // Assess
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(free).fill(201), ...Array(4).fill(409)]);
      for (const refused of responses.filter((r) => r.status === 409)) expect(refused.body).toMatchObject({ error: { code: 'MaxUsersReached' } });
      expect((await listUsers()).body.users).toHaveLength(MAX_USERS);
      expect((await listUsers()).body.maxUsers).toBe(MAX_USERS);
      // Freeing one place lets one more in.
      const admitted = names.filter((_, i) => responses[i]?.status === 201);
      expect((await remove(admitted[0] as string)).status).toBe(204);
      const refusedName = names.find((_, i) => responses[i]?.status === 409) as string;
      expect((await createUser({ username: refusedName, role: 'viewer', password: 'max-users-pw' })).status).toBe(201);
    });
  });
});
