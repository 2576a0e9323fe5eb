/**
 * `npm run bench:cold`: each function's init time — the `require()` (or `import()` of an
 * `.mjs` handler) of its unzipped bundle in a fresh Node 22 process with the function's
 * environment, median of 7 — beside a bare `require` of an empty module and beside the
 * previous build (the bundles of `--base <git ref>`, default `HEAD~1`, built from `git archive`
 * into a temp dir with this checkout's node_modules), with zip sizes and the goals, in one run.
 *
 *   tsx scripts/bench-cold.ts [--base <ref>] [--runs 7]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ENV, FUNCTION_ENV } from '../contract/env';
import { API_FUNCTIONS, FUNCTION_NAMES, type FunctionName } from '../contract/functions';
import { lambdaNode } from '../local/lambda-node';
import { extractZip } from '../local/zip';
import { buildAll } from './build';

const ROOT = path.resolve(__dirname, '..');

/** What the module would set, with the deployed shape of each value (an ARN, not a local secret). */
const SAMPLE_ENV: Readonly<Record<keyof typeof ENV, string>> = {
  TABLE_NAME: 'media-store-catalog',
  BUCKET_NAME: 'media-store-media',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:media-store-upload-processed',
  JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:media-store-jwt-AbCdEf',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:media-store-cursor-AbCdEf',
  ORIGIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:media-store-origin-verify-AbCdEf',
  JWT_SECRET: '',
  JWT_ISSUER: 'media-store',
  TOKEN_TTL_SECONDS: '300',
  REFRESH_TOKEN_TTL_SECONDS: '2592000',
  LOGIN_MAX_FAILURES: '5',
  LOGIN_LOCKOUT_SECONDS: '900',
  MAX_USERS: '10',
  ALLOWED_CONTENT_TYPES: 'image/*,video/*',
  MAX_UPLOAD_BYTES: '5497558138880',
  MULTIPART_THRESHOLD_BYTES: '67108864',
  UPLOAD_URL_TTL_SECONDS: '900',
  VIEW_URL_TTL_SECONDS: '3600',
  MOVE_FUNCTION_NAME: 'media-store-move',
  MOVE_JOB_THRESHOLD_BYTES: '134217728',
  SHARE_MAX_DAYS: '30',
  TRASH_RETENTION_DAYS: '30',
  SHARE_ALLOW_NEVER: 'false',
  APP_SHELL_HTML: '',
  SHARE_EXPIRY_REMINDERS: 'true',
  S3_FORCE_PATH_STYLE: 'false',
  PROCESS_FUNCTION_NAME: 'media-store-process',
  VIDEO_POSTERS: 'true',
  EXPOSE_GPS: 'false',
  OIDC_ISSUER_URL: '',
  OIDC_CLIENT_ID: '',
  OIDC_CLIENT_SECRET_ARN: '',
  OIDC_SCOPES: 'openid profile email',
  OIDC_ROLE_CLAIM: 'groups',
  OIDC_ROLE_MAPPING: '{}',
  OIDC_FOLDERS_CLAIM: '',
  OIDC_AUDIENCE: '',
  LOCAL_LOGIN_ENABLED: 'true',
  VIDEO_COPIES_ENABLED: 'true',
  VIDEO_WORKFLOW_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:media-store-video',
  VIDEO_SEGMENT_SECONDS: '120',
  VIDEO_MAX_HEIGHT: '1080',
  SCRUB_PERIOD_DAYS: '30',
  OPS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:media-store-ops',
  LOG_LEVEL: 'info',
};

/** Goals of issue 11: the authorizer sits in front of every request. */
const INIT_GOAL_MS: Readonly<Record<string, number>> = { authorizer: 40 };
const DEFAULT_INIT_GOAL_MS = 80;
const API_ZIP_GOAL_BYTES = 300 * 1024;

function functionEnvironment(name: FunctionName): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'session',
    AWS_LAMBDA_FUNCTION_NAME: `media-store-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    NODE_OPTIONS: '--enable-source-maps',
  };
  const variables = (FUNCTION_ENV as Readonly<Record<string, readonly (keyof typeof ENV)[]>>)[name] ?? [];
  for (const variable of variables) env[variable] = SAMPLE_ENV[variable];
  return env;
}

/**
 * The script a fresh process runs: load the module once and print how long it took. Lambda's
 * own runtime is an ES module, so its ESM loader is up before the handler loads: warm it here
 * too, or an `.mjs` handler would be charged for it.
 */
const LOADER = `
const { performance } = require('node:perf_hooks');
const file = process.argv[1];
import('node:os').then(() => {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const done = () => { const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify({ wall: performance.now() - start, cpu: (used.user + used.system) / 1000 })); };
  if (file.endsWith('.mjs')) return import(require('node:url').pathToFileURL(file).href).then(done);
  require(file);
  done();
}).catch((e) => { console.error(e); process.exit(1); });
`;

/** Wall-clock and CPU (user + system) milliseconds of loading `file`: CPU time is the steadier figure on a busy machine. */
interface LoadTime {
  readonly wall: number;
  readonly cpu: number;
}

function loadMillis(node: string, file: string, env: Record<string, string>): LoadTime {
  const result = spawnSync(node, ['-e', LOADER, file], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
  return JSON.parse(result.stdout) as LoadTime;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

interface Build {
  readonly label: string;
  /** Unpacked bundle entry and zip size per function, for the functions the build has. */
  readonly bundles: ReadonlyMap<string, { entry: string; zipBytes: number }>;
}

function unpack(label: string, distDir: string, into: string): Build {
  const bundles = new Map<string, { entry: string; zipBytes: number }>();
  for (const zip of readdirSync(distDir).filter((f) => f.endsWith('.zip'))) {
    const name = zip.slice(0, -'.zip'.length);
    const dir = path.join(into, name);
    const files = extractZip(path.join(distDir, zip), dir);
    const entry = files.find((f) => f === 'index.mjs') ?? files.find((f) => f === 'index.js');
    if (entry !== undefined) bundles.set(name, { entry: path.join(dir, entry), zipBytes: statSync(path.join(distDir, zip)).size });
  }
  return { label, bundles };
}

/** Builds `ref`'s bundles with its own scripts/build.ts and this checkout's node_modules. */
function buildPrevious(ref: string, work: string): string {
  const source = path.join(work, 'previous-src');
  execFileSync('sh', ['-c', `mkdir -p "${source}" && git archive "${ref}" | tar -x -C "${source}"`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  const out = path.join(work, 'previous-dist');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', '--out', out], { cwd: source, stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const option = (name: string, fallback: string): string => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] !== undefined ? (argv[at + 1] as string) : fallback;
  };
  const base = option('--base', 'HEAD~1');
  const runs = Number(option('--runs', '7'));
  const node = lambdaNode();
  const work = mkdtempSync(path.join(tmpdir(), 'bench-cold-'));
  try {
    const currentDist = path.join(work, 'current-dist');
    await buildAll(currentDist);
    const current = unpack('this build', currentDist, path.join(work, 'current'));
    const previous = unpack(`${base}`, buildPrevious(base, work), path.join(work, 'previous'));
    const empty = path.join(work, 'empty.js');
    writeFileSync(empty, '');

    const samples = new Map<string, LoadTime[]>();
    const sample = (key: string, value: LoadTime): void => void samples.set(key, [...(samples.get(key) ?? []), value]);
    // Interleaved, so a burst of load on the shared machine hits every column alike.
    for (let run = 0; run < runs; run++) {
      sample('empty', loadMillis(node.path, empty, { PATH: process.env.PATH ?? '' }));
      for (const name of FUNCTION_NAMES) {
        for (const build of [previous, current]) {
          const bundle = build.bundles.get(name);
          if (bundle !== undefined) sample(`${build.label}:${name}`, loadMillis(node.path, bundle.entry, functionEnvironment(name)));
        }
      }
    }

    const medianOf = (key: string, field: keyof LoadTime): number | undefined => {
      const values = samples.get(key);
      return values === undefined ? undefined : median(values.map((v) => v[field]));
    };
    const ms = (key: string): string => {
      const wall = medianOf(key, 'wall');
      return wall === undefined ? '—' : `${wall.toFixed(1)} (${medianOf(key, 'cpu')!.toFixed(0)} cpu)`;
    };
    const kb = (build: Build, name: string): string => {
      const bytes = build.bundles.get(name)?.zipBytes;
      return bytes === undefined ? '—' : `${(bytes / 1024).toFixed(0)} KB`;
    };
    const header = ['function', `init ms ${base}`, 'init ms now', 'goal', 'met', `zip ${base}`, 'zip now', 'zip goal'];
    const rows = FUNCTION_NAMES.map((name) => {
      const goal = INIT_GOAL_MS[name] ?? DEFAULT_INIT_GOAL_MS;
      const now = medianOf(`${current.label}:${name}`, 'wall');
      const zipGoal = (API_FUNCTIONS as readonly string[]).includes(name) || name === 'authorizer' ? API_ZIP_GOAL_BYTES : undefined;
      const zipNow = current.bundles.get(name)?.zipBytes ?? Infinity;
      const met = now !== undefined && now <= goal && (zipGoal === undefined || zipNow <= zipGoal);
      return [name, ms(`${previous.label}:${name}`), ms(`${current.label}:${name}`), `≤ ${goal}`, met ? 'yes' : 'NO', kb(previous, name), kb(current, name), zipGoal === undefined ? '' : `≤ ${zipGoal / 1024} KB`];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`Node ${node.version}${node.fallback ? ` (${node.fallback})` : ''}; median of ${runs} fresh processes per cell; wall ms (CPU ms, steadier on a busy machine)`);
    console.log(`bare require of an empty module: ${ms('empty')} ms (the floor of every figure below)`);
    console.log([line(header), ...rows.map(line)].join('\n'));
    const load = loadavg()[0] ?? 0;
    if (load > cpus().length) console.log(`load average ${load.toFixed(1)} on ${cpus().length} cores: wall times are inflated by other work; compare the CPU figures`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`bench:cold failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
