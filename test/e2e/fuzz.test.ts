/**
 * Fuzz over HTTP: thousands of generated bad requests across every route of
 * contract/routes.ts (routes added later are covered without editing this file), sent with
 * valid admin and viewer tokens. Every answer must be below 500; a 4xx from our handlers
 * carries `{error:{code,message}}`, one from API Gateway itself `{message}` (and only for
 * what API Gateway answers itself: unroutable requests, bodies over 10 MB); and the catalog
 * and the bucket are exactly as before.
 *
 * The test runs its own in-memory stack (its catalog is compared whole, so no other test
 * may write to it; stage throttling is raised so the fuzz is not answered 429).
 * FUZZ_SEED reproduces a run, FUZZ_REQUESTS changes its size.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ROUTES, routeKey, type RouteDeclaration } from '../../contract/routes';
import { SHARE_PAGE_PREFIX, SHARE_PREVIEW_SUFFIX } from '../../contract/site';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { hashPassword } from '../../handlers/core/password';
import type { LocalStack } from '../../local/stack';
import { badRequestsFor, oversizedRequestFor, type BadRequest, type FuzzWorld } from './support/bad-requests';
import { catalogSnapshot, type CatalogSnapshot } from './support/catalog-snapshot';
import { localS3Client } from './support/local-s3';
import { jpegLike } from './support/media';
import { startOwnStack } from './support/own-stack';

const TOTAL_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const IN_FLIGHT = 8;
/** Each route gets at least this many requests, however many routes there are. */
const MIN_PER_ROUTE = 150;
/** What API Gateway itself answers with `{message}` (never our handlers' shape). */
const GATEWAY_STATUSES = new Set([401, 403, 404, 413, 429]);

/** Files the stack holds while fuzzed: real ids, folders and cursors for read-only routes to hit. */
const EMPTY_FOLDER = '/fuzz-empty';
const SEEDED = ['/fuzz/IMG 1.jpg', '/fuzz/été 2.jpg', '/fuzz/a+b&c=d.jpg', '/fuzz/deep/er/x.jpg', '/root file.jpg'];

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

interface Sent {
  readonly route: string;
  readonly request: BadRequest;
  readonly answer: Answer;
}

function send(apiUrl: string, agent: Agent, token: string, bad: BadRequest): Promise<Answer> {
  const url = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: bad.method,
        path: bad.target,
        headers: { ...bad.headers, authorization: `Bearer ${token}`, ...(bad.body ? { 'content-length': String(bad.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bad.body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why an answer breaks the contract, or `undefined` when it is fine. */
function problemWith(bad: BadRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `a ${answer.status}`;
  if (answer.status < 400) {
    if (bad.mustFail) return `a ${answer.status} to a request that must fail`;
    if (/^application\/json/.test(answer.contentType) && parseJson(answer.text) === undefined) return `a ${answer.status} whose JSON body does not parse`;
    return undefined;
  }
  // Share pages are for browsers and link-preview crawlers: a refusal is the app's own page (it says why), not JSON.
  // Their picture (`/s/<token>/preview`) is an API answer like any other: a redirect or JSON.
  const sharePicture = bad.target.split('?')[0]?.endsWith(SHARE_PREVIEW_SUFFIX) === true;
  if (bad.method === 'GET' && !bad.oversized && bad.target.startsWith(SHARE_PAGE_PREFIX) && !sharePicture) return /^text\/html/.test(answer.contentType) && /<html[\s>]/.test(answer.text) ? undefined : `a ${answer.status} share page that is not the app's HTML`;
  if (!/^application\/json/.test(answer.contentType)) return `a ${answer.status} with content type "${answer.contentType}"`;
  const body = parseJson(answer.text);
  if (!isPlainObject(body)) return `a ${answer.status} whose body is not a JSON object`;
  if ('error' in body) {
    const error = body.error;
    const ok =
      Object.keys(body).length === 1 &&
      isPlainObject(error) &&
      Object.keys(error).length === 2 &&
      typeof error.code === 'string' &&
      error.code !== '' &&
      typeof error.message === 'string';
    return ok ? undefined : `a ${answer.status} with a malformed error body`;
  }
  // Not our handlers' shape: must be API Gateway's own answer, for what only it answers.
  if (Object.keys(body).length !== 1 || typeof body.message !== 'string') return `a ${answer.status} without {error:{code,message}}`;
  if (!GATEWAY_STATUSES.has(answer.status)) return `API Gateway's ${answer.status}, which it never answers itself`;
  if (answer.status === 413 && !bad.oversized) return "API Gateway's 413 to a body under 10 MB";
  if (answer.status === 404 && bad.routable) return "API Gateway's 404 to a request that matches a route";
  if (answer.status === 401 || answer.status === 403) return `API Gateway's ${answer.status} to a valid token`;
  if (answer.status === 429) return "API Gateway's 429 (throttling should be raised for the fuzz)";
  return undefined;
}

function describe_(sent: Sent): string {
  const { request: r, answer } = sent;
  const target = r.target.length > 160 ? `${r.target.slice(0, 160)}…(${r.target.length})` : r.target;
  return `${sent.route} as ${r.as}: ${r.method} ${target} [${r.description}] → ${answer.status} ${answer.text.slice(0, 160)}`;
}

describe("the fuzz's verdict on an answer", () => {
  const request: BadRequest = { method: 'PATCH', target: '/files/x', headers: {}, as: 'admin', routable: true, oversized: false, mustFail: true, description: 'test' };
  const json = (status: number, body: unknown): Answer => ({ status, contentType: 'application/json; charset=utf-8', text: JSON.stringify(body) });

  it.each([
    ['a 500', json(500, { error: { code: 'InternalError', message: 'Internal server error' } })],
    ['a 2xx to a request that must fail', json(200, {})],
    ['an error body with extra fields', json(400, { error: { code: 'X', message: 'y', stack: 'at …' } })],
    ['an error body without a code', json(400, { error: { message: 'y' } })],
    ["API Gateway's 404 to a routable request", json(404, { message: 'Not Found' })],
    ["API Gateway's 413 to a small body", json(413, { message: 'Request Entity Too Large' })],
    ["API Gateway's 401 to a valid token", json(401, { message: 'Unauthorized' })],
    ['a 4xx that is not JSON', { status: 400, contentType: 'text/plain', text: 'bad' }],
  ])('flags %s', (_case, answer) => {
    expect(problemWith(request, answer)).toEqual(expect.any(String));
  });

  it.each([
    ["our handlers' 404", json(404, { error: { code: 'NotFound', message: 'No such file' } })],
    ["API Gateway's 404 to an unroutable request", json(404, { message: 'Not Found' }), { routable: false }],
    ["API Gateway's 413 to a body over 10 MB", json(413, { message: 'Request Entity Too Large' }), { oversized: true }],
    ['a 200 to a read', json(200, { files: [] }), { method: 'GET', mustFail: false }],
  ])('accepts %s', (_case, answer, change: Partial<BadRequest> = {}) => {
    expect(problemWith({ ...request, ...change }, answer)).toBeUndefined();
  });
});

describe('fuzzing every route with bad requests', () => {
  let stack: LocalStack;
  let tokens: Record<'admin' | 'viewer', string>;
  let world: FuzzWorld;
  let before: CatalogSnapshot;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'media-store-fuzz-'));
    const own = await startOwnStack(dir, { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, public_throttling_rate_limit: 10_000, public_throttling_burst_limit: 10_000 });
    stack = own.stack;

    const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
    const viewerPassword = randomBytes(18).toString('base64url');
    await new UsersRepository({ tableName: stack.tableName, client: DynamoDBDocumentClient.from(dynamodb) }).create({
      username: 'fuzz-viewer',
      role: 'viewer',
      passwordHash: await hashPassword(viewerPassword),
    });
    dynamodb.destroy();
    const login = async (username: string, password: string): Promise<string> => {
      const response = await fetch(`${stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { token: string }).token;
    };
    tokens = { admin: await login(stack.adminUser, own.adminPassword), viewer: await login('fuzz-viewer', viewerPassword) };

    // Real objects, catalogued by the sync function as uploads would be.
    const s3 = localS3Client(stack.s3Endpoint, stack.credentials, stack.region);
    await Promise.all(SEEDED.map((file) => s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: `media${file}`, Body: jpegLike(256), ContentType: 'image/jpeg' }))));
    s3.destroy();
    const list = async (folder: string, limit = 1000): Promise<{ files: { id: string; processing: string }[]; nextCursor: string | null }> => {
      const response = await fetch(`${stack.apiUrl}/files?folder=${encodeURIComponent(folder)}&limit=${limit}`, { headers: { authorization: `Bearer ${tokens.admin}` } });
      return (await response.json()) as { files: { id: string; processing: string }[]; nextCursor: string | null };
    };
    const folders = ['/fuzz', '/fuzz/deep/er', '/'];
    const deadline = Date.now() + 40_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      const files = (await Promise.all(folders.map(async (f) => (await list(f)).files))).flat();
      ids = files.map((file) => file.id);
      // Catalogued and processed (these JPEG-looking bytes end `failed`): nothing changes the rows behind the snapshot's back.
      if (ids.length === SEEDED.length && files.every((file) => file.processing !== 'pending')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ids).toHaveLength(SEEDED.length);
    if (ROUTES.some((route) => routeKey(route) === 'POST /folders')) {
      // An empty folder: the one thing DELETE /folders could remove.
      const created = await fetch(`${stack.apiUrl}/folders`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ path: EMPTY_FOLDER }) });
      expect(created.status).toBeLessThan(300);
    }
    const cursor = (await list('/fuzz', 1)).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    // Live share links (a downloadable album, a drop link), so the public routes' parsers are reached behind a real token.
    const shareTokens: string[] = [];
    for (const json of [{ folder: '/fuzz', allowDownload: true }, { folder: '/fuzz/deep', mode: 'drop', maxBytes: 1024, maxFiles: 1 }]) {
      const created = await fetch(`${stack.apiUrl}/shares`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
      expect(created.status).toBe(201);
      shareTokens.push(((await created.json()) as { token: string }).token);
    }
    world = { fileIds: ids, names: [stack.adminUser, 'fuzz-viewer', ...shareTokens], folders: [...folders, '/fuzz/deep', EMPTY_FOLDER, '/nothing-here'], cursors: [cursor as string] };
    before = await catalogSnapshot(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers every bad request below 500 with a JSON error body and changes nothing', async () => {
    // Prepare: requests for every route, at least MIN_PER_ROUTE each.
    const perRoute = Math.max(MIN_PER_ROUTE, Math.ceil(TOTAL_REQUESTS / ROUTES.length));
    const perRouteRequests = ROUTES.map((route: RouteDeclaration, i) =>
      fc.sample(badRequestsFor(route, world, ROUTES), { numRuns: perRoute, seed: SEED + i }).map((request) => ({ route: routeKey(route), request })),
    );
    // Round-robin over the routes: every function sees concurrent, mixed traffic.
    const queue = Array.from({ length: perRoute }, (_, i) => perRouteRequests.map((requests) => requests[i]!)).flat();
    queue.push(...ROUTES.map((route) => ({ route: routeKey(route), request: oversizedRequestFor(route) })));

    // Act: IN_FLIGHT requests at a time over keep-alive connections.
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const sent: Sent[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        const { route, request: bad } = queue[next++]!;
        const answer = await send(stack.apiUrl, agent, tokens[bad.as], bad).catch((error: unknown) => ({ status: 0, contentType: '', text: `transport error: ${String(error)}` }));
        sent.push({ route, request: bad, answer });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    agent.destroy();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let any (wrongly) triggered S3 event reach the catalog
    const after = await catalogSnapshot(stack);

    // Assess
    const failures = sent.flatMap((s) => {
      const problem = s.answer.status === 0 ? 'no HTTP answer' : problemWith(s.request, s.answer);
      return problem === undefined ? [] : [`${problem}: ${describe_(s)}`];
    });
    const statuses = new Map<string, number>();
    for (const s of sent) {
      const key = `${s.route} ${s.request.method === s.route.split(' ')[0] ? '' : `(as ${s.request.method}) `}${s.answer.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const summary = [...statuses].sort().map(([k, n]) => `${k}: ${n}`).join('\n');
    const seedNote = `FUZZ_SEED=${SEED}, ${sent.length} requests`;

    expect(sent.length).toBeGreaterThanOrEqual(5000);
    for (const route of ROUTES) expect(sent.filter((s) => s.route === routeKey(route)).length).toBeGreaterThanOrEqual(MIN_PER_ROUTE);
    expect({ seed: seedNote, failures: failures.slice(0, 25), failureCount: failures.length }).toEqual({ seed: seedNote, failures: [], failureCount: 0 });
    expect(after).toEqual(before);
    process.stdout.write(`\n[fuzz] ${seedNote}; statuses per route:\n${summary}\n`);
  }, 240_000);
});
