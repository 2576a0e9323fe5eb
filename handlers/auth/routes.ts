/** The auth function's routes: exactly `routesOf('auth')` in contract/routes.ts. */
import { requirePermission, type Caller } from '../core/roles';
import { principal } from '../http/principal';
import { json } from '../http/response';
import type { ApiEvent, RouteMap } from '../http/types';
import { login, parseLoginRequest, type LoginDeps } from './login';
import { changeUser, createUser, deleteUser, listUsers, parseChangeUserRequest, parseCreateUserRequest, parseUsername, type ManageUsersDeps } from './manage-users';

export type AuthDeps = LoginDeps & Pick<ManageUsersDeps, 'maxUsers'> & { readonly users: LoginDeps['users'] & ManageUsersDeps['users'] };

/** Role first: a non-admin learns nothing from validating a body they may not send. */
function admin(event: ApiEvent): Caller {
  const caller = principal(event);
  requirePermission(caller, 'manage-users', 'manage users');
  return caller;
}

const usernameParameter = (event: ApiEvent): string => parseUsername(event.pathParameters?.username, 'username');

export function authRoutes(deps: AuthDeps): RouteMap {
  return {
    'POST /auth/login': async (event) => json(200, await login(parseLoginRequest(event.parsedBody), deps)),
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
