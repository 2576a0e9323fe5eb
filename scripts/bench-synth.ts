/**
 * `npm run bench:synth [-- --runs N]`: wall time and peak memory of synthesizing the whole
 * app (main.ts, both stacks), each run in a fresh Node process, next to a baseline: the
 * same app plus loading `@cdktf/provider-aws` through its barrel (what a barrel import
 * would make every synth pay), and the cost of the imports alone.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FUNCTION_NAMES, bundleZipPath } from '../contract/functions';

const ROOT = path.resolve(__dirname, '..');

type Mode = 'app' | 'app+barrel' | 'deep-imports' | 'barrel-import';

const MODES: Record<Mode, string> = {
  app: 'synthesize main.ts (deep provider imports)',
  'app+barrel': 'baseline: same, plus require("@cdktf/provider-aws") barrel',
  'deep-imports': 'only the deep provider modules the app uses',
  'barrel-import': 'only require("@cdktf/provider-aws") (barrel)',
};

interface Sample {
  readonly wallMs: number;
  readonly peakRssMb: number;
}

/** In the child: do the work of one mode, then report peak RSS on stdout. */
function runChild(mode: Mode): void {
  if (mode === 'app+barrel' || mode === 'barrel-import') require('@cdktf/provider-aws');
  if (mode === 'deep-imports') {
    const lib = path.join(path.dirname(require.resolve('@cdktf/provider-aws/package.json')), 'lib');
    const used = new Set<string>();
    for (const file of walk(path.join(ROOT, 'modules'))) {
      for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/@cdktf\/provider-aws\/lib\/([a-z0-9-]+)/g)) used.add(name);
    }
    for (const name of used) require(path.join(lib, name));
  }
  if (mode === 'app' || mode === 'app+barrel') require(path.join(ROOT, 'main.ts'));
  process.stdout.write(`\n${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

function measure(mode: Mode): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-bench-'));
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', mode], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as { maxRssKb: number };
  return { wallMs, peakRssMb: report.maxRssKb / 1024 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function main(): void {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
  const missing = FUNCTION_NAMES.map(bundleZipPath).filter((zip) => !fs.existsSync(path.join(ROOT, zip)));
  if (missing.length > 0) throw new Error(`Missing ${missing.join(', ')}: run \`npm run build\` first`);

  console.log(`Synthesizing media-store (both stacks): ${runs} runs per row, each in a fresh process (node ${process.version}, ${os.cpus().length} CPUs)\n`);
  const rows: string[][] = [['mode', 'median wall (ms)', 'min-max wall (ms)', 'median peak RSS (MB)', 'what']];
  const medians = {} as Record<Mode, Sample>;
  for (const mode of Object.keys(MODES) as Mode[]) {
    measure(mode); // warm the file cache and tsx's transform cache
    const samples = Array.from({ length: runs }, () => measure(mode));
    const walls = samples.map((s) => s.wallMs);
    medians[mode] = { wallMs: median(walls), peakRssMb: median(samples.map((s) => s.peakRssMb)) };
    rows.push([
      mode,
      medians[mode].wallMs.toFixed(0),
      `${Math.min(...walls).toFixed(0)}-${Math.max(...walls).toFixed(0)}`,
      medians[mode].peakRssMb.toFixed(1),
      MODES[mode],
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  rows.slice(1).forEach((r) => console.log(line(r)));
  const app = medians.app;
  const barrel = medians['app+barrel'];
  console.log(
    `\nDeep imports vs barrel: ${(barrel.wallMs - app.wallMs).toFixed(0)} ms and ${(barrel.peakRssMb - app.peakRssMb).toFixed(1)} MB saved per synth ` +
      `(${((1 - app.wallMs / barrel.wallMs) * 100).toFixed(0)}% faster, ${((1 - app.peakRssMb / barrel.peakRssMb) * 100).toFixed(0)}% less memory).`,
  );
}

const childFlag = process.argv.indexOf('--child');
if (childFlag > 0) runChild(process.argv[childFlag + 1] as Mode);
else main();
