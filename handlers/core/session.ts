/**
 * The session model's pure rules. A login opens a session *family*: a short access token
 * (JWT, `token_ttl_seconds`) plus an opaque refresh token (32 random bytes). Each refresh
 * rotates the refresh token; the used one is remembered, so presenting it again (a replay:
 * someone else holds a copy) revokes the whole family. Only SHA-256 hashes of refresh tokens
 * are stored. Every user carries a `sessionVersion`, changed whenever the user's role,
 * folders or password change; access tokens carry it (`sv`) and the authorizer refuses a
 * token whose version is no longer the user's, refresh refuses it at once.
 *
 * Browsers get the refresh token as an HttpOnly cookie scoped to the auth routes; the CLI
 * asks for it in the JSON body (`"client": "cli"`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { SIGNED_IN_COOKIE } from '../../contract/site';
import { ValidationError } from './errors';

const REFRESH_TOKEN_BYTES = 32;
/** 32 bytes, base64url without padding. */
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A user stored before session versions existed has this one until its first change. */
export const LEGACY_SESSION_VERSION = '0';
/** `__Secure-`: browsers only accept it with `Secure` from a secure origin (http://localhost counts). */
export const REFRESH_COOKIE = '__Secure-media-store-refresh';
/**
 * The web app calls the API under `/api` on its own origin; the browser sends the cookie to
 * `/api/auth/refresh` and `/api/auth/logout` only.
 */
const REFRESH_COOKIE_PATH = '/api/auth';

export const newRefreshToken = (): string => randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
export const newSessionVersion = (): string => randomBytes(12).toString('base64url');
export const newFamilyId = (): string => randomBytes(16).toString('base64url');
/** What the table stores instead of the token. */
export const refreshTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');
export const isRefreshToken = (value: unknown): value is string => typeof value === 'string' && REFRESH_TOKEN_PATTERN.test(value);

/** Who receives the refresh token: a browser (cookie) or the CLI (JSON body). */
export type SessionClient = 'browser' | 'cli';

export function parseSessionClient(value: unknown): SessionClient {
  if (value === undefined || value === 'browser') return 'browser';
  if (value === 'cli') return 'cli';
  throw new ValidationError('client', 'must be "browser" (refresh token in a cookie) or "cli" (in the body)');
}

export function refreshCookie(token: string, maxAgeSeconds: number): string {
  return `${REFRESH_COOKIE}=${token}; Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearedRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}

/** The app-wide hint that a refresh cookie exists (contract/site.ts): readable by the app's scripts, holds nothing secret. */
export function signedInCookie(maxAgeSeconds: number): string {
  return `${SIGNED_IN_COOKIE}=1; Path=/; Max-Age=${maxAgeSeconds}; Secure; SameSite=Strict`;
}

export function clearedSignedInCookie(): string {
  return `${SIGNED_IN_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`;
}

/** The refresh token of payload 2.0's `cookies` (`name=value` strings), if one is there. */
export function refreshTokenFromCookies(cookies: readonly string[] | undefined): string | undefined {
  for (const cookie of cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === REFRESH_COOKIE) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}
