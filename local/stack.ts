/**
 * The whole local stack, used by `npm start` (local/start.ts) and the e2e global setup:
 * DynamoDB Local + s3rver + the plan's functions in Node 22 processes + the API Gateway
 * emulation, wired as the module wires them in AWS.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROUTES } from '../contract/routes';
import { UsersRepository } from '../handlers/adapters/users-repository';
import { hashPassword, verifyPassword } from '../handlers/core/password';
import { apiConfigFromPlan, startApiServer, type ApiServer } from './api-server';
import { ensureTable, LOCAL_REGION, startDynamoDbLocal, tableFromPlan, type DynamoDbLocal } from './dynamodb';
import { buildRuntime, extractBundles, functionsFromPlan, LocalFunctions, type FailedInvocationRecord, type FunctionDefinition, type FunctionsManifest, type LocalValues } from './functions';
import { consoleLogger, type Logger } from './log';
import { PlanError, stackDir, SynthesizedPlan, type PlanValue } from './plan';
import { ensurePortFree, freePort } from './ports';
import { corsRulesFromPlan, notificationMatches, notificationsFromPlan, startLocalS3, type CorsRule, type LocalS3 } from './s3';
import { startLocalSecretsManager } from './secrets-manager';
import { generateLocalCredentials, type LocalCredentials } from './sigv4';
import { startLocalSns } from './sns';
import { startLocalLambda } from './lambda-api';
import { deadLettersIn } from './dead-letters';
import { startLocalStepFunctions, type LocalStateMachine } from './step-functions-api';
import { StatesError, type AslDocument, type Json } from './step-functions';
import { LOCAL_ACCOUNT } from './sns';
import { schedulesFromPlan, startLocalScheduler, type LocalScheduler } from './scheduler';
import { describeFaults, faultInjector, type FaultInjector, type FaultOptions } from './faults';
import type { LocalHealth } from './api-server';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const DEFAULT_TABLE_NAME = 'media-store-catalog';
const DEFAULT_BUCKET_NAME = 'media-store-media';
/** Where `npm start` writes stack.json for the CLIs unless MEDIA_STORE_STACK_FILE says otherwise. */
export const defaultStackFile = (root: string = PROJECT_ROOT): string => path.join(root, '.local', 'stack.json');

export interface LocalStackOptions {
  /** @default the checkout holding this file */
  readonly projectRoot?: string;
  /** The synthesized module stack. @default <root>/cdktf.out/stacks/media-store-module */
  readonly planDir?: string;
  /** Values for the plan's variables instead of their defaults (see `TF_VAR_*` in start.ts). */
  readonly variables?: Readonly<Record<string, PlanValue>>;
  /** Where data survives restarts. @default <root>/.local/data */
  readonly dataDir?: string;
  /** Keep nothing: DynamoDB in memory, S3 and secret in a temp dir removed on stop. @default false */
  readonly inMemory?: boolean;
  /** Where the bundles are unpacked. @default <root>/.local/functions (a temp dir when in memory) */
  readonly functionsDir?: string;
  /** API port. @default 3000; 0 picks a free one */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default free ports */
  readonly s3Port?: number;
  readonly dynamodbPort?: number;
  /** First admin. @default "admin" */
  readonly adminUser?: string;
  /** When omitted and the admin does not exist, one is generated and reported once. */
  readonly adminPassword?: string;
  /** Written while running, removed on stop; `null` writes none. @default <root>/.local/stack.json */
  readonly stackFile?: string | null;
  readonly logger?: Logger;
  /** Delays before the 2 retries of failed S3 → sync invocations. @default [1000, 2000] */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * Where events that failed every attempt land (the on-failure destination, one JSON file
   * per event). @default <root>/.local/dlq (a temp dir when in memory)
   */
  readonly deadLetterDir?: string;
  /**
   * The built web app, served at `/` next to the API (which it reaches under `/api`); the
   * bucket's CORS then admits the app's origin, as the module's does for the site. `null`
   * serves none. @default <root>/dist/web
   */
  readonly webDir?: string | null;
  /** Run the plan's scheduled rules (the sweep) at this period instead of their own (tests). @default each rule's rate */
  readonly scheduleIntervalMs?: number;
  /**
   * The key pair every emulator requires (SigV4), given to the functions as
   * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` and to tools through `.local/stack.json`.
   * @default a new random pair for every run
   */
  readonly credentials?: LocalCredentials;
  /**
   * Secrets an operator keeps outside the module, by the variable that takes their ARN (the
   * identity provider's client secret, `oidc_client_secret_arn`): created in the local Secrets
   * Manager with their value, and the variable set to their ARN.
   */
  readonly externalSecrets?: Readonly<Record<string, { readonly name: string; readonly value: string }>>;
  /**
   * Faults injected in the DynamoDB, S3 and SNS emulators once the stack is up (local/faults.ts;
   * `MEDIA_STORE_FAULTS` for npm start); `stack.faults.set()` changes them while it runs. @default none
   */
  readonly faults?: FaultOptions;
}

/** What `.local/stack.json` (mode 0600) holds: enough for CLIs (`npm run users`) to find the stack. */
export interface StackInfo {
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly bucketName: string;
  /** The auth function's `MAX_USERS`, so `npm run users` enforces the same limit. */
  readonly maxUsers?: number;
  /** The auth function's `LOCAL_LOGIN_ENABLED`: `npm run users` sets no password when it is false. */
  readonly localLoginEnabled?: boolean;
  /** The local SNS; published messages are at `<snsEndpoint>/_local/messages`. */
  readonly snsEndpoint: string;
  /** Failed S3 events, one Lambda invocation record per JSON file. */
  readonly deadLetterDir: string;
  /** The local Lambda API (Invoke), e.g. for `npm run reprocess`. */
  readonly lambdaEndpoint: string;
  /** The local Step Functions (StartExecution, DescribeExecution, ListExecutions) running the plan's state machines. */
  readonly sfnEndpoint: string;
  /** Each state machine's local ARN by its plan address (`video`). */
  readonly stateMachineArns: Readonly<Record<string, string>>;
  /** Each function's full name by its tag (`process` → `media-store-process`): the Lambda API takes only full names and ARNs. */
  readonly functionNames: Readonly<Record<string, string>>;
  /** The local Secrets Manager (`npm run rotate-jwt-key` talks to it). */
  readonly secretsManagerEndpoint: string;
  /** The JWT signing secret's local ARN. */
  readonly jwtSecretArn: string;
  /** The site's origin secret's local ARN (the emulated CloudFront sends its value under `/api`), when the plan has one. */
  readonly originSecretArn?: string;
  /** The web app's URL (the API's origin), when it is served. */
  readonly appUrl?: string;
  /** This run's key pair: every emulator (S3, DynamoDB, Lambda, SNS, Secrets Manager) refuses requests not signed with it. */
  readonly credentials: LocalCredentials;
}

export interface LocalStack extends StackInfo {
  readonly functionsDir: string;
  readonly manifest: FunctionsManifest;
  readonly planDir: string;
  /** Set when the admin was created with a generated password (print it once). */
  readonly generatedAdminPassword?: string;
  readonly adminUser: string;
  readonly functions: LocalFunctions;
  /** The plan's scheduled rules (the sweep), run on their rate or `scheduleIntervalMs`. */
  readonly scheduler: LocalScheduler;
  /** Invocation records sent to on-failure destinations so far (also in `deadLetterDir`). */
  failedEvents(): readonly FailedInvocationRecord[];
  /** The faults the emulators inject (none unless asked): change them with `set`. */
  readonly faults: FaultInjector;
  /** What is down now and what was lost (what `GET /health` answers while it is not all well). */
  health(): LocalHealth;
  /** The supervised DynamoDB Local: its watchdog's pid (Java is its child) and how often it was restarted. */
  readonly dynamodb: { pid(): number | undefined; restarts(): number };
  /** The S3 server's process (local/s3-server.ts) while it serves, and its restarts after dying. */
  readonly s3: { pid(): number | undefined; restarts(): number };
  /** Where the local S3 keeps its objects on disk (s3rver's files; the scrub's e2e test damages one). */
  readonly s3Directory: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const logger = options.logger ?? consoleLogger();
  const inMemory = options.inMemory ?? false;
  const planDir = options.planDir ?? stackDir(root);
  let plan = SynthesizedPlan.load(planDir, options.variables);
  const credentials = options.credentials ?? generateLocalCredentials();
  // Armed once the stack is up: its own setup (table, bucket, admin) meets no faults.
  const faults = faultInjector();
  const dataLost: string[] = [];

  const scratch = inMemory ? mkdtempSync(path.join(tmpdir(), 'media-store-local-')) : undefined;
  // Owner only: the data holds the JWT secret and password hashes.
  if (!inMemory || options.stackFile === undefined) privateDir(path.join(root, '.local'));
  const dataDir = scratch ?? options.dataDir ?? path.join(root, '.local', 'data');
  privateDir(dataDir);
  const functionsDir = options.functionsDir ?? (scratch ? path.join(scratch, 'functions') : path.join(root, '.local', 'functions'));
  const stackFile = options.stackFile === undefined ? defaultStackFile(root) : options.stackFile;
  const deadLetterDir = options.deadLetterDir ?? (scratch ? path.join(scratch, 'dlq') : path.join(root, '.local', 'dlq'));

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    while (stoppers.length) {
      const next = stoppers.pop()!;
      try {
        await next();
      } catch (err) {
        logger.error('stack', `while stopping: ${String(err)}`);
      }
    }
  };
  if (scratch) stoppers.push(async () => rmSync(scratch, { recursive: true, force: true }));

  try {
    // Known before the bucket is configured, whose CORS must admit the app's origin.
    const apiPort = (options.port ?? 3000) || (await freePort());
    await ensurePortFree(apiPort, options.host ?? '127.0.0.1');
    const webDir = options.webDir === undefined ? path.join(root, 'dist', 'web') : options.webDir;
    const [s3Port, dynamodbPort] = await Promise.all([
      options.s3Port ?? freePort(),
      options.dynamodbPort ?? freePort(),
    ]);
    // The plan's topics on a local SNS, so that "upload processed" messages can be seen.
    const topicNames = topicNamesOf(plan);
    const sns = await startLocalSns({ region: LOCAL_REGION, topicNames: Object.values(topicNames), logger, credentials, faults });
    stoppers.push(() => sns.stop());
    // Functions invoke functions (sync → process, files → move jobs) through the Lambda API, bound below.
    let invoker: LocalFunctions | undefined;
    const lambdaApi = await startLocalLambda({
      logger,
      credentials,
      region: LOCAL_REGION,
      invoker: () => {
        if (invoker === undefined) throw new Error('functions are not started yet');
        return invoker;
      },
    });
    stoppers.push(() => lambdaApi.stop());
    // The plan's secrets, created without a value as the module creates them: the auth
    // function puts the first JWT signing key at its first login, as it does in AWS.
    const secretNames = secretNamesOf(plan);
    const externalSecrets = Object.entries(options.externalSecrets ?? {});
    const secretsManager = await startLocalSecretsManager({
      region: LOCAL_REGION,
      secretNames: [...Object.values(secretNames), ...externalSecrets.map(([, secret]) => secret.name)],
      logger,
      credentials,
      ...(inMemory ? {} : { file: path.join(dataDir, 'secrets-manager.json') }),
    });
    stoppers.push(() => secretsManager.stop());
    if (externalSecrets.length > 0) {
      const arns = await putExternalSecrets(secretsManager, externalSecrets, credentials);
      plan = SynthesizedPlan.load(planDir, { ...options.variables, ...arns });
    }
    const secretArns = Object.fromEntries(Object.entries(secretNames).map(([resource, name]) => [resource, secretsManager.secretArn(name)]));
    // The JWT key by its address (the plan holds other secrets too: the cursor key).
    const jwtSecretArn = secretArns[JWT_SECRET_RESOURCE];
    if (jwtSecretArn === undefined) throw new PlanError(`the plan declares no aws_secretsmanager_secret.${JWT_SECRET_RESOURCE} for the JWT signing key`);
    // The origin secret, created empty as the module creates it, gets its value here, where in
    // AWS a deploy-time step fills the secret and the distribution's key value store alike.
    const originSecretArn = secretArns[ORIGIN_SECRET_RESOURCE];
    const originSecret = originSecretArn === undefined ? undefined : await ensureOriginSecret(secretsManager.endpoint, originSecretArn, credentials);
    // The plan's state machines get their ARNs and the emulator its port now: the functions' environments name them.
    const sfnPort = await freePort();
    const stateMachineNames = stateMachineNamesOf(plan);
    const local: LocalValues = {
      snsEndpoint: sns.endpoint,
      lambdaEndpoint: lambdaApi.endpoint,
      topicArns: Object.fromEntries(Object.entries(topicNames).map(([resource, name]) => [resource, sns.topicArn(name)])),
      region: LOCAL_REGION,
      tableName: localName(plan, 'aws_dynamodb_table', 'name', DEFAULT_TABLE_NAME),
      bucketName: localName(plan, 'aws_s3_bucket', 'bucket', localName(plan, 'aws_s3_bucket', 'bucket_prefix', '', 'local') || DEFAULT_BUCKET_NAME),
      secretsManagerEndpoint: secretsManager.endpoint,
      secretArns,
      sfnEndpoint: `http://127.0.0.1:${sfnPort}`,
      stateMachineArns: Object.fromEntries(Object.entries(stateMachineNames).map(([resource, name]) => [resource, localStateMachineArn(name)])),
      s3Endpoint: `http://127.0.0.1:${s3Port}`,
      dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
      credentials,
    };

    // Everything the plan says is checked before anything starts: a bad plan fails fast.
    const definitions = withServedShell(functionsFromPlan(plan, local), webDir);
    const notifications = notificationsFromPlan(plan);
    const appOrigins = webDir ? appOriginsOf(options.host ?? '127.0.0.1', apiPort) : [];
    const planCorsRules = corsRulesFromPlan(plan);
    const corsRules = [...planCorsRules, ...(appOrigins.length ? [appCorsRule(appOrigins, planCorsRules[0])] : [])];
    const tableInput = tableFromPlan(plan, local.tableName);
    const resourceToFunction = new Map(definitions.map((d) => [d.resource, d.name]));
    const functionOf = (resource: string): string => {
      const name = resourceToFunction.get(resource);
      if (!name) throw new PlanError(`aws_lambda_function.${resource} is not a tagged function of the plan`);
      return name;
    };
    const apiConfig = apiConfigFromPlan(plan, ROUTES, functionOf, local.region);
    const notificationTargets = notifications.map((notification) => ({ notification, fn: functionOf(notification.functionResource) }));
    const schedules = schedulesFromPlan(plan);
    for (const schedule of schedules) schedule.functionResources.forEach(functionOf);
    const declared = new Set(definitions.map((d) => d.name));
    for (const fn of [apiConfig.authorizer.function, ...ROUTES.map((r) => r.function)]) {
      if (!declared.has(fn)) throw new PlanError(`the API needs function "${fn}", which the plan does not declare`);
    }

    const deadLetters = deadLettersIn(deadLetterDir, logger);
    // Known once DynamoDB Local and S3 run (below).
    let health: (() => LocalHealth) | undefined;
    const manifest = extractBundles(definitions, functionsDir);
    const runtimeScript = buildRuntime(functionsDir);
    const functions = new LocalFunctions({
      definitions,
      functionsDir,
      runtimeScript,
      local,
      logger,
      ...(options.asyncRetryDelaysMs ? { asyncRetryDelaysMs: options.asyncRetryDelaysMs } : {}),
      onFailedEvent: deadLetters.receive,
      beforeAsyncRetry: async () => {
        // While an emulator is being restarted (at most 2 minutes), retries wait for it.
        const until = Date.now() + 120_000;
        while (health !== undefined && health().down.length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      },
    });
    stoppers.push(() => functions.stop());
    invoker = functions;
    const stepFunctions = await startLocalStepFunctions({
      port: sfnPort,
      region: local.region,
      credentials,
      logger,
      machines: stateMachinesFromPlan(plan, stateMachineNames, definitions),
      invokeTask: (resource, input) => invokeLambdaTask(functions, resource, input),
    });
    stoppers.push(() => stepFunctions.stop());

    const started = Date.now();
    // After DynamoDB Local died and came back: the table again (in memory it came back empty,
    // which is said plainly in the log and /health), and the admin when its password is known.
    let restored: ((dataLost: boolean) => Promise<void>) | undefined;
    const [dynamodb, s3] = await Promise.all([
      startDynamoDbLocal({
        port: dynamodbPort,
        logger,
        credentials,
        faults,
        onRestarted: async (restart) => restored?.(restart.dataLost),
        ...(inMemory ? {} : { dbDir: path.join(dataDir, 'dynamodb') }),
      }).then(
        (d: DynamoDbLocal) => {
          stoppers.push(() => d.stop());
          return d;
        },
      ),
      startLocalS3({ port: s3Port, region: local.region, logger, credentials, faults, directory: path.join(dataDir, 's3') }).then((s: LocalS3) => {
        stoppers.push(() => s.stop());
        return s;
      }),
      functions.warm(),
    ]);
    logger.info('stack', `emulators up in ${Date.now() - started} ms`);

    const table = await ensureTable(dynamodb.client, tableInput);
    logger.info('stack', `table ${local.tableName} ${table === 'created' ? 'created' : 'kept'}`);
    await s3.ensureBucket(local.bucketName, corsRules);

    s3.onObjectEvent((record) => {
      // Like S3: one event per record and target, delivered asynchronously.
      for (const { notification, fn } of notificationTargets) {
        if (!notificationMatches(notification, record)) continue;
        const event = { Records: [{ ...record, s3: { ...record.s3, configurationId: notification.id } }] };
        functions.invokeAsync(fn, event, `${record.eventName} ${record.s3.object.key}`);
      }
    });

    const adminUser = options.adminUser ?? 'admin';
    const generatedAdminPassword = await ensureAdmin(dynamodb, local.tableName, adminUser, options.adminPassword, logger);
    restored = async (lost) => {
      await ensureTable(dynamodb.client, tableInput);
      if (!lost) return;
      const message = `DynamoDB Local restarted in memory at ${new Date().toISOString()}: every user, folder and file row written before was lost (the table is empty${options.adminPassword !== undefined ? '; the admin was created again' : ''})`;
      dataLost.push(message);
      logger.error('stack', message);
      if (options.adminPassword !== undefined) await ensureAdmin(dynamodb, local.tableName, adminUser, options.adminPassword, logger);
    };
    health = (): LocalHealth => ({
      down: [...(dynamodb.isUp() ? [] : ['DynamoDB Local']), ...(s3.isUp() ? [] : ['S3'])],
      dataLost: [...dataLost],
    });

    const scheduler = startLocalScheduler({
      schedules,
      functionOf,
      invoke: (name, event) => functions.invoke(name, event),
      region: local.region,
      logger,
      ...(options.scheduleIntervalMs !== undefined ? { intervalMs: options.scheduleIntervalMs } : {}),
    });
    stoppers.push(() => scheduler.stop());

    const api: ApiServer = await startApiServer({
      config: apiConfig,
      invoke: (name, event) => functions.invoke(name, event),
      logger,
      port: apiPort,
      ...(options.host ? { host: options.host } : {}),
      ...(webDir ? { site: { dir: webDir, mediaOrigins: [s3.endpoint] } } : {}),
      // The distribution in front of `/api`, with the origin secret its key value store holds.
      ...(webDir && originSecretArn !== undefined ? { cloudFront: { originSecret } } : {}),
      health,
    });
    stoppers.push(() => api.stop());
    if (options.faults !== undefined && options.faults.rate > 0) {
      faults.set(options.faults);
      logger.warn('stack', `fault injection: ${describeFaults(options.faults)}`);
    }

    const info: StackInfo = {
      apiUrl: api.url,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      region: local.region,
      tableName: local.tableName,
      bucketName: local.bucketName,
      snsEndpoint: sns.endpoint,
      deadLetterDir,
      lambdaEndpoint: lambdaApi.endpoint,
      sfnEndpoint: stepFunctions.endpoint,
      stateMachineArns: local.stateMachineArns ?? {},
      functionNames: Object.fromEntries(definitions.map((d) => [d.name, d.functionName])),
      secretsManagerEndpoint: secretsManager.endpoint,
      jwtSecretArn,
      ...(originSecretArn !== undefined ? { originSecretArn } : {}),
      ...maxUsersOf(definitions),
      ...localLoginOf(definitions),
      ...(webDir ? { appUrl: `${api.url}/` } : {}),
      credentials,
    };
    if (stackFile) {
      mkdirSync(path.dirname(stackFile), { recursive: true });
      // Owner only: it holds the run's key pair.
      writeFileSync(stackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
      chmodSync(stackFile, 0o600);
      stoppers.push(async () => rmSync(stackFile, { force: true }));
    }

    return {
      ...info,
      functionsDir,
      manifest,
      planDir,
      adminUser,
      ...(generatedAdminPassword ? { generatedAdminPassword } : {}),
      functions,
      scheduler,
      failedEvents: deadLetters.records,
      faults,
      health,
      dynamodb: { pid: () => dynamodb.pid(), restarts: () => dynamodb.restarts() },
      s3: { pid: () => s3.pid(), restarts: () => s3.restarts() },
      s3Directory: path.join(dataDir, 's3'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The origins a browser may show for the app on this host and port. */
function appOriginsOf(host: string, port: number): string[] {
  const hosts = host === '127.0.0.1' || host === 'localhost' || host === '0.0.0.0' ? ['127.0.0.1', 'localhost'] : [host.includes(':') ? `[${host}]` : host];
  return hosts.map((h) => `http://${h}:${port}`);
}

/**
 * The bucket's CORS for the app's local origins. As the module admits the site's origin in the
 * bucket's own rule, this is the plan's rule with the local origins, so a header the app sends
 * but the module does not allow fails here as it would on AWS. Without a rule in the plan, what
 * the app does: GET/HEAD media, PUT (parts), reading each part's ETag.
 */
function appCorsRule(origins: readonly string[], planRule: CorsRule | undefined): CorsRule {
  if (planRule !== undefined) return { ...planRule, allowedOrigins: origins };
  return {
    allowedOrigins: origins,
    allowedMethods: ['GET', 'HEAD', 'PUT'],
    allowedHeaders: ['*'],
    exposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'x-amz-checksum-sha256', 'x-amz-checksum-crc32c'],
    maxAgeSeconds: 3600,
  };
}

/**
 * Share pages must boot the app the server serves: the shares function gets the served build's
 * own `index.html` (a web build newer than the synthesized plan names other hashed assets).
 */
function withServedShell<T extends { readonly name: string; readonly environment: Readonly<Record<string, string>> }>(definitions: T[], webDir: string | null): T[] {
  const index = webDir ? path.join(webDir, 'index.html') : undefined;
  if (!index || !existsSync(index)) return definitions;
  const shell = readFileSync(index, 'utf8');
  return definitions.map((d) => (d.name === 'shares' && 'APP_SHELL_HTML' in d.environment ? ({ ...d, environment: { ...d.environment, APP_SHELL_HTML: shell } } as T) : d));
}

function maxUsersOf(definitions: readonly { name: string; environment: Readonly<Record<string, string>> }[]): { maxUsers?: number } {
  const value = Number(definitions.find((d) => d.name === 'auth')?.environment.MAX_USERS);
  return Number.isSafeInteger(value) && value > 0 ? { maxUsers: value } : {};
}

function localLoginOf(definitions: readonly { name: string; environment: Readonly<Record<string, string>> }[]): { localLoginEnabled?: boolean } {
  const value = definitions.find((d) => d.name === 'auth')?.environment.LOCAL_LOGIN_ENABLED;
  return value === 'true' || value === 'false' ? { localLoginEnabled: value === 'true' } : {};
}

/** Name of each `aws_sfn_state_machine` of the plan by logical name. */
function stateMachineNamesOf(plan: SynthesizedPlan): Record<string, string> {
  return Object.fromEntries(plan.resources('aws_sfn_state_machine').map(([resource, block]) => [resource, String(plan.resolve(block.name ?? resource))]));
}

function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

/**
 * The plan's state machines with their definitions resolved as Terraform would: a Task's
 * `${aws_lambda_function.x.arn}` becomes that function's local ARN, variables their values.
 */
function stateMachinesFromPlan(plan: SynthesizedPlan, names: Readonly<Record<string, string>>, functions: readonly FunctionDefinition[]): LocalStateMachine[] {
  return plan.resources('aws_sfn_state_machine').map(([resource, block]) => {
    const text = plan.resolveString(String(block.definition), (type, name, attribute, expression) => {
      const fn = type === 'aws_lambda_function' && attribute === 'arn' ? functions.find((d) => d.resource === name) : undefined;
      if (fn === undefined) throw new PlanError(`aws_sfn_state_machine.${resource}: no local value for ${type}.${name}.${attribute} (in ${expression})`);
      return lambdaArnOf(fn.functionName);
    });
    return { name: names[resource] as string, definition: JSON.parse(String(text)) as AslDocument };
  });
}

function lambdaArnOf(functionName: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`;
}

/** A Task's Lambda ARN invoked in its local sandbox; a function error is the Task's error (its type, its body as the cause), as Step Functions reports it. */
async function invokeLambdaTask(functions: LocalFunctions, resource: string, input: Json): Promise<Json> {
  const prefix = lambdaArnOf('');
  const name = resource.startsWith(prefix) ? functions.nameOf(resource.slice(prefix.length)) : undefined;
  if (name === undefined) throw new StatesError('States.Runtime', `${resource} is not a function of the plan`);
  const result = await functions.invoke(name, input);
  if (!result.ok) throw new StatesError(result.error.errorType, JSON.stringify({ errorType: result.error.errorType, errorMessage: result.error.errorMessage }));
  return result.payload as Json;
}

/** Name of each `aws_sns_topic` of the plan by logical name (the logical name when not resolvable). */
function topicNamesOf(plan: SynthesizedPlan): Record<string, string> {
  return Object.fromEntries(
    plan.resources('aws_sns_topic').map(([resource, block]) => {
      try {
        const name = plan.resolve(block.name ?? null);
        return [resource, typeof name === 'string' && name ? name : resource];
      } catch (err) {
        if (err instanceof PlanError) return [resource, resource];
        throw err;
      }
    }),
  );
}

/** Creates `dir` (and missing parents) readable by its owner only, and tightens it if it exists. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The address (`aws_secretsmanager_secret.<name>`) of the JWT signing key in the module's plan. */
const JWT_SECRET_RESOURCE = 'jwt_signing_key';

/** The address of the site's origin secret (modules/media-store/secrets.ts ORIGIN_VERIFY). */
const ORIGIN_SECRET_RESOURCE = 'origin_verify';
/** Version id of the local origin secret's first value: idempotent across restarts. */
const ORIGIN_SECRET_REQUEST_TOKEN = 'media-store-local-origin-secret-0001';

/** The origin secret's current value, put first when the secret has none (a kept data dir keeps it). */
async function ensureOriginSecret(endpoint: string, arn: string, credentials: LocalCredentials): Promise<string> {
  const client = new SecretsManagerClient({ endpoint, region: LOCAL_REGION, credentials });
  try {
    const read = async () => (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString;
    try {
      const current = await read();
      if (current) return current;
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ResourceNotFoundException')) throw err;
    }
    await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: ORIGIN_SECRET_REQUEST_TOKEN, SecretString: randomBytes(32).toString('base64url') }));
    const value = await read();
    if (!value) throw new Error('the local origin secret has no value after it was put');
    return value;
  } finally {
    client.destroy();
  }
}

/** Puts each external secret's value; returns each variable's secret ARN. */
async function putExternalSecrets(
  secretsManager: { readonly endpoint: string; secretArn(name: string): string },
  secrets: readonly (readonly [string, { readonly name: string; readonly value: string }])[],
  credentials: LocalCredentials,
): Promise<Record<string, string>> {
  const client = new SecretsManagerClient({ endpoint: secretsManager.endpoint, region: LOCAL_REGION, credentials });
  try {
    const arns: Record<string, string> = {};
    for (const [variable, secret] of secrets) {
      const arn = secretsManager.secretArn(secret.name);
      await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: secret.value }));
      arns[variable] = arn;
    }
    return arns;
  } finally {
    client.destroy();
  }
}

/** Local name of each `aws_secretsmanager_secret` by logical name: its name, or its prefix + "local". */
function secretNamesOf(plan: SynthesizedPlan): Record<string, string> {
  return Object.fromEntries(
    plan.resources('aws_secretsmanager_secret').map(([resource, block]) => {
      for (const [attribute, suffix] of [['name', ''], ['name_prefix', 'local']] as const) {
        try {
          const value = plan.resolve(block[attribute] ?? null);
          if (typeof value === 'string' && value) return [resource, `${value}${suffix}`];
        } catch (err) {
          if (!(err instanceof PlanError)) throw err;
        }
      }
      return [resource, resource];
    }),
  );
}

/**
 * The local name of the table or bucket: the plan's own name when it is a literal or built
 * from variable defaults, else a fixed default (a generated or prefixed name has no
 * local meaning).
 */
function localName(plan: SynthesizedPlan, type: string, attribute: string, fallback: string, suffix = ''): string {
  const [, block] = plan.resources(type)[0] ?? [];
  const declared: PlanValue | undefined = block?.[attribute];
  if (declared === undefined || declared === null) return fallback;
  try {
    const resolved = plan.resolve(declared);
    return typeof resolved === 'string' && resolved ? `${resolved}${suffix}` : fallback;
  } catch (err) {
    if (err instanceof PlanError) return fallback;
    throw err;
  }
}

/** Creates the first admin; returns the password when it had to generate one. */
async function ensureAdmin(
  dynamodb: DynamoDbLocal,
  tableName: string,
  username: string,
  password: string | undefined,
  logger: Logger,
): Promise<string | undefined> {
  const client = DynamoDBDocumentClient.from(dynamodb.client, { marshallOptions: { removeUndefinedValues: true } });
  const users = new UsersRepository({ tableName, client });
  const existing = await users.get(username);
  if (existing) {
    if (password !== undefined && !(await verifyPassword(password, existing.passwordHash))) {
      await users.update(username, { passwordHash: await hashPassword(password) });
      logger.info('stack', `password of "${username}" set from MEDIA_STORE_ADMIN_PASSWORD`);
    }
    return undefined;
  }
  const chosen = password ?? randomBytes(18).toString('base64url');
  await users.create({ username, role: 'admin', passwordHash: await hashPassword(chosen) });
  logger.info('stack', `created admin user "${username}"`);
  return password === undefined ? chosen : undefined;
}
