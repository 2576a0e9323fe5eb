import { ROUTES } from '../../contract/routes';
import { e2eContext, jwtSigningKey } from './support/context';
import { api, login } from './support/http';
import { algNoneToken, claimsOf, expiredToken, signHs256, tamperedToken } from './support/tokens';

/** Every route the declaration guards, with its path parameters filled in. */
const protectedRoutes = ROUTES.filter((route) => route.auth).map((route) => ({
  name: `${route.method} ${route.path}`,
  method: route.method,
  path: route.path.replace(/\{[^}]+\}/g, 'e2e-param'),
}));

describe('every protected route of contract/routes.ts', () => {
  const context = e2eContext();
  let valid: string;
  let admin: string;

  beforeAll(async () => {
    [valid, admin] = await Promise.all([login(context.editor), login(context.admin)]);
  });

  it('includes the routes this issue ships', () => {
    expect(protectedRoutes.map((r) => r.name)).toEqual(expect.arrayContaining(['POST /uploads', 'GET /files']));
  });

  describe.each(protectedRoutes)('$name', (route) => {
    const call = async (authorization?: string) => {
      for (let attempt = 1; ; attempt += 1) {
        const response = await api(route.path, {
          method: route.method,
          headers: authorization === undefined ? {} : { authorization },
          ...(route.method === 'GET' ? {} : { json: {} }),
        });
        // Stage throttling answers before the authorizer runs: with ~20 routes × 8 cases and
        // other suites on the same stack, a 429 is not the verdict under test, so try again.
        if (response.status !== 429 || attempt === 10) return response;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    };

    it('answers 401 without an Authorization header', async () => {
      const response = await call();

      expect(response.status).toBe(401);
      expect(response.body).toEqual({ message: 'Unauthorized' });
    });

    it('answers 403 to an expired token signed with the right secret', async () => {
      const response = await call(`Bearer ${expiredToken(await jwtSigningKey(context), claimsOf(valid))}`);

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ message: 'Forbidden' });
    });

    it('answers 403 to a token whose claims were changed after signing', async () => {
      const response = await call(`Bearer ${tamperedToken(valid)}`);

      expect(response.status).toBe(403);
    });

    it('answers 403 to an alg "none" token', async () => {
      const response = await call(`Bearer ${algNoneToken(valid)}`);

      expect(response.status).toBe(403);
    });

    it('answers 403 to a token signed with another secret', async () => {
      const response = await call(`Bearer ${signHs256({ ...claimsOf(valid), jti: `other-${route.name}` }, 'x'.repeat(64))}`);

      expect(response.status).toBe(403);
    });

    it('answers 403 to a token from another issuer', async () => {
      const key = await jwtSigningKey(context);
      const forged = signHs256({ ...claimsOf(valid), iss: 'someone-else', jti: `iss-${route.name}` }, key.secret, { alg: 'HS256', typ: 'JWT', kid: key.id });

      const response = await call(`Bearer ${forged}`);

      expect(response.status).toBe(403);
    });

    it('answers 403 to a token that is not a bearer JWT', async () => {
      const response = await call(`Basic ${Buffer.from('admin:admin').toString('base64')}`);

      expect(response.status).toBe(403);
    });

    it('lets a valid token through to the function', async () => {
      const response = await call(`Bearer ${admin}`);

      // Whatever the function answers (a 400 for the empty input, a 404 for the made-up id),
      // it is the function's error body, not API Gateway's authorizer rejection.
      expect(response.body).not.toEqual({ message: 'Unauthorized' });
      expect(response.body).not.toEqual({ message: 'Forbidden' });
      expect(response.status).toBeLessThan(500);
    });
  });
});
