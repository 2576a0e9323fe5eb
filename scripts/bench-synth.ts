/**
 * `npm run bench:synth [-- --runs N]`: wall time and peak memory of cdktf.json's `app` command
 * exactly as `cdktf synth` runs it (through a shell, with CDKTF_OUTDIR set), each run a fresh
 * process, next to the baseline it replaced (`npx tsx main.ts`) and a bare `node -e 1`.
 * Bundles and the compiled app are brought up to date first: the goal (≤ 1.5 s, ≤ 200 MB) is
 * for a synth with nothing to rebuild. The cost of a rebuild is printed below the table.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const APP = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app: string }).app;
const GOAL = { wallMs: 1500, peakRssMb: 200 };

const COMMANDS: Record<string, string> = {
  [`app: ${APP}`]: APP,
  'baseline: npx tsx main.ts': 'npx tsx main.ts',
  'reference: node -e 1': 'node -e 1',
};

interface Sample {
  readonly wallMs: number;
  readonly peakRssMb: number;
}

/** One run in a fresh shell; peak RSS from GNU time (the largest process of the run). */
function measure(command: string): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-bench-'));
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-f', '%M', 'sh', '-c', command], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`${command} failed:\n${child.stderr}`);
  const peakKb = Number(child.stderr.trim().split('\n').pop());
  return { wallMs, peakRssMb: peakKb / 1024 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function main(): void {
  if (!fs.existsSync('/usr/bin/time')) throw new Error('bench:synth reads peak memory with GNU time (/usr/bin/time): apt-get install time');
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
  console.log(`cdktf app command, ${runs} runs per row in fresh processes (node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})\n`);

  measure(APP); // brings bundles and the compiled app up to date, warms the file cache
  const medians: Record<string, Sample> = {};
  const rows = [['command', 'median wall (ms)', 'min-max wall (ms)', 'median peak RSS (MB)']];
  // Interleaved, so a busy machine slows every command alike.
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(COMMANDS).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [label, command] of Object.entries(COMMANDS)) samples[label].push(measure(command));
  for (const [label, list] of Object.entries(samples)) {
    const walls = list.map((s) => s.wallMs);
    medians[label] = { wallMs: median(walls), peakRssMb: median(list.map((s) => s.peakRssMb)) };
    rows.push([label, medians[label].wallMs.toFixed(0), `${Math.min(...walls).toFixed(0)}-${Math.max(...walls).toFixed(0)}`, medians[label].peakRssMb.toFixed(1)]);
  }
  console.log(table(rows));

  const app = medians[`app: ${APP}`];
  const baseline = medians['baseline: npx tsx main.ts'];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `\nUp-to-date synth: ${app.wallMs.toFixed(0)} ms and ${app.peakRssMb.toFixed(0)} MB against the baseline's ${baseline.wallMs.toFixed(0)} ms and ${baseline.peakRssMb.toFixed(0)} MB ` +
      `(${((1 - app.wallMs / baseline.wallMs) * 100).toFixed(0)}% faster); goal ≤ ${GOAL.wallMs} ms: ${verdict(app.wallMs <= GOAL.wallMs)}, ≤ ${GOAL.peakRssMb} MB: ${verdict(app.peakRssMb <= GOAL.peakRssMb)}.`,
  );

  // What an edit costs: the app recompiled (a module changed), the bundles rebuilt (a handler changed).
  fs.rmSync(path.join(ROOT, '.gen', 'synth-app.inputs.json'), { force: true });
  const recompiled = measure(APP);
  fs.rmSync(path.join(ROOT, 'dist', '.inputs.json'), { force: true });
  const rebuilt = measure(APP);
  console.log(
    `After a module edit (app recompiled): ${recompiled.wallMs.toFixed(0)} ms, ${recompiled.peakRssMb.toFixed(0)} MB. ` +
      `After a handler edit (5 bundles rebuilt): ${rebuilt.wallMs.toFixed(0)} ms, ${rebuilt.peakRssMb.toFixed(0)} MB.`,
  );
}

main();
