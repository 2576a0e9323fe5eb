/**
 * `npm run cost -- --stored-gb 500 --uploads 2000 --views 10000 --served-gb 50 --users 5 [--no-free-tier]`:
 * the estimated monthly bill, per service, from scripts/prices.us-east-1.json (see its date).
 */
import { parseCommandLine, UsageError } from './args';
import { estimate, type Usage } from './cost-model';

const FLAGS: Record<string, keyof Usage> = {
  '--stored-gb': 'storedGb',
  '--uploads': 'uploads',
  '--views': 'views',
  '--served-gb': 'servedGb',
  '--users': 'users',
};
const DEFAULT_USAGE: Usage = { storedGb: 100, uploads: 1000, views: 10000, servedGb: 20, users: 5 };

function parse(argv: readonly string[]): { usage: Usage; freeTier: boolean } {
  const { values, flags } = parseCommandLine(argv, { values: Object.keys(FLAGS).map((f) => f.slice(2)), flags: ['no-free-tier'] });
  const usage: Record<string, number> = { ...DEFAULT_USAGE };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const text = values[flag.slice(2)];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a number ≥ 0, not "${text}"`);
    usage[key] = value;
  }
  return { usage: usage as unknown as Usage, freeTier: !flags.has('no-free-tier') };
}

function main(): void {
  const { usage, freeTier } = parse(process.argv.slice(2));
  const result = estimate(usage, { freeTier });
  const rows = result.lines.map((l) => [l.service, `$${l.usd.toFixed(3)}`, l.detail]);
  const width = Math.max(...rows.map((r) => r[0].length));
  const money = Math.max(...rows.map((r) => r[1].length));
  console.log(`media-store monthly estimate, ${result.region} prices as of ${result.pricesAsOf}${freeTier ? ', always-free allowances applied' : ''}`);
  console.log(`inputs: ${usage.storedGb} GB stored, ${usage.uploads} uploads, ${usage.views} views, ${usage.servedGb} GB served, ${usage.users} users\n`);
  for (const [service, usd, detail] of rows) console.log(`${service.padEnd(width)}  ${usd.padStart(money)}  ${detail}`);
  console.log(`${'Total'.padEnd(width)}  ${`$${result.totalUsd.toFixed(2)}`.padStart(money)}`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
