/**
 * Builds the web app (web/, Vite + Preact) into `dist/web`: `index.html` and hashed files
 * under `assets/`. Reports what a first visit downloads — the JS and CSS `index.html` loads,
 * gzipped — against the budget.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(__dirname, '..');
const VITE = 'vite';
/** Initial JS + CSS, gzip. */
export const WEB_BUDGET_BYTES = 60 * 1024;

export interface WebReport {
  readonly outDir: string;
  readonly files: number;
  /** Gzipped bytes of the scripts and stylesheets `index.html` loads. */
  readonly initialGzipBytes: number;
  readonly initialFiles: readonly string[];
}

/** The scripts and stylesheets an HTML page loads from its own origin. */
export function initialAssets(html: string): string[] {
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  return [...new Set(refs)];
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
  const initialGzipBytes = initialFiles.reduce((sum, ref) => sum + gzipSync(readFileSync(join(outDir, ref)), { level: 9 }).length, 0);
  const count = (dir: string): number => readdirSync(dir).reduce((n, name) => n + (statSync(join(dir, name)).isDirectory() ? count(join(dir, name)) : 1), 0);
  return { outDir, files: count(outDir), initialGzipBytes, initialFiles };
}

export function formatWebReport(report: WebReport): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} kB`;
  const verdict = report.initialGzipBytes <= WEB_BUDGET_BYTES ? 'within' : 'OVER';
  return `web app: ${report.files} files in ${report.outDir}; initial JS+CSS ${kb(report.initialGzipBytes)} gzip (${verdict} the ${kb(WEB_BUDGET_BYTES)} budget)`;
}
