/**
 * The users API over HTTP: admins only; create (generated password), change, delete.
 * Every user this file creates is removed again, so other files see the stack's own users.
 * The last admin and max_users, which would take the shared stack's admin or its last places
 * from the files running beside this one, are tested on a stack of their own (users-limits.test.ts).
 */
import { api, expectErrorBody, login } from './support/http';
import { e2eContext } from './support/context';
import { claimsOf } from './support/tokens';

interface UserView {
  readonly username: string;
  readonly role: string;
  readonly folders: string[] | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

// Every create and password change hashes with scrypt in the one local auth function.
jest.setTimeout(30_000);

/** The shared e2e stack's `max_users` (global-setup.ts: room for every file's own users at once). */
const MAX_USERS = 50;

describe('users API', () => {
  const context = e2eContext();
  let adminToken: string;
  const created = new Set<string>();

  const createUser = (json: unknown, token = adminToken) => api<{ user: UserView; password?: string }>('/users', { token, json });
  const listUsers = (token = adminToken) => api<{ users: UserView[]; maxUsers: number }>('/users', { token });
  const remove = (name: string, token = adminToken) => api(`/users/${encodeURIComponent(name)}`, { method: 'DELETE', token });
  const change = (name: string, json: unknown, token = adminToken) => api<{ user: UserView }>(`/users/${encodeURIComponent(name)}`, { method: 'PATCH', token, json });

  beforeAll(async () => {
    adminToken = await login(context.admin);
  });

  afterAll(async () => {
    for (const name of created) await remove(name);
  });

  describe('who may use it', () => {
    it.each([
      ['GET', '/users', undefined],
      ['POST', '/users', { username: 'nobody-x', role: 'viewer' }],
      ['PATCH', '/users/e2e-viewer', { role: 'admin' }],
      ['DELETE', '/users/e2e-viewer', undefined],
    ])('answers 403 to editors and viewers on %s %s', async (method, path, json) => {
      for (const user of [context.editor, context.viewer, context.familyEditor]) {
        // Act
        const response = await api(path, { method, token: await login(user), ...(json !== undefined ? { json } : {}) });
        // Assess
        expect(response.status).toBe(403);
        expectErrorBody(response);
      }
      // The viewer is still a viewer.
      expect((await listUsers()).body.users.find((u) => u.username === 'e2e-viewer')?.role).toBe('viewer');
    });

    it('answers 401 without a token', async () => {
      expect((await api('/users')).status).toBe(401);
    });
  });

  describe('GET /users', () => {
    it('lists every user with role and folder limits, never a password hash', async () => {
      // Act
      const response = await listUsers();
      // Assess
      expect(response.status).toBe(200);
      expect(response.body.maxUsers).toBe(MAX_USERS);
      const byName = Object.fromEntries(response.body.users.map((u) => [u.username, u]));
      expect(byName.admin).toMatchObject({ role: 'admin', folders: null });
      expect(byName['e2e-family-editor']).toMatchObject({ role: 'editor', folders: ['/family', '/trips/2024'] });
      expect(response.text).not.toMatch(/passwordHash|scrypt/);
    });
  });

  describe('POST, PATCH and DELETE /users', () => {
    it('creates a user with a generated password shown once, who can then log in with their folder limits', async () => {
      // Act
      const response = await createUser({ username: 'e2e-u-gran', role: 'viewer', folders: ['family/', '/Cafe\u0301'] });
      created.add('e2e-u-gran');
      // Assess
      expect(response.status).toBe(201);
      expect(response.body.user).toMatchObject({ username: 'e2e-u-gran', role: 'viewer', folders: ['/Caf\u00e9', '/family'] });
      expect(response.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const token = await login({ username: 'e2e-u-gran', password: response.body.password as string });
      expect(claimsOf(token)).toMatchObject({ sub: 'e2e-u-gran', role: 'viewer', folders: ['/Caf\u00e9', '/family'] });
      expect(JSON.stringify((await listUsers()).body)).not.toContain(response.body.password);
    });

    it('refuses a duplicate name (409 UserExists) and bad input (400 naming the field)', async () => {
      // Prepare
      expect((await createUser({ username: 'e2e-u-dup', role: 'editor', password: 'long-enough-1' })).status).toBe(201);
      created.add('e2e-u-dup');
      // Act
      const duplicate = await createUser({ username: 'e2e-u-dup', role: 'viewer' });
      const bad = await Promise.all([
        createUser({ username: 'bad name', role: 'viewer' }),
        createUser({ username: 'e2e-u-x', role: 'owner' }),
        createUser({ username: 'e2e-u-x', role: 'viewer', password: 'short' }),
        createUser({ username: 'e2e-u-x', role: 'viewer', folders: [] }),
        createUser({ username: 'e2e-u-x', role: 'viewer', folders: ['/a/../b'] }),
        createUser({ username: 'e2e-u-x', role: 'admin', folders: ['/a'] }),
        createUser({ username: 'e2e-u-x', role: 'viewer', isAdmin: true }),
      ]);
      // Assess
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ error: { code: 'UserExists' } });
      expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
      bad.forEach(expectErrorBody);
      expect(bad.map((r) => (r.body as unknown as { error: { message: string } }).error.message.split(':')[0])).toEqual(['username', 'role', 'password', 'folders', 'folders[0]', 'folders', 'isAdmin']);
    });

    it('changes role, folders and password; the next login carries them', async () => {
      // Prepare
      expect((await createUser({ username: 'e2e-u-kid', role: 'viewer', password: 'first-password' })).status).toBe(201);
      created.add('e2e-u-kid');
      // Act
      const changed = await change('e2e-u-kid', { role: 'editor', folders: ['/kids'], password: 'second-password' });
      // Assess
      expect(changed.status).toBe(200);
      expect(changed.body.user).toMatchObject({ username: 'e2e-u-kid', role: 'editor', folders: ['/kids'] });
      expect((await api('/auth/login', { json: { username: 'e2e-u-kid', password: 'first-password' } })).status).toBe(401);
      const token = await login({ username: 'e2e-u-kid', password: 'second-password' });
      expect(claimsOf(token)).toMatchObject({ role: 'editor', folders: ['/kids'] });
      // Lifting the limits.
      expect((await change('e2e-u-kid', { folders: null })).body.user.folders).toBeNull();
    });

    it('answers 404 for an unknown user and 400 for an empty change', async () => {
      expect((await change('e2e-u-ghost', { role: 'viewer' })).status).toBe(404);
      expect((await remove('e2e-u-ghost')).status).toBe(404);
      const empty = await change('e2e-viewer', {});
      expect(empty.status).toBe(400);
      expectErrorBody(empty);
    });

    it('deletes a user (204), who can no longer log in', async () => {
      // Prepare
      expect((await createUser({ username: 'e2e-u-gone', role: 'viewer', password: 'gone-password' })).status).toBe(201);
      // Act
      const response = await remove('e2e-u-gone');
      // Assess
      expect(response.status).toBe(204);
      expect((await api('/auth/login', { json: { username: 'e2e-u-gone', password: 'gone-password' } })).status).toBe(401);
      expect((await listUsers()).body.users.map((u) => u.username)).not.toContain('e2e-u-gone');
    });
  });
});
