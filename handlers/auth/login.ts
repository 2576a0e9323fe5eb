/**
 * `POST /auth/login`: username + password → a session (handlers/auth/session.ts): a short
 * access token and a refresh token. Unknown users and wrong passwords take the same path —
 * the same scrypt work, the same limiter writes, the same 401 — so neither the body nor the
 * timing tells them apart. Repeated failures lock the (username, source) pair, and a source
 * failing across many usernames is locked as a whole (429); see handlers/core/login-throttle.ts.
 */
import { TooManyRequests, Unauthorized, ValidationError } from '../core/errors';
import { sourceLimiterKey, userSourceLimiterKey, type ItemKey } from '../core/keys';
import { checkLoginAllowed, limiterExpiresAt, recordLoginFailure, sourceHash, sourcePolicy, type LoginLimiterState, type ThrottlePolicy } from '../core/login-throttle';
import { hashPassword, needsRehash, verifyPassword } from '../core/password';
import { parseSessionClient, type SessionClient } from '../core/session';
import type { UsersRepository, VersionedLimiter } from '../adapters/users-repository';
import { openSession, type IssuedSession, type SessionDeps } from './session';

export type LoginUserStore = Pick<UsersRepository, 'get' | 'update' | 'getLoginLimiter' | 'saveLoginLimiter' | 'clearLoginLimiter'>;

export interface LoginDeps extends SessionDeps {
  readonly users: LoginUserStore;
  readonly throttle: ThrottlePolicy;
}

export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  /** Where the refresh token goes: a cookie (browser, the default) or the body (`"cli"`). */
  readonly client: SessionClient;
}

export const INVALID_CREDENTIALS = 'Invalid username or password';
const MAX_USERNAME_LENGTH = 128;
const MAX_PASSWORD_LENGTH = 1024;

export function parseLoginRequest(body: unknown): LoginRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object with username and password');
  const { username, password, client } = body as Record<string, unknown>;
  if (typeof username !== 'string' || username.length === 0) throw new ValidationError('username', 'is required and must be a non-empty string');
  if (username.length > MAX_USERNAME_LENGTH) throw new ValidationError('username', `must be at most ${MAX_USERNAME_LENGTH} characters`);
  if (typeof password !== 'string' || password.length === 0) throw new ValidationError('password', 'is required and must be a non-empty string');
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return { username, password, client: parseSessionClient(client) };
}

class InvalidCredentials extends Unauthorized {
  override readonly code = 'InvalidCredentials';
}

/** One limiter: where it is stored and the policy it counts by. */
interface Limiter {
  readonly key: ItemKey;
  readonly policy: ThrottlePolicy;
  readonly record: VersionedLimiter | undefined;
}

/** `sourceIp`: the client's address as API Gateway saw it; only a keyed hash of it is stored. */
export async function login(request: LoginRequest, sourceIp: string | undefined, deps: LoginDeps): Promise<IssuedSession> {
  const now = (deps.now ?? (() => new Date()))();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { username, password } = request;

  const signing = await deps.keys.signingKey();
  const source = sourceHash(sourceIp, signing.secret);
  const limiters = await Promise.all(
    [
      { key: userSourceLimiterKey(username, source), policy: deps.throttle },
      { key: sourceLimiterKey(source), policy: sourcePolicy(deps.throttle) },
    ].map(async (l): Promise<Limiter> => ({ ...l, record: await deps.users.getLoginLimiter(l.key) })),
  );
  const retryAfter = Math.max(0, ...limiters.map((l) => {
    const gate = checkLoginAllowed(l.record?.state, nowSeconds);
    return gate.allowed ? 0 : gate.retryAfterSeconds;
  }));
  if (retryAfter > 0) {
    deps.logger.info('login throttled', { username, source, retryAfterSeconds: retryAfter });
    throw new TooManyRequests('Too many failed logins; try again later', retryAfter);
  }

  const user = await deps.users.get(username);
  const valid = await verifyPassword(password, user?.passwordHash);
  if (!valid || user === undefined) {
    const states = await Promise.all(limiters.map((l) => registerFailure(deps, l, nowSeconds)));
    deps.logger.info('login failed', { username, source, locked: states.some((s) => s?.lockedUntil !== undefined) });
    throw new InvalidCredentials(INVALID_CREDENTIALS);
  }

  const [userSource] = limiters;
  if (userSource?.record !== undefined) await deps.users.clearLoginLimiter(userSource.key);
  if (needsRehash(user.passwordHash)) await upgradeHash(deps, username, password);
  const session = await openSession(user, deps, nowSeconds);
  deps.logger.info('login succeeded', { username, role: user.role, client: request.client });
  return session;
}

/** Counts one failure with optimistic concurrency, so parallel guesses cannot skip the lock. */
async function registerFailure(deps: LoginDeps, limiter: Limiter, now: number): Promise<LoginLimiterState | undefined> {
  let current = limiter.record;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const next = recordLoginFailure(current?.state, now, limiter.policy);
    if (await deps.users.saveLoginLimiter(limiter.key, next, current?.version, limiterExpiresAt(next, limiter.policy))) return next;
    current = await deps.users.getLoginLimiter(limiter.key);
  }
  deps.logger.warn('login limiter contended; failure not counted', { limiter: limiter.key.sk });
  return undefined;
}

/** Re-hashes with the current parameters after a successful login; best effort, sessions kept. */
async function upgradeHash(deps: LoginDeps, username: string, password: string): Promise<void> {
  try {
    await deps.users.update(username, { passwordHash: await hashPassword(password) }, { keepSessions: true });
    deps.logger.info('password re-hashed with the current parameters', { username });
  } catch (error) {
    deps.logger.warn('password rehash failed', { username, error });
  }
}
