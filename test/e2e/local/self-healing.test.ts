/**
 * The local stack supervises its parts: on an on-disk stack (as `npm start` runs it), DynamoDB
 * Local and then the S3 server are killed mid-run while a client keeps uploading; `/health`
 * answers 503 naming the part while it is down, requests fail cleanly (a 503 the client
 * retries), and within 30 s the API answers again with every row — the ones from before the
 * kill and every upload the client saw succeed — and every object downloads with its exact
 * bytes. A function sandbox killed mid-invocation is replaced. A stack of its own, data in a
 * temp dir.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileLogger } from '../../../local/log';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { eventually } from '../support/http';
import { uploadRetrying } from '../support/retrying';

jest.setTimeout(180_000);

interface Answer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

describe('a local stack that heals (data on disk)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-heal-'));
  const adminPassword = randomBytes(18).toString('base64url');
  let stack: LocalStack;
  let token: string;

  const call = async <T = Record<string, unknown>>(route: string, init: { method?: string; json?: unknown } = {}): Promise<Answer<T>> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
  /** Every byte uploaded, by folder and name: what the downloads must give back. */
  const stored = new Map<string, Buffer>();
  /** One upload as a client does it, retrying what the API asks to retry (429, 5xx, dropped connections) through a restart. */
  const upload = async (folder: string, name: string): Promise<void> => {
    const bytes = randomBytes(256);
    await uploadRetrying(call, { folder, name, bytes }, { retries: 40 });
    stored.set(`${folder}/${name}`, bytes);
  };
  /** A client uploading one file after another into `folder` until stopped; `acknowledged` names each upload S3 took. */
  const startWriter = (folder: string): { acknowledged: string[]; stop(): Promise<void> } => {
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await upload(folder, `during-${i}.jpg`);
        acknowledged.push(`during-${i}.jpg`);
      }
    })();
    // Settled whatever happens: a failing assertion must not leave it uploading.
    writer.catch(() => undefined);
    return {
      acknowledged,
      stop: async () => {
        writing = false;
        await writer;
      },
    };
  };
  const names = async (folder: string): Promise<string[] | undefined> => {
    const listed = await call<{ files: { name: string }[] }>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`);
    return listed.status === 200 ? listed.body.files.map((f) => f.name).sort() : undefined;
  };
  const childrenOf = (pid: number): number[] =>
    execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0);
  const commandOf = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return ''; // gone meanwhile (ps itself)
    }
  };

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      dataDir: path.join(dir, 'data'),
      functionsDir: path.join(dir, 'functions'),
      deadLetterDir: path.join(dir, 'dlq'),
      stackFile: null,
      webDir: null,
      adminPassword,
      logger: fileLogger(path.join(dir, 'local-stack.log')),
    });
    token = (await call<{ token: string }>('/auth/login', { json: { username: stack.adminUser, password: adminPassword } })).body.token;
    await Promise.all(Array.from({ length: 8 }, (_, i) => upload('/before', `photo-${i}.jpg`)));
    const listed = await eventually(async () => ((await names('/before'))?.length === 8 ? true : undefined), 20_000, 200);
    expect(listed).toBe(true);
  }, 180_000);

  afterAll(async () => {
    await stack?.functions.drain();
    await stack?.stop();
    if (process.env.MEDIA_STORE_E2E_KEEP_LOG !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('restarts DynamoDB Local killed mid-run: /health says 503 naming it, then within 30 s every row is back', async () => {
    // Prepare: a client uploading one file after another, through the kill
    expect((await call('/health')).status).toBe(200);
    const writer = startWriter('/during');
    const { acknowledged } = writer;
    try {
      await eventually(async () => (acknowledged.length >= 2 ? true : undefined), 20_000, 50);
      const watchdog = stack.dynamodb.pid();
      expect(watchdog).toEqual(expect.any(Number));
      const [java] = childrenOf(watchdog!).filter((pid) => commandOf(pid).includes('DynamoDBLocal'));
      expect(java).toEqual(expect.any(Number));

      // Act: the kernel's OOM killer would do the same
      process.kill(java!, 'SIGKILL');
      const killedAt = Date.now();

      // Assess: down, and said so
      const down = await eventually(async () => {
        const health = await call<{ message: string; down: string[] }>('/health');
        return health.status === 503 ? health : undefined;
      }, 10_000, 20);
      expect(down?.body).toEqual({ message: expect.stringMatching(/DynamoDB Local is down/), down: ['DynamoDB Local'] });
      expect(down?.headers.get('retry-after')).toBe('1');
      const during = await call<{ error?: { code: string }; message?: string }>('/files?folder=%2Fbefore');
      if (stack.health().down.length > 0) {
        // Still down after the SDK's retries: a JSON 5xx the client retries (the authorizer's failure is
        // API Gateway's 500, the function's a 503), never a 403 or a hang.
        expect([500, 503]).toContain(during.status);
        expect(during.body.error?.code ?? during.body.message).toMatch(/ServiceUnavailable|Internal Server Error/);
      }
      // Back within 30 s, with the rows from before
      const back = await eventually(async () => ((await call('/health')).status === 200 ? await names('/before') : undefined), 30_000, 100);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      expect(back).toEqual(Array.from({ length: 8 }, (_, i) => `photo-${i}.jpg`));
      expect(stack.dynamodb.restarts()).toBe(1);
      // … and every upload the client saw succeed, before, during and after the restart
      const sinceBack = acknowledged.length;
      await eventually(async () => (acknowledged.length >= sinceBack + 2 ? true : undefined), 30_000, 100);
      await writer.stop();
      const during2 = await eventually(async () => {
        const listed = await names('/during');
        return listed !== undefined && acknowledged.every((name) => listed.includes(name)) ? listed : undefined;
      }, 20_000, 200);
      expect(during2).toEqual(expect.arrayContaining(acknowledged));
      expect(stack.failedEvents()).toEqual([]);
    } finally {
      void writer.stop();
    }
  });

  it('restarts the S3 server killed mid-run: /health says 503 naming S3, then within 30 s uploads and downloads work again and no object is lost', async () => {
    // Prepare: a client uploading one file after another, through the kill
    expect((await call('/health')).status).toBe(200);
    const writer = startWriter('/s3-during');
    const { acknowledged } = writer;
    try {
      await eventually(async () => (acknowledged.length >= 2 ? true : undefined), 20_000, 50);
      const server = stack.s3.pid();
      expect(server).toEqual(expect.any(Number));

      // Act: the kernel's OOM killer would do the same
      process.kill(server!, 'SIGKILL');
      const killedAt = Date.now();

      // Assess: down, and said so
      const down = await eventually(async () => {
        const health = await call<{ message: string; down: string[] }>('/health');
        return health.status === 503 ? health : undefined;
      }, 10_000, 20);
      expect(down?.body).toEqual({ message: expect.stringMatching(/S3 is down/), down: ['S3'] });
      // Back within 30 s, a new server on the same data
      const back = await eventually(async () => ((await call('/health')).status === 200 ? true : undefined), 30_000, 50);
      expect(back).toBe(true);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      expect(stack.s3.restarts()).toBe(1);
      expect(stack.s3.pid()).not.toBe(server);
      // Uploads go on …
      const sinceBack = acknowledged.length;
      await eventually(async () => (acknowledged.length >= sinceBack + 2 ? true : undefined), 30_000, 100);
      await writer.stop();
      // … and every object uploaded before, during and after the restart is listed and downloads with its exact bytes.
      for (const folder of ['/before', '/s3-during']) {
        const expected = [...stored.keys()].filter((key) => key.startsWith(`${folder}/`)).map((key) => key.slice(folder.length + 1)).sort();
        const listed = await eventually(async () => {
          const page = await call<{ files: { name: string; url: string }[] }>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`);
          return page.status === 200 && expected.every((name) => page.body.files.some((f) => f.name === name)) ? page.body.files : undefined;
        }, 20_000, 200);
        expect(listed?.map((f) => f.name).sort()).toEqual(expected);
        for (const file of listed!) {
          const download = await fetch(file.url);
          expect(download.status).toBe(200);
          expect(Buffer.from(await download.arrayBuffer()).equals(stored.get(`${folder}/${file.name}`)!)).toBe(true);
        }
      }
      expect(acknowledged.length).toBeGreaterThanOrEqual(sinceBack + 2);
      expect(stack.failedEvents()).toEqual([]);
    } finally {
      void writer.stop();
    }
  });

  it('replaces a function sandbox killed mid-invocation: requests in flight fail cleanly, the next is served by a fresh one', async () => {
    // Prepare: the files function's sandboxes (the stack's own children), busy with listings
    const files = `"functionName":"${stack.functionNames.files}"`;
    const sandboxes = (): number[] => childrenOf(process.pid).filter((pid) => commandOf(pid).includes(files));
    expect((await call('/files?folder=%2Fbefore')).status).toBe(200);
    const killed = sandboxes();
    expect(killed.length).toBeGreaterThan(0);
    const inFlight = Array.from({ length: 4 }, () => call('/files?folder=%2Fbefore'));
    await new Promise((r) => setTimeout(r, 20));

    // Act
    for (const pid of killed) process.kill(pid, 'SIGKILL');

    // Assess: each answer in flight is the listing or a 5xx the client retries, never a hang
    for (const answer of await Promise.all(inFlight)) expect(answer.status === 200 || answer.status >= 500).toBe(true);
    const served = await eventually(async () => ((await call('/files?folder=%2Fbefore')).status === 200 ? sandboxes() : undefined), 30_000, 100);
    expect(served?.filter((pid) => !killed.includes(pid)).length).toBeGreaterThan(0);
  });
});
