/**
 * `POST /auth/login`: username + password → a session (handlers/auth/session.ts): a short
 * access token and a refresh token. Unknown users and wrong passwords take the same path —
 * the same scrypt work, the same limiter writes, the same 401 — so neither the body nor the
 * timing tells them apart. Each attempt is counted before the password is checked, on the
 * (username, source) pair and on the source: once either budget is spent the login is refused
 * (429) unchecked, however many arrive together; see handlers/core/login-throttle.ts.
 */
import { TooManyRequests, Unauthorized, ValidationError } from '../core/errors';
import { sourceLimiterKey, userSourceLimiterKey } from '../../contract/table';
import { sourceHash, sourcePolicy, type ThrottlePolicy } from '../core/login-throttle';
import { hashPassword, needsRehash, verifyPassword } from '../core/password';
import { parseSessionClient, type SessionClient } from '../core/session';
import type { AttemptCounter } from '../adapters/attempt-counter';
import type { UsersRepository } from '../adapters/users-repository';
import { openSession, type IssuedSession, type SessionDeps } from './session';

export type LoginUserStore = Pick<UsersRepository, 'get' | 'update'>;

export interface LoginDeps extends SessionDeps {
  readonly users: LoginUserStore;
  readonly attempts: AttemptCounter;
  readonly throttle: ThrottlePolicy;
}

interface LoginRequest {
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

/** `sourceIp`: the client's address by the rule of http/source-address.ts (the viewer's behind the site's CloudFront); only a keyed hash of it is stored. */
export async function login(request: LoginRequest, sourceIp: string | undefined, deps: LoginDeps): Promise<IssuedSession> {
  const now = (deps.now ?? (() => new Date()))();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { username, password } = request;

  const signing = await deps.keys.signingKey();
  const source = sourceHash(sourceIp, signing.secret);
  const pairKey = userSourceLimiterKey(username, source);
  const sourceKey = sourceLimiterKey(source);
  const throttled = (retryAfterSeconds: number): never => {
    deps.logger.info('login throttled', { username, source, retryAfterSeconds });
    throw new TooManyRequests('Too many failed logins; try again later', retryAfterSeconds);
  };
  const pair = await deps.attempts.reserve(pairKey, deps.throttle, nowSeconds);
  if (!pair.granted) return throttled(pair.retryAfterSeconds);
  const fromSource = await deps.attempts.reserve(sourceKey, sourcePolicy(deps.throttle), nowSeconds);
  if (!fromSource.granted) {
    // The pair's attempt was counted, but no password is checked: it goes back.
    await deps.attempts.refund(pairKey, pair.record.windowStartedAt);
    return throttled(fromSource.retryAfterSeconds);
  }

  const user = await deps.users.get(username);
  const valid = await verifyPassword(password, user?.passwordHash);
  if (!valid || user === undefined) {
    // Both attempts stay counted: that is the whole of a failure.
    deps.logger.info('login failed', { username, source, attemptsLeft: Math.max(0, deps.throttle.maxFailures - pair.record.attempts) });
    throw new InvalidCredentials(INVALID_CREDENTIALS);
  }

  await Promise.all([deps.attempts.clear(pairKey), deps.attempts.refund(sourceKey, fromSource.record.windowStartedAt)]);
  if (needsRehash(user.passwordHash)) await upgradeHash(deps, username, password);
  const session = await openSession(user, deps, nowSeconds);
  deps.logger.info('login succeeded', { username, role: user.role, client: request.client });
  return session;
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
