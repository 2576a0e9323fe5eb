/**
 * Faults injected in the local emulators (local/faults.ts): a share of the calls to DynamoDB, S3
 * and SNS are throttled, fail with a 500 or time out (a DynamoDB timeout after the write was
 * applied). Uploads, moves, deletes and the processing of images, driven by a client that retries
 * what the API asks it to retry, all complete or fail cleanly: every answer is JSON, every file
 * the client was told is stored holds its exact bytes in its place, nothing deleted comes back,
 * and `npm run reconcile` finds zero drift afterwards. A stack of its own, in memory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { fileLogger } from '../../../local/log';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { EXIT, runReconcile } from '../../../scripts/reconcile';
import { eventually } from '../support/http';
import { sha256 } from '../support/media';
import { retrying, uploadRetrying, type Answer } from '../support/retrying';

jest.setTimeout(240_000);

/** 5 % of calls, every kind, timeouts short enough for CI. */
const FAULTS = { rate: 0.05, seed: 20261207, timeoutMs: 400 } as const;

interface Listed {
  readonly id: string;
  readonly name: string;
  readonly url?: string;
  readonly thumbUrl?: string;
}

describe('with faults injected in DynamoDB, S3 and SNS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-faults-'));
  const adminPassword = randomBytes(18).toString('base64url');
  let stack: LocalStack;
  let token: string | undefined;
  /** Every answer the client got, to check they were all JSON. */
  const answers: { route: string; status: number; json: boolean }[] = [];

  const call = async <T = Record<string, unknown>>(route: string, init: { method?: string; json?: unknown } = {}): Promise<Answer<T>> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    let body: unknown;
    let json = response.status === 204 && text === '';
    try {
      body = text ? JSON.parse(text) : undefined;
      json = json || text !== '';
    } catch {
      body = text;
    }
    answers.push({ route: `${init.method ?? (init.json === undefined ? 'GET' : 'POST')} ${route.split('?')[0]}`, status: response.status, json });
    return { status: response.status, body: body as T };
  };
  const upload = (folder: string, name: string, bytes: Buffer): Promise<unknown> => uploadRetrying(call, { folder, name, bytes });
  const list = async (folder: string): Promise<Listed[]> => {
    const listed = await retrying(() => call<{ files: Listed[] }>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`));
    expect(listed.status).toBe(200);
    return listed.body.files;
  };
  const photo = (i: number): Promise<Buffer> =>
    sharp({ create: { width: 48 + i, height: 32, channels: 3, background: { r: (i * 40) % 256, g: (i * 90) % 256, b: 120 } } })
      .jpeg()
      .toBuffer();

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      inMemory: true,
      stackFile: null,
      webDir: null,
      adminPassword,
      faults: FAULTS,
      logger: fileLogger(path.join(dir, 'local-stack.log')),
    });
    const login = await retrying(() => call<{ token: string }>('/auth/login', { json: { username: stack.adminUser, password: adminPassword } }));
    expect(login.status).toBe(200);
    token = login.body.token;
  }, 180_000);

  afterAll(async () => {
    await stack?.functions.drain();
    await stack?.stop();
    if (process.env.MEDIA_STORE_E2E_KEEP_LOG !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, moves, deletes and processes without losing or corrupting a byte, and reconcile finds no drift', async () => {
    // Prepare: 12 photos uploaded, 4 at a time
    const photos = await Promise.all(Array.from({ length: 12 }, (_, i) => photo(i)));
    const nameOf = (i: number) => `photo-${String(i).padStart(2, '0')}.jpg`;
    for (let i = 0; i < photos.length; i += 4) await Promise.all(photos.slice(i, i + 4).map((bytes, j) => upload('/in', nameOf(i + j), bytes)));
    const uploaded = await eventually(async () => {
      const files = await list('/in');
      return files.length === photos.length ? files : undefined;
    }, 60_000, 250);
    expect(uploaded?.map((f) => f.name).sort()).toEqual(photos.map((_, i) => nameOf(i)));
    const idOf = new Map(uploaded!.map((f) => [f.name, f.id]));

    // Act: move 4, delete 4, keep 4, all at once
    const moves = [0, 1, 2, 3].map(async (i) => retrying(() => call(`/files/${idOf.get(nameOf(i))}`, { method: 'PATCH', json: { folder: '/moved' } })));
    const deletes = [4, 5, 6, 7].map(async (i) => retrying(() => call(`/files/${idOf.get(nameOf(i))}`, { method: 'DELETE' })));
    const moved = await Promise.all(moves);
    const deleted = await Promise.all(deletes);

    // Assess: each answer is the operation's own, or (after a retry of a call whose answer was lost) "already done"
    for (const answer of moved) expect([200, 404]).toContain(answer.status);
    for (const answer of deleted) expect([204, 404]).toContain(answer.status);
    expect(answers.filter((a) => !a.json)).toEqual([]);
    // The faults are off for the checks (and reconcile): what is stored now is what the faults left.
    stack.faults.set(undefined);
    await stack.functions.drain();
    const inFolder = await list('/in');
    const inMoved = await list('/moved');
    expect(inFolder.map((f) => f.name).sort()).toEqual([8, 9, 10, 11].map(nameOf));
    expect(inMoved.map((f) => f.name).sort()).toEqual([0, 1, 2, 3].map(nameOf));
    // Every byte where it belongs, and processed (thumbnails) despite the faults
    for (const file of [...inFolder, ...inMoved]) {
      const index = Number(/photo-(\d+)/.exec(file.name)![1]);
      const bytes = Buffer.from(await (await fetch(file.url!)).arrayBuffer());
      expect(sha256(bytes)).toBe(sha256(photos[index]!));
    }
    const processed = await eventually(async () => {
      const files = [...(await list('/in')), ...(await list('/moved'))];
      return files.every((f) => f.thumbUrl !== undefined) ? files : undefined;
    }, 60_000, 500);
    expect(processed?.length).toBe(8);
    // No event given up on, and the catalog matches the bucket
    expect(stack.failedEvents()).toEqual([]);
    const stackFile = path.join(dir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify({ s3Endpoint: stack.s3Endpoint, dynamodbEndpoint: stack.dynamodbEndpoint, bucketName: stack.bucketName, tableName: stack.tableName, region: stack.region, credentials: stack.credentials }), { mode: 0o600 });
    const out: string[] = [];
    const code = await runReconcile(['--stack', stackFile, '--json'], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });
    expect(JSON.parse(out.join('\n'))).toMatchObject({ drift: [] });
    expect(code).toBe(EXIT.clean);
    // The faults did strike, in every service
    const counts = stack.faults.counts();
    const total = (service: keyof typeof counts) => Object.values(counts[service]).reduce((a, b) => a + b, 0);
    expect(total('dynamodb')).toBeGreaterThan(0);
    expect(total('s3')).toBeGreaterThan(0);
    expect(stack.faults.calls().sns).toBeGreaterThan(0);
  });
});
