import { endSession, openSession, refreshSession, type SessionDeps } from '../../../../handlers/auth/session';
import { clearedRefreshCookie, refreshCookie, refreshTokenFromCookies, REFRESH_COOKIE } from '../../../../handlers/core/session';
import { MemorySessions, MemoryUsers } from '../../memory-auth';
import { memoryLogger } from '../../support';

const SECRET = 'session-test-secret-0123456789abcdefghij';
let clock = new Date('2024-05-01T10:00:00.000Z');

async function setup() {
  const users = new MemoryUsers();
  const user = await users.add({ username: 'ana', role: 'editor', passwordHash: 'scrypt$unused', folders: ['/family'] });
  const sessions = new MemorySessions();
  const log = memoryLogger();
  const deps: SessionDeps = {
    users,
    sessions,
    keys: { signingKey: async () => ({ id: 'v1', secret: SECRET }) },
    issuer: 'media-store',
    tokenTtlSeconds: 300,
    refreshTokenTtlSeconds: 30 * 24 * 3600,
    logger: log.logger,
    now: () => clock,
  };
  return { users, sessions, deps, log, opened: await openSession(user, deps) };
}

const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ statusCode: 401, code: 'InvalidRefreshToken' });

describe('sessions', () => {
  beforeEach(() => {
    clock = new Date('2024-05-01T10:00:00.000Z');
  });

  describe('refreshSession', () => {
    it('rotates the refresh token and grants a new access token with the user as stored', async () => {
      const { deps, opened } = await setup();
      const refreshed = await refreshSession(opened.refresh.token, deps);
      expect(refreshed.refresh.token).not.toBe(opened.refresh.token);
      expect(refreshed.refresh.familyId).toBe(opened.refresh.familyId);
      expect(refreshed.access).toMatchObject({ expiresIn: 300, user: { username: 'ana', role: 'editor', folders: ['/family'] } });
    });

    it('slides the refresh expiry: 29 days after each refresh the session lives on', async () => {
      const { deps, opened } = await setup();
      clock = new Date(clock.getTime() + 29 * 24 * 3600 * 1000);
      const second = await refreshSession(opened.refresh.token, deps);
      clock = new Date(clock.getTime() + 29 * 24 * 3600 * 1000);
      await expect(refreshSession(second.refresh.token, deps)).resolves.toHaveProperty('access');
    });

    it('refuses a refresh token past its 30 days', async () => {
      const { deps, opened } = await setup();
      clock = new Date(clock.getTime() + 30 * 24 * 3600 * 1000);
      await refused(refreshSession(opened.refresh.token, deps));
    });

    it('revokes the whole family when a rotated token is replayed', async () => {
      const { deps, opened, sessions, log } = await setup();
      const next = await refreshSession(opened.refresh.token, deps);
      await refused(refreshSession(opened.refresh.token, deps));
      await refused(refreshSession(next.refresh.token, deps));
      expect(sessions.families.size).toBe(0);
      expect(log.lines).toContainEqual(expect.objectContaining({ message: 'session revoked', reason: 'refresh-token-reused' }));
    });

    it('refuses and revokes at once when the user changed (new session version) or was deleted', async () => {
      const changed = await setup();
      await changed.users.update('ana', { role: 'viewer' });
      await refused(refreshSession(changed.opened.refresh.token, changed.deps));
      expect(changed.sessions.families.size).toBe(0);

      const deleted = await setup();
      deleted.users.users.delete('ana');
      await refused(refreshSession(deleted.opened.refresh.token, deleted.deps));
    });

    it('keeps the session through a re-hash of the same password', async () => {
      const { deps, opened, users } = await setup();
      await users.update('ana', { passwordHash: 'scrypt$rehashed' }, { keepSessions: true });
      await expect(refreshSession(opened.refresh.token, deps)).resolves.toHaveProperty('access');
    });

    it.each([undefined, '', 'short', 'x'.repeat(43)])('refuses %j', async (token) => {
      const { deps } = await setup();
      await refused(refreshSession(token, deps));
    });
  });

  it('endSession revokes the family; unknown tokens end nothing', async () => {
    const { deps, opened, sessions } = await setup();
    await endSession('not-a-token', deps);
    expect(sessions.families.size).toBe(1);
    await endSession(opened.refresh.token, deps);
    await refused(refreshSession(opened.refresh.token, deps));
  });

  describe('refresh cookie', () => {
    it('is HttpOnly, Secure, SameSite=Strict and scoped to /api/auth', () => {
      expect(refreshCookie('tok', 60)).toBe(`${REFRESH_COOKIE}=tok; Path=/api/auth; Max-Age=60; HttpOnly; Secure; SameSite=Strict`);
      expect(clearedRefreshCookie()).toContain('Max-Age=0');
    });

    it('is found among the request cookies, and only by its name', () => {
      expect(refreshTokenFromCookies(['a=1', `${REFRESH_COOKIE}=abc`])).toBe('abc');
      expect(refreshTokenFromCookies(['media-store-refresh=abc'])).toBeUndefined();
      expect(refreshTokenFromCookies(undefined)).toBeUndefined();
    });
  });
});
