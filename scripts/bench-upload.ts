/**
 * `npm run bench:upload`: how close the `media-store` CLI comes to the link's limit. One file
 * (BENCH_UPLOAD_MIB, default 512 MiB) is uploaded, in one run, to the local stack (its own
 * process: API, functions, S3 server), by:
 * - raw: parallel PUTs (4 at a time) of presigned parts whose bodies are already in memory and
 *   whose URLs were all signed beforehand, over keep-alive sockets, from a minimal client in its
 *   own process (bench-upload-raw-client.ts) like the CLI, then the completion: only
 *   the bytes and the completion are timed. This is the limit; every other figure is printed as
 *   a ratio to it. The completion is in because no upload is done without it, and the local S3
 *   (s3rver) makes it expensive — it copies every part into the object and hashes it, ~2 s per
 *   512 MiB here, where AWS S3 answers in well under a second; the PUTs alone are printed too.
 * - raw-crc32c: the same with each part's CRC-32C (contract/multipart.ts `PART_CHECKSUM_ALGORITHM`,
 *   hashed beforehand, untimed) signed into its URL and verified by the S3 server: what the
 *   server's check costs;
 * - the CLI as users run it (`node dist/cli/media-store.js upload …`, a child process, timed
 *   from spawn to exit: process start, hashing, API calls, parts, completion), with
 *   `--no-checksum` (goal ≥ 0.9× raw) and with its default per-part CRC-32C (goal ≥ 0.8× raw);
 * - the CLI pinned to the old fixed value (`--parallel 4`), to show what choosing the parts in
 *   flight from the measured rate gains;
 * - with BENCH_UPLOAD_BASELINE_CLI=<a built CLI file>: that CLI too (e.g. the previous version,
 *   bundled the same way), and with BENCH_UPLOAD_BASELINE_WEB=<a built dist/web directory> that
 *   web app too (served to the browser in place of the stack's), for before → after figures
 *   from the same run.
 * Variants run BENCH_UPLOAD_ROUNDS times (default 3), alternating in a rotating order so the
 * machine's other load spreads over all of them; the median and best of each are printed.
 * - browser-raw: raw's PUTs from a page in headless Chromium (XHR, File slices, no checksum): the
 *   browser's own limit on this machine, where Chromium spends CPU on every byte it sends;
 * - browser: the web app (dist/web, served by the local stack at `/`) in headless Chromium, logged
 *   in through its login screen, the bench folder open; timed from setting the file chooser to
 *   the upload shown done (the completion answered), with the app's default per-part CRC-32C
 *   and the whole file's SHA-256 hashed from one read of each part in a Worker of the upload's
 *   own (goal ≥ 0.8× raw).
 * A variant is one entry of `VARIANTS` (a name, a goal, a run function). A second table compares
 * sending alone (each run less its completion call: the CLI's --debug line for it, the browser's
 * "finishing" state), since the local S3's completion swings the most from run to run.
 * The load average is printed beside every run: the machine is shared.
 *
 *   BENCH_UPLOAD_CLI=bin/media-store.js   run another CLI entry instead of the built one
 *   BENCH_UPLOAD_ONLY=browser,raw-crc32c,…   run only these variants (and raw)
 *   BENCH_UPLOAD_MIB=512 BENCH_UPLOAD_ROUNDS=3   the file's size and the rounds
 *   BENCH_UPLOAD_BASELINE_CLI=old/media-store.js BENCH_UPLOAD_BASELINE_WEB=old/web   an older build beside
 *   BENCH_UPLOAD_TRACE=1   each browser run's requests on a timeline and Chromium's threads' CPU time
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { DESKTOP, launchChromium } from '../test/browser/support/chromium';
import { startTrace, threadCpu, type TraceEvent } from './bench-trace';
import { ApiClient } from '../cli/api-client';
import { withSession, type CliSessionAnswer } from '../cli/config';
import { DEFAULT_RETRY_POLICY } from '../client/retry';
import { crc32cOf } from '../contract/crc32c';
import { MAX_PARTS_PER_SIGNING, PART_CHECKSUM_ALGORITHM } from '../contract/multipart';

const ROOT = path.resolve(__dirname, '..');
const MiB = 1024 * 1024;
const FILE_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 512);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const RAW_PARALLEL = 4;
/** How long the local stack may take to start. */
const STACK_START_SECONDS = Number(process.env.BENCH_UPLOAD_START_SECONDS ?? 300);
const CLI = path.resolve(ROOT, process.env.BENCH_UPLOAD_CLI ?? 'dist/cli/media-store.js');
const BASELINE_CLI = process.env.BENCH_UPLOAD_BASELINE_CLI ? path.resolve(process.env.BENCH_UPLOAD_BASELINE_CLI) : undefined;
const BASELINE_WEB = process.env.BENCH_UPLOAD_BASELINE_WEB ? path.resolve(process.env.BENCH_UPLOAD_BASELINE_WEB) : undefined;
const TRACE = process.env.BENCH_UPLOAD_TRACE === '1';

interface StackInfo {
  readonly apiUrl: string;
  /** Where the web app is served (when dist/web was built). */
  readonly appUrl?: string;
}

interface BenchContext {
  readonly apiUrl: string;
  readonly appUrl?: string;
  /** The bench user, for the web app's login screen. */
  readonly user: { readonly username: string; readonly password: string };
  /** This run's access token (a fresh login before each run: access tokens live 5 minutes). */
  readonly token: string;
  /** The login answer, as `media-store login` saves it. */
  readonly session: CliSessionAnswer;
  readonly file: string;
  readonly dir: string;
  /** The raw client, bundled (see bench-upload-raw-client.ts). */
  readonly rawClient: string;
  /** A fresh name per run: every run stores a new file. */
  readonly runName: (variant: string) => string;
}

interface Variant {
  readonly name: string;
  readonly description: string;
  /** Ratio to raw this variant must reach; undefined = shown for comparison only. */
  readonly goal?: number;
  /** Uploads the file once; resolves with the timed seconds and what the client used. */
  run(context: BenchContext): Promise<RunResult>;
}

interface RunResult {
  readonly seconds: number;
  /**
   * The seconds without the completion call: the local S3 copies every part into the object
   * there (1-7 s per 512 MiB on this machine, the widest swing of a run; AWS answers in well under
   * a second), so sending alone compares clients more steadily.
   */
  readonly sendingSeconds?: number;
  /** The client's CPU time (user + system), seconds. */
  readonly cpuSeconds?: number;
  /** The client process's peak resident memory, MiB (child processes only). */
  readonly peakMiB?: number;
}

/** GNU time, to read a child's CPU time and peak memory; without it those columns stay empty. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// ---------------------------------------------------------------------------------------------
// The local stack in its own process, so neither client shares an event loop with the server.

async function startStack(dir: string, password: string): Promise<{ child: ChildProcess; info: StackInfo }> {
  const stackFile = path.join(dir, 'stack.json');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'local', 'start.ts'), '--in-memory'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', MEDIA_STORE_STACK_FILE: stackFile, MEDIA_STORE_ADMIN_USER: 'bench', MEDIA_STORE_ADMIN_PASSWORD: password },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // Minutes, not seconds, on a loaded machine (DynamoDB Local's JVM and every function's sandbox start).
  const deadline = Date.now() + STACK_START_SECONDS * 1000;
  while (!existsSync(stackFile)) {
    if (child.exitCode !== null) throw new Error(`the local stack exited (${child.exitCode}): ${stderr.slice(-2000)}`);
    if (Date.now() > deadline) {
      // Not left running: its functions and DynamoDB Local would keep the bench (and a core) busy.
      child.kill('SIGKILL');
      throw new Error(`the local stack did not start in ${STACK_START_SECONDS} s: ${stderr.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, info: JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo };
}

async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** The API through the CLI's own client: JSON, bearer token, retries on 5xx (a loaded machine times functions out). */
function apiOf(context: Pick<BenchContext, 'apiUrl' | 'token'>): ApiClient {
  return new ApiClient({ baseUrl: context.apiUrl, retry: DEFAULT_RETRY_POLICY, ...(context.token ? { token: context.token } : {}) });
}

/**
 * Deletes an uploaded file (untimed): the local S3 keeps objects on disk, and 18 runs of
 * 512 MiB left in place would fill the page cache and the disk, slowing later rounds.
 */
async function removeStored(context: BenchContext, fileId: string | undefined): Promise<void> {
  if (fileId === undefined) throw new Error('the upload answered no file id');
  await apiOf(context).call('DELETE /files/{id}', { params: { id: fileId } });
}

// ---------------------------------------------------------------------------------------------
// raw: the limit.

interface SignedPart {
  readonly partNumber: number;
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** The raw client bundled into the temp directory once (plain JavaScript, Node's modules only). */
function bundleRawClient(dir: string): string {
  const outfile = path.join(dir, 'raw-client.js');
  buildSync({ entryPoints: [path.join(__dirname, 'bench-upload-raw-client.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return outfile;
}

/** Each raw run's PUTs and completion, seconds. */
const rawPhases: { puts: number; complete: number }[] = [];

/** Base64 checksum of each `partSize` part of the file in the clients' part algorithm (untimed: raw-crc32c only measures sending). */
function partChecksums(file: string, size: number, partSize: number): string[] {
  const body = readFileSync(file);
  const sums: string[] = [];
  for (let offset = 0; offset < size; offset += partSize) {
    const part = body.subarray(offset, Math.min(size, offset + partSize));
    sums.push(PART_CHECKSUM_ALGORITHM === 'CRC32C' ? crc32cOf(part) : createHash('sha256').update(part).digest('base64'));
  }
  return sums;
}

/** Every part's URL, signed before the timed PUTs (`MAX_PARTS_PER_SIGNING` a request); with `sums`, each part's checksum signed in. */
async function signAll(context: BenchContext, uploadId: string, partCount: number, sums?: readonly string[]): Promise<SignedPart[]> {
  const parts: SignedPart[] = [];
  for (let first = 1; first <= partCount; first += MAX_PARTS_PER_SIGNING) {
    const partNumbers = Array.from({ length: Math.min(MAX_PARTS_PER_SIGNING, partCount - first + 1) }, (_, i) => first + i);
    const body = { partNumbers, ...(sums ? { checksums: Object.fromEntries(partNumbers.map((n) => [String(n), sums[n - 1] as string])) } : {}) };
    parts.push(...(await apiOf(context).call('POST /uploads/{uploadId}/parts', { params: { uploadId }, body })).parts);
  }
  return parts;
}

/** Raw parallel PUTs; with `checksums`, each part carries its checksum (the clients' algorithm) and the S3 server verifies it. */
function rawVariant(name: string, checksums: boolean): Variant {
  return {
  name,
  description: `${RAW_PARALLEL} parallel PUTs of the presigned parts (own process, bodies in memory, URLs signed beforehand${checksums ? `, each with its ${PART_CHECKSUM_ALGORITHM} hashed beforehand, verified by the S3 server` : ''}), + completion`,
  async run(context) {
    const fileName = context.runName(name);
    const size = FILE_MIB * MiB;
    const created = await apiOf(context).call('POST /uploads', { body: { folder: '/bench-upload', fileName, contentType: 'video/mp4', size, ...(checksums ? { checksumAlgorithm: PART_CHECKSUM_ALGORITHM } : {}) } });
    if (created.mode !== 'multipart') throw new Error(`expected a multipart upload, got ${created.mode}`);
    const sums = checksums ? partChecksums(context.file, size, created.partSize) : undefined;
    const parts = await signAll(context, created.uploadId, created.partCount, sums);
    const job = path.join(context.dir, 'raw-job.json');
    writeFileSync(job, JSON.stringify({ file: context.file, size, partSize: created.partSize, parallel: RAW_PARALLEL, parts }));
    const child = spawn(process.execPath, [context.rawClient, job], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`the raw client exited with ${code}: ${stderr.slice(-2000)}`);
    const sent = JSON.parse(stdout) as { seconds: number; cpuSeconds: number; etags: { partNumber: number; etag: string }[] };
    const started = performance.now();
    const completed = await apiOf(context).call('POST /uploads/{uploadId}/complete', { params: { uploadId: created.uploadId }, body: { parts: sent.etags } });
    const complete = (performance.now() - started) / 1000;
    if (!checksums) rawPhases.push({ puts: sent.seconds, complete });
    await removeStored(context, completed.file?.id);
    return { seconds: sent.seconds + complete, sendingSeconds: sent.seconds, cpuSeconds: sent.cpuSeconds };
  },
  };
}

const raw = rawVariant('raw', false);

// ---------------------------------------------------------------------------------------------
// The CLI, as a user runs it.

function cliVariant(name: string, description: string, args: readonly string[], goal?: number, cli: string = CLI): Variant {
  return {
    name,
    description,
    ...(goal !== undefined ? { goal } : {}),
    async run(context) {
      // A hard link per run: a new file name (a new object), the same bytes in the page cache.
      const file = path.join(context.dir, context.runName(name));
      linkSync(context.file, file);
      const home = mkdtempSync(path.join(context.dir, 'home-'));
      const configFile = path.join(home, 'config.json');
      writeFileSync(configFile, JSON.stringify(withSession({}, context.apiUrl, context.session)), { mode: 0o600 });
      const usage = path.join(home, 'usage');
      // --debug: its line for the completion call says how long that took.
      const command = [process.execPath, cli, 'upload', file, '--folder', '/bench-upload', '--no-progress', '--debug', ...args];
      const started = performance.now();
      const child = spawn(GNU_TIME ?? command[0]!, GNU_TIME ? ['-o', usage, '-f', '%U %S %M', ...command] : command.slice(1), {
        env: { ...process.env, MEDIA_STORE_CONFIG: configFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const seconds = (performance.now() - started) / 1000;
      const [user, system, peakKiB] = GNU_TIME && existsSync(usage) ? readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [];
      rmSync(file, { force: true });
      rmSync(home, { recursive: true, force: true });
      if (code !== 0) throw new Error(`${name}: the CLI exited with ${code}: ${stderr.slice(-2000)}`);
      await removeStored(context, / id=(\S+)/.exec(stdout)?.[1]);
      const completion = /api POST \/uploads\/\S+\/complete → 200 in (\d+) ms/.exec(stderr)?.[1];
      return { seconds, ...(completion !== undefined ? { sendingSeconds: seconds - Number(completion) / 1000 } : {}), ...(user !== undefined && system !== undefined ? { cpuSeconds: user + system } : {}), ...(peakKiB !== undefined ? { peakMiB: peakKiB / 1024 } : {}) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The web app's uploader in headless Chromium.

const BENCH_FOLDER = '/bench-upload';

/**
 * The app's files from `webDir` instead of the stack's dist/web (an older build, for before →
 * after figures from one run): every request to the app's origin but `/api` is answered from
 * there (a path without a file gets index.html, as the site does). Service workers are blocked
 * for it (a worker's own fetches would pass by the route); the upload uses none.
 */
async function serveWebFrom(context: BrowserContext, appUrl: string, webDir: string): Promise<void> {
  const origin = new URL(appUrl).origin;
  await context.route(
    (url) => url.origin === origin && !url.pathname.startsWith('/api/'),
    async (route) => {
      const wanted = path.join(webDir, decodeURIComponent(new URL(route.request().url()).pathname));
      const file = wanted.startsWith(`${webDir}${path.sep}`) && existsSync(wanted) && !wanted.endsWith(path.sep) ? wanted : path.join(webDir, 'index.html');
      await route.fulfill({ path: file });
    },
  );
}

/**
 * Resolves once the uploads list shows `name` in one of `phases` (its row's `data-phase`), checked
 * on every change to the page's DOM (a MutationObserver; for 10 minutes at most): a locator's
 * `waitFor` polls every 500 ms after its first second, which added up to half a second to a run
 * (0.47 s measured) that raw's timing does not pay, and checking at every animation frame cost
 * the page ~0.25 s of CPU per 512 MiB run (a CPU profile), on the cores the upload needs.
 */
async function phaseShown(page: Page, name: string, phases: readonly string[]): Promise<void> {
  // A string (this file has no DOM types), evaluated over the DevTools protocol: the page's CSP
  // refuses the string evaluation `waitForFunction`'s polling does.
  await page.evaluate(`new Promise((resolve, reject) => {
    const shown = () => [...document.querySelectorAll('li[data-phase]')].some((row) => row.querySelector('.name')?.textContent?.startsWith(${JSON.stringify(name)}) && ${JSON.stringify(phases)}.includes(row.dataset.phase));
    if (shown()) return resolve();
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(${JSON.stringify(`${name} not shown ${phases.join(' or ')} within 10 minutes`)}));
    }, 600000);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'], characterData: true });
  })`);
}

/**
 * browser-raw: the browser's own limit — raw's parallel PUTs from a page of the app's origin in
 * headless Chromium (XHR, `RAW_PARALLEL` at a time, every URL signed beforehand, no checksum),
 * then the completion; each body a slice of the picked File, as the app sends it (an ArrayBuffer
 * body read beforehand was 10-25 times slower here: Chromium copies it in small pieces).
 * Chromium's network process spends CPU on every byte it sends (~0.7 s per 128 MiB here against
 * Node's 0.05 s), so on 2 cores the browser cannot reach raw's figure whatever the app does: this
 * separates what Chromium costs from what the app's integrity costs.
 */
function browserRawVariant(name: string, description: string): Variant {
  return {
    name,
    description,
    async run(context) {
      if (!context.appUrl) throw new Error('the local stack serves no web app: run npm run build');
      const fileName = context.runName(name);
      const size = FILE_MIB * MiB;
      const created = await apiOf(context).call('POST /uploads', { body: { folder: BENCH_FOLDER, fileName, contentType: 'video/mp4', size } });
      if (created.mode !== 'multipart') throw new Error(`expected a multipart upload, got ${created.mode}`);
      const parts = await signAll(context, created.uploadId, created.partCount);
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
        await page.goto(context.appUrl);
        await page.evaluate(`(() => { const input = document.createElement('input'); input.type = 'file'; input.id = 'bench-raw'; document.body.append(input); })()`);
        await page.setInputFiles('#bench-raw', context.file);
        const job = { parts, partSize: created.partSize, size, parallel: RAW_PARALLEL };
        // A string (this file has no DOM types); the page's own clock times the PUTs alone.
        const sent = await page.evaluate<{ seconds: number; etags: { partNumber: number; etag: string }[] }>(`(async (job) => {
          const file = document.getElementById('bench-raw').files[0];
          const put = (part) => new Promise((resolve, reject) => {
            const offset = (part.partNumber - 1) * job.partSize;
            const end = Math.min(job.size, offset + job.partSize);
            const xhr = new XMLHttpRequest();
            xhr.open('PUT', part.url);
            for (const [k, v] of Object.entries(part.headers)) if (!['content-length', 'host', 'connection'].includes(k.toLowerCase())) xhr.setRequestHeader(k, v);
            xhr.onload = () => (xhr.status === 200 ? resolve({ partNumber: part.partNumber, etag: (xhr.getResponseHeader('etag') || '').replace(/"/g, '') }) : reject(new Error('PUT ' + xhr.status)));
            xhr.onerror = () => reject(new Error('PUT failed'));
            xhr.send(file.slice(offset, end));
          });
          const etags = [];
          let next = 0;
          const started = performance.now();
          await Promise.all(Array.from({ length: job.parallel }, async () => { while (next < job.parts.length) etags.push(await put(job.parts[next++])); }));
          return { seconds: (performance.now() - started) / 1000, etags: etags.sort((a, b) => a.partNumber - b.partNumber) };
        })(${JSON.stringify(job)})`);
        const started = performance.now();
        const completed = await apiOf(context).call('POST /uploads/{uploadId}/complete', { params: { uploadId: created.uploadId }, body: { parts: sent.etags } });
        const complete = (performance.now() - started) / 1000;
        await removeStored(context, completed.file?.id);
        return { seconds: sent.seconds + complete, sendingSeconds: sent.seconds };
      } finally {
        await browser.close();
      }
    },
  };
}

const browserUpload: Variant = browserVariant('browser', 'the web app in headless Chromium: file chooser to the upload shown done (completion answered), each part read once in a Worker of its own for its CRC-32C and the whole file\'s SHA-256', 0.8);

function browserVariant(variantName: string, description: string, goal?: number, webDir?: string): Variant {
  return {
  name: variantName,
  description,
  ...(goal !== undefined ? { goal } : {}),
  async run(context) {
    if (!context.appUrl) throw new Error('the local stack serves no web app: run npm run build');
    const name = context.runName(variantName);
    const file = path.join(context.dir, name);
    linkSync(context.file, file);
    await apiOf(context).call('POST /folders', { body: { path: BENCH_FOLDER } });
    const browser = await launchChromium();
    try {
      const browserContext = await browser.newContext({ viewport: DESKTOP, ...(webDir ? { serviceWorkers: 'block' as const } : {}) });
      if (webDir) await serveWebFrom(browserContext, context.appUrl, webDir);
      const page = await browserContext.newPage();
      await page.goto(context.appUrl);
      await page.getByLabel('Username').fill(context.user.username);
      await page.getByLabel('Password').fill(context.user.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      // Login lands on the timeline: the folders are a click away.
      await page.getByRole('button', { name: 'Folders', exact: true }).click();
      await page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: BENCH_FOLDER.slice(1), exact: true }).click();
      await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: BENCH_FOLDER.slice(1) }).waitFor();
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Upload files' }).click();
      const fileChooser = await chooser;
      const trace = TRACE ? await startTrace(await browserContext.newCDPSession(page)) : undefined;
      // Strings, not functions: the page's own `performance`, not the one this file imports from perf_hooks.
      const pageStarted = TRACE ? await page.evaluate<number>('performance.now()') : 0;
      const started = performance.now();
      await fileChooser.setFiles(file);
      // Since the phone-first shell the list of uploads opens from the top bar's indicator (an older build shows it in the page).
      const indicator = page.getByRole('button', { name: /^Uploads / });
      if (await indicator.waitFor({ timeout: 5_000 }).then(() => true, () => false)) {
        if ((await indicator.getAttribute('aria-expanded')) !== 'true') await indicator.click();
      }
      // Done = the completion answered, where raw and the CLI stop too; the tile follows once the
      // S3 event reached the sync function (untimed).
      const item = page.getByRole('listitem').filter({ hasText: name });
      // "finishing": every part stored, the completion asked (it lasts as long as the local S3 takes).
      await phaseShown(page, name, ['completing', 'done']);
      const sendingSeconds = (performance.now() - started) / 1000;
      await phaseShown(page, name, ['done']);
      const seconds = (performance.now() - started) / 1000;
      await item.getByText(/^done · /).waitFor();
      if (trace) printUploadTrace(variantName, await trace.stop(), await page.evaluate<{ name: string; startTime: number; responseEnd: number }[]>("performance.getEntriesByType('resource').map((e) => ({ name: e.name, startTime: e.startTime, responseEnd: e.responseEnd }))"), pageStarted);
      await page.getByRole('button', { name: `Open ${name}`, exact: true }).waitFor({ timeout: 120_000 });
      const listed = await apiOf(context).call('GET /files', { query: { folder: BENCH_FOLDER } });
      await removeStored(context, listed.files.find((f) => f.name === name)?.id);
      return { seconds, sendingSeconds };
    } finally {
      await browser.close();
      rmSync(file, { force: true });
    }
  },
  };
}

/**
 * BENCH_UPLOAD_TRACE=1: where a browser upload's time went — its requests on a timeline from
 * setting the file chooser (Resource Timing: the API calls, every part's PUT) and each Chromium
 * thread's CPU time (a trace: the page, the hashing Workers, the network service).
 */
function printUploadTrace(variant: string, events: readonly TraceEvent[], requests: readonly { name: string; startTime: number; responseEnd: number }[], t0: number): void {
  const at = (ms: number): string => `${((ms - t0) / 1000).toFixed(2)} s`;
  console.log(`\n  ${variant}: requests from setting the file chooser (start → end)`);
  const puts = requests.filter((r) => r.startTime >= t0 && new URL(r.name).searchParams.has('partNumber'));
  for (const r of requests) {
    if (r.startTime < t0) continue;
    const url = new URL(r.name);
    if (url.searchParams.has('partNumber')) continue;
    console.log(`    ${at(r.startTime).padStart(8)} → ${at(r.responseEnd).padStart(8)}  ${url.pathname.replace(/\/uploads\/[^/]+/, '/uploads/{id}')}`);
  }
  if (puts.length) {
    const first = Math.min(...puts.map((p) => p.startTime));
    const last = Math.max(...puts.map((p) => p.responseEnd));
    const median = [...puts.map((p) => p.responseEnd - p.startTime)].sort((a, b) => a - b)[Math.floor(puts.length / 2)] as number;
    console.log(`    ${at(first).padStart(8)} → ${at(last).padStart(8)}  ${puts.length} part PUTs (median ${(median / 1000).toFixed(2)} s each)`);
  }
  console.log(`  ${variant}: thread CPU time (top-level tasks), busiest first`);
  for (const t of threadCpu(events).slice(0, 10)) console.log(`    ${t.cpuMs.toFixed(0).padStart(7)} ms CPU  ${t.wallMs.toFixed(0).padStart(7)} ms wall  ${t.thread}`);
}

const VARIANTS: readonly Variant[] = [
  raw,
  cliVariant('cli-no-checksum', 'media-store upload --no-checksum', ['--no-checksum'], 0.9),
  rawVariant('raw-crc32c', true),
  cliVariant('cli-crc32c', 'media-store upload (per-part CRC-32C hashed while sending, verified by S3; the whole file\'s SHA-256 hashed beside sending above 64 MiB)', [], 0.8),
  cliVariant('cli-file-sha256', 'media-store upload --file-sha256 (the whole file and its parts hashed before the upload starts)', ['--file-sha256']),
  cliVariant('cli-fixed-4', 'media-store upload --no-checksum --parallel 4 (fixed, as before)', ['--no-checksum', '--parallel', '4']),
  cliVariant('cli-crc32c-fixed-4', 'media-store upload --parallel 4 (fixed, as before)', ['--parallel', '4']),
  ...(BASELINE_CLI
    ? [
        cliVariant('before-no-checksum', `${BASELINE_CLI} upload --no-checksum`, ['--no-checksum'], undefined, BASELINE_CLI),
        cliVariant('before-checksum', `${BASELINE_CLI} upload`, [], undefined, BASELINE_CLI),
      ]
    : []),
  browserRawVariant('browser-raw', `${RAW_PARALLEL} parallel PUTs from a page in headless Chromium (XHR, bodies File slices as the app sends them, URLs signed beforehand, no checksum), + completion: the browser's own limit`),
  browserUpload,
  ...(BASELINE_WEB ? [browserVariant('before-browser', `the web app built in ${BASELINE_WEB}, the same way`, undefined, BASELINE_WEB)] : []),
];

// ---------------------------------------------------------------------------------------------

function writeRandomFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    const chunk = randomBytes(4 * MiB);
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  } finally {
    closeSync(fd);
  }
}

/** The machine's load average (1, 5, 15 minutes): the figures swing with it on a shared machine. */
const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** A table with the first column left-aligned and the others right-aligned. */
function printTable(title: string, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(`  ${line(head)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

async function main(): Promise<void> {
  const only = process.env.BENCH_UPLOAD_ONLY?.split(',').map((s) => s.trim());
  const variants = VARIANTS.filter((v) => v.name === 'raw' || !only || only.includes(v.name));
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-bench-upload-'));
  const file = path.join(dir, 'bench.mp4');
  const password = randomBytes(18).toString('base64url');
  let stack: ChildProcess | undefined;
  try {
    writeRandomFile(file, FILE_MIB * MiB);
    const started = await startStack(dir, password);
    stack = started.child;
    const apiUrl = started.info.apiUrl;
    const login = (): Promise<CliSessionAnswer> => apiOf({ apiUrl, token: '' }).call('POST /auth/login', { body: { username: 'bench', password, client: 'cli' } });
    let runs = 0;
    const rawClient = bundleRawClient(dir);
    const contextOf = (session: CliSessionAnswer): BenchContext => ({ apiUrl, ...(started.info.appUrl ? { appUrl: started.info.appUrl } : {}), user: { username: 'bench', password }, token: session.token, session, file, dir, rawClient, runName: (variant) => `${variant}-${(runs += 1)}-${Date.now()}.mp4` });
    console.log(`${FILE_MIB} MiB file, ${ROUNDS} round(s), local stack ${started.info.apiUrl} (own process), CLI ${path.relative(ROOT, CLI)}, load average ${loadText()} (1, 5, 15 min) on ${cpus().length} cores`);
    for (const variant of variants) console.log(`  ${variant.name.padEnd(18)} ${variant.description}`);

    const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const results = new Map<string, RunResult[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate the order so no variant always runs first or right after the same other one.
      const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
      for (const variant of order) {
        const result = await variant.run(contextOf(await login()));
        const { seconds } = result;
        times.get(variant.name)?.push(seconds);
        results.get(variant.name)?.push(result);
        const cpu = result.cpuSeconds !== undefined ? `  client CPU ${result.cpuSeconds.toFixed(2)} s` : '';
        const peak = result.peakMiB !== undefined ? `  peak ${result.peakMiB.toFixed(0)} MiB` : '';
        console.log(`  round ${round + 1} ${variant.name.padEnd(18)} ${seconds.toFixed(2).padStart(6)} s  ${(FILE_MIB / seconds).toFixed(1).padStart(6)} MiB/s${cpu}${peak}  load ${loadText()}`);
      }
    }

    const rate = (name: string, pick: (values: readonly number[]) => number): number => FILE_MIB / pick(times.get(name) ?? []);
    const rawMedian = rate('raw', median);
    const rawBest = rate('raw', (v) => Math.min(...v));
    const checkedRaw = times.get('raw-crc32c')?.length ? rate('raw-crc32c', median) : undefined;
    const browserRaw = times.get('browser-raw')?.length ? rate('browser-raw', median) : undefined;
    printTable(
      `MiB/s (median of ${ROUNDS} / best); ratio = variant / raw`,
      ['variant', 'median', 'best', 'ratio median', 'ratio best', 'goal', ...(checkedRaw ? ['÷ raw-crc32c'] : []), ...(browserRaw ? ['÷ browser-raw'] : []), 'client CPU s', 'peak MiB'],
      variants.map((v) => {
        const ratio = rate(v.name, median) / rawMedian;
        const goal = v.goal === undefined ? '' : `≥ ${v.goal}× ${ratio >= v.goal ? 'met' : 'NOT met'}`;
        const runs = results.get(v.name) ?? [];
        const cpu = runs.flatMap((r) => (r.cpuSeconds !== undefined ? [r.cpuSeconds] : []));
        const peak = runs.flatMap((r) => (r.peakMiB !== undefined ? [r.peakMiB] : []));
        return [
          v.name,
          rate(v.name, median).toFixed(1),
          rate(v.name, (x) => Math.min(...x)).toFixed(1),
          `${ratio.toFixed(2)}×`,
          `${(rate(v.name, (x) => Math.min(...x)) / rawBest).toFixed(2)}×`,
          goal,
          ...(checkedRaw ? [`${(rate(v.name, median) / checkedRaw).toFixed(2)}×`] : []),
          ...(browserRaw ? [v.name.includes('browser') ? `${(rate(v.name, median) / browserRaw).toFixed(2)}×` : ''] : []),
          cpu.length ? median(cpu).toFixed(2) : '',
          peak.length ? Math.max(...peak).toFixed(0) : '',
        ];
      }),
    );
    const sending = (name: string): number[] => (results.get(name) ?? []).flatMap((r) => (r.sendingSeconds !== undefined ? [r.sendingSeconds] : []));
    const rawSending = median(sending('raw'));
    printTable(
      `Sending alone, completion excluded: MiB/s (median of ${ROUNDS}); ratio = variant / raw's PUTs`,
      ['variant', 'median', 'ratio', 'goal'],
      variants.flatMap((v) => {
        const runs = sending(v.name);
        if (!runs.length) return [];
        const ratio = rawSending / median(runs);
        const goal = v.goal === undefined ? '' : `≥ ${v.goal}× ${ratio >= v.goal ? 'met' : 'NOT met'}`;
        return [[v.name, (FILE_MIB / median(runs)).toFixed(1), `${ratio.toFixed(2)}×`, goal]];
      }),
    );
    console.log(`\nload average at the end: ${loadText()}`);
    const putsMedian = median(rawPhases.map((p) => p.puts));
    console.log(
      `\nraw's PUTs alone: ${(FILE_MIB / putsMedian).toFixed(1)} MiB/s (median ${putsMedian.toFixed(2)} s); ` +
        `its completion by the local S3: median ${median(rawPhases.map((p) => p.complete)).toFixed(2)} s (the CLI pays the same one).`,
    );
  } finally {
    if (stack) await stopStack(stack);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
