/**
 * Builds the web app (web/, Vite + Preact) into `dist/web`: `index.html` and hashed files
 * under `assets/`, the install icons (PNG, drawn by sharp from `web/public/icon.svg`) and the
 * Service Worker with the app shell's files listed in it. Reports what a first visit downloads
 * — the JS and CSS `index.html` loads, gzipped — against the budget.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';

const ROOT = resolve(__dirname, '..');
const VITE = 'vite';
/** Initial JS + CSS, gzip. */
export const WEB_BUDGET_BYTES = 60 * 1024;

interface WebReport {
  readonly outDir: string;
  readonly files: number;
  /** Gzipped bytes of the scripts and stylesheets `index.html` loads. */
  readonly initialGzipBytes: number;
  readonly initialFiles: readonly string[];
}

/** The scripts and stylesheets an HTML page loads from its own origin. */
function initialAssets(html: string): string[] {
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  return [...new Set(refs)];
}

/** The install icons the manifest names: `[file, size, maskable]` (a maskable icon keeps its drawing in the middle 80 %). */
const ICONS: readonly (readonly [string, number, boolean])[] = [['icon-192.png', 192, false], ['icon-512.png', 512, false], ['maskable-512.png', 512, true]];

async function writeIcons(outDir: string): Promise<string[]> {
  const svg = readFileSync(join(ROOT, 'web', 'public', 'icon.svg'));
  mkdirSync(join(outDir, 'icons'), { recursive: true });
  const written: string[] = [];
  for (const [name, size, maskable] of ICONS) {
    const inner = maskable ? Math.round(size * 0.8) : size;
    const drawn = await sharp(svg, { density: 300 }).resize(inner, inner).png().toBuffer();
    const image = maskable
      ? sharp({ create: { width: size, height: size, channels: 4, background: '#1f5fbf' } }).composite([{ input: drawn, gravity: 'centre' }])
      : sharp(drawn);
    writeFileSync(join(outDir, 'icons', name), await image.png({ compressionLevel: 9 }).toBuffer());
    written.push(`/icons/${name}`);
  }
  return written;
}

/** Fills the Service Worker's list of shell files and its version (a new build, a new cache). */
function shellWorker(source: string, shell: readonly string[]): string {
  const version = createHash('sha256').update(shell.join('\n')).digest('hex').slice(0, 12);
  return source.replace('const SHELL = [];', `const SHELL = ${JSON.stringify(shell)};`).replace("const VERSION = 'dev';", `const VERSION = '${version}';`);
}

export async function buildWeb(outDir: string = join(ROOT, 'dist', 'web')): Promise<WebReport> {
  // Vite is ESM-only; typed loosely here because the root project resolves modules the CommonJS way.
  const { build } = (await import(VITE)) as { build(config: Record<string, unknown>): Promise<unknown> };
  await build({
    configFile: join(ROOT, 'web', 'vite.config.mts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const initialFiles = initialAssets(html);
  const icons = await writeIcons(outDir);
  const worker = join(outDir, 'sw.js');
  writeFileSync(worker, shellWorker(readFileSync(worker, 'utf8'), ['/index.html', ...initialFiles, '/manifest.webmanifest', '/icon.svg', ...icons]));
  const initialGzipBytes = initialFiles.reduce((sum, ref) => sum + gzipSync(readFileSync(join(outDir, ref)), { level: 9 }).length, 0);
  const count = (dir: string): number => readdirSync(dir).reduce((n, name) => n + (statSync(join(dir, name)).isDirectory() ? count(join(dir, name)) : 1), 0);
  return { outDir, files: count(outDir), initialGzipBytes, initialFiles };
}

export function formatWebReport(report: WebReport): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
  const verdict = report.initialGzipBytes <= WEB_BUDGET_BYTES ? 'within' : 'OVER';
  return `web app: ${report.files} files in ${report.outDir}; initial JS+CSS ${kb(report.initialGzipBytes)} gzip (${verdict} the ${kb(WEB_BUDGET_BYTES)} budget)`;
}
