/**
 * `npm run bench:lighthouse`: Lighthouse 12.2 (mobile) against the in-memory local stack serving
 * the built app (`dist/web`): the login page, a share page, and the signed-in app. Lighthouse
 * drives one Chromium this script starts (playwright-core, remote debugging port): signed out for
 * the first two, then signed in the way a browser is (a login through the browser's own request
 * context, so its cookie jar holds the HttpOnly refresh cookie and the signed-in hint; Lighthouse
 * keeps storage for that run). Prints performance, accessibility and
 * best-practices scores beside the goals (issue 20: ≥ 95, 100, 100) and the load average, and the
 * initial JS + CSS of the build (goal ≤ 60 kB gzip). Not part of npm test.
 *
 * Lighthouse runs through `npx -y lighthouse@12.2` (13 needs Node 22) with Debian's Chromium
 * (`CHROME_PATH`, default `command -v chromium`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Logger } from '../local/log';
import { PROJECT_ROOT, startLocalStack } from '../local/stack';
import { png } from '../test/browser/support/media-files';
import { buildWeb, WEB_BUDGET_BYTES } from './build-web';

const GOALS = { performance: 95, accessibility: 100, 'best-practices': 100 } as const;
type Category = keyof typeof GOALS;
const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

function chromePath(): string {
  return process.env.CHROME_PATH ?? execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * One Lighthouse run (mobile, the default form factor) in the Chromium listening on `port`: the
 * three categories' scores, 0-100. `keepStorage` keeps the browser's cookies (a signed-in run).
 */
async function lighthouse(url: string, port: number, keepStorage: boolean, outDir: string, name: string): Promise<Record<Category, number>> {
  const out = path.join(outDir, `${name}.json`);
  const args = ['-y', 'lighthouse@12.2', url, ...(process.env.BENCH_LIGHTHOUSE_VERBOSE ? [] : ['--quiet']), '--output=json', `--output-path=${out}`, '--only-categories=performance,accessibility,best-practices', `--port=${port}`, ...(keepStorage ? ['--disable-storage-reset'] : [])];
  // Asynchronously: the local stack answers from this very process, so a spawnSync would stall
  // every request the page makes (the page never painted).
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npx', args, { env: { ...process.env, CHROME_PATH: chromePath() }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (status !== 0) throw new Error(`lighthouse ${name} exited ${status}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { categories: Record<Category, { score: number }>; audits: Record<string, { score: number | null; title: string }> };
  const failing = Object.entries(report.audits).filter(([, a]) => a.score !== null && a.score < 1 && !/metric|largest|first|speed|total-blocking|cumulative|interactive/.test(a.title.toLowerCase())).map(([id]) => id);
  if (failing.length) console.log(`  ${name}: audits below 1: ${failing.slice(0, 12).join(', ')}`);
  return Object.fromEntries((Object.keys(GOALS) as Category[]).map((c) => [c, Math.round((report.categories[c]?.score ?? 0) * 100)])) as Record<Category, number>;
}

async function main(): Promise<void> {
  const web = await buildWeb(path.join(PROJECT_ROOT, 'dist', 'web'));
  const admin = { username: 'admin', password: `Bench-${Date.now()}-lighthouse` };
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminUser: admin.username, adminPassword: admin.password, logger: quietLogger, webDir: web.outDir });
  const outDir = mkdtempSync(path.join(tmpdir(), 'lighthouse-'));
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'lighthouse-chromium-'));
  try {
    const app = stack.appUrl ?? `${stack.apiUrl}/`;
    const api = async <T>(route: string, init: { json?: unknown; token?: string; method?: string } = {}): Promise<{ status: number; body: T; cookie: string | null }> => {
      const response = await fetch(`${app}api${route}`, {
        method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
        headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, cookie: response.headers.get('set-cookie') };
    };
    // Photos and a share of them, made over the API (seeding, outside every figure).
    const login = await api<{ token: string }>('/auth/login', { json: admin });
    const token = login.body.token;
    const folder = '/lighthouse';
    await api('/folders', { token, json: { path: folder } });
    for (let i = 0; i < 12; i += 1) {
      const bytes = png(640, 420, [(i * 40) % 256, (i * 90) % 256, (i * 20) % 256]);
      const created = await api<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', { token, json: { folder, fileName: `photo-${i}.png`, contentType: 'image/png', size: bytes.length } });
      await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
    }
    const share = await api<{ path?: string; url?: string; token?: string }>('/shares', { token, json: { folder } });
    const sharePath = share.body.path ?? (share.body.url ? new URL(share.body.url).pathname : `/s/${share.body.token}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));

    // One Chromium for every run; Lighthouse opens its tabs in the persistent (default) context.
    const port = await freePort();
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromePath(), headless: true, args: [`--remote-debugging-port=${port}`, '--no-sandbox'] });
    const rows: string[] = [];
    let met = true;
    try {
      const run = async (name: string, url: string, signedIn: boolean): Promise<void> => {
        const scores = await lighthouse(url, port, signedIn, outDir, name);
        const cells = (Object.keys(GOALS) as Category[]).map((c) => {
          const ok = c === 'performance' ? scores[c] >= GOALS[c] : scores[c] === GOALS[c];
          met &&= ok;
          return `${c} ${scores[c]} (goal ${c === 'performance' ? '≥ ' : ''}${GOALS[c]}${ok ? '' : ', NOT met'})`;
        });
        rows.push(`${name.padEnd(10)} ${cells.join(' · ')}`);
        console.log(`  ${rows[rows.length - 1]}`);
      };
      await run('login', app, false);
      await run('share', new URL(sharePath, app).toString(), false);
      // Signed in as a browser is: the login's Set-Cookie lands in this browser's cookie jar.
      const signIn = await context.request.post(`${app}api/auth/login`, { data: admin });
      if (!signIn.ok()) throw new Error(`the browser's login answered ${signIn.status()}`);
      if (!(await context.cookies()).some((c) => c.httpOnly)) throw new Error('the login set no refresh cookie in the browser');
      await run('signed-in', app, true);
    } finally {
      await context.close();
    }
    const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
    console.log(`\nLighthouse 12.2, mobile, local stack (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
    for (const row of rows) console.log(`  ${row}`);
    console.log(`  initial JS + CSS ${kb(web.initialGzipBytes)} gzip (goal ≤ ${kb(WEB_BUDGET_BYTES)})`);
    console.log(`  reports: ${outDir}`);
    if (!met) process.exitCode = 1;
  } finally {
    await stack.stop();
    rmSync(userDataDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP_REPORTS !== '1' && process.exitCode !== 1) rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
