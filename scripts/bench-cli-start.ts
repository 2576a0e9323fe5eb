/**
 * `npm run bench:cli-start`: how long `media-store --help` takes from spawn to exit, beside
 * the floor (`node -e 0`, the same Node starting and doing nothing) and the former way of
 * running the CLI (tsx compiling cli/*.ts at start, its cache warm). Goal: the built CLI under
 * 150 ms (median). Runs alternate, BENCH_CLI_RUNS each (default 20); median and best printed,
 * and the median cost over the floor — the figure a loaded machine disturbs least.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);
const GOAL_MS = 150;

const VARIANTS: readonly { readonly name: string; readonly args: readonly string[] }[] = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'media-store --help (built)', args: [path.join(ROOT, 'bin', 'media-store.js'), '--help'] },
  { name: 'former: tsx + cli/main.ts', args: ['-e', "require('tsx/cjs/api').register(); require('./cli/main.ts').main(['--help'], { ...require('./cli/main.ts').processIo(), stdout: () => true })"] },
];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function main(): void {
  const times = VARIANTS.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run += 1) {
    VARIANTS.forEach((variant, i) => {
      const started = performance.now();
      const result = spawnSync(process.execPath, variant.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const elapsed = performance.now() - started;
      if (result.status !== 0) throw new Error(`${variant.name} exited with ${result.status}: ${result.stderr.toString()}`);
      times[i]?.push(elapsed);
    });
  }
  console.log(`start to exit, ${RUNS} alternating runs each (ms); "over floor": median of each run minus the floor run beside it`);
  console.log(`  ${'command'.padEnd(28)}  ${'median'.padStart(7)}  ${'best'.padStart(7)}  ${'over floor'.padStart(10)}`);
  const floor = times[0] ?? [];
  VARIANTS.forEach((variant, i) => {
    const values = times[i] ?? [];
    // Paired with the floor run of the same round: the machine's load at that moment cancels out.
    const over = median(values.map((v, run) => v - (floor[run] ?? 0)));
    const goal = variant.name.includes('(built)') ? `  goal < ${GOAL_MS} ms ${median(values) < GOAL_MS ? 'met' : 'NOT met'}` : '';
    console.log(`  ${variant.name.padEnd(28)}  ${median(values).toFixed(0).padStart(7)}  ${Math.min(...values).toFixed(0).padStart(7)}  ${i === 0 ? '' : `+${over.toFixed(0)}`.padStart(10)}${goal}`);
  });
}

main();
