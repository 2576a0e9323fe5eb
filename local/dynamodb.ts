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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
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
import type { Logger } from './log';
import { PlanError, type PlanValue, type SynthesizedPlan } from './plan';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials, type Refusal } from './sigv4';
import { readLimitedBody } from './request-body';

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
}

export interface DynamoDbLocal {
  /** The checking front. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

const WATCHDOG = `
exec 3<&0
java -Dmedia-store.front-port="$DDB_FRONT_PORT" -Djava.library.path="$DDB_LIB" -cp "$DDB_JAR:$DDB_LIB/*" "$DDB_LAUNCHER" "$@" </dev/null &
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

export function emulatorDir(): string {
  const dir = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  if (!existsSync(path.join(dir, 'DynamoDBLocal.jar'))) throw new Error(`DynamoDBLocal.jar not found in ${dir}`);
  return dir;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { logger, credentials } = options;
  const port = options.port ?? (await freePort());
  const backendPort = await freePort();
  const token = randomBytes(32).toString('hex');
  const emulator = emulatorDir();
  const args = ['-port', String(backendPort), '-sharedDb', '-disableTelemetry'];
  if (options.dbDir) {
    mkdirSync(options.dbDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dbDir, 0o700);
    args.push('-dbPath', options.dbDir);
  } else {
    args.push('-inMemory');
  }

  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local-watchdog', ...args], {
    cwd: options.dbDir ?? emulator,
    env: { ...process.env, DDB_JAR: path.join(emulator, 'DynamoDBLocal.jar'), DDB_LIB: path.join(emulator, 'DynamoDBLocal_lib'), DDB_LAUNCHER: LOOPBACK_LAUNCHER, DDB_FRONT_PORT: String(port), MEDIA_STORE_FRONT_TOKEN: token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // The watchdog must not keep this process alive, and its stdin is the lifeline.
  child.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then((code) => {
    if (running) logger.error('dynamodb', `DynamoDB Local exited unexpectedly (code ${code})`);
    running = false;
  });
  forwardLines(child, logger);

  const front = await startFront({ port, backendPort, token, credentials, logger });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials });
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    client.destroy();
    await front.stop();
  };

  try {
    await waitUntilAnswering(client, () => running, options.startTimeoutMs ?? 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info('dynamodb', `DynamoDB Local on ${endpoint} (${options.dbDir ? `data in ${options.dbDir}` : 'in memory'})`);
  return { endpoint, client, stop };
}

/** DynamoDB's largest request (BatchWriteItem) is 16 MB. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const JSON_1_0 = 'application/x-amz-json-1.0';
export const FRONT_TOKEN_HEADER = 'x-media-store-front';

/** The checking front before DynamoDB Local (see the file's comment). */
async function startFront(options: { port: number; backendPort: number; token: string; credentials: LocalCredentials; logger: Logger }): Promise<{ stop(): Promise<void> }> {
  const { port, backendPort, token, credentials, logger } = options;
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
    const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = req.headers;
    const forwarded = httpRequest({ host: '127.0.0.1', port: backendPort, method: 'POST', path: req.url, headers: { ...headers, [FRONT_TOKEN_HEADER]: token }, agent: false }, (answer) => {
      const { connection: _close, 'keep-alive': _alive, ...answered } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, answered);
      answer.on('error', () => res.destroy());
      answer.pipe(res);
    });
    forwarded.on('error', (error: NodeJS.ErrnoException) => {
      // Refused while DynamoDB Local starts (the start waits for it) or after it died (logged on exit).
      if (error.code !== 'ECONNREFUSED') logger.error('dynamodb', `front: DynamoDB Local did not answer: ${String(error)}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': JSON_1_0 }).end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'DynamoDB Local did not answer' }));
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

function forwardLines(child: ChildProcess, logger: Logger): void {
  const forward = (stream: NodeJS.ReadableStream | null, log: (line: string) => void): void => {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line);
    });
  };
  forward(child.stdout, (line) => logger.info('dynamodb', line));
  forward(child.stderr, (line) => logger.warn('dynamodb', line));
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
