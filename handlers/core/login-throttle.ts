/**
 * Login throttling rules, pure: after `maxFailures` consecutive failures a username is
 * locked for `lockoutSeconds`. Unknown usernames are counted like real ones, so the lock
 * itself does not reveal which users exist. A success clears the record.
 */
export interface ThrottlePolicy {
  readonly maxFailures: number;
  readonly lockoutSeconds: number;
}

export interface LoginLimiterState {
  /** Consecutive failures since the last success or lock. */
  readonly failures: number;
  /** Epoch seconds of the last failure. */
  readonly lastFailureAt: number;
  /** Epoch seconds until which logins are refused. */
  readonly lockedUntil?: number;
}

export type LoginGate = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export function checkLoginAllowed(state: LoginLimiterState | undefined, now: number): LoginGate {
  if (state?.lockedUntil !== undefined && state.lockedUntil > now) {
    return { allowed: false, retryAfterSeconds: state.lockedUntil - now };
  }
  return { allowed: true };
}

/**
 * The state after one more failure. Failures older than the lockout window are forgotten,
 * so a handful of typos spread over days never locks anyone out.
 */
export function recordLoginFailure(state: LoginLimiterState | undefined, now: number, policy: ThrottlePolicy): LoginLimiterState {
  const stale = state === undefined || now - state.lastFailureAt > policy.lockoutSeconds || (state.lockedUntil !== undefined && state.lockedUntil <= now);
  const failures = (stale ? 0 : state.failures) + 1;
  if (failures >= policy.maxFailures) return { failures: 0, lastFailureAt: now, lockedUntil: now + policy.lockoutSeconds };
  return { failures, lastFailureAt: now };
}

/** When the record may be deleted by the table's TTL: nothing in it matters after that. */
export function limiterExpiresAt(state: LoginLimiterState, policy: ThrottlePolicy): number {
  return Math.max(state.lockedUntil ?? 0, state.lastFailureAt + policy.lockoutSeconds) + 60;
}
