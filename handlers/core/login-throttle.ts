/**
 * Throttling of everything that checks a password, pure. Logins are counted per
 * (username, source) and per source; share unlocks per (share, source), see
 * handlers/files/public-shares.ts:
 *
 * - after `maxFailures` attempts of one username from one source, each within `lockoutSeconds`
 *   of the one before, that source may not try that username for `lockoutSeconds`. Someone
 *   guessing the admin's password from their address locks only themselves out: the admin,
 *   from anywhere else, still logs in;
 * - after `maxFailures × SOURCE_FAILURE_FACTOR` attempts from one source (whatever the
 *   usernames: password spraying), the source may not log in at all for `lockoutSeconds`.
 *
 * An attempt is counted *before* its password is checked (`reserveAttempt`, applied by the
 * store as one conditional write), so however many requests arrive together, no more than the
 * budget get their password checked: the others are refused before. A wrong password changes
 * nothing more (its attempt is already counted), so a failure can never shorten or clear a
 * lock; a right one gives its attempt back (`refundAttempt`) or clears the (user, source) record.
 *
 * A source is the client's address: IPv4 whole, IPv6 its /64 (one subscriber's network), only
 * ever stored as a keyed hash (`sourceHash`). Unknown usernames are counted like real ones,
 * so the lock itself does not reveal which users exist. An admin's password reset clears every
 * record of the user.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

export interface ThrottlePolicy {
  /** Attempts allowed in a row (each within `lockoutSeconds` of the last); `Infinity`: count only. */
  readonly maxFailures: number;
  readonly lockoutSeconds: number;
}

/** One limiter's record. */
export interface AttemptRecord {
  /** Attempts counted in this window: wrong passwords, and passwords still being checked. */
  readonly attempts: number;
  /** Epoch seconds of the window's first attempt: a refund names it, so it never reaches a later window. */
  readonly windowStartedAt: number;
  /** Epoch seconds of the last counted attempt. */
  readonly lastAttemptAt: number;
}

/** The answer to "may one more attempt be checked?": the record to store, or how long to wait. */
export type Reservation =
  | { readonly granted: true; readonly record: AttemptRecord }
  | { readonly granted: false; readonly retryAfterSeconds: number };

/**
 * Whether `record` no longer matters: the last attempt is more than `lockoutSeconds` old, or
 * the budget was spent and its lock has run out. Attempts spread over days never lock anyone.
 */
function startsAfresh(record: AttemptRecord, now: number, policy: ThrottlePolicy): boolean {
  const end = record.lastAttemptAt + policy.lockoutSeconds;
  return now > end || (record.attempts >= policy.maxFailures && now >= end);
}

/** Until when `record` refuses attempts (epoch seconds), if its budget is spent. */
export function lockedUntil(record: AttemptRecord | undefined, policy: ThrottlePolicy): number | undefined {
  return record !== undefined && record.attempts >= policy.maxFailures ? record.lastAttemptAt + policy.lockoutSeconds : undefined;
}

/**
 * Counts one attempt before its password is checked: granted while the budget lasts, refused
 * (nothing changed) once it is spent, until `lockoutSeconds` after the last counted attempt.
 */
export function reserveAttempt(record: AttemptRecord | undefined, now: number, policy: ThrottlePolicy): Reservation {
  if (record === undefined || startsAfresh(record, now, policy)) return { granted: true, record: { attempts: 1, windowStartedAt: now, lastAttemptAt: now } };
  if (record.attempts < policy.maxFailures) return { granted: true, record: { ...record, attempts: record.attempts + 1, lastAttemptAt: now } };
  return { granted: false, retryAfterSeconds: Math.max(1, record.lastAttemptAt + policy.lockoutSeconds - now) };
}

/**
 * Gives back the attempt of a right password, reserved in the window that began at
 * `windowStartedAt`: nothing changes once that window has given way to another.
 */
export function refundAttempt(record: AttemptRecord | undefined, windowStartedAt: number): AttemptRecord | undefined {
  if (record === undefined || record.windowStartedAt !== windowStartedAt || record.attempts <= 0) return record;
  return { ...record, attempts: record.attempts - 1 };
}

/** When the record may be deleted by the table's TTL: nothing in it matters after that. */
export function attemptRecordExpiresAt(record: AttemptRecord, policy: ThrottlePolicy): number {
  return record.lastAttemptAt + policy.lockoutSeconds + 60;
}

/** How many more failures a source may make across all usernames than against one. */
const SOURCE_FAILURE_FACTOR = 4;

/** The per-source policy derived from the per-user one. */
export const sourcePolicy = (policy: ThrottlePolicy): ThrottlePolicy => ({ maxFailures: policy.maxFailures * SOURCE_FAILURE_FACTOR, lockoutSeconds: policy.lockoutSeconds });

/**
 * The part of an address that identifies a source: IPv4 (and IPv4-mapped IPv6) whole, IPv6
 * its first 64 bits (a subscriber gets a whole /64 and can pick any address in it).
 */
function sourcePrefix(address: string | undefined): string {
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

/**
 * A share's attempts from every source together: counted, never refused. Closing a share to
 * everyone after enough wrong passwords would let anyone lock its owner's visitors out; the
 * share slows down instead (`unlockDelayMs`), and each source has its own budget.
 */
export const shareWidePolicy = (policy: ThrottlePolicy): ThrottlePolicy => ({ maxFailures: Infinity, lockoutSeconds: policy.lockoutSeconds });

/** What each share-wide attempt beyond the first `maxFailures` adds to the wait, and the most it waits. */
const UNLOCK_DELAY_STEP_MS = 500;
export const MAX_UNLOCK_DELAY_MS = 5000;

/**
 * How long a share unlock waits before its password is checked, given the attempts on the share
 * (from every source, still within the window) before it: nothing for the first `maxFailures`,
 * then `UNLOCK_DELAY_STEP_MS` more for each, at most `MAX_UNLOCK_DELAY_MS`.
 */
export function unlockDelayMs(earlierAttempts: number, policy: ThrottlePolicy): number {
  return Math.min(MAX_UNLOCK_DELAY_MS, Math.max(0, earlierAttempts - policy.maxFailures + 1) * UNLOCK_DELAY_STEP_MS);
}
