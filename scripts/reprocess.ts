/**
 * `npm run reprocess -- [--folder /x] [--missing|--all] [--json]`: asks the process function
 * for thumbnails and metadata again — for files catalogued before processing existed, those
 * whose processing failed or never finished, or whose video copy failed (`--missing`, the
 * default), or every file (`--all`, e.g. after switching `expose_gps` on). Each run of the
 * script names its own run, so a video's copy is made again even where one was made before. `--folder` narrows to a folder and its
 * subfolders. Each file is one synchronous invocation of the deployed (or local) function,
 * four at a time, so the summary tells how each ended. Exit 0 when every file ended ready or
 * unsupported, 1 when some failed, 2 for usage errors.
 *
 * Target: the local stack (`.local/stack.json`, `MEDIA_STORE_STACK_FILE` or `--stack`) by
 * default, or a deployed one: `--table <name> --function <name> [--region <r>]` with the
 * usual AWS credentials (`lambda:InvokeFunction` on the process function, `dynamodb:Scan` on
 * the table).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createDocumentClient } from '../handlers/adapters/aws-clients';
import { scanFileRows } from '../handlers/adapters/catalog-inventory';
import type { CatalogFile } from '../handlers/core/catalog';
import type { ProcessRequest } from '../handlers/core/media';
import { normalizeFolder, ROOT_FOLDER } from '../handlers/core/paths';
import { parseCommandLine, UsageError } from './args';
import { localCredentialsIn } from '../local/sigv4';

const USAGE = `usage: npm run reprocess -- [--folder /x] [--missing|--all] [--json]
target (default: the local stack in .local/stack.json):
  --stack <file>                                    another local stack file
  --table <name> --function <name> [--region <r>]   a deployed stack, with your AWS credentials`;

const EXIT = { done: 0, someFailed: 1, usage: 2 } as const;
const CONCURRENCY = 4;


export interface ReprocessOptions {
  readonly folder: string;
  readonly which: 'missing' | 'all';
  readonly json: boolean;
  readonly stack?: string;
  readonly table?: string;
  readonly functionName?: string;
  readonly region?: string;
}

export function parseArgs(argv: readonly string[]): ReprocessOptions {
  const { values, flags } = parseCommandLine(argv, { values: ['folder', 'stack', 'table', 'function', 'region'], flags: ['missing', 'all', 'json'] });
  if (flags.has('missing') && flags.has('all')) throw new UsageError('--missing and --all exclude each other');
  if ((values.table === undefined) !== (values.function === undefined)) throw new UsageError('--table and --function go together');
  let folder: string;
  try {
    folder = normalizeFolder(values.folder ?? ROOT_FOLDER, '--folder', 'stored');
  } catch (error) {
    throw new UsageError(`--folder: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pick = (name: string, as: keyof ReprocessOptions) => (values[name] !== undefined ? { [as]: values[name] } : {});
  return {
    folder,
    which: flags.has('all') ? 'all' : 'missing',
    json: flags.has('json'),
    ...pick('stack', 'stack'),
    ...pick('table', 'table'),
    ...pick('function', 'functionName'),
    ...pick('region', 'region'),
  };
}

/** Whether a row needs processing: never processed, still pending, failed, or its video copy failed (`--missing`); every file (`--all`). */
export function needsProcessing(row: Pick<CatalogFile, 'processing' | 'video'>, which: ReprocessOptions['which']): boolean {
  return which === 'all' || row.processing === undefined || row.processing === 'pending' || row.processing === 'failed' || row.video?.copy?.state === 'failed';
}

/** This run's id (`ProcessRequest.run`): base-36 milliseconds, unique per run of the script. */
function runIdOf(now: number): string {
  return `r${now.toString(36)}`;
}

interface Target {
  readonly table: string;
  readonly functionName: string;
  readonly describe: string;
  readonly documents: ReturnType<typeof createDocumentClient>;
  readonly lambda: LambdaClient;
}

function targetOf(options: ReprocessOptions, env: NodeJS.ProcessEnv): Target {
  if (options.table !== undefined && options.functionName !== undefined) {
    const region = options.region !== undefined ? { region: options.region } : {};
    return { table: options.table, functionName: options.functionName, describe: `table ${options.table}, function ${options.functionName}`, documents: createDocumentClient(region), lambda: new LambdaClient(region) };
  }
  const file = resolve(options.stack ?? env.MEDIA_STORE_STACK_FILE ?? resolve(__dirname, '..', '.local', 'stack.json'));
  let stack: Record<string, unknown>;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new UsageError(`no local stack found at ${file}: start it with \`npm start\`, or target a deployed stack with --table and --function`);
  }
  const { dynamodbEndpoint, tableName, lambdaEndpoint } = stack;
  const functionName = (stack.functionNames as Record<string, unknown> | undefined)?.process;
  const credentials = localCredentialsIn(stack);
  if (![dynamodbEndpoint, tableName, lambdaEndpoint, functionName].every((v) => typeof v === 'string') || credentials === undefined) {
    throw new UsageError(`${file} lacks dynamodbEndpoint, tableName, lambdaEndpoint, functionNames.process or credentials: restart the local stack with \`npm start\``);
  }
  const region = typeof stack.region === 'string' ? stack.region : 'us-east-1';
  return {
    table: tableName as string,
    functionName: functionName as string,
    describe: `local stack (${file})`,
    documents: createDocumentClient({ endpoint: dynamodbEndpoint as string, region, credentials }),
    lambda: new LambdaClient({ endpoint: lambdaEndpoint as string, region, credentials }),
  };
}

type Outcome = 'ready' | 'failed' | 'unsupported' | 'skipped' | 'error';

async function invoke(target: Target, request: ProcessRequest): Promise<{ outcome: Outcome; reason?: string }> {
  const out = await target.lambda.send(new InvokeCommand({ FunctionName: target.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }));
  const payload = out.Payload === undefined ? undefined : (JSON.parse(Buffer.from(out.Payload).toString('utf8')) as Record<string, unknown> | null);
  if (out.FunctionError !== undefined) return { outcome: 'error', reason: String(payload?.errorMessage ?? out.FunctionError) };
  const outcome = payload?.outcome;
  if (outcome === 'ready' || outcome === 'failed' || outcome === 'unsupported' || outcome === 'skipped') {
    return { outcome, ...(typeof payload?.reason === 'string' ? { reason: payload.reason } : {}) };
  }
  return { outcome: 'error', reason: `unexpected answer ${JSON.stringify(payload)}` };
}

export async function reprocess(argv: readonly string[], io: { out: (t: string) => void; err: (t: string) => void; env: NodeJS.ProcessEnv }): Promise<number> {
  let options: ReprocessOptions;
  let target: Target;
  try {
    options = parseArgs(argv);
    target = targetOf(options, io.env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  try {
    const prefix = options.folder === ROOT_FOLDER ? 'media/' : `media${options.folder}/`;
    const rows = (await scanFileRows(prefix, { client: target.documents, tableName: target.table })).filter(
      (row): row is CatalogFile => row.status === 'available' && needsProcessing(row as CatalogFile, options.which),
    );
    const counts: Record<Outcome, number> = { ready: 0, failed: 0, unsupported: 0, skipped: 0, error: 0 };
    const problems: { key: string; outcome: Outcome; reason?: string }[] = [];
    const run = runIdOf(Date.now());
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rows.length) {
        const row = rows[next++]!;
        const result = await invoke(target, { kind: 'created', key: row.key, run }).catch((error: unknown) => ({ outcome: 'error' as const, reason: error instanceof Error ? error.message : String(error) }));
        counts[result.outcome] += 1;
        if (result.outcome === 'failed' || result.outcome === 'error') problems.push({ key: row.key, ...result });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
    if (options.json) io.out(`${JSON.stringify({ target: target.describe, folder: options.folder, which: options.which, files: rows.length, counts, problems })}\n`);
    else {
      io.out(`${target.describe}: ${rows.length} file(s) under ${options.folder} to process (${options.which})\n`);
      for (const p of problems) io.out(`  ${p.outcome}  ${p.key}${p.reason ? `  (${p.reason})` : ''}\n`);
      io.out(`ready ${counts.ready}, failed ${counts.failed}, unsupported ${counts.unsupported}, skipped ${counts.skipped}, errors ${counts.error}\n`);
    }
    return counts.failed + counts.error > 0 ? EXIT.someFailed : EXIT.done;
  } finally {
    target.documents.destroy();
    target.lambda.destroy();
  }
}

if (require.main === module) {
  reprocess(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env })
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`reprocess failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.usage);
    });
}
