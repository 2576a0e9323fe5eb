/**
 * Share links, the pure rules: tokens and their hashes, expiry, the request a share is made
 * from, drop quotas, share sessions after a password, and the truncated addresses of the
 * access log. No I/O: the repository and the handlers call these.
 *
 * - A token carries 192 random bits (32 base64url characters); only its SHA-256 is stored,
 *   and that hash is the share's table key, so a table read never yields a working link.
 * - A share session (after the password) is `<shareId>.<expiry>.<HMAC-SHA256>` under a key
 *   kept in the share's own row: it works for that share only, and dies with it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ValidationError } from './errors';
import type { FolderMarker } from './folders';
import { describeCharacter, invisibleCharacterIn, normalizeFileName, normalizeFolder, objectKey } from './paths';

const SHARE_TOKEN_BYTES = 24;
const SHARE_TOKEN = /^[A-Za-z0-9_-]{32}$/;
const SHARE_ID = /^[A-Za-z0-9_-]{16}$/;
const GUEST_KEY = /^[A-Za-z0-9_-]{32}$/;
const DAY_SECONDS = 24 * 3600;
/** Drop uploads are attributed to `share:<label or id>`, a name no user can have. */
export const DROP_UPLOADER_PREFIX = 'share:';
/** Default lifetime of a share: 7 days. */
export const DEFAULT_SHARE_SECONDS = 7 * DAY_SECONDS;
/** Lifetime of a share session after the password, at most (and never past the share). */
export const SHARE_SESSION_SECONDS = 3600;
const MAX_LABEL_LENGTH = 64;
const CONTROL = /[\p{Cc}\p{Cs}]/u;

export type ShareMode = 'view' | 'drop';
type ShareTarget = { readonly kind: 'file'; readonly fileId: string } | { readonly kind: 'folder'; readonly folder: string };

export interface ShareRequest {
  readonly target: ShareTarget;
  /** ISO 8601, or null for a share that never expires. */
  readonly expiresAt: string | null;
  readonly password?: string;
  readonly allowDownload: boolean;
  readonly label?: string;
  readonly mode: ShareMode;
  /** Drop links: most bytes guests may upload in all. */
  readonly maxBytes?: number;
  /** Drop links: most files guests may upload. */
  readonly maxFiles?: number;
}

export interface SharePolicy {
  /** Longest lifetime, days (module variable `share_max_days`). */
  readonly maxDays: number;
  /** Whether `"expires": "never"` is accepted (module variable `share_allow_never`). */
  readonly allowNever: boolean;
}

/**
 * Whether a folder share still reaches the folder it was made of: the folder exists (`marker`)
 * and, when the share recorded its generation, has that generation still. A folder deleted and
 * created again (POST /folders, or a file landing there) is another folder, so the deleted
 * one's shares stay ended. Shares stored before generations recorded none (`recorded`
 * undefined): they only need the folder to exist, as they always did.
 */
export function reachesSharedFolder(recorded: string | undefined, marker: FolderMarker | undefined): boolean {
  if (marker === undefined) return false;
  return recorded === undefined || marker.generation === recorded;
}

export const newShareToken = (): string => randomBytes(SHARE_TOKEN_BYTES).toString('base64url');
export const newShareId = (): string => randomBytes(12).toString('base64url');
export const newGuestKey = (): string => randomBytes(SHARE_TOKEN_BYTES).toString('base64url');
export const newSessionKey = (): string => randomBytes(32).toString('base64url');
export const isShareToken = (value: unknown): value is string => typeof value === 'string' && SHARE_TOKEN.test(value);
export const isShareId = (value: unknown): value is string => typeof value === 'string' && SHARE_ID.test(value);
export const isGuestKey = (value: unknown): value is string => typeof value === 'string' && GUEST_KEY.test(value);

/** The stored form of a token (or guest key): SHA-256, base64url. */
export function hashShareToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

const FIELDS = new Set(['fileId', 'folder', 'expires', 'password', 'allowDownload', 'label', 'mode', 'maxBytes', 'maxFiles']);

/**
 * `POST /shares` body: `{fileId}` or `{folder}`; `expires` seconds from now (default 7 days,
 * at most `maxDays`) or `"never"` when allowed; `password`; `allowDownload` (default false);
 * `label`; `mode` `view` (default) or `drop` (folders only, with `maxBytes` and `maxFiles`).
 */
export function parseShareRequest(body: unknown, policy: SharePolicy, now: Date): ShareRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"folder": "/trips", "expires": 604800}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => !FIELDS.has(f));
  if (unknown !== undefined) throw new ValidationError(unknown, `is not a known field (expected ${[...FIELDS].join(', ')})`);
  const target = parseTarget(fields);
  const mode = fields.mode ?? 'view';
  if (mode !== 'view' && mode !== 'drop') throw new ValidationError('mode', 'must be "view" or "drop"');
  const expiresAt = shareExpiry(fields.expires, policy, now);
  if (fields.password !== undefined && (typeof fields.password !== 'string' || fields.password.length < 1 || fields.password.length > 1024)) {
    throw new ValidationError('password', 'must be a string of 1 to 1024 characters');
  }
  if (fields.allowDownload !== undefined && typeof fields.allowDownload !== 'boolean') throw new ValidationError('allowDownload', 'must be true or false');
  const label = parseLabel(fields.label);
  let quota: { maxBytes: number; maxFiles: number } | undefined;
  if (mode === 'drop') {
    if (target.kind !== 'folder') throw new ValidationError('mode', '"drop" shares a folder: send folder, not fileId');
    if (fields.allowDownload === true) throw new ValidationError('allowDownload', 'a drop link shows nothing, so it cannot allow downloads');
    quota = { maxBytes: positiveInteger(fields.maxBytes, 'maxBytes'), maxFiles: positiveInteger(fields.maxFiles, 'maxFiles') };
  } else if (fields.maxBytes !== undefined || fields.maxFiles !== undefined) {
    throw new ValidationError(fields.maxBytes !== undefined ? 'maxBytes' : 'maxFiles', 'applies to drop links only (mode "drop")');
  }
  return {
    target,
    expiresAt,
    ...(fields.password !== undefined ? { password: fields.password as string } : {}),
    allowDownload: fields.allowDownload === true,
    ...(label !== undefined ? { label } : {}),
    mode,
    ...(quota ?? {}),
  };
}

function parseTarget(fields: Record<string, unknown>): ShareTarget {
  if ((fields.fileId === undefined) === (fields.folder === undefined)) throw new ValidationError('fileId', 'send exactly one of fileId (a file share) or folder (an album or drop link)');
  if (fields.fileId !== undefined) {
    if (typeof fields.fileId !== 'string' || fields.fileId === '' || fields.fileId.length > 1100) throw new ValidationError('fileId', 'must be a file id');
    return { kind: 'file', fileId: fields.fileId };
  }
  // An existing folder: one named before the invisible-character rule may be shared too.
  return { kind: 'folder', folder: normalizeFolder(fields.folder, 'folder', 'stored') };
}

function parseLabel(input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'string') throw new ValidationError('label', 'must be a string');
  const label = input.normalize('NFC').trim();
  if (label.length > MAX_LABEL_LENGTH) throw new ValidationError('label', `must be at most ${MAX_LABEL_LENGTH} characters`);
  if (CONTROL.test(label)) throw new ValidationError('label', 'must not contain control characters');
  // The label names the link's uploads (`share:<label>`) and titles its page: no look-alikes.
  const invisible = invisibleCharacterIn(label);
  if (invisible !== undefined) throw new ValidationError('label', `must not contain ${describeCharacter(invisible)}: invisible characters make a label look like another`);
  return label === '' ? undefined : label;
}

function positiveInteger(input: unknown, field: string): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 1) throw new ValidationError(field, 'is required for a drop link and must be a whole number, at least 1');
  return input;
}

/** When a share made `now` expires: ISO 8601, or null for "never". */
export function shareExpiry(expires: unknown, policy: SharePolicy, now: Date): string | null {
  if (expires === 'never') {
    if (!policy.allowNever) throw new ValidationError('expires', `"never" is not allowed here: give seconds, at most ${policy.maxDays} days`);
    return null;
  }
  const seconds = expires === undefined ? DEFAULT_SHARE_SECONDS : expires;
  const max = policy.maxDays * DAY_SECONDS;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > max) {
    throw new ValidationError('expires', `must be whole seconds from 1 to ${max} (${policy.maxDays} days)${policy.allowNever ? ', or "never"' : ''}`);
  }
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

/** Whether a share with this expiry is still open at `now`. */
export function isShareLive(share: { readonly expiresAt: string | null; readonly revokedAt?: string }, now: Date): boolean {
  if (share.revokedAt !== undefined) return false;
  if (share.expiresAt === null) return true;
  const expiresAt = Date.parse(share.expiresAt);
  return !Number.isNaN(expiresAt) && now.getTime() < expiresAt;
}

/** A presigned URL's lifetime: `ttlSeconds`, cut to the share's remaining life (at least 1 s). */
export function urlTtlWithin(expiresAt: string | null, ttlSeconds: number, now: Date): number {
  if (expiresAt === null) return ttlSeconds;
  const remaining = Math.floor((Date.parse(expiresAt) - now.getTime()) / 1000);
  return Math.max(1, Math.min(ttlSeconds, remaining));
}

interface DropUsage {
  readonly usedBytes: number;
  readonly usedFiles: number;
}

interface DropQuota {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** Whether one more file of `size` bytes fits the drop link's quota. The repository applies the same rule atomically. */
export function fitsQuota(usage: DropUsage, quota: DropQuota, size: number): boolean {
  return usage.usedFiles + 1 <= quota.maxFiles && usage.usedBytes + size <= quota.maxBytes;
}

/**
 * When a drop upload's hold on the quota is given back unless renewed (epoch seconds): two URL
 * lifetimes from `now` — the URLs signed now, and a PUT started at their last moment. Signing
 * parts renews it, so a hold lasts as long as its guest keeps sending, never the multipart
 * session's days for a request that sends nothing.
 */
export function dropReleaseAt(now: Date, urlTtlSeconds: number): number {
  return Math.ceil(now.getTime() / 1000) + 2 * urlTtlSeconds;
}

/** How many numbered names (`name (1).jpg` … `name (20).jpg`) a guest's upload tries before random ones. */
const NUMBERED_DROP_NAMES = 20;
/** Random names (`name (3f9a1c).jpg`) tried after the numbered ones: a clash of all of them is a bug. */
const RANDOM_DROP_NAMES = 3;

/** `IMG 1.jpg` with suffix `1` → `IMG 1 (1).jpg`; a leading dot starts no extension (`.hidden (1)`). */
export function suffixedName(name: string, suffix: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${stem} (${suffix})${extension}`;
}

/** `suffixedName`, with the stem shortened (by whole code points) until the name is a valid new name whose key fits; undefined when none is. */
function fittedName(folder: string, name: string, suffix: string): string | undefined {
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let kept = [...stem]; kept.length > 0; kept = kept.slice(0, -1)) {
    const candidate = `${kept.join('')} (${suffix})${extension}`;
    try {
      if (normalizeFileName(candidate) !== candidate) return undefined;
      objectKey({ folder, name: candidate });
      return candidate;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
  }
  return undefined;
}

/**
 * The names a drop-link guest's file of `name` may be stored under, best first: the name
 * itself, `name (1)` … `name (20)`, then a few random ones. The guest gets the first that is
 * free (of files and of other guests' uploads in progress), so an upload never fails on a name
 * they cannot see, and the answer says which name it got (`storedAs`).
 */
export function dropNameCandidates(folder: string, name: string, randomSuffix: () => string = () => randomBytes(3).toString('hex')): string[] {
  const numbered = Array.from({ length: NUMBERED_DROP_NAMES }, (_, i) => String(i + 1));
  const random = Array.from({ length: RANDOM_DROP_NAMES }, randomSuffix);
  const alternatives = [...numbered, ...random].map((suffix) => fittedName(folder, name, suffix)).filter((n): n is string => n !== undefined);
  return [name, ...new Set(alternatives)];
}

/**
 * The address kept in the access log: an IPv4 address cut to its /24 (`203.0.113.0/24`), an
 * IPv6 address to its /48 (`2001:db8:1::/48`), anything else `unknown`. Never the full address.
 */
export function truncateIp(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const version = isIP(address);
  if (version === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (version === 6) {
    const groups = expandIpv6(address);
    return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return 'unknown';
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.toLowerCase());
}

/** A share session for `shareId`, valid until `expiresAtSeconds` (epoch seconds). */
export function signShareSession(key: string, shareId: string, expiresAtSeconds: number): string {
  return `${shareId}.${expiresAtSeconds}.${sessionMac(key, shareId, expiresAtSeconds)}`;
}

export function verifyShareSession(session: string | undefined, key: string, shareId: string, nowSeconds: number): boolean {
  if (session === undefined) return false;
  const match = /^([A-Za-z0-9_-]{16})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(session);
  if (!match || match[1] !== shareId) return false;
  const expiresAt = Number(match[2]);
  if (expiresAt <= nowSeconds) return false;
  const expected = Buffer.from(sessionMac(key, shareId, expiresAt));
  const given = Buffer.from(match[3] as string);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function sessionMac(key: string, shareId: string, expiresAt: number): string {
  return createHmac('sha256', Buffer.from(key, 'base64url')).update(`share-session:${shareId}:${expiresAt}`).digest('base64url');
}
