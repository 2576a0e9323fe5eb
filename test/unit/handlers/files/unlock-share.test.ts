import fc from 'fast-check';
import type { UserRecord } from '../../../../handlers/adapters/users-repository';
import { TooManyRequests, Unauthorized } from '../../../../handlers/core/errors';
import { shareUnlockLimiterKey } from '../../../../contract/table';
import { hashPassword, prepareDummyHash } from '../../../../handlers/core/password';
import { hashShareToken, newShareToken } from '../../../../handlers/core/shares';
import { unlockShare, type PublicSharesDeps } from '../../../../handlers/files/public-shares';
import { MemoryAttemptCounter, memoryLogger, albumShare } from '../../support';

/** Cheap hashes keep the many wrong passwords fast. */
const FAST = { N: 1024, r: 8, p: 1 };
const RIGHT = 'the family password';
/** The module's defaults: 5 attempts per (share, source), 900 s. */
const THROTTLE = { maxFailures: 5, lockoutSeconds: 900 };
const NOW = new Date('2026-06-01T12:00:00.000Z');
jest.setTimeout(60_000);

let passwordHash: string;
beforeAll(async () => {
  await prepareDummyHash(FAST);
  passwordHash = await hashPassword(RIGHT, FAST);
});

/** A live password-protected album share, and what unlocking it needs; `sleep` records the waits unless the real clock is asked for. */
function world(options: { realSleep?: boolean } = {}) {
  const token = newShareToken();
  const share = albumShare({ passwordHash });
  const attempts = new MemoryAttemptCounter();
  const waits: number[] = [];
  const deps = {
    shares: {
      byTokenHash: async (hash: string) => (hash === hashShareToken(token) ? share : undefined),
    },
    accessLog: { record: async () => undefined },
    users: { getAccess: async (name: string) => (name === 'ana' ? ({ username: 'ana', role: 'editor' } as UserRecord) : undefined) },
    files: {},
    folders: { marker: async () => ({ generation: 'gen' }) },
    objects: {},
    viewUrlTtlSeconds: 60,
    throttle: THROTTLE,
    attempts,
    now: () => NOW,
    ...(options.realSleep === true ? {} : { sleep: async (ms: number) => void waits.push(ms) }),
    logger: memoryLogger().logger,
  } as unknown as PublicSharesDeps & { logger: ReturnType<typeof memoryLogger>['logger'] };
  const unlock = (password: string, ip: string, using = deps) => unlockShare({ token, ip, event: undefined as never }, password, using);
  return { token, deps, attempts, waits, unlock };
}

async function timed(run: () => Promise<{ session: string }>): Promise<number> {
  const started = Date.now();
  expect((await run()).session).toEqual(expect.any(String));
  return Date.now() - started;
}

const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => value, (error: unknown) => error);

describe('unlockShare', () => {
  it('refuses a source after 5 wrong passwords (429 with Retry-After), without checking the right one', async () => {
    // Prepare
    const { unlock } = world();
    const wrong = [];
    for (let i = 0; i < 5; i += 1) wrong.push(await outcome(unlock(`guess-${i}`, '198.51.100.7')));
    // Act
    const refused = (await outcome(unlock(RIGHT, '198.51.100.7'))) as TooManyRequests;
    const elsewhere = await unlock(RIGHT, '203.0.113.9');
    // Assess
    expect(wrong.every((e) => e instanceof Unauthorized)).toBe(true);
    expect(refused).toBeInstanceOf(TooManyRequests);
    expect(refused.headers['retry-after']).toBe('900');
    expect(elsewhere.session).toEqual(expect.any(String));
  });

  it('checks at most 5 of 40 parallel wrong passwords from one source, in any interleaving (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        // Prepare: every limiter call resolves in an order fast-check chooses.
        const { deps, attempts, unlock } = world();
        const parallel = {
          ...deps,
          attempts: { reserve: s.scheduleFunction(attempts.reserve.bind(attempts)), refund: s.scheduleFunction(attempts.refund.bind(attempts)), clear: s.scheduleFunction(attempts.clear.bind(attempts)) },
        };
        // Act
        const outcomes = await s.waitFor(Promise.all(Array.from({ length: 40 }, (_, i) => outcome(unlock(`guess-${i}`, '198.51.100.7', parallel)))));
        // Assess
        const checked = outcomes.filter((e) => e instanceof Unauthorized).length;
        expect(checked + outcomes.filter((e) => e instanceof TooManyRequests).length).toBe(40);
        expect(checked).toBeLessThanOrEqual(5);
      }),
      { numRuns: 15 },
    );
  });

  describe('the share as a whole', () => {
    it('is never closed: after 30 wrong passwords from 6 sources, a new visitor with the right password gets in', async () => {
      // Prepare
      const { unlock, waits } = world();
      const sources = Array.from({ length: 6 }, (_, i) => `198.51.100.${10 + i}`);
      for (let i = 0; i < 30; i += 1) await outcome(unlock(`guess-${i}`, sources[i % 6] as string));
      // Act
      const visitor = await unlock(RIGHT, '203.0.113.9');
      // Assess
      expect(visitor.session).toEqual(expect.any(String));
      // The first 5 attempts on the share cost nothing, then half a second more each, at most 5 s.
      expect(waits).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, ...Array(17).fill(5000)]);
    });

    it('slows an attempt down with the real clock: after 30 attempts on the share, the next waits 5 s before its check', async () => {
      // Prepare: 30 attempts on the share from every source, as if just made; and a share without any.
      const slowed = world({ realSleep: true });
      const nowSeconds = Math.floor(NOW.getTime() / 1000);
      slowed.attempts.seed(shareUnlockLimiterKey(hashShareToken(slowed.token)), { attempts: 30, windowStartedAt: nowSeconds, lastAttemptAt: nowSeconds });
      const quiet = world({ realSleep: true });
      // Act
      const slowedMs = await timed(() => slowed.unlock(RIGHT, '203.0.113.9'));
      const quietMs = await timed(() => quiet.unlock(RIGHT, '203.0.113.9'));
      // Assess
      expect(slowedMs).toBeGreaterThanOrEqual(5000);
      expect(quietMs).toBeLessThan(4000);
    });
  });
});
