/**
 * The session model over HTTP: login (browser cookie or CLI body), refresh with rotation,
 * replay detection, logout and `GET /auth/me`, against the shared local stack.
 */
import { SIGNED_IN_COOKIE } from '../../contract/site';
import { e2eContext, type E2eUser } from './support/context';
import { api, expectErrorBody } from './support/http';
import { claimsOf } from './support/tokens';

const COOKIE = '__Secure-media-store-refresh';

interface Grant {
  token: string;
  expiresAt: string;
  expiresIn: number;
  user: { username: string; role: string; folders: string[] | null };
  refreshToken?: string;
  refreshExpiresAt?: string;
}

const cookieOf = (setCookie: string | null): string | undefined => new RegExp(`${COOKIE}=([^;]*)`).exec(setCookie ?? '')?.[1];
const loginAs = (user: E2eUser, client?: 'cli') => api<Grant>('/auth/login', { json: { username: user.username, password: user.password, ...(client ? { client } : {}) } });
const refreshWithCookie = (value: string) => api<Grant>('/auth/refresh', { json: {}, headers: { cookie: `${COOKIE}=${value}` } });
const refreshWithBody = (refreshToken: string) => api<Grant>('/auth/refresh', { json: { refreshToken } });

describe('sessions', () => {
  const { viewer, familyEditor } = e2eContext();

  it('gives a browser a 5-minute access token, the user, and the refresh token only as a Secure HttpOnly SameSite=Strict cookie on /api/auth', async () => {
    const response = await loginAs(familyEditor);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String), expiresIn: 300, user: { username: familyEditor.username, role: 'editor', folders: ['/family', '/trips/2024'] } });
    expect(claimsOf(response.body.token).exp - claimsOf(response.body.token).iat).toBe(300);
    const [setCookie = '', hint = '', ...more] = response.headers.getSetCookie();
    expect(cookieOf(setCookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/api/auth');
    expect(setCookie).toContain(`Max-Age=${30 * 24 * 3600}`);
    // Beside it, a hint the app's scripts can read (nothing secret in it), so a signed-out page load asks no refresh.
    expect(hint).toBe(`${SIGNED_IN_COOKIE}=1; Path=/; Max-Age=${30 * 24 * 3600}; Secure; SameSite=Strict`);
    expect(more).toEqual([]);
  });

  it('gives the CLI its refresh token in the body and no cookie', async () => {
    const response = await loginAs(viewer, 'cli');

    expect(response.status).toBe(200);
    expect(response.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(response.body.refreshExpiresAt as string).getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('rotates the refresh cookie: the new one works, and replaying the old one revokes the whole family', async () => {
    // Prepare
    const first = cookieOf((await loginAs(viewer)).headers.get('set-cookie')) as string;
    // Act
    const refreshed = await refreshWithCookie(first);
    const second = cookieOf(refreshed.headers.get('set-cookie')) as string;
    // The new access token works while its family lives (asked before the replay: the replay ends
    // the family, and with it the family's access tokens at the authorizer).
    const listing = await api('/files?folder=/', { token: refreshed.body.token });
    const replay = await refreshWithCookie(first);
    const afterReplay = await refreshWithCookie(second);
    // Assess
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.username).toBe(viewer.username);
    expect(second).not.toBe(first);
    expect(listing.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: { code: 'InvalidRefreshToken', message: expect.any(String) } });
    expect(replay.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(afterReplay.status).toBe(401);
  });

  it('rotates a CLI refresh token sent in the body, answering in the body', async () => {
    const login = await loginAs(viewer, 'cli');
    const refreshed = await refreshWithBody(login.body.refreshToken as string);

    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
    expect((await refreshWithBody(refreshed.body.refreshToken as string)).status).toBe(200);
  });

  it('refuses a refresh without a token, with garbage, or without a JSON body, with 4xx error bodies', async () => {
    const none = await api('/auth/refresh', { json: {} });
    const garbage = await refreshWithBody('not-a-token');
    const noBody = await api('/auth/refresh', { method: 'POST' });

    expect(none.status).toBe(401);
    expect(garbage.status).toBe(401);
    expectErrorBody(none);
    expectErrorBody(garbage);
    expect(noBody.status).toBeGreaterThanOrEqual(400);
    expect(noBody.status).toBeLessThan(500);
  });

  it('logs out: 204, the cookie cleared, and the refresh token refused afterwards', async () => {
    const cookie = cookieOf((await loginAs(viewer)).headers.get('set-cookie')) as string;

    const logout = await api('/auth/logout', { json: {}, headers: { cookie: `${COOKIE}=${cookie}` } });

    expect(logout.status).toBe(204);
    const [cleared = '', hint = ''] = logout.headers.getSetCookie();
    expect(cleared).toMatch(new RegExp(`^${COOKIE}=; Path=/api/auth; Max-Age=0`));
    expect(hint).toMatch(new RegExp(`^${SIGNED_IN_COOKIE}=; Path=/; Max-Age=0`));
    expect((await refreshWithCookie(cookie)).status).toBe(401);
  });

  it('GET /auth/me answers the caller as stored, and needs a token', async () => {
    const { body } = await loginAs(familyEditor);

    const me = await api('/auth/me', { token: body.token });
    const anonymous = await api('/auth/me');

    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { username: familyEditor.username, role: 'editor', folders: ['/family', '/trips/2024'] } });
    expect(anonymous.status).toBe(401);
  });
});
