/**
 * `npm run bench:dedupe` (issue 22 §2): a folder of small files (generated, random bytes) is
 * uploaded with the built CLI into the in-memory local stack, then uploaded again: the second
 * run hashes every file, asks `POST /files/exists` in batches of 100 and skips them all. Prints,
 * for both runs, the bytes the CLI sent (its own count: `sent … bytes of …`, what went into PUT
 * bodies) and the wall time. Goal: the second run sends < 1 % of the folder's bytes.
 *
 * The web app runs the same check (web/src/upload/uploader.ts `checkLibrary`: hashed first,
 * batches of 100, 4 at once) in the browser; this bench measures the CLI only.
 *
 * BENCH_DEDUPE_FILES (default 10,000), BENCH_DEDUPE_MAX_BYTES (largest file, default 16 KiB).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../local/log';
import { startLocalStack } from '../local/stack';

const FILES = Number(process.env.BENCH_DEDUPE_FILES ?? 10_000);
const MAX_BYTES = Number(process.env.BENCH_DEDUPE_MAX_BYTES ?? 16 * 1024);
const CLI = path.resolve(__dirname, '..', 'dist', 'cli', 'media-store.js');
const GOAL_SHARE = 0.01;

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

interface Run {
  readonly seconds: number;
  readonly sent: number;
  readonly total: number;
  readonly uploaded: number;
  readonly skipped: number;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

async function upload(files: readonly string[], folder: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  const run = await cli(['upload', ...files, '--folder', folder, '--no-progress'], env);
  const seconds = (performance.now() - started) / 1000;
  if (run.code !== 0) throw new Error(`upload failed (${run.code}): ${run.stderr.slice(-2000)}`);
  const summary = /sent (\d+) bytes of (\d+) \((\d+) uploaded, (\d+) already in your library\)/.exec(run.stderr);
  if (!summary) throw new Error(`no summary in the CLI's output: ${run.stderr.slice(-500)}`);
  return { seconds, sent: Number(summary[1]), total: Number(summary[2]), uploaded: Number(summary[3]), skipped: Number(summary[4]) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'media-store-bench-dedupe-'));
  const password = randomBytes(18).toString('base64url');
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger });
  try {
    const files: string[] = [];
    for (let i = 0; i < FILES; i += 1) {
      const file = path.join(work, `IMG_${String(i).padStart(5, '0')}.jpg`);
      writeFileSync(file, randomBytes(1024 + Math.floor(Math.random() * (MAX_BYTES - 1024))));
      files.push(file);
    }
    const env = { ...process.env, MEDIA_STORE_CONFIG: path.join(work, 'config.json'), MEDIA_STORE_URL: stack.apiUrl };
    const login = await cli(['login', '--username', stack.adminUser, '--password-stdin'], env, password);
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    const load = loadavg()[0]?.toFixed(1);
    const first = await upload(files, '/bench-dedupe', env);
    const again = await upload(files, '/bench-dedupe', env);
    const share = again.sent / first.total;
    console.log(`\nbench:dedupe — ${FILES} files (1 KiB-${MAX_BYTES / 1024} KiB, ${(first.total / 1024 / 1024).toFixed(1)} MiB), CLI, in-memory local stack, ${cpus().length} cores, load ${load} → ${loadavg()[0]?.toFixed(1)}\n`);
    console.log('| run | files sent | skipped | bytes sent | share of the folder | time |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(`| first upload | ${first.uploaded} | ${first.skipped} | ${first.sent} | ${((first.sent / first.total) * 100).toFixed(1)} % | ${first.seconds.toFixed(1)} s |`);
    console.log(`| again (already stored) | ${again.uploaded} | ${again.skipped} | ${again.sent} | ${(share * 100).toFixed(2)} % | ${again.seconds.toFixed(1)} s (${((again.seconds / first.seconds) * 100).toFixed(0)} % of the first) |`);
    console.log(`\ngoal: the second run sends < ${GOAL_SHARE * 100} % of the folder's bytes: ${share < GOAL_SHARE ? 'met' : 'NOT met'}`);
    if (share >= GOAL_SHARE) process.exitCode = 1;
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
