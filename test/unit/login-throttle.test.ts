import { checkLoginAllowed, limiterExpiresAt, recordLoginFailure, type LoginLimiterState } from '../../handlers/core/login-throttle';

const POLICY = { maxFailures: 3, lockoutSeconds: 900 };
const T = 1_000_000;

function failTimes(n: number, start = T, step = 1): LoginLimiterState | undefined {
  let state: LoginLimiterState | undefined;
  for (let i = 0; i < n; i += 1) state = recordLoginFailure(state, start + i * step, POLICY);
  return state;
}

describe('login throttle', () => {
  it('allows a user with no record', () => {
    expect(checkLoginAllowed(undefined, T)).toEqual({ allowed: true });
  });

  it('allows logins below the failure limit', () => {
    expect(checkLoginAllowed(failTimes(2), T + 2)).toEqual({ allowed: true });
  });

  it('locks for the lockout period after N consecutive failures', () => {
    const state = failTimes(3);
    expect(state?.lockedUntil).toBe(T + 2 + 900);
    expect(checkLoginAllowed(state, T + 3)).toEqual({ allowed: false, retryAfterSeconds: 899 });
  });

  it('allows again once the lock has passed, starting a fresh count', () => {
    const state = failTimes(3);
    const after = T + 2 + 900;
    expect(checkLoginAllowed(state, after)).toEqual({ allowed: true });
    expect(recordLoginFailure(state, after, POLICY)).toEqual({ failures: 1, lastFailureAt: after });
  });

  it('forgets failures older than the lockout window', () => {
    const state = failTimes(2);
    expect(recordLoginFailure(state, T + 5000, POLICY)).toEqual({ failures: 1, lastFailureAt: T + 5000 });
  });

  it('keeps the record until nothing in it matters any more', () => {
    const locked = failTimes(3) as LoginLimiterState;
    expect(limiterExpiresAt(locked, POLICY)).toBeGreaterThanOrEqual(locked.lockedUntil as number);
  });
});
