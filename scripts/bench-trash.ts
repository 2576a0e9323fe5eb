/**
 * `npm run bench:trash [-- --files 10000]`: a folder of `--files` files (default 10,000) on the
 * in-memory local stack is deleted with everything in it (`DELETE /folders?recursive=true`, a
 * job), restored (`POST /trash/jobs {action: "restore", all: true}`, a job) and deleted forever
 * (`{action: "purge", all: true}` as the admin), each checked after a fresh read of every page
 * (Immich's "Restore all" bugs were lists that looked right until a reload): the folder's
 * listing, the trash, and the timeline's count; after the restore every row is compared with
 * the row listed before the delete (id, size, type, uploader, upload time, tags, description,
 * SHA-256). Seeding (objects put into the local S3, which the sync function catalogs) is outside
 * the timings. Each step's row (time, rate, the fresh read, the load average: on a shared
 * machine wall times include waiting for a core) prints as soon as the step is checked, and a
 * running job's progress every `--progress` seconds (default 60), so a long run shows where it is.
 */
import { cpus, loadavg } from 'node:os';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FileItem, FilePage, TrashJob, TrashPage } from '../contract/wire';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { parseCommandLine } from './args';

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };
const FOLDER = '/bench-trash';

/**
 * The admin's access token, logged in again before it expires (tokens live 5 minutes; seeding
 * and each step take longer than that on a busy machine).
 */
class Auth {
  private token: string | undefined;
  private at = 0;

  constructor(
    private readonly stack: LocalStack,
    private readonly password: string,
  ) {}

  async current(fresh = false): Promise<string> {
    if (fresh || this.token === undefined || Date.now() - this.at > 4 * 60_000) {
      for (let attempt = 1; ; attempt += 1) {
        const response = await fetch(`${this.stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: this.stack.adminUser, password: this.password }) });
        // A login's function can time out on a loaded machine: try again.
        if (response.status === 200) {
          this.token = ((await response.json()) as { token: string }).token;
          break;
        }
        if (attempt === 5) throw new Error(`login answered ${response.status}`);
        await new Promise((r) => setTimeout(r, 2000));
      }
      this.at = Date.now();
    }
    return this.token as string;
  }
}

/**
 * One API call as the admin: denied (an expired token) → logged in again and sent again; a GET
 * answered 5xx (a function timed out on a loaded machine) → sent again, a few times.
 */
async function call<T>(stack: LocalStack, auth: Auth, route: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  const method = init.method ?? (init.json === undefined ? 'GET' : 'POST');
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${await auth.current(attempt > 1)}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await response.text();
    const retry = attempt < 5 && (response.status === 401 || response.status === 403 || (method === 'GET' && response.status >= 500));
    if (!retry) return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Every file of the folder, read page by page from the API. */
async function rowsOf(stack: LocalStack, auth: Auth): Promise<FileItem[]> {
  const rows: FileItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: FilePage } = await call<FilePage>(stack, auth, `/files?folder=${encodeURIComponent(FOLDER)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    // The folder itself goes with its last file: no folder, no files.
    if (page.status === 404) return rows;
    if (page.status !== 200) throw new Error(`GET /files answered ${page.status}: ${JSON.stringify(page.body)}`);
    rows.push(...page.body.files);
    cursor = page.body.nextCursor;
  } while (cursor);
  return rows;
}

const listed = async (stack: LocalStack, auth: Auth): Promise<number> => (await rowsOf(stack, auth)).length;

/** What a restore must bring back exactly, by file name. */
const rowFields = (f: FileItem): string =>
  JSON.stringify([f.id, f.name, f.size, f.contentType, f.uploadedBy, f.uploadedAt, [...f.tags].sort(), f.description ?? null, f.sha256 ?? null]);

async function inTrash(stack: LocalStack, auth: Auth): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await call<TrashPage>(stack, auth, `/trash?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    count += page.body.entries.length;
    cursor = page.body.nextCursor;
  } while (cursor !== undefined);
  return count;
}

const onTimeline = async (stack: LocalStack, auth: Auth): Promise<number> =>
  (await call<{ buckets: { count: number }[] }>(stack, auth, '/timeline/buckets')).body.buckets.reduce((n, b) => n + b.count, 0);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const loadText = (): string => (loadavg()[0] ?? 0).toFixed(1);

async function timedJob(stack: LocalStack, auth: Auth, name: string, progressEveryMs: number, start: () => Promise<{ status: number; body: { job: TrashJob } }>): Promise<{ job: TrashJob; seconds: number }> {
  const started = Date.now();
  const answer = await start();
  if (answer.status !== 202) throw new Error(`expected 202, got ${answer.status} ${JSON.stringify(answer.body)}`);
  let reported = started;
  const job = await until(async () => {
    const { body } = await call<{ job: TrashJob }>(stack, auth, `/jobs/${answer.body.job.id}`);
    if (Date.now() - reported >= progressEveryMs) {
      reported = Date.now();
      const seconds = (reported - started) / 1000;
      console.log(`  ${name}: ${body.job.done.toLocaleString()} done, ${body.job.failed} failed after ${seconds.toFixed(0)} s (${(body.job.done / seconds).toFixed(1)} /s), load ${loadText()}`);
    }
    return body.job.status === 'succeeded' || body.job.status === 'failed' ? body.job : undefined;
  }, 6 * 3600_000);
  return { job, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseCommandLine(process.argv.slice(2), { values: ['files', 'progress'], flags: [] });
  const files = Number(values.files ?? 10_000);
  const progressEveryMs = Number(values.progress ?? 60) * 1000;
  const password = `bench-${Date.now()}-Aa1!`;
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger, variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000 } });
  try {
    const auth = new Auth(stack, password);
    const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: stack.credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const seedStarted = Date.now();
    for (let i = 0; i < files; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, files - i) }, (_, j) =>
          s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: `media${FOLDER}/f${String(i + j).padStart(6, '0')}.bin`, Body: `bytes of ${i + j}`, ContentType: 'application/octet-stream' })),
        ),
      );
    }
    await until(async () => ((await listed(stack, auth)) === files ? true : undefined), 6 * 3600_000, 2000);
    s3.destroy();
    const before = new Map((await rowsOf(stack, auth)).map((f) => [f.name, rowFields(f)]));
    console.log(`bench:trash — ${files.toLocaleString()} files, in-memory local stack, ${cpus().length} cores`);
    console.log(`seeded ${files.toLocaleString()} files in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s (not timed below), load ${loadText()}\n`);
    console.log('| step | files | time | rate | job done / failed | after a fresh read | load (1 min) |\n|---|---|---|---|---|---|---|');

    const step = async (name: string, start: () => Promise<{ status: number; body: { job: TrashJob } }>, check: () => Promise<string>): Promise<void> => {
      const load = loadText();
      const { job, seconds } = await timedJob(stack, auth, name, progressEveryMs, start);
      if (job.status !== 'succeeded') throw new Error(`${name}: ${JSON.stringify(job)}`);
      // The fresh read decides, not the job's counts (a run Lambda retried may have counted a page twice or not at all).
      console.log(`| ${[name, files.toLocaleString(), `${seconds.toFixed(1)} s`, `${(files / seconds).toFixed(1)} /s`, `${job.done.toLocaleString()} / ${job.failed}`, await check(), `${load} → ${loadText()}`].join(' | ')} |`);
    };
    const expect = (what: string, found: number, wanted: number): string => {
      if (found !== wanted) throw new Error(`${what}: ${found}, expected ${wanted}`);
      return `${what} ${found.toLocaleString()}`;
    };
    await step(
      'delete folder (job)',
      () => call(stack, auth, `/folders?path=${encodeURIComponent(FOLDER)}&recursive=true`, { method: 'DELETE' }),
      async () =>
        [expect('listed', await listed(stack, auth), 0), expect('trash', await inTrash(stack, auth), files), expect('timeline', await until(async () => ((await onTimeline(stack, auth)) === 0 ? 0 : undefined), 600_000), 0)].join(', '),
    );
    await step(
      'restore all (job)',
      () => call(stack, auth, '/trash/jobs', { json: { action: 'restore', all: true } }),
      async () => {
        const rows = await until(async () => {
          const found = await rowsOf(stack, auth);
          return found.length === files ? found : undefined;
        }, 600_000, 2000);
        const differing = rows.filter((f) => before.get(f.name) !== rowFields(f)).length;
        if (differing > 0) throw new Error(`restore all: ${differing} of ${files} rows differ from before the delete`);
        return [`listed ${rows.length.toLocaleString()}, every row as before`, expect('trash', await inTrash(stack, auth), 0), expect('timeline', await until(async () => ((await onTimeline(stack, auth)) === files ? files : undefined), 600_000), files)].join(', ');
      },
    );
    // Deleted again (untimed, as the first step) so that the trash holds them all.
    const again = Date.now();
    await call(stack, auth, `/folders?path=${encodeURIComponent(FOLDER)}&recursive=true`, { method: 'DELETE' });
    await until(async () => ((await inTrash(stack, auth)) === files ? true : undefined), 6 * 3600_000, 2000);
    console.log(`  (deleted again for the next step in ${((Date.now() - again) / 1000).toFixed(0)} s, untimed)`);
    await step('empty trash (job)', () => call(stack, auth, '/trash/jobs', { json: { action: 'purge', all: true } }), async () => expect('trash', await inTrash(stack, auth), 0));
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
