/**
 * Sign-in through the organisation's identity provider (docs/security.md "Identity provider"):
 * the browser is sent to the provider with the code flow (PKCE, state, nonce: oidc-client.ts),
 * comes back with a code, which is exchanged and whose ID token is verified here, server side.
 * Then the service's own session takes over (`openSession`: the refresh-token family and short
 * access tokens), so logout, revocation and `sessionVersion` work as for a password login.
 *
 * Users are found by issuer and subject (their identity item), never by a name. The first
 * sign-in creates the user, with the role the role claim maps to and the folder limits of the
 * folders claim; later sign-ins bring role and limits up to date (a change ends the user's other
 * sessions, as an admin's change does). No mapped role: refused, never a default role.
 */
import { randomBytes } from 'node:crypto';
import { BadRequest, Forbidden, HttpError, TooManyRequests, ValidationError } from '../core/errors';
import { claimedFolders, mappedRole, type RolePolicy } from '../core/oidc';
import type { Role } from '../core/roles';
import { USERNAME_PATTERN, UserExists, type UserRecord, type UsersRepository } from '../adapters/users-repository';
import type { PendingSignIns } from '../adapters/pending-sign-ins';
import type { ProviderClient } from '../adapters/oidc-client';
import type { DeviceSignIn } from '../../contract/wire';
import { openSession, type IssuedSession, type SessionDeps } from './session';

export interface ProviderPolicy {
  readonly issuer: string;
  readonly roles: RolePolicy;
  /** Empty: no folder limits from the provider. */
  readonly foldersClaim: string;
}

export interface ProviderSignInDeps extends SessionDeps {
  readonly users: Pick<UsersRepository, 'get' | 'create' | 'update' | 'findIdentity'>;
  readonly pendingSignIns: Pick<PendingSignIns, 'put' | 'take'>;
  readonly provider: ProviderClient;
  readonly policy: ProviderPolicy;
  readonly maxUsers: number;
}

/** Stored as the password hash of provider users: no password ever verifies against it. */
const PROVIDER_ONLY = 'provider-only';
/** The path under the app's origin the provider sends the browser back to. */
const CALLBACK_PATH = '/api/auth/oidc/callback';

/** The provider refused the user, or the user has no role here: shown as a page, not JSON. */
class SignInRefused extends Forbidden {
  override readonly code: string = 'SignInRefused';
}

class NoMappedRole extends SignInRefused {
  override readonly code = 'NoMappedRole';
}

class SignInExpired extends BadRequest {
  override readonly code = 'SignInExpired';
}

/** The person has not approved the CLI's sign-in yet: poll again after `interval` seconds. */
class AuthorizationPending extends HttpError {
  readonly statusCode = 428;
  readonly code = 'AuthorizationPending';
}

/** `POST /auth/oidc/device/token`: `{"deviceCode": "…"}`. */
export function parseDeviceTokenRequest(body: unknown): string {
  const deviceCode = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).deviceCode : undefined;
  if (typeof deviceCode !== 'string' || deviceCode === '' || deviceCode.length > 512) throw new ValidationError('deviceCode', 'is required: the deviceCode of POST /auth/oidc/device');
  return deviceCode;
}

/** The CLI's sign-in (device authorization): the code the person enters at the provider, and the handle to poll with. */
export async function startDeviceSignIn(deps: Pick<ProviderSignInDeps, 'provider'>): Promise<DeviceSignIn> {
  return deps.provider.startDevice();
}

/** Polls the provider once for the CLI: the service's session once the person approved (428 until then). */
export async function finishDeviceSignIn(deviceCode: string, deps: ProviderSignInDeps): Promise<{ session: IssuedSession; user: UserRecord }> {
  const poll = await deps.provider.pollDevice(deviceCode);
  if (poll.status === 'pending') throw new AuthorizationPending('Waiting for you to approve the sign-in at the identity provider');
  if (poll.status === 'slow-down') throw new TooManyRequests('Polling too fast: wait before asking again', 5);
  if (poll.status === 'denied') throw new SignInRefused('The sign-in was declined at the identity provider');
  if (poll.status !== 'approved') throw new SignInExpired('The sign-in code has expired or was used: start again');
  const user = await provisionUser(poll.claims, deps);
  const session = await openSession(user, deps);
  deps.logger.info('provider sign-in', { username: user.username, role: user.role, client: 'cli' });
  return { session, user };
}

/** The app's origin (`?origin=`): https, or http on this machine only. */
export function parseAppOrigin(value: unknown): string {
  if (typeof value !== 'string' || value.length > 256) throw new ValidationError('origin', 'is required: the web app\'s origin, e.g. https://photos.example.com');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('origin', 'must be an origin such as https://photos.example.com');
  }
  const loopback = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if ((url.protocol !== 'https:' && !loopback) || url.origin !== value) throw new ValidationError('origin', 'must be an https origin (scheme and host, no path), e.g. https://photos.example.com');
  return url.origin;
}

const nowOf = (deps: Pick<SessionDeps, 'now'>): number => Math.floor((deps.now ?? (() => new Date()))().getTime() / 1000);

/** Where to send the browser; the state goes into a cookie too, binding the return to this browser. */
export async function startProviderSignIn(appOrigin: string, deps: ProviderSignInDeps): Promise<{ location: string; state: string }> {
  const { url, pending } = await deps.provider.startSignIn(`${appOrigin}${CALLBACK_PATH}`);
  await deps.pendingSignIns.put({ ...pending, appOrigin }, nowOf(deps));
  return { location: url, state: pending.state };
}

/**
 * The browser's return: `query` as received, `stateCookie` the state this browser started with.
 * The provider checks the redirect URI against the ones registered for the client, so the app
 * origin stored with the state is one the organisation allowed.
 */
export async function finishProviderSignIn(
  query: Readonly<Record<string, string | undefined>>,
  stateCookie: string | undefined,
  deps: ProviderSignInDeps,
): Promise<{ session: IssuedSession; appOrigin: string; user: UserRecord }> {
  const state = query.state;
  if (query.error !== undefined) throw new SignInRefused(`The identity provider did not sign you in (${query.error.slice(0, 100)})`);
  if (state === undefined || state === '' || stateCookie === undefined || stateCookie !== state) {
    throw new SignInExpired('This sign-in was not started in this browser, or has expired: start again');
  }
  const pending = await deps.pendingSignIns.take(state, nowOf(deps));
  if (pending === undefined) throw new SignInExpired('This sign-in has expired or was already used: start again');
  const callback = new URL(pending.redirectUri);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) callback.searchParams.set(name, value);
  const claims = await deps.provider.finishSignIn(callback, pending);
  const user = await provisionUser(claims, deps);
  const session = await openSession(user, deps);
  deps.logger.info('provider sign-in', { username: user.username, role: user.role });
  return { session, appOrigin: pending.appOrigin, user };
}

/** The user of these (verified) claims: found by issuer and subject, brought up to date, or created. */
async function provisionUser(claims: Readonly<Record<string, unknown>>, deps: Pick<ProviderSignInDeps, 'users' | 'policy' | 'maxUsers' | 'logger'>): Promise<UserRecord> {
  const { policy } = deps;
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw new SignInRefused('The identity provider named no subject');
  const role = mappedRole(claims, policy.roles);
  if (role === undefined) {
    deps.logger.info('provider sign-in refused', { reason: 'no-mapped-role', subject });
    throw new NoMappedRole('Your account at the identity provider has no role in this service: none of its groups is given access. Ask an administrator to add you.');
  }
  const claimed = policy.foldersClaim === '' ? undefined : claimedFolders(claims, policy.foldersClaim);
  if (claimed === null) throw new SignInRefused(`The identity provider's ${policy.foldersClaim} claim is not a list of folders: ask an administrator`);
  const folders = role === 'admin' ? undefined : claimed;

  const identity = await deps.users.findIdentity(policy.issuer, subject);
  if (identity !== undefined) {
    const user = await deps.users.get(identity.username);
    // Only while the user it signed in as still exists with that id: never a name's new owner.
    if (user !== undefined && user.userId === identity.userId) return bringUpToDate(user, role, folders, deps);
  }
  const replaces = identity !== undefined ? { replacesUserId: identity.userId } : {};
  for (let attempt = 0; ; attempt += 1) {
    const username = await freeUsername(claims, deps, attempt);
    try {
      const created = await deps.users.create(
        { username, role, passwordHash: PROVIDER_ONLY, ...(folders !== undefined ? { folders } : {}) },
        { maxUsers: deps.maxUsers, identity: { issuer: policy.issuer, subject, ...replaces } },
      );
      deps.logger.info('user created at first provider sign-in', { username, role, limited: folders !== undefined });
      return created;
    } catch (error) {
      if (!(error instanceof UserExists) || attempt >= 3) throw error;
    }
  }
}

async function bringUpToDate(user: UserRecord, role: Role, folders: readonly string[] | undefined, deps: Pick<ProviderSignInDeps, 'users' | 'logger'>): Promise<UserRecord> {
  const sameFolders = JSON.stringify(user.folders ?? null) === JSON.stringify(folders ?? null);
  if (user.role === role && sameFolders) return user;
  await deps.users.update(user.username, { role, folders: folders ?? null });
  deps.logger.info('provider user changed at sign-in', { username: user.username, role, folders: !sameFolders });
  return (await deps.users.get(user.username)) ?? user;
}

/** A name to show for a new provider user: their preferred name when free, else with a suffix. */
async function freeUsername(claims: Readonly<Record<string, unknown>>, deps: Pick<ProviderSignInDeps, 'users'>, attempt: number): Promise<string> {
  const wanted = [claims.preferred_username, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined, 'user']
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.replace(/[^A-Za-z0-9._@-]/g, '').slice(0, 50))
    .find((v) => USERNAME_PATTERN.test(v)) ?? 'user';
  if (attempt === 0 && (await deps.users.get(wanted)) === undefined) return wanted;
  for (;;) {
    const candidate = `${wanted}-${randomBytes(3).toString('hex')}`;
    if ((await deps.users.get(candidate)) === undefined) return candidate;
  }
}
