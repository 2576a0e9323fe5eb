/**
 * The one typed API client (client/api.ts) over contract/endpoints.ts: the map covers exactly
 * the routes of contract/routes.ts, and the client builds each request from a route key.
 */
import { createApi, pathOf, type FetchInit, type FetchLike } from '../../../client/api';
import { ApiError } from '../../../client/errors';
import { ENDPOINT_KEYS, type Endpoints } from '../../../contract/endpoints';
import { ROUTES, routeKey } from '../../../contract/routes';
import type * as W from '../../../contract/wire';

/** Compiles only when `A` and `B` are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
// A renamed or retyped wire type breaks these lines (and both clients' builds).
export type EndpointTypesFollowTheWire = [
  Same<Endpoints['GET /files']['response'], W.FilePage>,
  Same<Endpoints['POST /uploads/{uploadId}/parts']['body'], W.PartsRequest>,
  Same<Endpoints['POST /auth/login']['body'], W.LoginRequest>,
];

interface Sent {
  readonly url: string;
  readonly init: FetchInit;
}

function fakeFetch(answers: readonly { status: number; body?: unknown; headers?: Record<string, string> }[]): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  let next = 0;
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, init });
    const answer = answers[Math.min(next++, answers.length - 1)] as { status: number; body?: unknown; headers?: Record<string, string> };
    const headers = new Map(Object.entries(answer.headers ?? {}));
    return { status: answer.status, headers: { get: (name: string) => headers.get(name) ?? null }, text: async () => (answer.body === undefined ? '' : JSON.stringify(answer.body)) };
  };
  return { fetch, sent };
}

const noRetry = { retries: 0, baseDelayMs: 1, maxDelayMs: 1 };

describe('contract/endpoints.ts', () => {
  it('declares the wire types of every route of contract/routes.ts, and of no other', () => {
    expect([...ENDPOINT_KEYS].sort()).toEqual(ROUTES.map(routeKey).sort());
  });
});

describe('client/api.ts', () => {
  it('fills path parameters from the route key, encoded for a URL path', () => {
    expect(pathOf('GET /public/shares/{token}/files/{id}/download', { token: 'a/b', id: 'x y' })).toBe('/public/shares/a%2Fb/files/x%20y/download');
    expect(() => pathOf('GET /files/{id}', {})).toThrow('path parameter id missing');
  });

  it('sends the query without undefined values, the JSON body and the bearer token', async () => {
    const { fetch, sent } = fakeFetch([{ status: 200, body: { files: [], nextCursor: null } }]);
    const api = createApi({ baseUrl: 'https://api.test/prod', token: () => 'tok', fetch, retry: noRetry, headers: { accept: 'application/json' } });

    const page = await api.call('GET /files', { query: { folder: '/a b', limit: 5, cursor: undefined } });

    expect(page).toEqual({ files: [], nextCursor: null });
    expect(sent[0]?.url).toBe('https://api.test/prod/files?folder=%2Fa+b&limit=5');
    expect(sent[0]?.init).toMatchObject({ method: 'GET', headers: { accept: 'application/json', authorization: 'Bearer tok' } });
    expect(sent[0]?.init.body).toBeUndefined();
  });

  it('posts JSON with its content type and the credentials mode of the transport', async () => {
    const { fetch, sent } = fakeFetch([{ status: 200, body: { parts: [], expiresAt: 'x' } }]);
    const api = createApi({ baseUrl: '/api', credentials: 'same-origin', fetch, retry: noRetry });

    await api.call('POST /uploads/{uploadId}/parts', { params: { uploadId: 'u1' }, body: { partNumbers: [1, 2] } });

    expect(sent[0]).toEqual({ url: '/api/uploads/u1/parts', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"partNumbers":[1,2]}', credentials: 'same-origin' } });
  });

  it('never sends the access token to a public share route', async () => {
    const { fetch, sent } = fakeFetch([{ status: 200, body: { session: 's', expiresAt: 'x' } }]);
    const api = createApi({ baseUrl: '/api', token: () => 'tok', fetch, retry: noRetry });

    await api.call('POST /public/shares/{token}/unlock', { params: { token: 't' }, body: { password: 'pw' }, headers: { 'x-share-guest': 'g' } });

    expect(sent[0]?.init.headers).toEqual({ 'content-type': 'application/json', 'x-share-guest': 'g' });
  });

  it('renews a refused token once on a guarded route and sends the request again with the new one', async () => {
    const { fetch, sent } = fakeFetch([{ status: 403, body: { message: 'Forbidden' } }, { status: 200, body: { users: [] } }]);
    let token = 'old';
    const renew = jest.fn(async () => {
      token = 'new';
      return true;
    });
    const api = createApi({ baseUrl: '/api', token: () => token, renew, fetch, retry: noRetry });

    await expect(api.call('GET /users')).resolves.toEqual({ users: [] });

    expect(renew).toHaveBeenCalledWith('old');
    expect(sent.map((s) => s.init.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('passes the API\'s own 403 (with an error code) and the open routes\' 401 through without renewing', async () => {
    const renew = jest.fn(async () => true);
    const own = fakeFetch([{ status: 403, body: { error: { code: 'FolderForbidden', message: 'no' } } }]);
    await expect(createApi({ baseUrl: '/api', token: () => 't', renew, fetch: own.fetch, retry: noRetry }).call('DELETE /files/{id}', { params: { id: 'f' } })).rejects.toMatchObject({ status: 403, code: 'FolderForbidden' });
    const login = fakeFetch([{ status: 401, body: { error: { code: 'InvalidCredentials', message: 'no' } } }]);
    await expect(createApi({ baseUrl: '/api', token: () => 't', renew, fetch: login.fetch, retry: noRetry }).call('POST /auth/login', { body: { username: 'a', password: 'b' } })).rejects.toMatchObject({ status: 401 });
    expect(renew).not.toHaveBeenCalled();
  });

  it('turns a refusal it cannot renew into the transport\'s session-ended error', async () => {
    const { fetch, sent } = fakeFetch([{ status: 401, body: { message: 'Unauthorized' } }]);
    const api = createApi({ baseUrl: '/api', token: () => 't', renew: async () => false, sessionEnded: (refusal) => new ApiError(401, 'SessionEnded', 'log in again', refusal.operation), fetch, retry: noRetry });

    await expect(api.call('GET /shares')).rejects.toMatchObject({ code: 'SessionEnded', operation: 'GET /shares' });
    expect(sent).toHaveLength(1);
  });

  it('retries a 503 by the retry policy and answers a manual redirect with its headers', async () => {
    const { fetch, sent } = fakeFetch([{ status: 503, body: { message: 'busy' } }, { status: 302, headers: { location: 'https://s3/x' } }]);
    const api = createApi({ baseUrl: '/api', fetch, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });

    const answer = await api.send('GET /files/{id}/download', { params: { id: 'f' }, redirect: 'manual' });

    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('https://s3/x');
    expect(sent).toHaveLength(2);
    expect(sent[1]?.init.redirect).toBe('manual');
  });
});
