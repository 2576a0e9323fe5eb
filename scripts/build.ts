/**
 * `npm run build`: bundles every function of contract/functions.ts with esbuild and writes
 * `dist/<name>.zip` holding `index.js` and `index.js.map`, then the web app into `dist/web`
 * (scripts/build-web.ts). The zips are deterministic — fixed
 * timestamps and permissions, sorted entries, nothing machine-specific in the bundle or its
 * source map — so the same source gives the same bytes and plans do not churn. It also bundles
 * the CLI into `dist/cli/media-store.js` (one executable file, no dependencies: what
 * `npm pack` ships and `bin/media-store.js` runs).
 *
 * A function that declares `packages` (native or WASM: sharp, heic-decode, ffmpeg) gets them
 * left out of the bundle and shipped in the zip's `node_modules/` with their dependencies,
 * for linux-x64 AND linux-arm64 (so the zip the local stack runs is the very one deployed,
 * whichever `architecture` is chosen). npm installs only this machine's architecture, so the
 * other one's packages are fetched on demand at the versions and integrity hashes
 * package-lock.json pins into the build's own cache, `.cache/packages/` (scripts/package-cache.ts):
 * the build never writes to node_modules, package.json or the lock.
 * Executables (ffmpeg) are stored with mode 0755: npm skips their chmod script and Lambda
 * runs as a non-root user.
 *
 *   tsx scripts/build.ts [--out <dir>]
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { ZipFile } from 'yazl';
import { FUNCTION_NAMES, FUNCTIONS, bundleZipPath, type FunctionName } from '../contract/functions';
import { buildWeb, formatWebReport, WEB_BUDGET_BYTES } from './build-web';
import { lockedPackages } from './package-cache';
import { inputsChanged, recordInputs } from './source-hash';

interface BundleReport {
  readonly name: FunctionName;
  readonly zipPath: string;
  readonly jsBytes: number;
  readonly mapBytes: number;
  readonly zipBytes: number;
  readonly sha256: string;
  /** esbuild's record of the files bundled. */
  readonly metafile: Metafile;
}

const ROOT = resolve(__dirname, '..');

/**
 * Links of the SDK's default credential chain that Lambda never reaches: Lambda puts the
 * role's credentials in the environment, the chain's first link, so the SSO, shared-file,
 * process and web-identity providers (and the STS/SSO clients they bring, a third of the
 * authorizer's code) are left out of the bundles. The chain loads them with `import()` only
 * when there are no credentials in the environment; outside Lambda that import fails and
 * names the missing package. Measured by bench:cold: about 5 ms less init per function.
 */
const UNREACHABLE_ON_LAMBDA = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@aws-sdk/nested-clients/*',
];

/**
 * esbuild settings shared by every function: Lambda's nodejs22.x, the SDK bundled in.
 * `mainFields` puts `module` first so the SDK's ES module builds (`dist-es`) are bundled and
 * tree-shaken instead of its CommonJS `dist-cjs` files, which esbuild must keep whole: a third
 * less code to compile at cold start (bench:cold). The output stays CommonJS: an ESM bundle
 * measured slower to load on Node 22.
 */
export function bundleOptions(name: FunctionName, root: string = ROOT): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, FUNCTIONS[name].entry)],
    // A fixed virtual output path: source map `sources` are relative to it, whatever --out is.
    outfile: join(root, 'dist', name, 'index.js'),
    bundle: true,
    // Native and WASM packages ship beside the bundle (see the header).
    external: [...UNREACHABLE_ON_LAMBDA, ...(FUNCTIONS[name].packages ?? [])],
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node22',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    metafile: true,
    logLevel: 'warning',
  };
}

async function buildFunction(name: FunctionName, outDir: string, root: string = ROOT): Promise<BundleReport> {
  // Loaded on demand: a synth with up-to-date bundles never needs esbuild.
  const { build } = await import('esbuild');
  const result = await build(bundleOptions(name, root));
  const outputs = result.outputFiles ?? [];
  const js = outputs.find((f) => f.path.endsWith('index.js'));
  const map = outputs.find((f) => f.path.endsWith('index.js.map'));
  if (js === undefined || map === undefined) throw new Error(`esbuild produced no index.js/index.js.map for ${name}`);
  const ownMap = Buffer.from(ownSourcesOnly(Buffer.from(map.contents).toString('utf8')));
  const zip = await writeZip([
    { name: 'index.js', data: Buffer.from(js.contents) },
    { name: 'index.js.map', data: ownMap },
    ...shippedPackageEntries(FUNCTIONS[name].packages ?? [], root),
  ]);
  const zipPath = join(outDir, `${name}.zip`);
  await writeFile(zipPath, zip);
  return {
    name,
    zipPath,
    jsBytes: js.contents.length,
    mapBytes: ownMap.length,
    zipBytes: zip.length,
    sha256: createHash('sha256').update(zip).digest('hex'),
    metafile: result.metafile!,
  };
}

/** Records the source files behind `<outDir>/*.zip`, so a later synth knows whether they are current. */
const INPUTS_RECORD = '.inputs.json';

export async function buildAll(outDir: string = join(ROOT, 'dist'), root: string = ROOT): Promise<BundleReport[]> {
  await mkdir(outDir, { recursive: true });
  const reports = await Promise.all(FUNCTION_NAMES.map((name) => buildFunction(name, outDir, root)));
  const record = recordInputs(root, reports.map((r) => r.metafile), ['scripts/build.ts', 'scripts/source-hash.js']);
  await writeFile(join(outDir, INPUTS_RECORD), `${JSON.stringify(record, null, 1)}\n`);
  return reports;
}

/**
 * Builds the bundles unless every zip exists and no file they were built from changed since
 * (content hashes, not timestamps). The zips are deterministic, so a rebuild of unchanged
 * source would give the same bytes anyway: this only saves the time.
 */
export async function buildIfStale(root: string = ROOT): Promise<BundleReport[] | 'up-to-date'> {
  const outDir = join(root, 'dist');
  const complete = FUNCTION_NAMES.every((name) => existsSync(join(root, bundleZipPath(name))));
  if (complete && !inputsChanged(root, join(outDir, INPUTS_RECORD))) return 'up-to-date';
  return buildAll(outDir, root);
}

/** Where the CLI bundle goes inside the output directory (package.json `files` ships it). */
const CLI_BUNDLE = join('cli', 'media-store.js');

/**
 * esbuild settings of the CLI: one CommonJS file for the oldest Node the package supports
 * (`engines`), executable through its shebang. Not minified: a user's `--debug` stack trace
 * should stay readable, and the whole CLI is small.
 */
export function cliBundleOptions(outDir: string, root: string = ROOT): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, 'cli', 'bin.ts')],
    outfile: join(outDir, CLI_BUNDLE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  };
}

async function buildCli(outDir: string = join(ROOT, 'dist'), root: string = ROOT): Promise<{ path: string; bytes: number }> {
  const options = cliBundleOptions(outDir, root);
  const { build } = await import('esbuild');
  await build(options);
  const file = options.outfile as string;
  await chmod(file, 0o755);
  return { path: file, bytes: (await stat(file)).size };
}

interface SourceMap {
  sources: string[];
  names: string[];
  mappings: string;
}

/**
 * The source map restricted to this project's sources: the bundled dependencies' (three
 * quarters of the code, mostly the SDK) are marked unmapped. A stack trace still points into
 * handlers/ and contract/; SDK frames keep their (kept) function names. This halves the zip
 * and the map Node parses at cold start under --enable-source-maps.
 */
function ownSourcesOnly(json: string): string {
  const map = JSON.parse(json) as SourceMap;
  const keep = map.sources.map((source) => !source.split('/').includes('node_modules'));
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  const lines = decode(map.mappings).map((line) => {
    const out: SourceMapSegment[] = [];
    for (const segment of line) {
      if (segment.length === 1 || !keep[segment[1]]) {
        // One unmapped marker covers the run up to the next mapped segment.
        if (out.length > 0 && out[out.length - 1]!.length !== 1) out.push([segment[0]]);
        continue;
      }
      if (!sourceIndex.has(segment[1])) sourceIndex.set(segment[1], sources.push(map.sources[segment[1]] as string) - 1);
      const mapped: [number, number, number, number] = [segment[0], sourceIndex.get(segment[1])!, segment[2], segment[3]];
      if (segment.length === 4) out.push(mapped);
      else {
        if (!nameIndex.has(segment[4])) nameIndex.set(segment[4], names.push(map.names[segment[4]] as string) - 1);
        out.push([...mapped, nameIndex.get(segment[4])!]);
      }
    }
    return out;
  });
  return JSON.stringify({ ...map, sources, names, mappings: encode(lines) });
}

/** Both Lambda architectures; platform packages of any other (musl, darwin, wasm32) are left out. */
const LAMBDA_PLATFORMS = /(^|[-/])linux-(x64|arm64)$/;
const PLATFORM_PACKAGE = /(^|[-/])(linux|linuxmusl|darwin|win32|wasm32|freebsd|android)(-[a-z0-9]+)?$/;
/** Packages of both architectures: the one npm did not install here comes from the build's cache (see the header). */
const CROSS_ARCH_PACKAGES = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64', '@ffmpeg-installer/linux-arm64', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', '@ffmpeg-installer/linux-x64'];
/** Nothing a running function reads. */
const SKIPPED_FILE = /(\.d\.ts|\.md|\.map|\.cc|\.h|\.gyp|\.c)$/i;
const LICENSE_FILE = /^(licen[cs]e|copying|notice)/i;

/**
 * Every package the given ones need at run time (dependencies, and optional ones for Lambda's
 * platforms), each with the directory it is read from: node_modules, or the build's cache for
 * what npm did not install here (`locate`: scripts/package-cache.ts's lockedPackages).
 */
function packageClosure(names: readonly string[], locate: (name: string) => string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const dir = locate(name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) throw new Error(`${name} is not installed (needed in a function's zip)`);
    seen.set(name, dir);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) if (LAMBDA_PLATFORMS.test(dep)) visit(dep);
  };
  for (const name of names) {
    if (PLATFORM_PACKAGE.test(name) && !LAMBDA_PLATFORMS.test(name)) continue;
    visit(name);
  }
  return new Map([...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'test' || entry.name === 'docs' ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** The zip entries of the shipped packages, at `node_modules/<name>/…`. */
function shippedPackageEntries(names: readonly string[], root: string): ZipEntry[] {
  if (names.length === 0) return [];
  return [...packageClosure([...names, ...CROSS_ARCH_PACKAGES], lockedPackages(root))].flatMap(([name, dir]) => {
    return filesUnder(dir)
      .filter((file) => !SKIPPED_FILE.test(file) || LICENSE_FILE.test(file.slice(dirname(file).length + 1)))
      .map((file) => {
        // npm leaves ffmpeg 0744 (its chmod script does not run): an execute bit on a binary makes it 0755.
        const executable = (statSync(file).mode & 0o111) !== 0 && !/\.(js|cjs|mjs|json)$|\.so(\.|$)/.test(file);
        return { name: `node_modules/${name}/${relative(dir, file).split('\\').join('/')}`, data: readFileSync(file), mode: executable ? 0o755 : 0o644 };
      });
  });
}

/** One file of a bundle zip. */
interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits, e.g. 0o755 for an executable (a native binary the handler spawns). @default 0o644 */
  readonly mode?: number;
}

/** 1980-01-01 00:00, the DOS epoch, built from local fields because zip stores local time. */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
const REGULAR_FILE = 0o100000;

/**
 * A deterministic zip (yazl): entries in name order, every timestamp the DOS epoch with no
 * extended-timestamp field, modes fixed per entry, deflate level 9 — the same entries give
 * the same bytes on any machine, time zone or umask.
 */
export function writeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    zip.addBuffer(entry.data, entry.name, { mtime: ZIP_EPOCH, forceDosTimestamp: true, mode: REGULAR_FILE | (entry.mode ?? 0o644), compressionLevel: 9 });
  }
  zip.end();
  return new Promise((resolveZip, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolveZip(Buffer.concat(chunks)));
  });
}

function formatTable(reports: readonly BundleReport[], millis: number): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  const rows = reports.map((r) => [r.name, kib(r.jsBytes), kib(r.mapBytes), kib(r.zipBytes), r.sha256.slice(0, 12)]);
  const header = ['function', 'index.js', 'index.js.map', 'zip', 'sha256'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), ...rows.map(line), `built ${reports.length} bundles in ${(millis / 1000).toFixed(2)} s`].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const outDir = outIndex >= 0 && argv[outIndex + 1] !== undefined ? resolve(argv[outIndex + 1] as string) : join(ROOT, 'dist');
  const started = Date.now();
  const [reports, cli] = await Promise.all([buildAll(outDir), buildCli(outDir)]);
  process.stdout.write(`${formatTable(reports, Date.now() - started)}\n`);
  process.stdout.write(`CLI: ${cli.path} (${(cli.bytes / 1024).toFixed(1)} KiB)\n`);
  const web = await buildWeb(join(outDir, 'web'));
  process.stdout.write(`${formatWebReport(web)}\n`);
  if (web.initialGzipBytes > WEB_BUDGET_BYTES) throw new Error('the web app is over its size budget');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
