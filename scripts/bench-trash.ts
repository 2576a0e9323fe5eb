/**
 * `npm run bench:trash [-- --files 10000]`: a folder of `--files` files (default 10,000) on the
 * in-memory local stack is deleted with everything in it (`DELETE /folders?recursive=true`, a
 * job), restored (`POST /trash/jobs {action: "restore", all: true}`, a job) and deleted forever
 * (`{action: "purge", all: true}` as the admin), each checked after a fresh read of every page
 * (Immich's "Restore all" bugs were lists that looked right until a reload): the folder's
 * listing, the trash, and the timeline's count. Seeding (objects put into the local S3, which
 * the sync function catalogs) is outside the timings. Prints each step's time and rate beside
 * the load average: on a shared machine wall times include waiting for a core.
 */
import { cpus, loadavg } from 'node:os';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FilePage, TrashJob, TrashPage } from '../contract/wire';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { parseCommandLine } from './args';

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };
const FOLDER = '/bench-trash';

async function call<T>(stack: LocalStack, token: string, route: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Every file of the folder, read page by page from the API. */
async function listed(stack: LocalStack, token: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { status: number; body: FilePage } = await call<FilePage>(stack, token, `/files?folder=${encodeURIComponent(FOLDER)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    count += page.status === 200 ? page.body.files.length : 0;
    cursor = page.status === 200 ? page.body.nextCursor : null;
  } while (cursor);
  return count;
}

async function inTrash(stack: LocalStack, token: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await call<TrashPage>(stack, token, `/trash?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    count += page.body.entries.length;
    cursor = page.body.nextCursor;
  } while (cursor !== undefined);
  return count;
}

const onTimeline = async (stack: LocalStack, token: string): Promise<number> =>
  (await call<{ buckets: { count: number }[] }>(stack, token, '/timeline/buckets')).body.buckets.reduce((n, b) => n + b.count, 0);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function timedJob(stack: LocalStack, token: string, start: () => Promise<{ status: number; body: { job: TrashJob } }>): Promise<{ job: TrashJob; seconds: number }> {
  const started = Date.now();
  const answer = await start();
  if (answer.status !== 202) throw new Error(`expected 202, got ${answer.status} ${JSON.stringify(answer.body)}`);
  const job = await until(async () => {
    const { body } = await call<{ job: TrashJob }>(stack, token, `/jobs/${answer.body.job.id}`);
    return body.job.status === 'succeeded' || body.job.status === 'failed' ? body.job : undefined;
  }, 6 * 3600_000);
  return { job, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseCommandLine(process.argv.slice(2), { values: ['files'], flags: [] });
  const files = Number(values.files ?? 10_000);
  const password = `bench-${Date.now()}-Aa1!`;
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger, variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000 } });
  try {
    const token = ((await (await fetch(`${stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.adminUser, password }) })).json()) as { token: string }).token;
    const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: stack.credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const seedStarted = Date.now();
    for (let i = 0; i < files; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, files - i) }, (_, j) =>
          s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: `media${FOLDER}/f${String(i + j).padStart(6, '0')}.bin`, Body: `bytes of ${i + j}`, ContentType: 'application/octet-stream' })),
        ),
      );
    }
    await until(async () => ((await listed(stack, token)) === files ? true : undefined), 6 * 3600_000);
    s3.destroy();
    console.log(`seeded ${files.toLocaleString()} files in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s — not timed below`);

    const rows: string[][] = [];
    const step = async (name: string, start: () => Promise<{ status: number; body: { job: TrashJob } }>, check: () => Promise<string>): Promise<void> => {
      const load = loadavg()[0] ?? 0;
      const { job, seconds } = await timedJob(stack, token, start);
      if (job.status !== 'succeeded' || job.done !== files) throw new Error(`${name}: ${JSON.stringify(job)}`);
      rows.push([name, files.toLocaleString(), `${seconds.toFixed(1)} s`, `${(files / seconds).toFixed(0)} /s`, await check(), `${load.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`]);
    };
    await step(
      'delete folder (job)',
      () => call(stack, token, `/folders?path=${encodeURIComponent(FOLDER)}&recursive=true`, { method: 'DELETE' }),
      async () => `listed ${await listed(stack, token)}, trash ${await inTrash(stack, token)}, timeline ${await until(async () => ((await onTimeline(stack, token)) === 0 ? 0 : undefined), 600_000)}`,
    );
    await step(
      'restore all (job)',
      () => call(stack, token, '/trash/jobs', { json: { action: 'restore', all: true } }),
      async () => `listed ${await until(async () => ((await listed(stack, token)) === files ? files : undefined), 600_000)}, trash ${await inTrash(stack, token)}, timeline ${await until(async () => ((await onTimeline(stack, token)) === files ? files : undefined), 600_000)}`,
    );
    await call(stack, token, `/folders?path=${encodeURIComponent(FOLDER)}&recursive=true`, { method: 'DELETE' });
    await until(async () => ((await inTrash(stack, token)) === files ? true : undefined), 6 * 3600_000);
    await step('empty trash (job)', () => call(stack, token, '/trash/jobs', { json: { action: 'purge', all: true } }), async () => `trash ${await inTrash(stack, token)}`);

    console.log(`\nbench:trash — ${files.toLocaleString()} files, in-memory local stack, ${cpus().length} cores\n`);
    console.log('| step | files | time | rate | after a fresh read | load (1 min) |\n|---|---|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
