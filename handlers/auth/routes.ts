/** The auth function's routes: exactly `routesOf('auth')` in contract/routes.ts. */
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { login, parseLoginRequest, type LoginDeps } from './login';

export function authRoutes(deps: LoginDeps): RouteMap {
  return {
    'POST /auth/login': async (event) => json(200, await login(parseLoginRequest(event.parsedBody), deps)),
    'GET /health': async () => json(200, { status: 'ok' }),
  };
}
