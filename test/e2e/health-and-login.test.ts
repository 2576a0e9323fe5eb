import { request } from 'node:http';
import { e2eContext } from './support/context';
import { api, expectErrorBody, login } from './support/http';
import { claimsOf, headerOf } from './support/tokens';

describe('GET /health', () => {
  it('answers 200 without a token', async () => {
    const response = await api('/health');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('POST /auth/login', () => {
  const { admin, viewer, throttled } = e2eContext();

  it('returns an HS256 token for the right password, with the user, role, issuer and expiry', async () => {
    const response = await api<{ token: string; expiresAt: string }>('/auth/login', {
      json: { username: viewer.username, password: viewer.password },
    });

    expect(response.status).toBe(200);
    expect(headerOf(response.body.token)).toMatchObject({ alg: 'HS256' });
    const claims = claimsOf(response.body.token);
    expect(claims).toMatchObject({ sub: viewer.username, role: 'viewer', iss: 'media-store' });
    expect(new Date(response.body.expiresAt).getTime()).toBe(claims.exp * 1000);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('gives the same 401 for an unknown user and for a wrong password', async () => {
    const unknownUser = await api('/auth/login', { json: { username: 'nobody-here', password: 'whatever-1234' } });
    const wrongPassword = await api('/auth/login', { json: { username: admin.username, password: `${admin.password}x` } });

    expect(unknownUser.status).toBe(401);
    expect(wrongPassword.status).toBe(401);
    expectErrorBody(unknownUser);
    expect(wrongPassword.body).toEqual(unknownUser.body);
  });

  it('still lets the admin log in after one wrong password', async () => {
    await expect(login(admin)).resolves.toEqual(expect.any(String));
  });

  it('throttles a user with 429 after repeated failures, even with the right password', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await api('/auth/login', { json: { username: throttled.username, password: 'wrong-password' } });
      statuses.push(response.status);
    }

    const locked = await api('/auth/login', { json: { username: throttled.username, password: throttled.password } });

    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(locked.status).toBe(429);
    expectErrorBody(locked);
    // The lock lasts the stack's real configured window: login_lockout_seconds = 900.
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(880);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(900);
  });

  it('lets the locked user in from another source address: an attacker only locks themselves out', async () => {
    // The throttled user is locked for 127.0.0.1 by the test above (or is locked here first).
    for (let attempt = 0; attempt < 5; attempt++) await api('/auth/login', { json: { username: throttled.username, password: 'wrong-password' } });
    const fromHere = await api('/auth/login', { json: { username: throttled.username, password: throttled.password } });

    const fromElsewhere = await loginFrom('127.0.0.2', { username: throttled.username, password: throttled.password });

    expect(fromHere.status).toBe(429);
    expect(fromElsewhere.status).toBe(200);
  });

  it('rejects a body that is not JSON with a 400 error body', async () => {
    const response = await api('/auth/login', { raw: '{"username": "admin", ' });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('rejects a login without a password with a 400 error body', async () => {
    const response = await api('/auth/login', { json: { username: admin.username } });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });
});

/** POST /auth/login from another loopback address (a second "source" for the API). */
function loginFrom(localAddress: string, body: unknown): Promise<{ status: number }> {
  const url = new URL('/auth/login', e2eContext().apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
