/**
 * DynamoDB Local (the jar shipped in amplify-dynamodb-simulator, Java 17) as a child process,
 * plus the catalog table created exactly as the synthesized plan declares it.
 *
 * DynamoDB Local has no option to choose its address and listens on every interface; it is
 * started through `dynamodb-loopback.java` (Java's single-file source mode), which binds its
 * connector to 127.0.0.1 before it starts, so nothing beyond this machine can reach the table
 * (and its password hashes).
 *
 * DynamoDB Local checks no signature: anyone who reaches its port could read the password
 * hashes. So it listens on a port of its own, answers only requests carrying a per-run token
 * (the launcher refuses the rest with 403, CORS preflights included), and the endpoint the stack
 * hands out is a front in this process that checks each request as DynamoDB would — sent to the
 * front's own Host, `application/x-amz-json-1.0` (else 415), SigV4-signed with the stack's
 * per-run key pair (local/sigv4.ts) — then forwards it with the token.
 *
 * Java runs under a small `sh` watchdog that holds a pipe from this process: when this
 * process dies for any reason (Ctrl-C, crash, SIGKILL of a test runner), the pipe closes and
 * the watchdog kills Java, so no DynamoDB Local outlives the stack.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CONTENT_INDEX_ATTRIBUTES, TABLE_SCHEMA } from '../contract/table';
import { logChildOutput, type Logger } from './log';
import { PlanError, type PlanValue, type SynthesizedPlan } from './plan';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials, type Refusal } from './sigv4';
import { readLimitedBody } from './request-body';
import { dropAfter, type FaultInjector } from './faults';

export const LOCAL_REGION = 'us-east-1';

export interface DynamoDbLocalOptions {
  /** Keep tables in `<dir>/shared-local-instance.db`; omit to run in memory. */
  readonly dbDir?: string;
  /** The front's port (the endpoint). @default a free port */
  readonly port?: number;
  /** The stack's key pair: requests not signed with it are refused. */
  readonly credentials: LocalCredentials;
  readonly logger: Logger;
  /** @default 120000: Java starts in seconds, but a loaded two-core machine can take a minute */
  readonly startTimeoutMs?: number;
  /** Faults to inject in the calls the front forwards (local/faults.ts). */
  readonly faults?: FaultInjector;
  /**
   * Called once DynamoDB Local answers again after it died and was restarted; `dataLost` when it
   * runs in memory (every table and item it held is gone).
   */
  readonly onRestarted?: (restart: { readonly dataLost: boolean }) => Promise<void> | void;
}

export interface DynamoDbLocal {
  /** The checking front: it stays up, on the same port, while Java is restarted behind it. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Whether Java answers now; false from its unexpected exit until it answers again after its restart. */
  isUp(): boolean;
  /** The watchdog's process id (Java is its child), while it runs. */
  pid(): number | undefined;
  /** Times Java was restarted after dying. */
  restarts(): number;
  stop(): Promise<void>;
}

const WATCHDOG = `
exec 3<&0
java -Dmedia-store.front-port="$DDB_FRONT_PORT" -Djava.library.path="$DDB_LIB" -cp "$DDB_CLASSES$DDB_JAR:$DDB_LIB/*" $DDB_LAUNCHER "$@" </dev/null &
java_pid=$!
trap 'kill $java_pid 2>/dev/null' TERM INT HUP
{ read _ignored <&3; kill $java_pid 2>/dev/null; } &
reader_pid=$!
status=0
while kill -0 $java_pid 2>/dev/null; do wait $java_pid; status=$?; done
kill $reader_pid 2>/dev/null
exit $status
`;

/** Starts DynamoDB Local with its connector bound to 127.0.0.1 (see the file). */
const LOOPBACK_LAUNCHER = path.join(__dirname, 'dynamodb-loopback.java');
const LOOPBACK_CLASS = 'LoopbackDynamoDbLocal';

/**
 * The launcher compiled once per version of its source into node_modules/.cache (the user's
 * own, not a shared temp dir whose classes anyone could plant), so that starts and restarts
 * skip Java's compile of it in source mode (seconds of CPU on a busy machine). Source mode
 * when javac is missing or fails.
 */
async function launcherClasses(emulator: string, logger: Logger): Promise<string | undefined> {
  const source = readFileSync(LOOPBACK_LAUNCHER);
  const version = createHash('sha256').update(source).update(emulator).digest('hex').slice(0, 16);
  const cache = path.resolve(__dirname, '..', 'node_modules', '.cache', 'media-store-dynamodb-launcher');
  const dir = path.join(cache, version);
  if (existsSync(path.join(dir, `${LOOPBACK_CLASS}.class`))) return dir;
  try {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    const work = mkdtempSync(path.join(cache, 'build-'));
    const file = path.join(work, `${LOOPBACK_CLASS}.java`);
    writeFileSync(file, source);
    await new Promise<void>((resolve, reject) =>
      execFile('javac', ['-d', work, '-cp', `${path.join(emulator, 'DynamoDBLocal.jar')}:${path.join(emulator, 'DynamoDBLocal_lib', '*')}`, file], (error) => (error ? reject(error) : resolve())),
    );
    rmSync(file);
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another start compiled it meanwhile
    }
    return existsSync(path.join(dir, `${LOOPBACK_CLASS}.class`)) ? dir : undefined;
  } catch (error) {
    logger.warn('dynamodb', `javac could not compile the launcher (${(error as Error).message.split('\n')[0]}); Java compiles it at every start instead`);
    return undefined;
  }
}

/** Waits between restarts of a Java that keeps dying: 0.5 s, 1 s, 2 s … up to 10 s. */
const RESTART_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 10_000];

function emulatorDir(): string {
  const dir = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  if (!existsSync(path.join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar not found in ${dir}`);
  return dir;
}

interface JavaProcess {
  readonly child: ChildProcess;
  readonly backendPort: number;
  readonly exited: Promise<number | null>;
}

/**
 * Starts DynamoDB Local and supervises it: when Java dies (killed, out of memory, crashed), it
 * is started again behind the same front — on disk with its data intact; in memory empty,
 * which the log says plainly and `onRestarted` is told — with a growing delay while it keeps
 * dying. The front answers 503 meanwhile, which the SDK retries.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { logger, credentials } = options;
  const port = options.port ?? (await freePort());
  const token = randomBytes(32).toString('hex');
  const emulator = emulatorDir();
  const classes = await launcherClasses(emulator, logger);
  const storage: string[] = [];
  if (options.dbDir) {
    mkdirSync(options.dbDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dbDir, 0o700);
    storage.push('-dbPath', options.dbDir);
  } else {
    storage.push('-inMemory');
  }

  let stopped = false;
  let up = false;
  let restarts = 0;
  let java: JavaProcess | undefined;
  const spawnJava = async (): Promise<JavaProcess> => {
    const backendPort = await freePort();
    const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', '-port', String(backendPort), '-sharedDb', '-disableTelemetry', ...storage], {
      cwd: options.dbDir ?? emulator,
      env: { ...process.env, DDB_JAR: path.join(emulator, 'DynamoDBLocal.jar'), DDB_LIB: path.join(emulator, 'DynamoDBLocal_lib'), DDB_CLASSES: classes !== undefined ? `${classes}:` : '', DDB_LAUNCHER: classes !== undefined ? LOOPBACK_CLASS : LOOPBACK_LAUNCHER, DDB_FRONT_PORT: String(port), MEDIA_STORE_FRONT_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The watchdog must not keep this process alive, and its stdin is the lifeline.
    child.unref();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    logChildOutput(child, logger, 'dynamodb');
    const started: JavaProcess = { child, backendPort, exited };
    void exited.then((code) => {
      // Only a Java that served dies unexpectedly; one that fails its start is the start's (or restart loop's) failure.
      if (stopped || java !== started || !up) return;
      up = false;
      logger.error(
        'dynamodb',
        `DynamoDB Local exited unexpectedly (code ${code}); restarting it (${options.dbDir ? `its data in ${options.dbDir} is kept` : 'in memory: every table and item it held is LOST'})`,
      );
      void restart();
    });
    return started;
  };

  const front = await startFront({ port, backend: () => java?.backendPort, isUp: () => up, token, credentials, logger, ...(options.faults ? { faults: options.faults } : {}) });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials });
  // Waits for Java itself (not through the front, which answers 503 until then).
  const backendClient = (backendPort: number): DynamoDBClient =>
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${backendPort}`, region: LOCAL_REGION, credentials, maxAttempts: 1 });
  const startJava = async (timeoutMs: number): Promise<void> => {
    const started = await spawnJava();
    java = started;
    let running = true;
    void started.exited.then(() => (running = false));
    const probe = backendClient(started.backendPort);
    probe.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers[FRONT_TOKEN_HEADER] = token;
      return next(args);
    }, { step: 'build', name: 'frontToken' });
    try {
      await waitUntilAnswering(probe, () => running && !stopped, timeoutMs);
    } finally {
      probe.destroy();
    }
    up = true;
  };

  const restart = async (): Promise<void> => {
    for (let attempt = 0; !stopped; attempt += 1) {
      await new Promise((r) => setTimeout(r, RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]));
      if (stopped) return;
      const began = Date.now();
      try {
        await startJava(options.startTimeoutMs ?? 120_000);
      } catch (err) {
        logger.error('dynamodb', `restart ${attempt + 1} of DynamoDB Local failed: ${(err as Error).message}`);
        java?.child.kill('SIGKILL');
        continue;
      }
      restarts += 1;
      logger.warn('dynamodb', `DynamoDB Local restarted in ${Date.now() - began} ms (${options.dbDir ? 'data kept' : 'in memory: it starts EMPTY, the data it held is lost'})`);
      try {
        await options.onRestarted?.({ dataLost: !options.dbDir });
      } catch (err) {
        logger.error('dynamodb', `after the restart: ${(err as Error).message}`);
      }
      return;
    }
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    up = false;
    const current = java;
    if (current && current.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill('SIGTERM');
      const timer = setTimeout(() => current.child.kill('SIGKILL'), 5000);
      await current.exited;
      clearTimeout(timer);
    }
    client.destroy();
    await front.stop();
  };

  try {
    await startJava(options.startTimeoutMs ?? 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info('dynamodb', `DynamoDB Local on ${endpoint} (${options.dbDir ? `data in ${options.dbDir}` : 'in memory'})`);
  return {
    endpoint,
    client,
    isUp: () => up,
    pid: () => (up ? java?.child.pid : undefined),
    restarts: () => restarts,
    stop,
  };
}

/** DynamoDB's largest request (BatchWriteItem) is 16 MB. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const JSON_1_0 = 'application/x-amz-json-1.0';
const FRONT_TOKEN_HEADER = 'x-media-store-front';

/** The checking front before DynamoDB Local (see the file's comment). */
async function startFront(options: {
  port: number;
  /** Java's port, while one runs. */
  backend: () => number | undefined;
  isUp: () => boolean;
  token: string;
  credentials: LocalCredentials;
  logger: Logger;
  faults?: FaultInjector;
}): Promise<{ stop(): Promise<void> }> {
  const { port, token, credentials, logger, faults } = options;
  const sendError = (res: ServerResponse, status: number, code: string, message: string): void => {
    res.writeHead(status, { 'content-type': JSON_1_0, 'x-amzn-errortype': code }).end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }));
  };
  const check = async (req: IncomingMessage, body: Buffer): Promise<Refusal | undefined> => {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost) return wrongHost;
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (req.method !== 'POST' || contentType !== JSON_1_0) {
      return { status: 415, code: 'UnsupportedMediaTypeException', message: `DynamoDB takes POST ${JSON_1_0}, not ${req.method} ${JSON.stringify(contentType)}` };
    }
    return verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { credentials, region: LOCAL_REGION, service: 'dynamodb' });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readLimitedBody(req, MAX_REQUEST_BYTES);
    const refusal = body === undefined ? { status: 413, code: 'RequestEntityTooLarge', message: 'Request is larger than 16 MB' } : await check(req, body);
    if (refusal !== undefined || body === undefined) {
      const { status, code, message } = refusal ?? { status: 413, code: 'RequestEntityTooLarge', message: '' };
      logger.warn('dynamodb', `${req.method} ${req.url} refused: ${code}`);
      req.resume();
      res.writeHead(status, { 'content-type': JSON_1_0, 'x-amzn-errortype': code }).end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }));
      return;
    }
    const backendPort = options.backend();
    // Java is down (being restarted): a 503 the SDK retries, as DynamoDB answers when it cannot serve.
    if (!options.isUp() || backendPort === undefined) return sendError(res, 503, 'ServiceUnavailable', 'DynamoDB Local is restarting');
    const fault = faults?.next('dynamodb');
    if (fault === 'throttle') return sendError(res, 400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput. (injected fault)');
    if (fault === 'error') return sendError(res, 500, 'InternalServerError', 'Internal server error (injected fault)');
    // A timeout: the call is applied, but its answer never comes.
    if (fault === 'timeout') dropAfter(res, faults!.timeoutMs);
    const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = req.headers;
    const forwarded = httpRequest({ host: '127.0.0.1', port: backendPort, method: 'POST', path: req.url, headers: { ...headers, [FRONT_TOKEN_HEADER]: token }, agent: false }, (answer) => {
      const { connection: _close, 'keep-alive': _alive, ...answered } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, answered);
      answer.on('error', () => res.destroy());
      answer.pipe(res);
    });
    forwarded.on('error', (error: NodeJS.ErrnoException) => {
      // Refused while DynamoDB Local starts (the start waits for it) or after it died (logged on exit).
      if (error.code !== 'ECONNREFUSED' && options.isUp()) logger.error('dynamodb', `front: DynamoDB Local did not answer: ${String(error)}`);
      if (!res.headersSent) sendError(res, 503, 'ServiceUnavailable', 'DynamoDB Local did not answer');
      else res.destroy();
    });
    forwarded.end(body);
  };
  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      logger.error('dynamodb', `front: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function waitUntilAnswering(client: DynamoDBClient, isRunning: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning()) throw new Error('DynamoDB Local exited during start (is Java 17 installed?)');
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// --- The table, as declared by the plan ------------------------------------------------

/** CreateTable input for the plan's `aws_dynamodb_table`, named `tableName` locally. */
export function tableFromPlan(plan: SynthesizedPlan, tableName: string): CreateTableCommandInput {
  const tables = plan.resources('aws_dynamodb_table');
  if (tables.length === 0) return tableFromContract(tableName);
  if (tables.length > 1) throw new PlanError(`expected one aws_dynamodb_table, found ${tables.length}`);
  const declared = tables[0][1];
  // Only the key-related fields: the rest (SSE key, PITR, TTL) has no meaning locally.
  const table = Object.fromEntries(
    ['attribute', 'hash_key', 'range_key', 'global_secondary_index'].map((field) => [field, plan.resolve(declared[field])]),
  ) as Record<string, PlanValue>;

  const attributes = asList(table.attribute).map((a) => {
    const attr = a as Record<string, PlanValue>;
    return { AttributeName: String(attr.name), AttributeType: String(attr.type) as 'S' | 'N' | 'B' };
  });
  const keySchema = (hash: PlanValue, range: PlanValue) => [
    { AttributeName: String(hash), KeyType: 'HASH' as const },
    ...(range ? [{ AttributeName: String(range), KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = asList(table.global_secondary_index).map((g) => {
    const gsi = g as Record<string, PlanValue>;
    const keys = gsi.key_schema
      ? asList(gsi.key_schema).map((k) => {
          const key = k as Record<string, PlanValue>;
          return { AttributeName: String(key.attribute_name), KeyType: String(key.key_type) as 'HASH' | 'RANGE' };
        })
      : keySchema(gsi.hash_key, gsi.range_key);
    const nonKey = asList(gsi.non_key_attributes).map(String);
    return {
      IndexName: String(gsi.name),
      KeySchema: keys,
      Projection: {
        ProjectionType: String(gsi.projection_type ?? 'ALL') as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
        ...(nonKey.length ? { NonKeyAttributes: nonKey } : {}),
      },
    };
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes,
    KeySchema: keySchema(table.hash_key, table.range_key),
    ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/** The same table from contract/table.ts, for a plan that does not declare one. */
export function tableFromContract(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, typeIndex, takenIndex, uploadedIndex, contentIndex, dueIndex } = TABLE_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      ...[partitionKey, sortKey, typeIndex.partitionKey, typeIndex.sortKey, takenIndex.partitionKey, takenIndex.sortKey, uploadedIndex.partitionKey, uploadedIndex.sortKey, contentIndex.partitionKey, contentIndex.sortKey, dueIndex.partitionKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S' as const,
      })),
      { AttributeName: dueIndex.sortKey, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [typeIndex, takenIndex, uploadedIndex, contentIndex, dueIndex].map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: index === contentIndex ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...CONTENT_INDEX_ATTRIBUTES] } : { ProjectionType: 'ALL' as const },
    })),
  };
}

/**
 * Creates the table unless it already exists (kept data across restarts); a kept table gets
 * the indexes a newer plan added (as Terraform would add them in place).
 */
export async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<'created' | 'exists'> {
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of input.GlobalSecondaryIndexes ?? []) {
      if (have.has(index.IndexName)) continue;
      const names = new Set((index.KeySchema ?? []).map((k) => k.AttributeName));
      await client.send(
        new UpdateTableCommand({
          TableName: input.TableName,
          AttributeDefinitions: (input.AttributeDefinitions ?? []).filter((a) => names.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
        }),
      );
    }
    return 'exists';
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await client.send(new CreateTableCommand(input));
  return 'created';
}

function asList(value: PlanValue | undefined): PlanValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
