/**
 * An HTTP server that behaves like an API Gateway HTTP API with Lambda proxy integrations
 * (payload format 2.0): routes from contract/routes.ts, a Lambda REQUEST authorizer with
 * simple responses (and its result cache), CORS per the plan, stage throttling, the 10 MB
 * request limit, and API Gateway's own error bodies (`{"message": "Not Found"}`, …).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeKey, type RouteDeclaration } from '../contract/routes';
import type { InvokeResult } from './functions';
import type { Logger } from './log';
// Access lines name paths, and a share link's path is its secret: the handlers' own redaction applies.
import { redactString } from '../handlers/core/logger';
import type { PlanValue, SynthesizedPlan } from './plan';
import { API_PREFIX, ORIGIN_VERIFY_HEADER, SHARE_PAGE_PREFIX, VIEWER_ADDRESS_HEADER } from '../contract/site';
import { securityHeaders, serveSite, type SiteOptions } from './site';

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** The liveness probe (contract/routes.ts), which the local stack answers itself while a part is down. */
const HEALTH_ROUTE = 'GET /health';
const ACCOUNT_ID = '000000000000';

interface AuthorizerConfig {
  /** Tag name of the authorizer function. */
  readonly function: string;
  /** e.g. `$request.header.Authorization`. */
  readonly identitySources: readonly string[];
  /** API Gateway caches results per identity for this long; 0 disables. */
  readonly resultTtlSeconds: number;
}

interface CorsConfig {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge?: number;
  readonly allowCredentials: boolean;
}

export interface ApiConfig {
  readonly routes: readonly RouteDeclaration[];
  readonly authorizer: AuthorizerConfig;
  readonly cors?: CorsConfig;
  /** Stage default route throttling (token bucket). */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Route-level throttling of the stage's `route_settings`, by route key; applies before the stage's. */
  readonly routeThrottles?: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>>;
  /** @default 30000 (API Gateway's maximum) */
  readonly integrationTimeoutMs?: number;
  readonly region: string;
  readonly apiId?: string;
}

export type Invoke = (functionName: string, event: unknown) => Promise<InvokeResult>;

export interface ApiServerOptions {
  readonly config: ApiConfig;
  readonly invoke: Invoke;
  readonly logger: Logger;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /**
   * Serve the web app next to the API, as the CloudFront distribution does: the API also under
   * `/api` (prefix stripped), the app's files and SPA fallback for every other GET. @default none
   */
  readonly site?: SiteOptions;
  /**
   * The site's CloudFront in front of `/api`, as the module wires it: requests under the prefix
   * reach the API from the edge (`sourceIp` is this server's own address), with the viewer's
   * `address:port` in `CloudFront-Viewer-Address` and the origin secret (contract/site.ts
   * `ORIGIN_VERIFY_HEADER`) from the key value store, both replacing what the viewer sent.
   * Requests without the prefix are direct calls to the API: headers pass as sent. @default none
   */
  readonly cloudFront?: LocalCloudFront;
  /**
   * The local stack's own health: while a part is down, `GET /health` answers 503 naming it
   * (rather than the function's 200 while every other route fails); a part that came back
   * without its data is named in a 200's `dataLost`. @default always healthy
   */
  readonly health?: () => LocalHealth;
}

export interface LocalHealth {
  /** Parts that do not answer now (being restarted), e.g. `DynamoDB Local`. */
  readonly down: readonly string[];
  /** What was lost, one sentence each (an in-memory part restarted empty). */
  readonly dataLost: readonly string[];
}

interface LocalCloudFront {
  /** What the distribution's key value store holds under `origin-verify` (undefined: nothing yet). */
  readonly originSecret: string | undefined;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** The API settings the plan declares, with API Gateway's defaults where it is silent. */
export function apiConfigFromPlan(
  plan: SynthesizedPlan,
  routes: readonly RouteDeclaration[],
  functionOfResource: (resource: string) => string,
  region: string,
): ApiConfig {
  const [, api] = plan.resources('aws_apigatewayv2_api')[0] ?? [];
  const corsBlock = first(api?.cors_configuration);
  const cors = corsBlock ? (plan.resolve(corsBlock) as Record<string, PlanValue>) : undefined;

  const [, authorizer] = plan.resources('aws_apigatewayv2_authorizer')[0] ?? [];
  const uri = typeof authorizer?.authorizer_uri === 'string' ? authorizer.authorizer_uri : '';
  const authorizerResource = /\$\{aws_lambda_function\.([^.}]+)\.invoke_arn\}/.exec(uri)?.[1];

  const [, stage] = plan.resources('aws_apigatewayv2_stage')[0] ?? [];
  const routeSettings = first(stage?.default_route_settings);
  const throttle = routeSettings ? (plan.resolve(routeSettings) as Record<string, PlanValue>) : undefined;
  const routeThrottles: Record<string, { rateLimit: number; burstLimit: number }> = {};
  for (const block of list(plan.resolve(stage?.route_settings ?? []))) {
    const setting = block as Record<string, PlanValue>;
    if (typeof setting.route_key === 'string' && setting.throttling_rate_limit !== undefined && setting.throttling_rate_limit !== null) {
      routeThrottles[setting.route_key] = { rateLimit: Number(setting.throttling_rate_limit), burstLimit: Number(setting.throttling_burst_limit ?? 0) };
    }
  }

  const timeouts = plan
    .resources('aws_apigatewayv2_integration')
    .map(([, integration]) => Number(plan.resolve(integration.timeout_milliseconds ?? 30000)));

  return {
    routes,
    region,
    authorizer: {
      function: authorizerResource ? functionOfResource(authorizerResource) : 'authorizer',
      identitySources: authorizer
        ? list(plan.resolve(authorizer.identity_sources)).map(String)
        : ['$request.header.Authorization'],
      resultTtlSeconds: Number(plan.resolve(authorizer?.authorizer_result_ttl_in_seconds ?? 300)),
    },
    ...(cors
      ? {
          cors: {
            allowOrigins: list(cors.allow_origins).map(String),
            allowMethods: list(cors.allow_methods).map(String),
            allowHeaders: list(cors.allow_headers).map(String),
            exposeHeaders: list(cors.expose_headers).map(String),
            ...(cors.max_age !== undefined && cors.max_age !== null ? { maxAge: Number(cors.max_age) } : {}),
            allowCredentials: cors.allow_credentials === true,
          },
        }
      : {}),
    ...(throttle && throttle.throttling_rate_limit !== undefined
      ? { throttle: { rateLimit: Number(throttle.throttling_rate_limit), burstLimit: Number(throttle.throttling_burst_limit ?? 0) } }
      : {}),
    ...(Object.keys(routeThrottles).length > 0 ? { routeThrottles } : {}),
    integrationTimeoutMs: timeouts.length ? Math.min(...timeouts) : 30000,
  };
}

// --- Routing --------------------------------------------------------------------------

interface CompiledRoute {
  readonly route: RouteDeclaration;
  readonly key: string;
  readonly pattern: RegExp;
  readonly params: string[];
  /** Literal routes win over parameterized ones, greedy ones come last. */
  readonly rank: number;
}

function compileRoutes(routes: readonly RouteDeclaration[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const params: string[] = [];
      let rank = 0;
      const source = route.path
        .split('/')
        .map((segment) => {
          const greedy = /^\{(\w+)\+\}$/.exec(segment);
          if (greedy) {
            params.push(greedy[1]);
            rank += 1000;
            return '(.+)';
          }
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            params.push(param[1]);
            rank += 1;
            return '([^/]+)';
          }
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      return { route, key: routeKey(route), pattern: new RegExp(`^${source}$`), params, rank };
    })
    .sort((a, b) => a.rank - b.rank);
}

function matchRoute(routes: CompiledRoute[], method: string, path: string): { compiled: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    compiled.params.forEach((name, i) => {
      pathParameters[name] = safeDecode(match[i + 1]);
    });
    return { compiled, pathParameters };
  }
  return undefined;
}

// --- Server ---------------------------------------------------------------------------

class GatewayResponse extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayResponse';
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config, invoke, logger } = options;
  const routes = compileRoutes(config.routes);
  const authorizerCache = new Map<string, { expires: number; result: AuthorizerOutcome }>();
  const bucket = config.throttle ? tokenBucket(config.throttle.rateLimit, config.throttle.burstLimit) : undefined;
  const routeBuckets = new Map(Object.entries(config.routeThrottles ?? {}).map(([key, t]) => [key, tokenBucket(t.rateLimit, t.burstLimit)]));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = apiRequestId();
    res.setHeader('apigw-requestid', requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestPath = (req.url ?? '/').split('?')[0];
    const viaPrefix = requestPath === API_PREFIX || requestPath.startsWith(`${API_PREFIX}/`);
    const rawPath = viaPrefix ? requestPath.slice(API_PREFIX.length) || '/' : requestPath;
    const rawQueryString = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const method = (req.method ?? 'GET').toUpperCase();
    let status = 500;
    let routeLabel = 'no route';
    try {
      const site = options.site;
      if (site && !viaPrefix && (method === 'GET' || method === 'HEAD') && !matchRoute(routes, method, rawPath)) {
        routeLabel = 'web app';
        status = serveSite(site, req, res, rawPath);
        return;
      }
      if (bucket && !bucket()) throw new GatewayResponse(429, 'Too Many Requests');
      const body = await readBody(req);

      if (method === 'OPTIONS' && config.cors && req.headers.origin && req.headers['access-control-request-method']) {
        status = 204;
        res.writeHead(204, preflightHeaders(config.cors, req));
        res.end();
        return;
      }

      const matched = matchRoute(routes, method, rawPath);
      if (!matched) throw new GatewayResponse(404, 'Not Found');
      routeLabel = `route ${matched.compiled.key}`;
      const routeBucket = routeBuckets.get(matched.compiled.key);
      if (routeBucket && !routeBucket()) throw new GatewayResponse(429, 'Too Many Requests');
      const health = matched.compiled.key === HEALTH_ROUTE ? options.health?.() : undefined;
      if (health && (health.down.length > 0 || health.dataLost.length > 0)) {
        status = health.down.length > 0 ? 503 : 200;
        const payload = JSON.stringify(
          health.down.length > 0
            ? { message: `Service Unavailable: ${health.down.join(', ')} ${health.down.length === 1 ? 'is' : 'are'} down (restarting)`, down: health.down, ...(health.dataLost.length ? { dataLost: health.dataLost } : {}) }
            : { status: 'ok', dataLost: health.dataLost },
        );
        applyCorsHeaders(config.cors, req, res);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(status === 503 ? { 'retry-after': '1' } : {}) });
        res.end(payload);
        return;
      }

      const event = proxyEvent({
        req,
        body,
        ...(viaPrefix && options.cloudFront ? { edge: options.cloudFront } : {}),
        rawPath,
        rawQueryString,
        url,
        routeKey: matched.compiled.key,
        pathParameters: matched.pathParameters,
        requestId,
        config,
      });

      if (matched.compiled.route.auth) {
        const outcome = await authorize(event, matched.compiled.route);
        event.requestContext.authorizer = { lambda: outcome.context };
      }

      const result = await withTimeout(invoke(matched.compiled.route.function, event), config.integrationTimeoutMs ?? 30000);
      if (!result.ok) throw new GatewayResponse(500, 'Internal Server Error');
      const response = mapProxyResult(result.payload);
      status = response.statusCode;
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      // Share pages reach the API from the site (CloudFront's /s/* behaviour), whose response
      // headers policy overrides the page's own security headers with the app's.
      if (options.site && !viaPrefix && rawPath.startsWith(SHARE_PAGE_PREFIX)) {
        for (const [name, value] of Object.entries(securityHeaders(options.site.mediaOrigins, req.headers.host))) res.setHeader(name, value);
      }
      if (response.cookies.length) res.setHeader('set-cookie', response.cookies);
      applyCorsHeaders(config.cors, req, res);
      res.writeHead(response.statusCode);
      res.end(response.body);
    } catch (err) {
      const gateway = err instanceof GatewayResponse ? err : new GatewayResponse(500, 'Internal Server Error');
      if (!(err instanceof GatewayResponse)) logger.error('api', redactString(`${method} ${rawPath}: ${(err as Error).stack ?? String(err)}`));
      status = gateway.statusCode;
      const payload = JSON.stringify({ message: gateway.message });
      applyCorsHeaders(config.cors, req, res);
      res.writeHead(gateway.statusCode, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...(gateway.statusCode === 413 ? { connection: 'close' } : {}),
      });
      res.end(payload);
      if (gateway.statusCode === 413) req.resume();
    } finally {
      logger.info('api', redactString(`${method} ${requestPath} → ${status} (${routeLabel}, ${Date.now() - started} ms)`));
    }
  };

  type AuthorizerOutcome = { isAuthorized: boolean; context: Record<string, unknown> };

  const authorize = async (event: ProxyEvent, route: RouteDeclaration): Promise<AuthorizerOutcome> => {
    const identity = config.authorizer.identitySources.map((source) => identityValue(source, event));
    // API Gateway answers 401 itself, without calling the authorizer, when an identity source is missing.
    if (identity.some((value) => value === undefined || value === '')) throw new GatewayResponse(401, 'Unauthorized');
    const cacheKey = identity.join('\u0000');
    const cached = authorizerCache.get(cacheKey);
    let outcome: AuthorizerOutcome;
    if (cached && cached.expires > Date.now()) {
      outcome = cached.result;
    } else {
      const result = await invoke(config.authorizer.function, authorizerEvent(event, identity as string[], route, config));
      if (!result.ok) throw new GatewayResponse(500, 'Internal Server Error');
      const payload = result.payload as { isAuthorized?: unknown; context?: unknown } | null;
      if (!payload || typeof payload !== 'object' || typeof payload.isAuthorized !== 'boolean') {
        logger.error('api', `authorizer returned an invalid simple response: ${JSON.stringify(payload)}`);
        throw new GatewayResponse(500, 'Internal Server Error');
      }
      const context = payload.context && typeof payload.context === 'object' ? (payload.context as Record<string, unknown>) : {};
      outcome = { isAuthorized: payload.isAuthorized, context };
      if (config.authorizer.resultTtlSeconds > 0) {
        authorizerCache.set(cacheKey, { expires: Date.now() + config.authorizer.resultTtlSeconds * 1000, result: outcome });
      }
    }
    if (!outcome.isAuthorized) throw new GatewayResponse(403, 'Forbidden');
    return outcome;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('api', `unhandled: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Idle keep-alive sockets are kept well past a client's reuse window: with Node's 5 s, a client
  // reusing a socket just as the server closed it got ECONNRESET (seen under load in an e2e run).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// --- Events ---------------------------------------------------------------------------

export interface ProxyEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
    authorizer?: { lambda: Record<string, unknown> };
  };
  body?: string;
  isBase64Encoded: boolean;
}

interface EventInput {
  readonly req: IncomingMessage;
  /** Set when the request came through the emulated CloudFront. */
  readonly edge?: LocalCloudFront;
  readonly body: Buffer;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly url: URL;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly config: ApiConfig;
}

function proxyEvent(input: EventInput): ProxyEvent {
  const { req, body } = input;
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  let cookies: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    if (name === 'cookie') {
      // Payload 2.0 moves cookies out of the headers into `cookies`.
      cookies = [...(cookies ?? []), ...value.split(';').map((c) => c.trim()).filter(Boolean)];
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of input.url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  if (input.edge) {
    // CloudFront's own headers replace the viewer's; the function adds the origin secret.
    delete headers[ORIGIN_VERIFY_HEADER];
    const viewer = normalizeIp(req.socket.remoteAddress);
    headers[VIEWER_ADDRESS_HEADER] = `${viewer}:${req.socket.remotePort ?? 0}`;
    if (input.edge.originSecret !== undefined) headers[ORIGIN_VERIFY_HEADER] = input.edge.originSecret;
  }
  // API Gateway adds these before invoking the integration. Behind CloudFront the caller is the edge (here: this server).
  const sourceIp = normalizeIp(input.edge ? req.socket.localAddress : req.socket.remoteAddress);
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-amzn-trace-id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const now = new Date();
  const domainName = headers.host ?? 'localhost';
  const contentType = headers['content-type'] ?? '';
  const text = isTextContentType(contentType);
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(input.pathParameters).length ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: input.config.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: input.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

function authorizerEvent(event: ProxyEvent, identitySource: string[], route: RouteDeclaration, config: ApiConfig) {
  const { body: _body, isBase64Encoded: _encoded, ...rest } = event;
  void _body;
  void _encoded;
  return {
    ...rest,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${config.region}:${ACCOUNT_ID}:${config.apiId ?? 'local'}/$default/${route.method}${event.rawPath}`,
    identitySource,
  };
}

function identityValue(source: string, event: ProxyEvent): string | undefined {
  const header = /^\$request\.header\.(.+)$/.exec(source);
  if (header) return event.headers[header[1].toLowerCase()];
  const query = /^\$request\.querystring\.(.+)$/.exec(source);
  if (query) return event.queryStringParameters?.[query[1]];
  throw new Error(`identity source ${source} is not supported locally`);
}

/** Maps a Lambda result to an HTTP response the way HTTP APIs do for payload 2.0. */
function mapProxyResult(payload: unknown): { statusCode: number; headers: Record<string, string>; cookies: string[]; body: Buffer } {
  const structured = payload !== null && typeof payload === 'object' && 'statusCode' in payload;
  if (!structured) {
    // Without statusCode API Gateway assumes a 200 JSON response of the value itself.
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body ?? '') };
  }
  const result = payload as { statusCode: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown; cookies?: unknown };
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw new Error(`invalid statusCode ${String(result.statusCode)}`);
  const headers: Record<string, string> = {};
  if (result.headers && typeof result.headers === 'object') {
    for (const [name, value] of Object.entries(result.headers as Record<string, unknown>)) headers[name.toLowerCase()] = String(value);
  }
  const cookies = Array.isArray(result.cookies) ? result.cookies.map(String) : [];
  const text = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, cookies, body };
}

// --- Helpers --------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) return Promise.reject(new GatewayResponse(413, 'Request Entity Too Large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        if (!rejected) reject(new GatewayResponse(413, 'Request Entity Too Large'));
        rejected = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!rejected) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** HTTP APIs pass text bodies as-is and base64-encode everything else. */
function isTextContentType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql)$/.test(type) ||
    /\+(json|xml)$/.test(type)
  );
}

function preflightHeaders(cors: CorsConfig, req: IncomingMessage): Record<string, string> {
  const origin = String(req.headers.origin);
  if (!originAllowed(cors, origin)) return {};
  const requested = String(req.headers['access-control-request-method']).toUpperCase();
  const methods = cors.allowMethods.map((m) => m.toUpperCase());
  if (!methods.includes('*') && !methods.includes(requested)) return {};
  return {
    'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin,
    'access-control-allow-methods': cors.allowMethods.join(','),
    ...(cors.allowHeaders.length ? { 'access-control-allow-headers': cors.allowHeaders.join(',') } : {}),
    ...(cors.maxAge !== undefined ? { 'access-control-max-age': String(cors.maxAge) } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
  };
}

function applyCorsHeaders(cors: CorsConfig | undefined, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!cors || !origin || !originAllowed(cors, origin)) return;
  res.setHeader('access-control-allow-origin', cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin);
  if (cors.exposeHeaders.length) res.setHeader('access-control-expose-headers', cors.exposeHeaders.join(','));
  if (cors.allowCredentials) res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('vary', 'origin');
}

function originAllowed(cors: CorsConfig, origin: string): boolean {
  return cors.allowOrigins.some((allowed) => allowed === '*' || allowed.toLowerCase() === origin.toLowerCase());
}

function tokenBucket(ratePerSecond: number, burst: number): () => boolean {
  const capacity = Math.max(1, burst);
  let tokens = capacity;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new GatewayResponse(503, 'Service Unavailable')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
function apiRequestId(): string {
  return randomBytes(10).toString('base64');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function first(value: PlanValue | undefined): Record<string, PlanValue> | undefined {
  if (Array.isArray(value)) return value[0] as Record<string, PlanValue> | undefined;
  return value && typeof value === 'object' ? (value as Record<string, PlanValue>) : undefined;
}

function list(value: PlanValue | undefined): PlanValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
