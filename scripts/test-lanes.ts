/**
 * `npm test`'s test runs (after typecheck, build and synth) in two lanes side by side instead
 * of one jest over every project in turn: the projects are independent (each global setup
 * starts its own in-memory stack on free ports; the clone test works in a temp directory), so
 * CI waits for the longer lane instead of the sum.
 *
 *   lane A: jest e2e, plan
 *   lane B: the web app's component tests (vitest), then jest unit, browser, real-s3, clone,
 *           terraform
 *
 * (Balanced on CI's per-file times: e2e ~1,190 s + plan ~20 s against vitest ~45 s + unit
 * ~115 s + browser ~745 s + clone ~225 s + terraform ~180 s.)
 *
 * Each lane's output is kept and printed whole, between labelled rules, as the lane ends; a
 * line says when each step starts and ends. Exits 1 if any step of any lane failed (a lane
 * runs all its steps either way). Every jest project of jest.config.js must be in a lane: one
 * left out fails the run before anything starts.
 *
 *   tsx scripts/test-lanes.ts
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const bin = (name: string): string => path.join(ROOT, 'node_modules', '.bin', name);

interface Step {
  readonly command: string;
  readonly args: readonly string[];
}

export interface Lane {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** The jest projects a step selects (`--selectProjects a b …`). */
export function selectedProjects(step: Step): string[] {
  const at = step.args.indexOf('--selectProjects');
  if (at < 0) return [];
  const rest = step.args.slice(at + 1);
  const end = rest.findIndex((arg) => arg.startsWith('-'));
  return end < 0 ? [...rest] : rest.slice(0, end);
}

export const LANES: readonly Lane[] = [
  { name: 'A', steps: [{ command: bin('jest'), args: ['--selectProjects', 'e2e', 'plan'] }] },
  {
    name: 'B',
    steps: [
      { command: bin('vitest'), args: ['run', '--config', 'web/vite.config.mts'] },
      { command: bin('jest'), args: ['--selectProjects', 'unit', 'browser', 'real-s3', 'clone', 'terraform'] },
    ],
  },
];

/** Jest projects of the config that no lane selects. */
export function projectsInNoLane(projectNames: readonly string[], lanes: readonly Lane[] = LANES): string[] {
  const selected = new Set(lanes.flatMap((lane) => lane.steps.flatMap(selectedProjects)));
  return projectNames.filter((name) => !selected.has(name));
}

interface StepResult {
  readonly step: Step;
  readonly exit: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface LaneResult {
  readonly lane: Lane;
  readonly steps: readonly StepResult[];
  readonly output: string;
  readonly millis: number;
  readonly passed: boolean;
}

const describeStep = (step: Step): string => [path.basename(step.command), ...step.args].join(' ');

function runStep(step: Step, cwd: string, onOutput: (chunk: string) => void, children: Set<ReturnType<typeof spawn>>): Promise<StepResult> {
  return new Promise((resolve) => {
    // Output goes through a pipe: keep jest's and vitest's colours when the run is on a terminal.
    const env = process.stdout.isTTY && process.env.FORCE_COLOR === undefined ? { ...process.env, FORCE_COLOR: '1' } : process.env;
    const child = spawn(step.command, [...step.args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.stdout.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
    child.on('error', (error) => onOutput(`could not start ${describeStep(step)}: ${error.message}\n`));
    child.on('close', (exit, signal) => {
      children.delete(child);
      resolve({ step, exit, signal });
    });
  });
}

/**
 * Runs the lanes side by side, each lane's steps one after another; `report` gets a line as each
 * step starts and ends and, as each lane ends, its whole output between labelled rules.
 */
export async function runLanes(lanes: readonly Lane[], report: (text: string) => void, cwd: string = ROOT): Promise<LaneResult[]> {
  const children = new Set<ReturnType<typeof spawn>>();
  const forward = (signal: NodeJS.Signals): void => {
    for (const child of children) child.kill(signal);
  };
  const onSigint = (): void => forward('SIGINT');
  const onSigterm = (): void => forward('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    return await Promise.all(
      lanes.map(async (lane): Promise<LaneResult> => {
        const started = Date.now();
        const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
        let output = '';
        const steps: StepResult[] = [];
        for (const step of lane.steps) {
          report(`[lane ${lane.name}] ${describeStep(step)}: started (${seconds()})\n`);
          output += `$ ${describeStep(step)}\n`;
          const result = await runStep(step, cwd, (chunk) => (output += chunk), children);
          steps.push(result);
          const verdict = result.exit === 0 ? 'passed' : `FAILED (${result.signal ?? `exit ${result.exit}`})`;
          report(`[lane ${lane.name}] ${describeStep(step)}: ${verdict} (${seconds()})\n`);
        }
        const passed = steps.every((s) => s.exit === 0);
        const rule = (text: string): string => `${'━'.repeat(4)} ${text} ${'━'.repeat(Math.max(4, 76 - text.length))}\n`;
        report(
          rule(`lane ${lane.name}: ${lane.steps.map(describeStep).join(', then ')}`) +
            (output.endsWith('\n') ? output : `${output}\n`) +
            rule(`lane ${lane.name} ${passed ? 'passed' : 'FAILED'} in ${seconds()}`),
        );
        return { lane, steps, output, millis: Date.now() - started, passed };
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** The closing summary: one line per lane and step. */
export function summary(results: readonly LaneResult[], millis: number): string {
  const lines = results.flatMap((r) => [
    `lane ${r.lane.name}: ${r.passed ? 'passed' : 'FAILED'} in ${(r.millis / 1000).toFixed(1)} s`,
    ...r.steps.map((s) => `  ${s.exit === 0 ? 'ok    ' : 'FAILED'} ${describeStep(s.step)}`),
  ]);
  return `${lines.join('\n')}\nall lanes: ${(millis / 1000).toFixed(1)} s wall time\n`;
}

async function main(): Promise<void> {
  const config = require(path.join(ROOT, 'jest.config.js')) as { projects: { displayName: string }[] };
  const missing = projectsInNoLane(config.projects.map((p) => p.displayName));
  if (missing.length > 0) throw new Error(`jest project(s) in no lane of scripts/test-lanes.ts: ${missing.join(', ')}`);
  const started = Date.now();
  const results = await runLanes(LANES, (text) => process.stdout.write(text));
  process.stdout.write(summary(results, Date.now() - started));
  if (!results.every((r) => r.passed)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`test lanes: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
