/** The auth function's routes: exactly `routesOf('auth')` in contract/routes.ts. */
import { requirePermission, type Caller } from '../core/roles';
import { principal } from '../http/principal';
import { clientAddress } from '../http/source-address';
import { clearedRefreshCookie, clearedSignedInCookie, refreshCookie, refreshTokenFromCookies, signedInCookie, type SessionClient } from '../core/session';
import { json } from '../http/response';
import type { ApiEvent, ApiResult, RouteMap } from '../http/types';
import { login, parseLoginRequest, type LoginDeps } from './login';
import { currentUser, endSession, InvalidRefreshToken, parseRefreshRequest, refreshSession, type IssuedSession } from './session';
import { changeUser, createUser, deleteUser, listUsers, parseChangeUserRequest, parseCreateUserRequest, parseUsername, type ManageUsersDeps } from './manage-users';
import type { AuthOptions } from '../../contract/wire';
import { Forbidden, HttpError, NotFound as NotFoundError } from '../core/errors';
import { finishDeviceSignIn, finishProviderSignIn, parseAppOrigin, parseDeviceTokenRequest, startDeviceSignIn, startProviderSignIn, type ProviderSignInDeps } from './provider-sign-in';

export type AuthDeps = LoginDeps &
  Pick<ManageUsersDeps, 'maxUsers'> & {
    readonly users: LoginDeps['users'] & ManageUsersDeps['users'];
    /** Password login and setting passwords (`local_login_enabled`). @default true */
    readonly localLoginEnabled?: boolean;
    /** Sign-in through the identity provider, when configured. */
    readonly providerSignIn?: Omit<ProviderSignInDeps, keyof LoginDeps | 'maxUsers'> & { readonly users: ProviderSignInDeps['users'] };
  };

/** Password login is off (`local_login_enabled = false`): users sign in through the identity provider. */
class LocalLoginDisabled extends Forbidden {
  override readonly code = 'LocalLoginDisabled';
}

/** The browser's binding of a provider sign-in to itself: sent back only to the callback. */
const SIGN_IN_STATE_COOKIE = '__Secure-media-store-sign-in';
const SIGN_IN_STATE_PATH = '/api/auth/oidc';
// Lax: the provider's redirect back is a cross-site top-level navigation, which Strict would strip.
const stateCookie = (state: string): string => `${SIGN_IN_STATE_COOKIE}=${state}; Path=${SIGN_IN_STATE_PATH}; Max-Age=600; HttpOnly; Secure; SameSite=Lax`;
const clearedStateCookie = (): string => `${SIGN_IN_STATE_COOKIE}=; Path=${SIGN_IN_STATE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;

function cookieValue(cookies: readonly string[] | undefined, name: string): string | undefined {
  for (const cookie of cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === name) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A refused or failed provider sign-in, as a page a person reads (the browser is on this URL, not the app). */
function signInPage(statusCode: number, message: string, appOrigin?: string): ApiResult {
  const back = appOrigin !== undefined ? `<p><a href="${escapeHtml(appOrigin)}/">Back to the app</a></p>` : '';
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'", 'x-content-type-options': 'nosniff' },
    cookies: [clearedStateCookie()],
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head><body><main><h1>You cannot sign in</h1><p role="alert">${escapeHtml(message)}</p>${back}</main></body></html>`,
  };
}

/** Role first: a non-admin learns nothing from validating a body they may not send. */
function admin(event: ApiEvent): Caller {
  const caller = principal(event);
  requirePermission(caller, 'manage-users', 'manage users');
  return caller;
}

const usernameParameter = (event: ApiEvent): string => parseUsername(event.pathParameters?.username, 'username');

/**
 * A session as the client asked for it: a browser gets the refresh token as an HttpOnly
 * cookie, the CLI in the body (`refreshToken`, `refreshExpiresAt`).
 */
function sessionResponse(session: IssuedSession, client: SessionClient, refreshTtlSeconds: number): ApiResult {
  if (client === 'cli') {
    return json(200, { ...session.access, refreshToken: session.refresh.token, refreshExpiresAt: new Date(session.refresh.expiresAt * 1000).toISOString() });
  }
  return { ...json(200, session.access), cookies: [refreshCookie(session.refresh.token, refreshTtlSeconds), signedInCookie(refreshTtlSeconds)] };
}

export function authRoutes(deps: AuthDeps): RouteMap {
  const localLogin = deps.localLoginEnabled ?? true;
  const refuseLocal = (what: string): void => {
    if (!localLogin) throw new LocalLoginDisabled(`${what} is off here: users sign in through the organisation's identity provider`);
  };
  const provider = deps.providerSignIn !== undefined ? { ...deps, ...deps.providerSignIn } : undefined;
  return {
    'GET /auth/options': async () => {
      let endSessionUrl: string | null = null;
      if (provider !== undefined) {
        try {
          endSessionUrl = (await provider.provider.endSessionUrl()) ?? null;
        } catch (error) {
          deps.logger.warn('identity provider discovery failed', { error });
        }
      }
      const options: AuthOptions = {
        localLogin,
        provider: provider !== undefined ? { name: new URL(provider.policy.issuer).host, signInPath: '/auth/oidc/start', endSessionUrl } : null,
      };
      return json(200, options);
    },
    'GET /auth/oidc/start': async (event) => {
      if (provider === undefined) throw new NotFoundError('No identity provider is configured (module variable oidc_issuer_url)');
      const origin = parseAppOrigin(event.queryStringParameters?.origin);
      const { location, state } = await startProviderSignIn(origin, provider);
      return { statusCode: 302, headers: { location, 'cache-control': 'no-store' }, cookies: [stateCookie(state)], body: '' };
    },
    'GET /auth/oidc/callback': async (event) => {
      if (provider === undefined) throw new NotFoundError('No identity provider is configured (module variable oidc_issuer_url)');
      try {
        const { session, appOrigin } = await finishProviderSignIn(event.queryStringParameters ?? {}, cookieValue(event.cookies, SIGN_IN_STATE_COOKIE), provider);
        return {
          statusCode: 302,
          headers: { location: `${appOrigin}/`, 'cache-control': 'no-store' },
          cookies: [refreshCookie(session.refresh.token, deps.refreshTokenTtlSeconds), signedInCookie(deps.refreshTokenTtlSeconds), clearedStateCookie()],
          body: '',
        };
      } catch (error) {
        if (error instanceof HttpError && error.statusCode < 500) return signInPage(error.statusCode, error.message);
        deps.logger.error('provider sign-in failed', { error });
        return signInPage(502, 'The identity provider could not be reached or answered unexpectedly: try again later');
      }
    },
    'POST /auth/oidc/device': async () => {
      if (provider === undefined) throw new NotFoundError('No identity provider is configured (module variable oidc_issuer_url)');
      return json(200, await startDeviceSignIn(provider));
    },
    'POST /auth/oidc/device/token': async (event) => {
      if (provider === undefined) throw new NotFoundError('No identity provider is configured (module variable oidc_issuer_url)');
      const { session } = await finishDeviceSignIn(parseDeviceTokenRequest(event.parsedBody), provider);
      return sessionResponse(session, 'cli', deps.refreshTokenTtlSeconds);
    },
    'POST /auth/login': async (event) => {
      refuseLocal('Password login');
      const request = parseLoginRequest(event.parsedBody);
      const session = await login(request, clientAddress(event), deps);
      return sessionResponse(session, request.client, deps.refreshTokenTtlSeconds);
    },
    'POST /auth/refresh': async (event) => {
      const fromBody = parseRefreshRequest(event.parsedBody).refreshToken;
      const client: SessionClient = fromBody !== undefined ? 'cli' : 'browser';
      try {
        const session = await refreshSession(fromBody ?? refreshTokenFromCookies(event.cookies), deps);
        return sessionResponse(session, client, deps.refreshTokenTtlSeconds);
      } catch (error) {
        // A browser holding a dead cookie should stop sending it.
        if (error instanceof InvalidRefreshToken && client === 'browser') throw new InvalidRefreshToken({ headers: { 'set-cookie': clearedRefreshCookie() }, cause: error });
        throw error;
      }
    },
    'POST /auth/logout': async (event) => {
      const fromBody = parseRefreshRequest(event.parsedBody).refreshToken;
      await endSession(fromBody ?? refreshTokenFromCookies(event.cookies), deps);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, cookies: [clearedRefreshCookie(), clearedSignedInCookie()] };
    },
    'GET /auth/me': async (event) => json(200, await currentUser(principal(event).username, deps)),
    'GET /health': async () => json(200, { status: 'ok' }),
    'GET /users': async (event) => json(200, await listUsers(admin(event), deps)),
    'POST /users': async (event) => {
      const caller = admin(event);
      // A user made here has a password (given or generated): none may be set without local login.
      refuseLocal('Adding users with a password');
      return json(201, await createUser(parseCreateUserRequest(event.parsedBody), caller, deps));
    },
    'PATCH /users/{username}': async (event) => {
      const caller = admin(event);
      const request = parseChangeUserRequest(event.parsedBody);
      if (request.password !== undefined) refuseLocal('Setting a password');
      return json(200, await changeUser(usernameParameter(event), request, caller, deps));
    },
    'DELETE /users/{username}': async (event) => {
      const caller = admin(event);
      await deleteUser(usernameParameter(event), caller, deps);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    },
  };
}
