import type { NewUser, UserRecord, VersionedLimiter } from '../../handlers/adapters/users-repository';
import { INVALID_CREDENTIALS, login, parseLoginRequest, type LoginDeps, type LoginUserStore } from '../../handlers/auth/login';
import { TooManyRequests, Unauthorized, ValidationError } from '../../handlers/core/errors';
import type { LoginLimiterState } from '../../handlers/core/login-throttle';
import { hashPassword } from '../../handlers/core/password';
import { verifyToken } from '../../handlers/core/token';
import { memoryLogger } from './support';

const SECRET = 'login-test-secret-0123456789abcdefghij';

/** An in-memory UsersRepository with the same conditional-write semantics. */
class MemoryUsers implements LoginUserStore {
  readonly users = new Map<string, UserRecord>();
  readonly limiters = new Map<string, VersionedLimiter>();

  async add(user: NewUser): Promise<void> {
    this.users.set(user.username, { ...user, createdAt: '', updatedAt: '' });
  }
  async get(username: string) {
    return this.users.get(username);
  }
  async update(username: string, changes: { passwordHash?: string }) {
    const user = this.users.get(username);
    if (user && changes.passwordHash) this.users.set(username, { ...user, passwordHash: changes.passwordHash });
  }
  async getLoginLimiter(username: string) {
    return this.limiters.get(username);
  }
  async saveLoginLimiter(username: string, state: LoginLimiterState, expectedVersion: number | undefined) {
    if (this.limiters.get(username)?.version !== expectedVersion) return false;
    this.limiters.set(username, { state, version: (expectedVersion ?? 0) + 1 });
    return true;
  }
  async clearLoginLimiter(username: string) {
    this.limiters.delete(username);
  }
}

let clock = new Date('2024-05-01T10:00:00.000Z');

async function setup(): Promise<{ users: MemoryUsers; deps: LoginDeps; log: ReturnType<typeof memoryLogger> }> {
  const users = new MemoryUsers();
  await users.add({ username: 'ana', role: 'editor', passwordHash: await hashPassword('correct horse battery') });
  const log = memoryLogger();
  const deps: LoginDeps = {
    users,
    loadSecret: async () => SECRET,
    issuer: 'media-store',
    tokenTtlSeconds: 3600,
    throttle: { maxFailures: 3, lockoutSeconds: 900 },
    logger: log.logger,
    now: () => clock,
  };
  return { users, deps, log };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('login', () => {
  beforeEach(() => {
    clock = new Date('2024-05-01T10:00:00.000Z');
  });

  it('returns a verifiable token and its expiry for the right password', async () => {
    const { deps } = await setup();
    const response = await login({ username: 'ana', password: 'correct horse battery' }, deps);
    expect(response.expiresAt).toBe('2024-05-01T11:00:00.000Z');
    const verified = verifyToken(response.token, { secret: SECRET, issuer: 'media-store', now: clock.getTime() / 1000 });
    expect(verified).toMatchObject({ ok: true, claims: { sub: 'ana', role: 'editor' } });
  });

  it('answers an unknown user and a wrong password with the same 401', async () => {
    const { deps } = await setup();
    const unknown = (await failure(login({ username: 'nobody', password: 'correct horse battery' }, deps))) as Unauthorized;
    const wrong = (await failure(login({ username: 'ana', password: 'wrong' }, deps))) as Unauthorized;
    expect(unknown).toBeInstanceOf(Unauthorized);
    expect([unknown.statusCode, unknown.code, unknown.message]).toEqual([wrong.statusCode, wrong.code, wrong.message]);
    expect(wrong.message).toBe(INVALID_CREDENTIALS);
  });

  it('throttles a user after repeated failures with 429 and Retry-After, even for the right password', async () => {
    // Prepare
    const { deps } = await setup();
    for (let i = 0; i < 3; i += 1) await failure(login({ username: 'ana', password: 'wrong' }, deps));
    // Act
    const error = (await failure(login({ username: 'ana', password: 'correct horse battery' }, deps))) as TooManyRequests;
    // Assess
    expect(error).toBeInstanceOf(TooManyRequests);
    expect(error.statusCode).toBe(429);
    expect(error.headers['retry-after']).toBe('900');
  });

  it('throttles unknown usernames the same way, so the lock reveals nothing', async () => {
    const { deps } = await setup();
    for (let i = 0; i < 3; i += 1) await failure(login({ username: 'ghost', password: 'x' }, deps));
    expect(await failure(login({ username: 'ghost', password: 'x' }, deps))).toBeInstanceOf(TooManyRequests);
  });

  it('lets the user in again after the lockout and clears the record on success', async () => {
    const { deps, users } = await setup();
    for (let i = 0; i < 3; i += 1) await failure(login({ username: 'ana', password: 'wrong' }, deps));
    clock = new Date(clock.getTime() + 901_000);
    await expect(login({ username: 'ana', password: 'correct horse battery' }, deps)).resolves.toHaveProperty('token');
    expect(users.limiters.has('ana')).toBe(false);
  });

  it('never logs the password or the token', async () => {
    const { deps, log } = await setup();
    const { token } = await login({ username: 'ana', password: 'correct horse battery' }, deps);
    await failure(login({ username: 'ana', password: 'wrong-password-xyz' }, deps));
    expect(log.text()).not.toMatch(/correct horse|wrong-password-xyz/);
    expect(log.text()).not.toContain(token);
  });

  describe('parseLoginRequest', () => {
    it.each([null, [], 'x', {}, { username: 'a' }, { username: '', password: 'p' }, { username: 'a', password: 1 }, { username: 'a'.repeat(200), password: 'p' }])(
      'throws a 400 for %j',
      (body) => {
        expect(() => parseLoginRequest(body)).toThrow(ValidationError);
      },
    );
  });
});
