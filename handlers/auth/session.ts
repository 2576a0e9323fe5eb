/**
 * Sessions (model in handlers/core/session.ts): what login opens, `POST /auth/refresh`
 * rotates, `POST /auth/logout` ends and `GET /auth/me` describes. A refresh token that is
 * unknown, expired, already rotated (a replay: the whole family is revoked), of a revoked
 * family, or of a user that is gone or changed since (new session version) is refused with
 * the same 401 `InvalidRefreshToken`.
 */
import { Unauthorized, ValidationError, type HttpErrorOptions } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Role } from '../core/roles';
import { isRefreshToken } from '../core/session';
import { signToken } from '../core/token';
import type { JwtKeys } from '../adapters/jwt-secret';
import type { IssuedRefreshToken, SessionsRepository } from '../adapters/sessions-repository';
import type { UserRecord, UsersRepository } from '../adapters/users-repository';

export type SessionStore = Pick<SessionsRepository, 'open' | 'findToken' | 'findFamily' | 'rotate' | 'revokeFamily'>;

export interface SessionDeps {
  readonly users: Pick<UsersRepository, 'get'>;
  readonly sessions: SessionStore;
  readonly keys: Pick<JwtKeys, 'signingKey'>;
  readonly issuer: string;
  /** Access token lifetime. */
  readonly tokenTtlSeconds: number;
  /** Refresh token lifetime, renewed at every refresh (sliding). */
  readonly refreshTokenTtlSeconds: number;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

/** The user as the web app shows it. */
export interface SessionUser {
  readonly username: string;
  readonly role: Role;
  /** Folder limits; `null`: every folder. */
  readonly folders: readonly string[] | null;
}

/** What login and refresh answer in the body (the refresh token travels separately). */
export interface AccessGrant {
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  /** Seconds the access token is valid from now. */
  readonly expiresIn: number;
  readonly user: SessionUser;
}

export interface IssuedSession {
  readonly access: AccessGrant;
  readonly refresh: IssuedRefreshToken;
}

export class InvalidRefreshToken extends Unauthorized {
  override readonly code = 'InvalidRefreshToken';
  constructor(options?: HttpErrorOptions) {
    super('The session has ended; log in again', options);
  }
}

const sessionUserOf = (user: Pick<UserRecord, 'username' | 'role' | 'folders'>): SessionUser => ({
  username: user.username,
  role: user.role,
  folders: user.folders ?? null,
});

const nowOf = (deps: Pick<SessionDeps, 'now'>): number => Math.floor((deps.now ?? (() => new Date()))().getTime() / 1000);

/** `{"refreshToken": "…"}` (the CLI) or `{}` (a browser: the cookie carries it). */
export function parseRefreshRequest(body: unknown): { readonly refreshToken?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object ({} when the cookie carries the refresh token)');
  const { refreshToken } = body as Record<string, unknown>;
  if (refreshToken === undefined) return {};
  if (typeof refreshToken !== 'string' || refreshToken === '') throw new ValidationError('refreshToken', 'must be a non-empty string');
  return { refreshToken };
}

/** An access token naming the user (`sub`, `uid`), its session version and its session family (`sid`). */
async function grantAccess(user: UserRecord, familyId: string, deps: SessionDeps, now: number): Promise<AccessGrant> {
  const key = await deps.keys.signingKey();
  const { token, claims } = await signToken(
    { username: user.username, userId: user.userId, role: user.role, folders: user.folders, sessionVersion: user.sessionVersion, sessionId: familyId },
    { secret: key.secret, ...(key.id !== undefined ? { keyId: key.id } : {}), issuer: deps.issuer, ttlSeconds: deps.tokenTtlSeconds, now },
  );
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString(), expiresIn: claims.exp - now, user: sessionUserOf(user) };
}

/** A new session family for a user who just proved who they are. */
export async function openSession(user: UserRecord, deps: SessionDeps, now: number = nowOf(deps)): Promise<IssuedSession> {
  const refresh = await deps.sessions.open(user, now, deps.refreshTokenTtlSeconds);
  return { access: await grantAccess(user, refresh.familyId, deps, now), refresh };
}

/** Rotates the refresh token and grants a new access token. */
export async function refreshSession(token: string | undefined, deps: SessionDeps): Promise<IssuedSession> {
  const now = nowOf(deps);
  if (!isRefreshToken(token)) throw new InvalidRefreshToken();
  const stored = await deps.sessions.findToken(token);
  if (stored === undefined || stored.expiresAt <= now) throw new InvalidRefreshToken();
  const revoke = async (why: string, fields: Record<string, unknown> = {}): Promise<never> => {
    await deps.sessions.revokeFamily(stored.familyId);
    deps.logger.warn('session revoked', { reason: why, ...fields });
    throw new InvalidRefreshToken();
  };
  if (stored.usedAt !== undefined) return revoke('refresh-token-reused', { usedAt: stored.usedAt });
  const family = await deps.sessions.findFamily(stored.familyId);
  if (family === undefined || family.expiresAt <= now) throw new InvalidRefreshToken();
  const user = await deps.users.get(family.username);
  // A user deleted, or deleted and created again under the same name: not the family's user.
  if (user === undefined || user.userId !== family.userId) return revoke('user-deleted', { username: family.username });
  if (user.sessionVersion !== family.sessionVersion) return revoke('user-changed', { username: family.username });
  const rotated = await deps.sessions.rotate(stored, now, deps.refreshTokenTtlSeconds);
  if (!rotated.ok) {
    if (rotated.reason === 'reused') return revoke('refresh-token-reused', { username: family.username });
    throw new InvalidRefreshToken();
  }
  deps.logger.info('session refreshed', { username: user.username });
  return { access: await grantAccess(user, rotated.issued.familyId, deps, now), refresh: rotated.issued };
}

/** Ends the refresh token's family; a token that is unknown or malformed ends nothing. */
export async function endSession(token: string | undefined, deps: Pick<SessionDeps, 'sessions' | 'logger'>): Promise<void> {
  if (!isRefreshToken(token)) return;
  const stored = await deps.sessions.findToken(token);
  if (stored === undefined) return;
  await deps.sessions.revokeFamily(stored.familyId);
  deps.logger.info('logged out');
}

/** The caller as stored now (role and folders as they are, not as the token says). */
export async function currentUser(username: string, deps: Pick<SessionDeps, 'users'>): Promise<{ user: SessionUser }> {
  const user = await deps.users.get(username);
  if (user === undefined) throw new Unauthorized('Authentication required');
  return { user: sessionUserOf(user) };
}
