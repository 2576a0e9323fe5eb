/**
 * Login throttling rules, pure. Failures are counted per (username, source) and per source:
 *
 * - after `maxFailures` consecutive failures of one username from one source, that source may
 *   not try that username for `lockoutSeconds`. Someone guessing the admin's password from
 *   their address locks only themselves out: the admin, from anywhere else, still logs in;
 * - after `maxFailures × SOURCE_FAILURE_FACTOR` failures from one source within
 *   `lockoutSeconds` (whatever the usernames: password spraying), the source may not log in
 *   at all for `lockoutSeconds`.
 *
 * A source is the client's address: IPv4 whole, IPv6 its /64 (one subscriber's network), only
 * ever stored as a keyed hash (`sourceHash`). Unknown usernames are counted like real ones,
 * so the lock itself does not reveal which users exist. A success clears the (user, source)
 * record; an admin's password reset clears every record of the user.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

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

/** How many more failures a source may make across all usernames than against one. */
export const SOURCE_FAILURE_FACTOR = 4;

/** The per-source policy derived from the per-user one. */
export const sourcePolicy = (policy: ThrottlePolicy): ThrottlePolicy => ({ maxFailures: policy.maxFailures * SOURCE_FAILURE_FACTOR, lockoutSeconds: policy.lockoutSeconds });

/**
 * The part of an address that identifies a source: IPv4 (and IPv4-mapped IPv6) whole, IPv6
 * its first 64 bits (a subscriber gets a whole /64 and can pick any address in it).
 */
export function sourcePrefix(address: string | undefined): string {
  const trimmed = (address ?? '').trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return mapped;
  if (isIP(trimmed) === 4) return trimmed;
  if (isIP(trimmed) !== 6) return 'unknown';
  const [head = '', tail = ''] = trimmed.toLowerCase().split('::') as [string?, string?];
  const left = head === '' ? [] : head.split(':');
  const right = trimmed.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = trimmed.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The stored name of a source: a keyed, truncated hash of its prefix (never the address). */
export function sourceHash(address: string | undefined, key: string | Buffer): string {
  return createHmac('sha256', key).update(`login-source:${sourcePrefix(address)}`).digest().subarray(0, 16).toString('base64url');
}
