import fc from 'fast-check';
import { INVALID_CREDENTIALS, login, parseLoginRequest, type LoginDeps } from '../../../../handlers/auth/login';
import { TooManyRequests, Unauthorized, ValidationError } from '../../../../handlers/core/errors';
import { hashPassword, prepareDummyHash } from '../../../../handlers/core/password';
import { verifyToken } from '../../../../handlers/core/token';
import { MemorySessions, MemoryUsers } from '../../memory-auth';
import { MemoryAttemptCounter, memoryLogger } from '../../support';

const SECRET = 'login-test-secret-0123456789abcdefghij';
const ATTACKER = '198.51.100.7';
const ADMIN_DESK = '203.0.113.9';
/** The module's defaults: 5 failures, a 900-second window and lock. */
const THROTTLE = { maxFailures: 5, lockoutSeconds: 900 };
/** Cheap hashes keep the many failed logins fast; the re-hash test uses real parameters. */
const FAST = { N: 1024, r: 8, p: 1 };
jest.setTimeout(30_000);
beforeAll(async () => {
  await prepareDummyHash(FAST);
});

let clock = new Date('2024-05-01T10:00:00.000Z');
const tick = (seconds: number): void => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

async function setup(): Promise<{ users: MemoryUsers; attempts: MemoryAttemptCounter; sessions: MemorySessions; deps: LoginDeps; log: ReturnType<typeof memoryLogger> }> {
  const users = new MemoryUsers();
  await users.add({ username: 'ana', role: 'admin', passwordHash: await hashPassword('correct horse battery', FAST) });
  const sessions = new MemorySessions();
  const attempts = new MemoryAttemptCounter();
  const log = memoryLogger();
  const deps: LoginDeps = {
    users,
    attempts,
    sessions,
    keys: { signingKey: async () => ({ id: 'v1', secret: SECRET }) },
    issuer: 'media-store',
    tokenTtlSeconds: 300,
    refreshTokenTtlSeconds: 30 * 24 * 3600,
    throttle: THROTTLE,
    logger: log.logger,
    now: () => clock,
  };
  return { users, attempts, sessions, deps, log };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const attempt = (deps: LoginDeps, password: string, source = ATTACKER, username = 'ana') => login({ username, password, client: 'browser' }, source, deps);
const RIGHT = 'correct horse battery';

describe('login', () => {
  beforeEach(() => {
    clock = new Date('2024-05-01T10:00:00.000Z');
  });

  it('returns a verifiable short access token, its expiry, the user and a refresh token', async () => {
    // Prepare
    const { deps, sessions } = await setup();
    // Act
    const session = await attempt(deps, RIGHT);
    // Assess
    expect(session.access).toMatchObject({ expiresAt: '2024-05-01T10:05:00.000Z', expiresIn: 300, user: { username: 'ana', role: 'admin', folders: null } });
    const verified = await verifyToken(session.access.token, { secret: async (kid) => (kid === 'v1' ? SECRET : undefined), issuer: 'media-store', now: clock.getTime() / 1000 });
    expect(verified).toMatchObject({ ok: true, claims: { sub: 'ana', role: 'admin', sv: expect.any(String) } });
    expect(session.refresh.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.findToken(session.refresh.token)).toMatchObject({ familyId: session.refresh.familyId });
    expect([...sessions.tokens.keys()]).not.toContain(session.refresh.token);
  });

  it('answers an unknown user and a wrong password with the same 401', async () => {
    const { deps } = await setup();
    const unknown = (await failure(attempt(deps, RIGHT, ATTACKER, 'nobody'))) as Unauthorized;
    const wrong = (await failure(attempt(deps, 'wrong'))) as Unauthorized;
    expect(unknown).toBeInstanceOf(Unauthorized);
    expect([unknown.statusCode, unknown.code, unknown.message]).toEqual([wrong.statusCode, wrong.code, wrong.message]);
    expect(wrong.message).toBe(INVALID_CREDENTIALS);
  });

  describe('throttling', () => {
    it('locks a (user, source) pair for the whole 900-second window after 5 failures, even for the right password', async () => {
      // Prepare
      const { deps } = await setup();
      for (let i = 0; i < 5; i += 1) await failure(attempt(deps, 'wrong'));
      // Act
      const locked = (await failure(attempt(deps, RIGHT))) as TooManyRequests;
      tick(899);
      const stillLocked = (await failure(attempt(deps, RIGHT))) as TooManyRequests;
      tick(1);
      const after = await attempt(deps, RIGHT);
      // Assess
      expect(locked).toBeInstanceOf(TooManyRequests);
      expect(locked.headers['retry-after']).toBe('900');
      expect(stillLocked.headers['retry-after']).toBe('1');
      expect(after.access.token).toEqual(expect.any(String));
    });

    it('counts a failure 900 seconds after the previous one in the same window, and forgets it after 901', async () => {
      const { deps } = await setup();
      for (let i = 0; i < 4; i += 1) await failure(attempt(deps, 'wrong'));
      tick(900);
      await failure(attempt(deps, 'wrong'));
      expect(await failure(attempt(deps, RIGHT))).toBeInstanceOf(TooManyRequests);

      const fresh = await setup();
      for (let i = 0; i < 4; i += 1) await failure(attempt(fresh.deps, 'wrong'));
      tick(901);
      await failure(attempt(fresh.deps, 'wrong'));
      await expect(attempt(fresh.deps, RIGHT)).resolves.toHaveProperty('access');
    });

    it('never locks the admin out from another source: an attacker locks only themselves', async () => {
      // Prepare: the attacker exhausts the admin's failures from their address, again and again.
      const { deps } = await setup();
      for (let i = 0; i < 15; i += 1) await failure(attempt(deps, `guess-${i}`));
      // Act
      const fromAttacker = await failure(attempt(deps, RIGHT));
      const fromDesk = await attempt(deps, RIGHT, ADMIN_DESK);
      // Assess
      expect(fromAttacker).toBeInstanceOf(TooManyRequests);
      expect(fromDesk.access.user.username).toBe('ana');
    });

    it('locks a source that fails across many usernames (password spraying), not the others', async () => {
      const { deps } = await setup();
      for (let i = 0; i < 20; i += 1) await failure(attempt(deps, 'Winter2024!', ATTACKER, `user-${i}`));
      expect(await failure(attempt(deps, RIGHT))).toBeInstanceOf(TooManyRequests);
      await expect(attempt(deps, RIGHT, ADMIN_DESK)).resolves.toHaveProperty('access');
    });

    it('treats the addresses of one IPv6 /64 as one source', async () => {
      const { deps } = await setup();
      for (let i = 0; i < 5; i += 1) await failure(attempt(deps, 'wrong', `2001:db8:1:2::${i + 1}`));
      expect(await failure(attempt(deps, RIGHT, '2001:db8:1:2:ffff::9'))).toBeInstanceOf(TooManyRequests);
      await expect(attempt(deps, RIGHT, '2001:db8:1:3::1')).resolves.toHaveProperty('access');
    });

    it('throttles unknown usernames the same way, so the lock reveals nothing', async () => {
      const { deps } = await setup();
      for (let i = 0; i < 5; i += 1) await failure(attempt(deps, 'x', ATTACKER, 'ghost'));
      expect(await failure(attempt(deps, 'x', ATTACKER, 'ghost'))).toBeInstanceOf(TooManyRequests);
    });

    it('checks at most 5 of 40 parallel wrong passwords for one user, and 20 sprayed over many, in any interleaving (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, spray) => {
          // Prepare: every store call of every login resolves in an order fast-check chooses.
          const { deps, attempts } = await setup();
          const scheduled = {
            reserve: s.scheduleFunction(attempts.reserve.bind(attempts)),
            refund: s.scheduleFunction(attempts.refund.bind(attempts)),
            clear: s.scheduleFunction(attempts.clear.bind(attempts)),
          };
          const parallel = { ...deps, attempts: scheduled, users: { ...deps.users, get: s.scheduleFunction(deps.users.get.bind(deps.users)), update: deps.users.update.bind(deps.users) } };
          // Act
          const outcomes = await s.waitFor(Promise.all(Array.from({ length: 40 }, (_, i) => failure(attempt(parallel, `guess-${i}`, ATTACKER, spray ? `user-${i}` : 'ana')))));
          // Assess
          const checked = outcomes.filter((e) => e instanceof Unauthorized).length;
          const refused = outcomes.filter((e) => e instanceof TooManyRequests).length;
          expect(checked + refused).toBe(40);
          expect(checked).toBeLessThanOrEqual(spray ? 20 : 5);
          expect(checked).toBeGreaterThan(0);
        }),
        { numRuns: 15 },
      );
    });

    it('clears the (user, source) record on success and stores no address', async () => {
      const { deps, attempts } = await setup();
      await failure(attempt(deps, 'wrong'));
      expect([...attempts.records.keys()].join(' ')).not.toContain(ATTACKER);
      await attempt(deps, RIGHT);
      expect([...attempts.records.keys()].some((k) => k.startsWith('USER#ana|'))).toBe(false);
    });
  });

  it('re-hashes a hash made at N=2^16 with N=2^17 at the next successful login, keeping the session valid', async () => {
    // Prepare
    const { deps, users } = await setup();
    const old = await users.add({ username: 'bo', role: 'viewer', passwordHash: await hashPassword('old params pw', { N: 2 ** 16, r: 8, p: 1 }) });
    // Act
    const session = await attempt(deps, 'old params pw', ATTACKER, 'bo');
    // Assess
    const stored = users.users.get('bo');
    expect(stored?.passwordHash).toMatch(/^scrypt\$N=131072,r=8,p=1\$/);
    expect(stored?.sessionVersion).toBe(old.sessionVersion);
    await expect(attempt(deps, 'old params pw', ADMIN_DESK, 'bo')).resolves.toHaveProperty('access');
    expect(session.access.user.username).toBe('bo');
  }, 20_000);

  it('never logs the password, the tokens or the address', async () => {
    const { deps, log } = await setup();
    const { access, refresh } = await attempt(deps, RIGHT);
    await failure(attempt(deps, 'wrong-password-xyz'));
    expect(log.text()).not.toMatch(/correct horse|wrong-password-xyz/);
    expect(log.text()).not.toContain(access.token);
    expect(log.text()).not.toContain(refresh.token);
    expect(log.text()).not.toContain(ATTACKER);
  });

  describe('parseLoginRequest', () => {
    it.each([null, [], 'x', {}, { username: 'a' }, { username: '', password: 'p' }, { username: 'a', password: 1 }, { username: 'a'.repeat(200), password: 'p' }, { username: 'a', password: 'p', client: 'tv' }])(
      'throws a 400 for %j',
      (body) => {
        expect(() => parseLoginRequest(body)).toThrow(ValidationError);
      },
    );

    it('defaults to a browser session and accepts the CLI', () => {
      expect(parseLoginRequest({ username: 'a', password: 'p' }).client).toBe('browser');
      expect(parseLoginRequest({ username: 'a', password: 'p', client: 'cli' }).client).toBe('cli');
    });
  });
});
