/**
 * `npm run bench:load` (issue 22 §5): the in-memory local stack under load, with the load
 * average printed beside every figure (the machine is shared; read them with it).
 *
 * 1. autocannon: 50 connections for 60 s of mixed traffic — a folder listing (100 files), a
 *    file's details, an upload start — each connection cycling through the three. Passes when
 *    nothing but 2xx and 429 (the stage's throttling) came back and no request failed or timed
 *    out; prints p50/p99 latency and requests/s.
 * 2. 1,000 small uploads started at once (POST /uploads, then PUT), each retried on 429/5xx and
 *    dropped connections with the clients' own backoff (client/retry.ts); passes when the folder
 *    then lists exactly 1,000 files and `npm run reconcile` finds no drift in it.
 *
 * BENCH_LOAD_SECONDS, BENCH_LOAD_CONNECTIONS, BENCH_LOAD_UPLOADS change the sizes; exit 1 when
 * a check fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus } from '../client/retry';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { EXIT, runReconcile } from './reconcile';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 50);
const UPLOADS = Number(process.env.BENCH_LOAD_UPLOADS ?? 1000);
const SEEDED = 100;
const LIST_FOLDER = '/load';
const BURST_FOLDER = '/burst';

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function login(stack: LocalStack, password: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.adminUser, password }) });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

async function listing(stack: LocalStack, token: string, folder: string): Promise<{ id: string }[]> {
  const files: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const response = await fetch(`${stack.apiUrl}/files?folder=${encodeURIComponent(folder)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET /files answered ${response.status}`);
    const page = (await response.json()) as { files: { id: string }[]; nextCursor: string | null };
    files.push(...page.files);
    cursor = page.nextCursor;
  } while (cursor);
  return files;
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** 100 small files in the listed folder, through S3 and the bucket's notifications. */
async function seed(stack: LocalStack, token: string): Promise<string[]> {
  const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: stack.credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await Promise.all(
    Array.from({ length: SEEDED }, (_, i) =>
      s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: `media${LIST_FOLDER}/seed-${String(i).padStart(3, '0')}.bin`, Body: randomBytes(512), ContentType: 'application/octet-stream' })),
    ),
  );
  s3.destroy();
  const files = await until(async () => {
    const listed = await listing(stack, token, LIST_FOLDER);
    return listed.length === SEEDED ? listed : undefined;
  }, 120_000);
  if (files === undefined) throw new Error(`the ${SEEDED} seeded files were not all catalogued within 2 minutes`);
  return files.map((f) => f.id);
}

async function mixedTraffic(stack: LocalStack, token: string, ids: readonly string[]): Promise<boolean> {
  console.log(`\n1. ${CONNECTIONS} connections, ${SECONDS} s: GET /files (100), GET /files/{id}, POST /uploads — load before: ${load()}`);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let uploadNumber = 0;
  const result = await autocannon({
    url: stack.apiUrl,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 30,
    headers,
    requests: [
      { method: 'GET', path: `/files?folder=${encodeURIComponent(LIST_FOLDER)}&limit=100` },
      { method: 'GET', setupRequest: (request) => ({ ...request, path: `/files/${ids[Math.floor(Math.random() * ids.length)]}` }) },
      {
        method: 'POST',
        path: '/uploads',
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ folder: '/load-starts', fileName: `start-${uploadNumber++}.jpg`, contentType: 'image/jpeg', size: 1024 }) }),
      },
    ],
  });
  const codes = Object.entries(result.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ');
  const unexpected = Object.entries(result.statusCodeStats).filter(([code]) => !(code.startsWith('2') || code === '429'));
  console.log(`   load after: ${load()} (${cpus().length} cores)`);
  console.log('   | requests | req/s | p50 ms | p99 ms | max ms | statuses | errors | timeouts |');
  console.log('   |---:|---:|---:|---:|---:|---|---:|---:|');
  console.log(`   | ${result.requests.total} | ${result.requests.average.toFixed(1)} | ${result.latency.p50} | ${result.latency.p99} | ${result.latency.max} | ${codes} | ${result.errors} | ${result.timeouts} |`);
  const ok = unexpected.length === 0 && result.errors === 0 && result.timeouts === 0;
  console.log(ok ? '   PASS: nothing but 2xx and 429' : `   FAIL: ${unexpected.map(([c, { count }]) => `${count} × ${c}`).join(', ')}${result.errors ? `, ${result.errors} errors` : ''}${result.timeouts ? `, ${result.timeouts} timeouts` : ''}`);
  return ok;
}

/** One small upload as a client does it: start, PUT, each retried on 429/5xx/dropped connections. */
async function uploadOne(stack: LocalStack, token: string, name: string, counters: { retries: number; statuses: Map<number, number> }): Promise<void> {
  const bytes = randomBytes(1024);
  const attempt = async <T>(operation: () => Promise<{ status: number; value?: T }>): Promise<T | undefined> => {
    for (let n = 0; ; n += 1) {
      let status = 0;
      try {
        const answer = await operation();
        status = answer.status;
        counters.statuses.set(status, (counters.statuses.get(status) ?? 0) + 1);
        if (!isRetryableStatus(status)) {
          if (status >= 300) throw new Error(`${name}: answered ${status}`);
          return answer.value;
        }
      } catch (error) {
        if (status !== 0) throw error; // an answer not worth retrying
      }
      if (n >= 12) throw new Error(`${name}: still failing after ${n} retries (last status ${status || 'no answer'})`);
      counters.retries += 1;
      await new Promise((r) => setTimeout(r, backoffDelayMs(n, DEFAULT_RETRY_POLICY)));
    }
  };
  const created = await attempt(async () => {
    const response = await fetch(`${stack.apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ folder: BURST_FOLDER, fileName: name, contentType: 'image/jpeg', size: bytes.length }),
    });
    const body = (await response.json()) as { url: string; headers: Record<string, string> };
    return { status: response.status, value: body };
  });
  await attempt(async () => {
    const response = await fetch(created!.url, { method: 'PUT', headers: created!.headers, body: bytes });
    await response.arrayBuffer();
    return { status: response.status };
  });
}

async function burst(stack: LocalStack, token: string, dir: string): Promise<boolean> {
  console.log(`\n2. ${UPLOADS} small uploads at once, retrying 429/5xx as the clients do — load before: ${load()}`);
  const counters = { retries: 0, statuses: new Map<number, number>() };
  const started = Date.now();
  const results = await Promise.allSettled(Array.from({ length: UPLOADS }, (_, i) => uploadOne(stack, token, `burst-${String(i).padStart(4, '0')}.jpg`, counters)));
  const sent = Date.now() - started;
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  const listed = await until(async () => {
    const files = await listing(stack, token, BURST_FOLDER);
    return files.length >= UPLOADS - failed.length ? files : undefined;
  }, 180_000);
  await stack.functions.drain();
  const rows = (await listing(stack, token, BURST_FOLDER)).length;
  const catalogued = Date.now() - started;
  const stackFile = path.join(dir, 'stack.json');
  writeFileSync(stackFile, JSON.stringify(stack), { mode: 0o600 });
  const out: string[] = [];
  const code = await runReconcile(['--stack', stackFile, '--prefix', `media${BURST_FOLDER}/`, '--json'], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });
  const report = JSON.parse(out.join('\n')) as { drift: unknown[]; objects: number; rows: number };
  console.log(`   load after: ${load()} (${cpus().length} cores)`);
  console.log('   | uploads | failed | retries | statuses | all sent | all catalogued | rows | reconcile |');
  console.log('   |---:|---:|---:|---|---:|---:|---:|---|');
  console.log(
    `   | ${UPLOADS} | ${failed.length} | ${counters.retries} | ${[...counters.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')} | ${(sent / 1000).toFixed(1)} s | ${(catalogued / 1000).toFixed(1)} s | ${rows} | ${report.drift.length === 0 ? 'no drift' : `${report.drift.length} drifted`} (${report.objects} objects, ${report.rows} rows) |`,
  );
  for (const failure of failed.slice(0, 5)) console.log(`   failed: ${String(failure.reason)}`);
  const ok = failed.length === 0 && rows === UPLOADS && listed !== undefined && code === EXIT.clean && report.drift.length === 0;
  console.log(ok ? `   PASS: exactly ${UPLOADS} rows, no drift` : '   FAIL');
  return ok;
}

async function main(): Promise<void> {
  console.log(`bench:load on ${cpus().length} cores, load average ${load()}`);
  const password = randomBytes(18).toString('base64url');
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-bench-load-'));
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, webDir: null, adminPassword: password, logger: quietLogger });
  let ok = false;
  try {
    const token = await login(stack, password);
    const ids = await seed(stack, token);
    const mixed = await mixedTraffic(stack, token, ids);
    const uploads = await burst(stack, token, dir);
    ok = mixed && uploads;
  } finally {
    await stack.functions.drain();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
