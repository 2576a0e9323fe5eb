/**
 * `npm run build`: bundles every function of contract/functions.ts with esbuild and writes
 * `dist/<name>.zip` holding `index.js` and `index.js.map`. The zips are deterministic — fixed
 * timestamps and permissions, sorted entries, nothing machine-specific in the bundle or its
 * source map — so the same source gives the same bytes and plans do not churn.
 *
 *   tsx scripts/build.ts [--out <dir>]
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { BuildOptions, Metafile } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, bundleZipPath, type FunctionName } from '../contract/functions';
import { inputsChanged, recordInputs } from './source-hash';

export interface BundleReport {
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
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    metafile: true,
    logLevel: 'warning',
  };
}

export async function buildFunction(name: FunctionName, outDir: string, root: string = ROOT): Promise<BundleReport> {
  // Loaded on demand: a synth with up-to-date bundles never needs esbuild.
  const { build } = await import('esbuild');
  const result = await build(bundleOptions(name, root));
  const outputs = result.outputFiles ?? [];
  const js = outputs.find((f) => f.path.endsWith('index.js'));
  const map = outputs.find((f) => f.path.endsWith('index.js.map'));
  if (js === undefined || map === undefined) throw new Error(`esbuild produced no index.js/index.js.map for ${name}`);
  const zip = writeZip([
    { name: 'index.js', data: Buffer.from(js.contents) },
    { name: 'index.js.map', data: Buffer.from(map.contents) },
  ]);
  const zipPath = join(outDir, `${name}.zip`);
  await writeFile(zipPath, zip);
  return {
    name,
    zipPath,
    jsBytes: js.contents.length,
    mapBytes: map.contents.length,
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

/**
 * A minimal deterministic ZIP writer: deflated entries in name order, every timestamp
 * 1980-01-01 00:00 (the DOS epoch), Unix mode 0644, no extra fields.
 */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // Unix, so the external attributes carry a mode
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;
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
    const compressed = deflateRawSync(entry.data, { level: 9 });
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
    central.writeUInt32LE(REGULAR_FILE_0644, 38);
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
