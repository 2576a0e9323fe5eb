/**
 * `npm run build`: bundles every function of contract/functions.ts with esbuild and writes
 * `dist/<name>.zip` holding `index.js` and `index.js.map`. The zips are deterministic — fixed
 * timestamps and permissions, sorted entries, nothing machine-specific in the bundle or its
 * source map — so the same source gives the same bytes and plans do not churn.
 *
 * A function that declares `packages` (native or WASM: sharp, heic-decode, ffmpeg) gets them
 * left out of the bundle and shipped in the zip's `node_modules/` with their dependencies,
 * for linux-x64 AND linux-arm64 (so the zip the local stack runs is the very one deployed,
 * whichever `architecture` is chosen). npm installs only this machine's architecture, so the
 * other one's packages are installed on demand at the versions package-lock.json pins
 * (`npm install --no-save --force`, which leaves package.json and the lock untouched).
 * Executables (ffmpeg) are stored with mode 0755: npm skips their chmod script and Lambda
 * runs as a non-root user.
 *
 *   tsx scripts/build.ts [--out <dir>]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { deflateRawSync } from 'node:zlib';

const zlibCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
import { build, type BuildOptions } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../contract/functions';

export interface BundleReport {
  readonly name: FunctionName;
  readonly zipPath: string;
  readonly jsBytes: number;
  readonly mapBytes: number;
  readonly zipBytes: number;
  readonly sha256: string;
}

const ROOT = resolve(__dirname, '..');

/** esbuild settings shared by every function: Lambda's nodejs22.x, the SDK bundled in. */
export function bundleOptions(name: FunctionName, root: string = ROOT): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, FUNCTIONS[name].entry)],
    // A fixed virtual output path: source map `sources` are relative to it, whatever --out is.
    outfile: join(root, 'dist', name, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    keepNames: true,
    external: [...(FUNCTIONS[name].packages ?? [])],
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'warning',
  };
}

export async function buildFunction(name: FunctionName, outDir: string, root: string = ROOT): Promise<BundleReport> {
  const result = await build(bundleOptions(name, root));
  const outputs = result.outputFiles ?? [];
  const js = outputs.find((f) => f.path.endsWith('index.js'));
  const map = outputs.find((f) => f.path.endsWith('index.js.map'));
  if (js === undefined || map === undefined) throw new Error(`esbuild produced no index.js/index.js.map for ${name}`);
  const zip = writeZip([
    { name: 'index.js', data: Buffer.from(js.contents) },
    { name: 'index.js.map', data: Buffer.from(map.contents) },
    ...shippedPackageEntries(FUNCTIONS[name].packages ?? [], root),
  ]);
  const zipPath = join(outDir, `${name}.zip`);
  await writeFile(zipPath, zip);
  return { name, zipPath, jsBytes: js.contents.length, mapBytes: map.contents.length, zipBytes: zip.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

export async function buildAll(outDir: string = join(ROOT, 'dist'), root: string = ROOT): Promise<BundleReport[]> {
  await mkdir(outDir, { recursive: true });
  return Promise.all(FUNCTION_NAMES.map((name) => buildFunction(name, outDir, root)));
}

/** Both Lambda architectures; platform packages of any other (musl, darwin, wasm32) are left out. */
const LAMBDA_PLATFORMS = /(^|[-/])linux-(x64|arm64)$/;
const PLATFORM_PACKAGE = /(^|[-/])(linux|linuxmusl|darwin|win32|wasm32|freebsd|android)(-[a-z0-9]+)?$/;
/** Packages that only the other architecture needs: installed on demand (see the header). */
export const CROSS_ARCH_PACKAGES = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64', '@ffmpeg-installer/linux-arm64', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', '@ffmpeg-installer/linux-x64'];
/** Nothing a running function reads. */
const SKIPPED_FILE = /(\.d\.ts|\.md|\.map|\.cc|\.h|\.gyp|\.c)$/i;
const LICENSE_FILE = /^(licen[cs]e|copying|notice)/i;

/**
 * Installs the pinned versions of the given packages when they are missing from
 * node_modules (the other architecture's are never installed by `npm ci`).
 */
export function ensurePackagesInstalled(names: readonly string[], root: string = ROOT): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const missing = names.filter((n) => !existsSync(join(root, 'node_modules', n, 'package.json')));
  if (missing.length === 0) return;
  const specs = missing.map((n) => {
    const version = lock.packages[`node_modules/${n}`]?.version;
    if (version === undefined) throw new Error(`${n} is not in package-lock.json: add it (npm install) before building`);
    return `${n}@${version}`;
  });
  process.stderr.write(`installing the other architecture's packages: ${specs.join(' ')}\n`);
  execFileSync('npm', ['install', '--no-save', '--force', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Every package the given ones need at run time (dependencies, and optional ones for Lambda's platforms). */
export function packageClosure(names: readonly string[], root: string = ROOT): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`${name} is not installed (needed in a function's zip)`);
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) if (LAMBDA_PLATFORMS.test(dep)) visit(dep);
  };
  for (const name of names) {
    if (PLATFORM_PACKAGE.test(name) && !LAMBDA_PLATFORMS.test(name)) continue;
    visit(name);
  }
  return [...seen].sort();
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
  ensurePackagesInstalled(CROSS_ARCH_PACKAGES, root);
  return packageClosure([...names, ...CROSS_ARCH_PACKAGES], root).flatMap((name) => {
    const dir = join(root, 'node_modules', name);
    return filesUnder(dir)
      .filter((file) => !SKIPPED_FILE.test(file) || LICENSE_FILE.test(file.slice(dirname(file).length + 1)))
      .map((file) => {
        const stat = statSync(file);
        // npm leaves ffmpeg 0744 (its chmod script does not run): any execute bit makes it 0755.
        const executable = (stat.mode & 0o111) !== 0 && !file.endsWith('.js') && !file.endsWith('.json') && !/\.so(\.|$)/.test(file);
        return { name: `node_modules/${name}/${relative(dir, file).split('\\').join('/')}`, data: readFileSync(file), executable, cacheKey: `${file}:${stat.size}:${stat.mtimeMs}` };
      });
  });
}

/**
 * Deflating ~130 MB of binaries takes seconds: compressed entries of shipped packages are
 * kept in node_modules/.cache, keyed by path, size and mtime (the output bytes are the same).
 */
function deflateCached(entry: ZipEntry): Buffer {
  if (entry.cacheKey === undefined || entry.data.length < 256 * 1024) return deflateRawSync(entry.data, { level: 9 });
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'media-store-build');
  const file = join(cacheDir, `${createHash('sha256').update(entry.cacheKey).digest('hex')}.deflate`);
  if (existsSync(file)) return readFileSync(file);
  const compressed = deflateRawSync(entry.data, { level: 9 });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, compressed);
  return compressed;
}

/**
 * A minimal deterministic ZIP writer: deflated entries in name order, every timestamp
 * 1980-01-01 00:00 (the DOS epoch), Unix mode 0644 (0755 for executables), no extra fields.
 */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Stored with mode 0755. @default false */
  readonly executable?: boolean;
  /** Identifies unchanged content across builds (compressed bytes are cached). */
  readonly cacheKey?: string;
}

const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // Unix, so the external attributes carry a mode
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
const REGULAR_FILE_0755 = (0o100755 << 16) >>> 0;
const DEFLATE = 8;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Buffer): number {
  // zlib's native CRC (Node >= 20.15) for the shipped binaries' megabytes; the table otherwise.
  if (typeof zlibCrc32 === 'function') return zlibCrc32(data) >>> 0;
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i += 1) crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of sorted) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateCached(entry);
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(DEFLATE, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(entry.executable === true ? REGULAR_FILE_0755 : REGULAR_FILE_0644, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralDirectory, end]);
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
  const reports = await buildAll(outDir);
  process.stdout.write(`${formatTable(reports, Date.now() - started)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
