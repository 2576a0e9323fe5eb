/**
 * `npm run bench:dedupe` (issue 22 §2): a folder of small files (generated, random bytes) is
 * uploaded into the in-memory local stack, then uploaded again: the second run hashes every
 * file, asks `POST /files/exists` in batches of 100 and skips them all. Goal: the second run
 * sends < 1 % of the folder's bytes. Two clients, each with a folder of its own content:
 * - the built CLI: bytes sent are its own count (`sent … bytes of …`, what went into PUT
 *   bodies), time from spawn to exit;
 * - the web app (dist/web, served by the stack) in headless Chromium, logged in, the folder
 *   open: the files set on the file chooser, timed until the uploads list says every file is
 *   done (first run) or already in the library (second run, web/src/upload/uploader.ts
 *   `checkLibrary`: hashed in the Workers, batches of 100, 4 at once); bytes sent = the sizes of
 *   the files whose PUT the page sent to the local S3 (every request the page made, counted).
 *   Fewer files by default (1,000): Playwright hands each file to the page over CDP, and the
 *   page uploads 4 files at a time; 10,000 take ~10× as long.
 *
 * BENCH_DEDUPE_FILES (CLI, default 10,000; 0 skips it), BENCH_DEDUPE_WEB_FILES (web app,
 * default 1,000; 0 skips it), BENCH_DEDUPE_MAX_BYTES (largest file, default 16 KiB).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { DESKTOP, launchChromium } from '../test/browser/support/chromium';

const FILES = Number(process.env.BENCH_DEDUPE_FILES ?? 10_000);
const WEB_FILES = Number(process.env.BENCH_DEDUPE_WEB_FILES ?? 1_000);
const WEB_FOLDER = '/bench-dedupe-web';
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

/** `count` files of random bytes (1 KiB to MAX_BYTES) in `dir`: their paths. */
function generate(dir: string, count: number): string[] {
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const file = path.join(dir, `IMG_${String(i).padStart(5, '0')}.jpg`);
    writeFileSync(file, randomBytes(1024 + Math.floor(Math.random() * (MAX_BYTES - 1024))));
    files.push(file);
  }
  return files;
}

/**
 * The folder through the web app, in a browser context of its own (a new session, as a user
 * coming back): until every file is done, or every file is reported already in the library.
 */
async function uploadInBrowser(stack: LocalStack, password: string, files: readonly string[], expect: 'sent' | 'skipped'): Promise<Run> {
  const sizes = new Map(files.map((f) => [path.basename(f), statSync(f).size]));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    const put = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      // A presigned PUT to S3 (the API's own PUTs carry no signature in the query).
      if (request.method() === 'PUT' && url.searchParams.has('X-Amz-Signature')) put.add(decodeURIComponent(url.pathname.split('/').at(-1) ?? ''));
    });
    await page.goto(stack.appUrl as string);
    await page.getByLabel('Username').fill(stack.adminUser);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Folders', exact: true }).click();
    await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: WEB_FOLDER.slice(1), exact: true }).click();
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: WEB_FOLDER.slice(1) }).waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    const fileChooser = await chooser;
    const started = performance.now();
    await fileChooser.setFiles([...files]);
    const indicator = page.getByRole('button', { name: /^Uploads / });
    if (await indicator.waitFor({ timeout: 10_000 }).then(() => true, () => false)) {
      if ((await indicator.getAttribute('aria-expanded')) !== 'true') await indicator.click();
    }
    const uploads = page.getByRole('region', { name: 'Uploads' });
    const done = expect === 'sent' ? uploads.getByText(new RegExp(`^${files.length} of ${files.length} files`)) : uploads.getByText(new RegExp(`^${files.length} already in your library: not sent`));
    await done.waitFor({ timeout: 3_600_000 });
    const seconds = (performance.now() - started) / 1000;
    const sent = [...put].reduce((sum, name) => sum + (sizes.get(name) ?? 0), 0);
    const skipped = await page.locator('li[data-phase="duplicate"]').count();
    return { seconds, sent, total, uploaded: put.size, skipped };
  } finally {
    await browser.close();
  }
}

function printRuns(title: string, first: Run, again: Run): boolean {
  const share = again.sent / first.total;
  console.log(`\n${title}\n`);
  console.log('| run | files sent | skipped | bytes sent | share of the folder | time |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(`| first upload | ${first.uploaded} | ${first.skipped} | ${first.sent} | ${((first.sent / first.total) * 100).toFixed(1)} % | ${first.seconds.toFixed(1)} s |`);
  console.log(`| again (already stored) | ${again.uploaded} | ${again.skipped} | ${again.sent} | ${(share * 100).toFixed(2)} % | ${again.seconds.toFixed(1)} s (${((again.seconds / first.seconds) * 100).toFixed(0)} % of the first) |`);
  console.log(`\ngoal: the second run sends < ${GOAL_SHARE * 100} % of the folder's bytes: ${share < GOAL_SHARE ? 'met' : 'NOT met'}`);
  return share < GOAL_SHARE;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'media-store-bench-dedupe-'));
  const password = randomBytes(18).toString('base64url');
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger, variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000 } });
  const mib = (run: Run): string => (run.total / 1024 / 1024).toFixed(1);
  try {
    if (FILES > 0) {
      mkdirSync(path.join(work, 'cli'));
      const files = generate(path.join(work, 'cli'), FILES);
      const env = { ...process.env, MEDIA_STORE_CONFIG: path.join(work, 'config.json'), MEDIA_STORE_URL: stack.apiUrl };
      const login = await cli(['login', '--username', stack.adminUser, '--password-stdin'], env, password);
      if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
      const load = loadavg()[0]?.toFixed(1);
      const first = await upload(files, '/bench-dedupe', env);
      const again = await upload(files, '/bench-dedupe', env);
      const met = printRuns(`bench:dedupe — ${FILES} files (1 KiB-${MAX_BYTES / 1024} KiB, ${mib(first)} MiB), CLI, in-memory local stack, ${cpus().length} cores, load ${load} → ${loadavg()[0]?.toFixed(1)}`, first, again);
      if (!met) process.exitCode = 1;
    }
    if (WEB_FILES > 0) {
      if (!stack.appUrl) throw new Error('the local stack serves no web app: run npm run build');
      mkdirSync(path.join(work, 'web'));
      const files = generate(path.join(work, 'web'), WEB_FILES);
      const token = ((await (await fetch(`${stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.adminUser, password }) })).json()) as { token: string }).token;
      await fetch(`${stack.apiUrl}/folders`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ path: WEB_FOLDER }) });
      const load = loadavg()[0]?.toFixed(1);
      const first = await uploadInBrowser(stack, password, files, 'sent');
      const again = await uploadInBrowser(stack, password, files, 'skipped');
      const met = printRuns(`bench:dedupe — ${WEB_FILES} files (1 KiB-${MAX_BYTES / 1024} KiB, ${mib(first)} MiB), web app in headless Chromium, in-memory local stack, ${cpus().length} cores, load ${load} → ${loadavg()[0]?.toFixed(1)}`, first, again);
      if (!met) process.exitCode = 1;
    }
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
