/**
 * `POST /auth/login`: username + password → a signed JWT. Unknown users and wrong passwords
 * take the same path — the same scrypt work, the same limiter write, the same 401 — so
 * neither the body nor the timing tells them apart. Repeated failures lock the name (429).
 */
import { TooManyRequests, Unauthorized, ValidationError } from '../core/errors';
import { checkLoginAllowed, limiterExpiresAt, recordLoginFailure, type LoginLimiterState, type ThrottlePolicy } from '../core/login-throttle';
import type { Logger } from '../core/logger';
import { hashPassword, needsRehash, verifyPassword } from '../core/password';
import { signToken } from '../core/token';
import type { UsersRepository, VersionedLimiter } from '../adapters/users-repository';

export type LoginUserStore = Pick<UsersRepository, 'get' | 'update' | 'getLoginLimiter' | 'saveLoginLimiter' | 'clearLoginLimiter'>;

export interface LoginDeps {
  readonly users: LoginUserStore;
  readonly loadSecret: () => Promise<string>;
  readonly issuer: string;
  readonly tokenTtlSeconds: number;
  readonly throttle: ThrottlePolicy;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

export interface LoginRequest {
  readonly username: string;
  readonly password: string;
}

export interface LoginResponse {
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

export const INVALID_CREDENTIALS = 'Invalid username or password';
const MAX_USERNAME_LENGTH = 128;
const MAX_PASSWORD_LENGTH = 1024;

export function parseLoginRequest(body: unknown): LoginRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object with username and password');
  const { username, password } = body as Record<string, unknown>;
  if (typeof username !== 'string' || username.length === 0) throw new ValidationError('username', 'is required and must be a non-empty string');
  if (username.length > MAX_USERNAME_LENGTH) throw new ValidationError('username', `must be at most ${MAX_USERNAME_LENGTH} characters`);
  if (typeof password !== 'string' || password.length === 0) throw new ValidationError('password', 'is required and must be a non-empty string');
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return { username, password };
}

class InvalidCredentials extends Unauthorized {
  override readonly code = 'InvalidCredentials';
}

export async function login(request: LoginRequest, deps: LoginDeps): Promise<LoginResponse> {
  const now = (deps.now ?? (() => new Date()))();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { username, password } = request;

  const limiter = await deps.users.getLoginLimiter(username);
  const gate = checkLoginAllowed(limiter?.state, nowSeconds);
  if (!gate.allowed) {
    deps.logger.info('login throttled', { username, retryAfterSeconds: gate.retryAfterSeconds });
    throw new TooManyRequests('Too many failed logins; try again later', gate.retryAfterSeconds);
  }

  const user = await deps.users.get(username);
  const valid = await verifyPassword(password, user?.passwordHash);
  if (!valid || user === undefined) {
    const state = await registerFailure(deps, username, limiter, nowSeconds);
    deps.logger.info('login failed', { username, locked: state?.lockedUntil !== undefined });
    throw new InvalidCredentials(INVALID_CREDENTIALS);
  }

  if (limiter !== undefined) await deps.users.clearLoginLimiter(username);
  if (needsRehash(user.passwordHash)) await upgradeHash(deps, username, password);
  const { token, claims } = signToken({ username: user.username, role: user.role, folders: user.folders }, {
    secret: await deps.loadSecret(),
    issuer: deps.issuer,
    ttlSeconds: deps.tokenTtlSeconds,
    now: nowSeconds,
  });
  deps.logger.info('login succeeded', { username, role: user.role });
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString() };
}

/** Counts one failure with optimistic concurrency, so parallel guesses cannot skip the lock. */
async function registerFailure(deps: LoginDeps, username: string, first: VersionedLimiter | undefined, now: number): Promise<LoginLimiterState | undefined> {
  let current = first;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const next = recordLoginFailure(current?.state, now, deps.throttle);
    if (await deps.users.saveLoginLimiter(username, next, current?.version, limiterExpiresAt(next, deps.throttle))) return next;
    current = await deps.users.getLoginLimiter(username);
  }
  deps.logger.warn('login limiter contended; failure not counted', { username });
  return undefined;
}

/** Re-hashes with the current parameters after a successful login; best effort. */
async function upgradeHash(deps: LoginDeps, username: string, password: string): Promise<void> {
  try {
    await deps.users.update(username, { passwordHash: await hashPassword(password) });
  } catch (error) {
    deps.logger.warn('password rehash failed', { username, error });
  }
}
