/**
 * The local API server against API Gateway HTTP API semantics, with stub functions in place
 * of the bundles (no emulators needed): payload 2.0 events, the REQUEST authorizer with
 * simple responses, result mapping, API Gateway's own error responses, CORS, throttling.
 */
import type { RouteDeclaration } from '../../../contract/routes';
import { startApiServer, type ApiConfig, type ApiServer, type Invoke, type ProxyEvent } from '../../../local/api-server';
import type { InvokeResult } from '../../../local/functions';
import { silentLogger } from '../../../local/log';

const ROUTES: RouteDeclaration[] = [
  { method: 'GET', path: '/open', function: 'auth', auth: false, summary: 'open' },
  { method: 'POST', path: '/open', function: 'auth', auth: false, summary: 'open post' },
  { method: 'GET', path: '/items/{itemId}', function: 'files', auth: true, summary: 'guarded' },
  { method: 'GET', path: '/items/special', function: 'uploads', auth: true, summary: 'literal wins' },
];

const baseConfig: ApiConfig = {
  routes: ROUTES,
  region: 'us-east-1',
  authorizer: { function: 'authorizer', identitySources: ['$request.header.Authorization'], resultTtlSeconds: 0 },
};

type Stub = (event: any) => InvokeResult | Promise<InvokeResult>;

/** A server whose functions are stubs; records every invocation. */
async function serve(stubs: Record<string, Stub>, config: Partial<ApiConfig> = {}) {
  const calls: { fn: string; event: any }[] = [];
  const invoke: Invoke = async (fn, event) => {
    calls.push({ fn, event });
    const stub = stubs[fn];
    if (!stub) throw new Error(`no stub for ${fn}`);
    return stub(event);
  };
  const server = await startApiServer({ config: { ...baseConfig, ...config }, invoke, logger: silentLogger, port: 0 });
  return { server, calls };
}

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload });
const allow: Stub = () => ok({ isAuthorized: true, context: { username: 'alice', role: 'editor' } });
const echo: Stub = (event) => ok({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });

describe('local API server (API Gateway HTTP API emulation)', () => {
  const servers: ApiServer[] = [];
  const start = async (stubs: Record<string, Stub>, config: Partial<ApiConfig> = {}) => {
    const started = await serve(stubs, config);
    servers.push(started.server);
    return started;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  describe('payload format 2.0 events', () => {
    it('carries route key, raw path and query, lower-cased headers, cookies, query parameters and request context', async () => {
      const { server, calls } = await start({ auth: echo });

      await fetch(`${server.url}/open?b=2&a=1&a=3&e=%20x`, {
        headers: { 'X-Custom-Header': 'Value', Cookie: 'c1=v1; c2=v2', 'User-Agent': 'e2e-agent' },
      });

      const event = calls[0].event as ProxyEvent;
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: 'GET /open',
        rawPath: '/open',
        rawQueryString: 'b=2&a=1&a=3&e=%20x',
        cookies: ['c1=v1', 'c2=v2'],
        queryStringParameters: { a: '1,3', b: '2', e: ' x' },
        isBase64Encoded: false,
      });
      expect(event.headers['x-custom-header']).toBe('Value');
      expect(event.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-amzn-trace-id': expect.stringMatching(/^Root=1-/) });
      expect(event.headers.cookie).toBeUndefined();
      expect(event.pathParameters).toBeUndefined();
      expect(event.body).toBeUndefined();
      expect(event.requestContext).toMatchObject({
        accountId: expect.stringMatching(/^\d{12}$/),
        apiId: expect.any(String),
        domainName: new URL(server.url).host,
        http: { method: 'GET', path: '/open', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'e2e-agent' },
        requestId: expect.any(String),
        routeKey: 'GET /open',
        stage: '$default',
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
        timeEpoch: expect.any(Number),
      });
    });

    it('passes a JSON body as text and a binary body base64-encoded', async () => {
      const { server, calls } = await start({ auth: echo });

      await fetch(`${server.url}/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      await fetch(`${server.url}/open`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 1, 2, 255]) });

      expect(calls[0].event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
      expect(calls[1].event).toMatchObject({ body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
    });

    it('decodes path parameters and prefers a literal route over a parameterized one', async () => {
      const { server, calls } = await start({ authorizer: allow, files: echo, uploads: echo });

      await fetch(`${server.url}/items/a%20b`, { headers: { authorization: 'Bearer t' } });
      await fetch(`${server.url}/items/special`, { headers: { authorization: 'Bearer t' } });

      const [, first, , second] = calls;
      expect(first).toMatchObject({ fn: 'files', event: { routeKey: 'GET /items/{itemId}', pathParameters: { itemId: 'a b' } } });
      expect(second).toMatchObject({ fn: 'uploads', event: { routeKey: 'GET /items/special' } });
    });
  });

  describe('REQUEST authorizer with simple responses', () => {
    it('answers 401 without calling the authorizer when the Authorization header is missing', async () => {
      const { server, calls } = await start({ authorizer: allow, files: echo });

      const response = await fetch(`${server.url}/items/1`);

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      expect(calls).toEqual([]);
    });

    it('answers 403 when the authorizer says isAuthorized: false', async () => {
      const { server, calls } = await start({ authorizer: () => ok({ isAuthorized: false }), files: echo });

      const response = await fetch(`${server.url}/items/1`, { headers: { authorization: 'Bearer nope' } });

      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
      expect(calls.map((c) => c.fn)).toEqual(['authorizer']);
    });

    it.each([
      ['fails', { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } } as InvokeResult],
      ['returns no isAuthorized boolean', ok({ allowed: true })],
    ])('answers 500 when the authorizer %s', async (_case, result) => {
      const { server } = await start({ authorizer: () => result, files: echo });

      const response = await fetch(`${server.url}/items/1`, { headers: { authorization: 'Bearer x' } });

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    });

    it('sends a REQUEST event with the identity source and passes its context to the handler', async () => {
      const { server, calls } = await start({ authorizer: allow, files: echo });

      await fetch(`${server.url}/items/7`, { method: 'GET', headers: { authorization: 'Bearer abc' } });

      const [authorizerCall, handlerCall] = calls;
      expect(authorizerCall.event).toMatchObject({
        version: '2.0',
        type: 'REQUEST',
        identitySource: ['Bearer abc'],
        routeKey: 'GET /items/{itemId}',
        routeArn: expect.stringMatching(/^arn:aws:execute-api:us-east-1:\d{12}:[^/]+\/\$default\/GET\/items\/7$/),
      });
      expect(authorizerCall.event.body).toBeUndefined();
      expect(handlerCall.event.requestContext.authorizer).toEqual({ lambda: { username: 'alice', role: 'editor' } });
    });

    it('caches the result per identity for the configured TTL', async () => {
      const config = { authorizer: { ...baseConfig.authorizer, resultTtlSeconds: 60 } };
      const { server, calls } = await start({ authorizer: allow, files: echo }, config);

      for (const token of ['one', 'one', 'two']) {
        await fetch(`${server.url}/items/1`, { headers: { authorization: `Bearer ${token}` } });
      }

      expect(calls.filter((c) => c.fn === 'authorizer').map((c) => c.event.identitySource)).toEqual([['Bearer one'], ['Bearer two']]);
    });
  });

  describe('mapping function results to responses', () => {
    it('sends a structured result with its status, headers, cookies and base64 body', async () => {
      const png = Buffer.from([137, 80, 78, 71]);
      const { server } = await start({
        auth: () =>
          ok({ statusCode: 201, headers: { 'X-Thing': 'yes', 'content-type': 'image/png' }, cookies: ['a=1', 'b=2'], body: png.toString('base64'), isBase64Encoded: true }),
      });

      const response = await fetch(`${server.url}/open`);

      expect(response.status).toBe(201);
      expect(response.headers.get('x-thing')).toBe('yes');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
    });

    it.each([
      ['a plain object', { hello: 'world' }, '{"hello":"world"}'],
      ['a string', 'just text', 'just text'],
    ])('turns %s into a 200 JSON response', async (_case, payload, body) => {
      const { server } = await start({ auth: () => ok(payload) });

      const response = await fetch(`${server.url}/open`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.text()).toBe(body);
    });

    it.each([
      ['throws', { ok: false, error: { errorType: 'TypeError', errorMessage: 'secret internals' } } as InvokeResult],
      ['returns an invalid statusCode', ok({ statusCode: 'teapot' })],
    ])('answers 500 without details when the function %s', async (_case, result) => {
      const { server } = await start({ auth: () => result });

      const response = await fetch(`${server.url}/open`);

      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"message":"Internal Server Error"}');
    });

    it('answers 503 when the function outlives the integration timeout', async () => {
      const slow: Stub = () => new Promise((resolve) => setTimeout(() => resolve(ok('late')), 300));
      const { server } = await start({ auth: slow }, { integrationTimeoutMs: 50 });

      const response = await fetch(`${server.url}/open`);

      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    });
  });

  describe("API Gateway's own responses", () => {
    it.each([
      ['an unknown path', 'GET', '/nowhere'],
      ['a known path with another method', 'DELETE', '/open'],
      ['a path with a trailing slash', 'GET', '/open/'],
    ])('answers 404 Not Found to %s', async (_case, method, path) => {
      const { server, calls } = await start({ auth: echo });

      const response = await fetch(`${server.url}${path}`, { method });

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
      expect(calls).toEqual([]);
    });

    it('answers 413 to a request body over 10 MB without invoking anything', async () => {
      const { server, calls } = await start({ auth: echo });

      const response = await fetch(`${server.url}/open`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });

      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
      expect(calls).toEqual([]);
    });

    it('answers 429 once the stage throttling bucket is empty', async () => {
      const { server } = await start({ auth: () => ok('ok') }, { throttle: { rateLimit: 0.001, burstLimit: 2 } });

      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/open`)).status);

      expect(statuses).toEqual([200, 200, 429]);
    });
  });

  describe('CORS from the API configuration', () => {
    const cors = {
      allowOrigins: ['https://app.example'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['x-request-id'],
      maxAge: 600,
      allowCredentials: false,
    };

    it('answers a preflight itself for an allowed origin', async () => {
      const { server, calls } = await start({ auth: echo }, { cors });

      const response = await fetch(`${server.url}/open`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });

      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(calls).toEqual([]);
    });

    it('adds the allow-origin and expose headers to responses for an allowed origin only', async () => {
      const { server } = await start({ auth: echo }, { cors });

      const allowed = await fetch(`${server.url}/open`, { headers: { origin: 'https://app.example' } });
      const other = await fetch(`${server.url}/open`, { headers: { origin: 'https://evil.example' } });

      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers')).toBe('x-request-id');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
