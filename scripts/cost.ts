/**
 * `npm run cost -- --stored-gb 500 --uploads 2000 --views 10000 --served-gb 50 --users 5 [--no-free-tier]`:
 * the estimated monthly bill, per service, from scripts/prices.us-east-1.json (see its date).
 */
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
  const usage: Record<string, number> = { ...DEFAULT_USAGE };
  let freeTier = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-free-tier') {
      freeTier = false;
      continue;
    }
    const key = FLAGS[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value) || value < 0) {
      throw new Error(`unknown or invalid argument ${argv[i]} ${argv[i + 1] ?? ''}: use ${Object.keys(FLAGS).join(', ')} with numbers ≥ 0, or --no-free-tier`);
    }
    usage[key] = value;
    i++;
  }
  return { usage: usage as unknown as Usage, freeTier };
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
