/**
 * `npm run reconcile -- [--json] [--fix] [--prefix media/…]`: compares the bucket with the
 * catalog and reports drift — objects without a row, rows without an object, rows whose
 * size or type is not the object's. Exit code 0 when equal, 1 when drift was found (and not
 * fixed), 2 for usage errors, 3 when `--fix` found rows changed meanwhile (run it again).
 *
 * It also checks the timeline counters (contract/table.ts) of every folder wholly under the
 * prefix against a recount of its rows, and `--fix` adds the difference to each counter that
 * is off (an ADD, so a write counted meanwhile still counts; run it again when the catalog was busy).
 *
 * `--fix` repairs each drift with the row `fileFromObject` implies (the sync function's own
 * rule): a missing row is created from the object and its upload session, an orphan row
 * becomes a tombstone, a wrong row gets the object's size and type. Each write keeps the
 * row's sequencer and applies only if the row is still the version read, so S3 events in
 * flight still win over a repair, and running it twice changes nothing more.
 *
 * Target: the local stack (`.local/stack.json`, `MEDIA_STORE_STACK_FILE` or `--stack`) by
 * default, or a deployed bucket and table: `--bucket <name> --table <name> [--region <r>]`
 * with the usual AWS credentials.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDocumentClient, createS3Client } from '../handlers/adapters/aws-clients';
import { listBucketObjects, scanFileRows } from '../handlers/adapters/catalog-inventory';
import { FilesRepository, type RowVersion, type WriteOutcome } from '../handlers/adapters/files-repository';
import { S3ObjectStore } from '../handlers/adapters/object-store';
import { UploadsRepository } from '../handlers/adapters/uploads-repository';
import { parseCommandLine, UsageError } from './args';
import { findDrift, type Drift, type DriftReport, type StoredRow } from '../handlers/core/reconcile';
import { localCredentialsIn } from '../local/sigv4';
import { TimelineCounters } from '../handlers/adapters/timeline-counters';
import { counterDrift, expectedCounters, type CounterDrift } from '../handlers/core/timeline';
import { ROOT_FOLDER } from '../handlers/core/paths';

const USAGE = `usage: npm run reconcile -- [--json] [--fix] [--prefix media/<folder>/]
target (default: the local stack in .local/stack.json):
  --stack <file>                                 another local stack file
  --bucket <name> --table <name> [--region <r>]  a deployed stack, with your AWS credentials`;

export const EXIT = { clean: 0, drift: 1, usage: 2, changedMeanwhile: 3 } as const;
const DEFAULT_PREFIX = 'media/';


interface ReconcileIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => Date;
}

interface Options {
  readonly json: boolean;
  readonly fix: boolean;
  readonly prefix: string;
  readonly stack?: string;
  readonly bucket?: string;
  readonly table?: string;
  readonly region?: string;
}

export function parseArgs(argv: readonly string[]): Options {
  const { values, flags } = parseCommandLine(argv, { values: ['prefix', 'stack', 'bucket', 'table', 'region'], flags: ['json', 'fix'] });
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  if (!prefix.startsWith(DEFAULT_PREFIX)) throw new UsageError(`--prefix must start with ${DEFAULT_PREFIX}`);
  if ((values.bucket === undefined) !== (values.table === undefined)) throw new UsageError('--bucket and --table go together');
  const pick = (name: 'stack' | 'bucket' | 'table' | 'region') => (values[name] !== undefined ? { [name]: values[name] } : {});
  return { json: flags.has('json'), fix: flags.has('fix'), prefix, ...pick('stack'), ...pick('bucket'), ...pick('table'), ...pick('region') };
}

interface Target {
  readonly bucket: string;
  readonly table: string;
  readonly describe: string;
  readonly s3: ReturnType<typeof createS3Client>;
  readonly documents: ReturnType<typeof createDocumentClient>;
}

function targetOf(options: Options, env: NodeJS.ProcessEnv): Target {
  if (options.bucket !== undefined && options.table !== undefined) {
    const region = options.region !== undefined ? { region: options.region } : {};
    return {
      bucket: options.bucket,
      table: options.table,
      describe: `bucket ${options.bucket}, table ${options.table}`,
      s3: createS3Client(region),
      documents: createDocumentClient(region),
    };
  }
  const file = resolve(options.stack ?? env.MEDIA_STORE_STACK_FILE ?? resolve(__dirname, '..', '.local', 'stack.json'));
  let stack: Record<string, unknown>;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new UsageError(`no local stack found at ${file}: start it with \`npm start\`, or target a deployed stack with --bucket and --table`);
  }
  const { s3Endpoint, dynamodbEndpoint, bucketName, tableName } = stack;
  // The run's own key pair: the local S3 and DynamoDB refuse requests not signed with it.
  const credentials = localCredentialsIn(stack);
  if (![s3Endpoint, dynamodbEndpoint, bucketName, tableName].every((v) => typeof v === 'string') || credentials === undefined) {
    throw new UsageError(`${file} lacks s3Endpoint, dynamodbEndpoint, bucketName, tableName or credentials: restart the local stack with \`npm start\``);
  }
  const region = typeof stack.region === 'string' ? stack.region : 'us-east-1';
  return {
    bucket: bucketName as string,
    table: tableName as string,
    describe: `local stack (${file})`,
    s3: createS3Client({ endpoint: s3Endpoint as string, forcePathStyle: true, region, credentials }),
    documents: createDocumentClient({ endpoint: dynamodbEndpoint as string, region, credentials }),
  };
}

interface FixResult {
  readonly applied: number;
  /** Keys whose row changed between reading and repairing (an event won): run again. */
  readonly changedMeanwhile: readonly string[];
}

const versionOf = (row: StoredRow | undefined): RowVersion =>
  row === undefined ? { exists: false } : { exists: true, ...(row.sequencer !== '' ? { sequencer: row.sequencer } : {}) };

async function repair(drift: Drift, files: FilesRepository): Promise<WriteOutcome> {
  switch (drift.kind) {
    case 'missing-row':
      return files.previewFile(drift.repair, versionOf(drift.row));
    case 'wrong-fields':
      return files.previewFile(drift.repair, versionOf(drift.row));
    case 'orphan-row':
      return files.previewTombstone(drift.repair, versionOf(drift.row));
  }
}

async function fixDrift(drift: readonly Drift[], files: FilesRepository): Promise<FixResult> {
  let applied = 0;
  const changedMeanwhile: string[] = [];
  for (const d of drift) {
    if ((await repair(d, files)) === 'applied') applied += 1;
    else changedMeanwhile.push(d.key);
  }
  return { applied, changedMeanwhile };
}

function detailOf(drift: Drift): string {
  switch (drift.kind) {
    case 'missing-row':
      return `object ${drift.repair.size} B ${drift.repair.contentType}, ${drift.row !== undefined ? 'row is a tombstone' : 'no row'}`;
    case 'orphan-row':
      return `row ${drift.row.size} B ${drift.row.contentType}, no object`;
    case 'wrong-fields':
      return drift.fields.map((f) => `${f.field}: catalog ${String(f.catalog)}, bucket ${String(f.bucket)}`).join('; ');
  }
}

function countsOf(report: DriftReport): Record<Drift['kind'], number> {
  const counts = { 'missing-row': 0, 'orphan-row': 0, 'wrong-fields': 0 };
  for (const d of report.drift) counts[d.kind] += 1;
  return counts;
}

/** Whether every file of `folder` has a key under `prefix` (its counters can be checked against the rows read). */
const folderUnder = (folder: string, prefix: string): boolean => `media${folder === ROOT_FOLDER ? '' : folder}/`.startsWith(prefix);

/** The timeline counters of the folders wholly under `prefix` that differ from a recount of `rows`. */
async function timelineDrift(rows: readonly StoredRow[], prefix: string, counters: TimelineCounters): Promise<CounterDrift[]> {
  const stored = (await counters.readAll()).filter((c) => folderUnder(c.folder, prefix));
  const expected = expectedCounters((rows as unknown as Record<string, unknown>[]).filter((r) => typeof r.folder === 'string' && folderUnder(r.folder, prefix)));
  return counterDrift(stored, expected);
}

function timelineTable(drift: readonly CounterDrift[]): string {
  if (drift.length === 0) return 'timeline counters: no drift';
  return [`timeline counters: ${drift.length} drift(s)`, ...drift.map((d) => `  ${d.month} ${d.folder} (shard ${d.shard}): counted ${d.stored}, files ${d.expected}`)].join('\n');
}

function table(report: DriftReport, target: Target, prefix: string): string {
  const lines = [`${target.describe}: ${report.objects} objects under ${prefix}, ${report.rows} file rows`];
  if (report.drift.length === 0) {
    lines.push('no drift: the catalog equals the bucket');
  } else {
    const rows = report.drift.map((d) => [d.kind, d.key, detailOf(d)]);
    const widths = [0, 1].map((i) => Math.max(i === 0 ? 4 : 3, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c)).join('  ');
    lines.push(line(['KIND', 'KEY', 'DETAIL']), ...rows.map(line));
    const counts = countsOf(report);
    lines.push(`${report.drift.length} drift(s): ${counts['missing-row']} missing row(s), ${counts['orphan-row']} orphan row(s), ${counts['wrong-fields']} wrong row(s)`);
  }
  if (report.ignoredKeys.length > 0) lines.push(`ignored ${report.ignoredKeys.length} object(s) that cannot be catalog files: ${report.ignoredKeys.join(', ')}`);
  return lines.join('\n');
}

/** The whole command; returns the exit code. */
export async function runReconcile(argv: readonly string[], io: ReconcileIo): Promise<number> {
  let options: Options;
  let target: Target;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(USAGE);
      return EXIT.clean;
    }
    options = parseArgs(argv);
    target = targetOf(options, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const now = (io.now ?? (() => new Date()))();
    const objects = await listBucketObjects(options.prefix, {
      client: target.s3,
      bucket: target.bucket,
      objects: new S3ObjectStore({ bucket: target.bucket, client: target.s3 }),
      sessions: new UploadsRepository({ tableName: target.table, client: target.documents }),
    });
    const rows = await scanFileRows(options.prefix, { client: target.documents, tableName: target.table });
    const report = findDrift(objects, rows, now);
    const counters = new TimelineCounters({ tableName: target.table, client: target.documents });
    const fixed = options.fix && report.drift.length > 0 ? await fixDrift(report.drift, new FilesRepository({ tableName: target.table, client: target.documents })) : undefined;
    // Row repairs count themselves; the counters are compared with the rows as they are now.
    const counterRows = fixed !== undefined ? await scanFileRows(options.prefix, { client: target.documents, tableName: target.table }) : rows;
    const timeline = await timelineDrift(counterRows, options.prefix, counters);
    if (options.fix && timeline.length > 0) await counters.apply(timeline.map((d) => ({ folder: d.folder, month: d.month, shard: d.shard, delta: d.expected - d.stored })));
    const timelineFixed = options.fix ? timeline.length : 0;

    if (options.json) {
      const summary = {
        target: { bucket: target.bucket, table: target.table, prefix: options.prefix },
        objects: report.objects,
        rows: report.rows,
        counts: countsOf(report),
        drift: report.drift.map((d) => ({ kind: d.kind, key: d.key, ...(d.kind === 'wrong-fields' ? { fields: d.fields } : {}) })),
        ignoredKeys: report.ignoredKeys,
        ...(fixed !== undefined ? { fixed } : {}),
        timeline: { drift: timeline, fixed: timelineFixed },
      };
      io.out(JSON.stringify(summary, null, 2));
    } else {
      io.out(table(report, target, options.prefix));
      if (fixed !== undefined) {
        io.out(`fixed ${fixed.applied} of ${report.drift.length}`);
        if (fixed.changedMeanwhile.length > 0) io.out(`changed while fixing (an event got there first; run again): ${fixed.changedMeanwhile.join(', ')}`);
      }
      io.out(timelineTable(timeline));
      if (timelineFixed > 0) io.out(`fixed ${timelineFixed} timeline counter(s)`);
    }
    if (fixed !== undefined) return fixed.changedMeanwhile.length > 0 ? EXIT.changedMeanwhile : EXIT.clean;
    if (options.fix) return EXIT.clean;
    return report.drift.length > 0 || timeline.length > 0 ? EXIT.drift : EXIT.clean;
  } finally {
    target.s3.destroy();
    target.documents.destroy();
  }
}

if (require.main === module) {
  runReconcile(process.argv.slice(2), { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 4;
    },
  );
}
