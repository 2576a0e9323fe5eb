import fc from 'fast-check';
import {
  attemptRecordExpiresAt,
  lockedUntil,
  MAX_UNLOCK_DELAY_MS,
  refundAttempt,
  reserveAttempt,
  shareWidePolicy,
  unlockDelayMs,
  type AttemptRecord,
  type ThrottlePolicy,
} from '../../../../handlers/core/login-throttle';

const POLICY = { maxFailures: 3, lockoutSeconds: 900 };
const T = 1_000_000;

/** `n` attempts one after the other, `step` seconds apart, each granted or not. */
function attemptTimes(n: number, start = T, step = 1, policy: ThrottlePolicy = POLICY): AttemptRecord | undefined {
  let record: AttemptRecord | undefined;
  for (let i = 0; i < n; i += 1) {
    const decision = reserveAttempt(record, start + i * step, policy);
    if (decision.granted) record = decision.record;
  }
  return record;
}

describe('reserveAttempt', () => {
  it('grants the first attempt, starting a window', () => {
    expect(reserveAttempt(undefined, T, POLICY)).toEqual({ granted: true, record: { attempts: 1, windowStartedAt: T, lastAttemptAt: T } });
  });

  it('grants attempts up to the budget, then refuses for the lockout after the last one, changing nothing', () => {
    // Prepare
    const spent = attemptTimes(3);
    // Act
    const refused = reserveAttempt(spent, T + 3, POLICY);
    // Assess
    expect(spent).toEqual({ attempts: 3, windowStartedAt: T, lastAttemptAt: T + 2 });
    expect(lockedUntil(spent, POLICY)).toBe(T + 2 + 900);
    expect(refused).toEqual({ granted: false, retryAfterSeconds: 899 });
  });

  it('grants again once the lock has passed, starting a fresh window', () => {
    const spent = attemptTimes(3);
    expect(reserveAttempt(spent, T + 2 + 899, POLICY)).toEqual({ granted: false, retryAfterSeconds: 1 });
    expect(reserveAttempt(spent, T + 2 + 900, POLICY)).toEqual({ granted: true, record: { attempts: 1, windowStartedAt: T + 902, lastAttemptAt: T + 902 } });
  });

  it('counts an attempt 900 seconds after the previous one in the same window, and forgets it after 901', () => {
    const two = attemptTimes(2);
    expect(reserveAttempt(two, T + 1 + 900, POLICY)).toMatchObject({ granted: true, record: { attempts: 3, windowStartedAt: T } });
    expect(reserveAttempt(two, T + 1 + 901, POLICY)).toMatchObject({ granted: true, record: { attempts: 1, windowStartedAt: T + 902 } });
  });

  it('keeps the record until nothing in it matters any more', () => {
    const spent = attemptTimes(3) as AttemptRecord;
    expect(attemptRecordExpiresAt(spent, POLICY)).toBeGreaterThan(lockedUntil(spent, POLICY) as number);
  });
});

describe('refundAttempt', () => {
  it('gives back one attempt of the window it was counted in', () => {
    const spent = attemptTimes(3);
    const refunded = refundAttempt(spent, T);
    expect(refunded).toEqual({ attempts: 2, windowStartedAt: T, lastAttemptAt: T + 2 });
    expect(reserveAttempt(refunded, T + 3, POLICY)).toMatchObject({ granted: true });
  });

  it('gives nothing back to a later window', () => {
    const later = attemptTimes(1, T + 5000);
    expect(refundAttempt(later, T)).toBe(later);
  });
});

describe('the rule under any interleaving of parallel attempts (property)', () => {
  /** One step of many requests on one limiter: a new attempt arrives, or one in flight learns its password was right or wrong. */
  type Step = { kind: 'attempt'; after: number } | { kind: 'answer'; pick: number; right: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('attempt' as const), after: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2000 })) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(), right: fc.boolean() }) },
  );
  const policy: fc.Arbitrary<ThrottlePolicy> = fc.record({ maxFailures: fc.integer({ min: 1, max: 8 }), lockoutSeconds: fc.integer({ min: 1, max: 1000 }) });

  it('checks at most the budget of wrong passwords per window, and never shortens an active lock', () => {
    fc.assert(
      fc.property(policy, fc.array(step, { maxLength: 300 }), fc.boolean(), (policy, steps, clearOnRight) => {
        let record: AttemptRecord | undefined;
        let now = T;
        const inFlight: number[] = []; // the window each attempt in flight was counted in
        const wrongPerWindow = new Map<number, number>();
        for (const s of steps) {
          const lockBefore = lockedUntil(record, policy);
          const active = lockBefore !== undefined && now < lockBefore;
          if (s.kind === 'attempt') {
            now += s.after;
            const decision = reserveAttempt(record, now, policy);
            if (decision.granted) {
              record = decision.record;
              inFlight.push(record.windowStartedAt);
            }
            // Counting an attempt never shortens a lock that was active when it came.
            if (active && now < (lockBefore as number)) {
              expect(decision.granted).toBe(false);
              expect(lockedUntil(record, policy)).toBe(lockBefore);
            }
          } else if (inFlight.length > 0) {
            const [window] = inFlight.splice(s.pick % inFlight.length, 1) as [number];
            if (!s.right) {
              // A wrong password changes nothing: its attempt is already counted.
              wrongPerWindow.set(window, (wrongPerWindow.get(window) ?? 0) + 1);
              expect(wrongPerWindow.get(window)).toBeLessThanOrEqual(policy.maxFailures);
            } else if (clearOnRight) {
              record = undefined; // the (user, source) pair after a right password
            } else {
              record = refundAttempt(record, window); // the source, after one of its users' right password
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('starts a new window only after a whole lockout without attempts, or once the lock has run out', () => {
    fc.assert(
      fc.property(policy, fc.array(fc.integer({ min: 0, max: 1200 }), { maxLength: 200 }), (policy, gaps) => {
        let record: AttemptRecord | undefined;
        let now = T;
        for (const gap of gaps) {
          now += gap;
          const before = record;
          const decision = reserveAttempt(record, now, policy);
          if (!decision.granted) continue;
          record = decision.record;
          if (before !== undefined && record.windowStartedAt === now && record.attempts === 1 && before.windowStartedAt !== now) {
            const quietSince = before.lastAttemptAt + policy.lockoutSeconds;
            expect(now > quietSince || (before.attempts >= policy.maxFailures && now >= quietSince)).toBe(true);
          }
        }
      }),
    );
  });
});

describe('unlockDelayMs', () => {
  it('costs nothing for the first maxFailures attempts on a share, then grows by half a second per attempt up to 5 s', () => {
    const policy = { maxFailures: 5, lockoutSeconds: 900 };
    expect([0, 4, 5, 6, 13, 14, 15, 1000].map((n) => unlockDelayMs(n, policy))).toEqual([0, 0, 500, 1000, 4500, 5000, 5000, MAX_UNLOCK_DELAY_MS]);
  });

  it('never refuses a share-wide attempt, however many came before', () => {
    const policy = shareWidePolicy({ maxFailures: 5, lockoutSeconds: 900 });
    expect(attemptTimes(10_000, T, 0, policy)).toEqual({ attempts: 10_000, windowStartedAt: T, lastAttemptAt: T });
  });
});
