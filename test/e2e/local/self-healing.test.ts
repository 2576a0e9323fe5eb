/**
 * The local stack supervises its parts: on an on-disk stack (as `npm start` runs it), DynamoDB
 * Local is killed mid-run while a client keeps uploading; `/health` answers 503 naming it while
 * it is down, requests fail cleanly (JSON 503 the client retries), and within 30 s the API
 * answers again with every row — the ones from before the kill and every upload the client saw
 * succeed. A stack of its own, data in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileLogger } from '../../../local/log';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { eventually } from '../support/http';

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
  /** One upload as a client does it, retrying what the API asks to retry (429, 5xx); resolves once S3 took the bytes. */
  const upload = async (folder: string, name: string): Promise<void> => {
    const bytes = randomBytes(256);
    for (let attempt = 0; ; attempt += 1) {
      const created = await call<{ url: string; headers: Record<string, string> }>('/uploads', { json: { folder, fileName: name, contentType: 'image/jpeg', size: bytes.length } });
      if (created.status === 201) {
        const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
        if (put.status === 200) return;
      } else if (created.status !== 429 && created.status < 500) {
        throw new Error(`POST /uploads answered ${created.status} ${JSON.stringify(created.body)}`);
      }
      if (attempt > 60) throw new Error(`upload of ${name} still failing after ${attempt} attempts`);
      await new Promise((r) => setTimeout(r, 500));
    }
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
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await upload('/during', `during-${i}.jpg`);
        acknowledged.push(`during-${i}.jpg`);
      }
    })();
    // Settled whatever happens below: a failing assertion must not leave it uploading.
    writer.catch(() => undefined);
    const stopWriting = async (): Promise<void> => {
      writing = false;
      await writer;
    };
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
      await stopWriting();
      const during2 = await eventually(async () => {
        const listed = await names('/during');
        return listed !== undefined && acknowledged.every((name) => listed.includes(name)) ? listed : undefined;
      }, 20_000, 200);
      expect(during2).toEqual(expect.arrayContaining(acknowledged));
      expect(stack.failedEvents()).toEqual([]);
    } finally {
      writing = false;
    }
  });
});
