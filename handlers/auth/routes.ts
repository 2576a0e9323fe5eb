/** The auth function's routes: exactly `routesOf('auth')` in contract/routes.ts. */
import { requirePermission, type Caller } from '../core/roles';
import { principal } from '../http/principal';
import { clientAddress } from '../http/source-address';
import { clearedRefreshCookie, refreshCookie, refreshTokenFromCookies, type SessionClient } from '../core/session';
import { json } from '../http/response';
import type { ApiEvent, ApiResult, RouteMap } from '../http/types';
import { login, parseLoginRequest, type LoginDeps } from './login';
import { currentUser, endSession, InvalidRefreshToken, parseRefreshRequest, refreshSession, type IssuedSession } from './session';
import { changeUser, createUser, deleteUser, listUsers, parseChangeUserRequest, parseCreateUserRequest, parseUsername, type ManageUsersDeps } from './manage-users';

export type AuthDeps = LoginDeps & Pick<ManageUsersDeps, 'maxUsers'> & { readonly users: LoginDeps['users'] & ManageUsersDeps['users'] };

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
  return { ...json(200, session.access), cookies: [refreshCookie(session.refresh.token, refreshTtlSeconds)] };
}

export function authRoutes(deps: AuthDeps): RouteMap {
  return {
    'POST /auth/login': async (event) => {
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
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, cookies: [clearedRefreshCookie()] };
    },
    'GET /auth/me': async (event) => json(200, await currentUser(principal(event).username, deps)),
    'GET /health': async () => json(200, { status: 'ok' }),
    'GET /users': async (event) => json(200, await listUsers(admin(event), deps)),
    'POST /users': async (event) => {
      const caller = admin(event);
      return json(201, await createUser(parseCreateUserRequest(event.parsedBody), caller, deps));
    },
    'PATCH /users/{username}': async (event) => {
      const caller = admin(event);
      return json(200, await changeUser(usernameParameter(event), parseChangeUserRequest(event.parsedBody), caller, deps));
    },
    'DELETE /users/{username}': async (event) => {
      const caller = admin(event);
      await deleteUser(usernameParameter(event), caller, deps);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    },
  };
}
