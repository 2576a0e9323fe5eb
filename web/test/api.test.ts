import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_IN_COOKIE } from '../../contract/site';
import { ApiError, currentSession, deleteFile, listUsers, login, refresh, SESSION_ENDED, userOfToken } from '../src/api';

const grant = { token: 'h.eyJzdWIiOiJhbm4iLCJyb2xlIjoiZWRpdG9yIn0.s', expiresAt: '2026-01-01T00:15:00Z', expiresIn: 900, user: { username: 'ann', role: 'editor', folders: null } };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

// The server sets this hint beside the HttpOnly refresh cookie; the mocked fetch cannot.
const holdSession = (): void => {
  document.cookie = `${SIGNED_IN_COOKIE}=1; Path=/`;
};
beforeEach(holdSession);
afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('renews the session from the refresh cookie: a JSON {} body, same-origin credentials', async () => {
    const fetch = vi.fn().mockResolvedValue(json(200, grant));
    vi.stubGlobal('fetch', fetch);
    const session = await refresh();
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/auth/refresh');
    expect(init.body).toBe('{}');
    expect(init.credentials).toBe('same-origin');
    expect(session?.user).toEqual(grant.user);
  });

  it('answers no session when the refresh cookie is refused, and forgets the hint so the next load does not ask', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(401, { error: { code: 'InvalidRefreshToken', message: 'The session has ended' } })));
    await expect(refresh()).resolves.toBeUndefined();
    expect(currentSession()).toBeUndefined();
    expect(document.cookie).not.toContain(`${SIGNED_IN_COOKIE}=1`);
  });

  it('sends no refresh request (none that must fail) when the browser holds no session', async () => {
    document.cookie = `${SIGNED_IN_COOKIE}=; Path=/; Max-Age=0`;
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    await expect(refresh()).resolves.toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('reports login throttling with the wait from Retry-After', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(429, { error: { code: 'TooManyAttempts', message: 'Too many attempts' } }, { 'retry-after': '120' })));
    const error = await login('ann', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).retryAfterSeconds).toBe(120);
  });

  it('sends the access token from memory, renews it once on a 401 and retries', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(200, grant))
      .mockResolvedValueOnce(json(401, { message: 'Unauthorized' }))
      .mockResolvedValueOnce(json(200, { ...grant, token: 'h.eyJzdWIiOiJhbm4ifQ.new' }))
      .mockResolvedValueOnce(json(200, { users: [] }));
    vi.stubGlobal('fetch', fetch);
    await login('ann', 'pw');
    await expect(listUsers()).resolves.toEqual({ users: [] });
    const calls = fetch.mock.calls as [string, RequestInit][];
    expect(calls.map(([url]) => url)).toEqual(['/api/auth/login', '/api/users', '/api/auth/refresh', '/api/users']);
    expect((calls[1]?.[1].headers as Record<string, string>).authorization).toBe(`Bearer ${grant.token}`);
    expect((calls[3]?.[1].headers as Record<string, string>).authorization).toBe('Bearer h.eyJzdWIiOiJhbm4ifQ.new');
  });

  it('takes the authorizer\'s 403 (a token revoked by a change to the user) for an ended session when the refresh is refused', async () => {
    // Prepare
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(200, grant))
      .mockResolvedValueOnce(json(403, { message: 'Forbidden' }))
      .mockResolvedValueOnce(json(401, { error: { code: 'InvalidRefreshToken', message: 'The session has ended' } }));
    vi.stubGlobal('fetch', fetch);
    await login('ann', 'pw');
    // Act
    const error = (await deleteFile('f1').catch((e: unknown) => e)) as ApiError;
    // Assess
    expect(error).toMatchObject({ status: 401, code: SESSION_ENDED, message: expect.stringContaining('an administrator changed your access') });
    expect((fetch.mock.calls as [string][]).map(([url]) => url)).toEqual(['/api/auth/login', '/api/files/f1', '/api/auth/refresh']);
    expect(currentSession()).toBeUndefined();
  });

  it('passes the API\'s own 403 (with an error code) through without renewing', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(200, grant))
      .mockResolvedValueOnce(json(403, { error: { code: 'FolderForbidden', message: 'Folder /x is outside your folders' } }));
    vi.stubGlobal('fetch', fetch);
    await login('ann', 'pw');

    const error = (await deleteFile('f1').catch((e: unknown) => e)) as ApiError;

    expect(error).toMatchObject({ status: 403, code: 'FolderForbidden', message: 'Folder /x is outside your folders' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('reads role and folder limits from a token when the answer names no user', () => {
    expect(userOfToken(grant.token)).toEqual({ username: 'ann', role: 'editor', folders: null });
  });
});
