import { ValidationError } from '../../../../handlers/core/errors';
import type { UserRecord } from '../../../../handlers/adapters/users-repository';
import { changeUser, createUser, deleteUser, listUsers, parseChangeUserRequest, parseCreateUserRequest, type ManagedUserStore } from '../../../../handlers/auth/manage-users';
import { verifyPassword } from '../../../../handlers/core/password';
import { memoryLogger } from '../../support';

// Passwords are hashed with the defaults (N=2^17): about a second each on a busy two-core machine.
jest.setTimeout(30_000);

const admin = { username: 'root', role: 'admin' } as const;
const editor = { username: 'ed', role: 'editor' } as const;

function memoryUsers(): { store: ManagedUserStore; records: Map<string, UserRecord>; calls: unknown[] } {
  const records = new Map<string, UserRecord>();
  const calls: unknown[] = [];
  const store: ManagedUserStore = {
    list: async () => [...records.values()],
    get: async (name) => records.get(name),
    create: async (user, options) => {
      calls.push(['create', user.username, options]);
      const record = { ...user, userId: `id-${user.username}`, sessionVersion: 's0', createdAt: 'c', updatedAt: 'u' };
      records.set(user.username, record);
      return record;
    },
    update: async (name, changes) => {
      calls.push(['update', name, changes]);
      const current = records.get(name)!;
      const { folders, ...rest } = { ...current, ...changes };
      records.set(name, { ...rest, ...(folders !== null && folders !== undefined ? { folders } : {}) } as UserRecord);
    },
    remove: async (name) => {
      records.delete(name);
    },
    counts: async () => ({ users: records.size, admins: 0 }),
    clearLoginLimiters: async (name) => {
      calls.push(['clear', name]);
    },
  };
  return { store, records, calls };
}

describe('manage users', () => {
  describe('parseCreateUserRequest', () => {
    it('normalizes folder limits and keeps an optional password', () => {
      expect(parseCreateUserRequest({ username: 'gran', role: 'viewer', folders: ['family/'] })).toEqual({ username: 'gran', role: 'viewer', folders: ['/family'] });
    });

    it.each([
      ['an admin with folders', { username: 'a', role: 'admin', folders: ['/x'] }, 'folders'],
      ['an unknown role', { username: 'a', role: 'owner' }, 'role'],
      ['a short password', { username: 'a', role: 'viewer', password: 'short' }, 'password'],
      ['an unknown field', { username: 'a', role: 'viewer', admin: true }, 'admin'],
      ['a bad name', { username: '../a', role: 'viewer' }, 'username'],
    ])('throws a ValidationError naming the field for %s', (_name, body, field) => {
      expect(() => parseCreateUserRequest(body)).toThrow(expect.objectContaining({ field }));
    });
  });

  describe('parseChangeUserRequest', () => {
    it('reads null folders as "every folder" and refuses an empty change', () => {
      expect(parseChangeUserRequest({ folders: null })).toEqual({ folders: null });
      expect(parseChangeUserRequest({ folders: ['/'] })).toEqual({ folders: null });
      expect(() => parseChangeUserRequest({})).toThrow(ValidationError);
    });
  });

  describe('use cases', () => {
    it('throw 403 for callers who are not admins', async () => {
      const { store } = memoryUsers();
      const deps = { users: store, maxUsers: 10, logger: memoryLogger().logger };
      await expect(listUsers(editor, deps)).rejects.toMatchObject({ statusCode: 403 });
      await expect(createUser({ username: 'x', role: 'viewer' }, editor, deps)).rejects.toMatchObject({ statusCode: 403 });
      await expect(changeUser('x', { role: 'admin' }, editor, deps)).rejects.toMatchObject({ statusCode: 403 });
      await expect(deleteUser('x', editor, deps)).rejects.toMatchObject({ statusCode: 403 });
    });

    it('create a user under the maximum with a generated password that verifies, and never show the hash', async () => {
      // Prepare
      const { store, calls } = memoryUsers();
      const deps = { users: store, maxUsers: 2, logger: memoryLogger().logger };
      // Act
      const result = await createUser({ username: 'gran', role: 'viewer', folders: ['/family'] }, admin, deps);
      // Assess
      expect(calls).toEqual([['create', 'gran', { maxUsers: 2 }]]);
      expect(result.user).toEqual({ username: 'gran', role: 'viewer', folders: ['/family'], createdAt: 'c', updatedAt: 'u' });
      expect(await verifyPassword(result.password as string, (await store.get('gran'))?.passwordHash)).toBe(true);
      expect(JSON.stringify(await listUsers(admin, deps))).not.toContain('passwordHash');
    });

    it('change a password and clear the login limiter; refuse folders on an admin', async () => {
      // Prepare
      const { store, calls } = memoryUsers();
      const deps = { users: store, maxUsers: 5, logger: memoryLogger().logger };
      await createUser({ username: 'kid', role: 'viewer', password: 'first-password' }, admin, deps);
      await createUser({ username: 'boss', role: 'admin', password: 'first-password' }, admin, deps);
      // Act
      await changeUser('kid', { password: 'second-password' }, admin, deps);
      // Assess
      expect(calls).toContainEqual(['clear', 'kid']);
      await expect(changeUser('boss', { folders: ['/x'] }, admin, deps)).rejects.toMatchObject({ statusCode: 400 });
      await expect(changeUser('ghost', { role: 'viewer' }, admin, deps)).rejects.toMatchObject({ statusCode: 404 });
    });
  });
});
