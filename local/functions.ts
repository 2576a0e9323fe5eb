/**
 * The Lambda functions of the synthesized plan, run locally: each `aws_lambda_function`
 * (told apart by its `media-store:function` tag) is unpacked from the plan's asset zip and
 * served by a pool of sandboxes — each its own Node 22 process (Lambda's nodejs22.x, see
 * lambda-node.ts) running one invocation at a time, with only that function's environment,
 * a heap bounded by the plan's memory size, the plan's handler and timeout. A sandbox that
 * crashes fails the invocation it was running, as on Lambda, and nothing else.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { buildSync } from 'esbuild';
import { FUNCTION_TAG } from '../contract/functions';
import { logChildOutput, type Logger } from './log';
import { PlanError, type PlanValue, type ReferenceResolver, type SynthesizedPlan } from './plan';
import { lambdaNode } from './lambda-node';
import type { FromRuntime, LambdaErrorBody, RuntimeData, ToRuntime } from './lambda-runtime';
import { extractZip } from './zip';

/** Values the plan's resource references become locally. */
export interface LocalValues {
  readonly region: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The local SNS (local/sns.ts): set as `AWS_ENDPOINT_URL_SNS`. */
  readonly snsEndpoint?: string;
  /** The local Lambda API (local/lambda-api.ts): set as `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly lambdaEndpoint?: string;
  /** Local ARN of each `aws_sns_topic` by logical name; a topic not listed resolves to "" (do not publish). */
  readonly topicArns?: Readonly<Record<string, string>>;
  /** The local Secrets Manager (local/secrets-manager.ts): set as `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly secretsManagerEndpoint?: string;
  /** Local ARN of each `aws_secretsmanager_secret` by logical name. */
  readonly secretArns?: Readonly<Record<string, string>>;
  /** The local Step Functions (local/step-functions-api.ts): set as `AWS_ENDPOINT_URL_SFN`. */
  readonly sfnEndpoint?: string;
  /** Local ARN of each `aws_sfn_state_machine` by logical name. */
  readonly stateMachineArns?: Readonly<Record<string, string>>;
}

/**
 * What Lambda sends to an on-failure destination once an asynchronous invocation has failed
 * every attempt (the "invocation record" of Lambda destinations).
 */
export interface FailedInvocationRecord {
  readonly version: '1.0';
  /** ISO 8601. */
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' };
  readonly responsePayload: LambdaErrorBody;
}

export interface FunctionDefinition {
  /** The `media-store:function` tag: `auth`, `sync`, … */
  readonly name: string;
  /** Logical name of the `aws_lambda_function` in the plan. */
  readonly resource: string;
  readonly functionName: string;
  readonly zipPath: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The plan's variables, resolved to local values (secret ARNs name the local Secrets Manager's secrets). */
  readonly environment: Readonly<Record<string, string>>;
  /** Retries of a failed asynchronous invocation (`aws_lambda_function_event_invoke_config`). @default 2 */
  readonly asyncRetries: number;
  /** Where AWS would send an event that failed every attempt (on-failure destination), if anywhere. */
  readonly onFailure?: string;
}

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: LambdaErrorBody };

export interface FunctionsManifest {
  readonly [name: string]: { readonly source: string; readonly sha256: string; readonly files: readonly string[] };
}

/** Reads every tagged `aws_lambda_function` of the plan and resolves its configuration. */
export function functionsFromPlan(plan: SynthesizedPlan, local: LocalValues): FunctionDefinition[] {
  const references = localReferences(local);
  const invokeConfigs = eventInvokeConfigs(plan);
  const definitions = plan.resources('aws_lambda_function').map(([resource, block]): FunctionDefinition => {
    const tags = plan.resolve(block.tags ?? {}) as Record<string, PlanValue>;
    const name = tags[FUNCTION_TAG];
    if (typeof name !== 'string' || !name) {
      throw new PlanError(`aws_lambda_function.${resource} has no "${FUNCTION_TAG}" tag`);
    }
    return {
      name,
      resource,
      functionName: resolveFunctionName(plan, block.function_name, name),
      zipPath: bundleZipOf(plan, resource, block),
      handler: String(plan.resolve(block.handler)),
      timeoutSeconds: Number(plan.resolve(block.timeout ?? 3)),
      memorySize: Number(plan.resolve(block.memory_size ?? 128)),
      environment: resolveEnvironment(plan, resource, block.environment, references),
      asyncRetries: invokeConfigs.get(resource)?.retries ?? 2,
      ...(invokeConfigs.get(resource)?.onFailure ? { onFailure: invokeConfigs.get(resource)!.onFailure } : {}),
    };
  });
  const names = definitions.map((d) => d.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new PlanError(`two functions are tagged ${FUNCTION_TAG} = ${duplicate}`);
  return definitions;
}

/**
 * The zip a function runs: its `filename`, or for a bundle deployed through S3 (`s3_key` of an
 * `aws_s3_object` of the plan) that object's `source` — the same file in both cases.
 */
function bundleZipOf(plan: SynthesizedPlan, resource: string, block: Record<string, PlanValue>): string {
  if (block.filename !== undefined) return plan.resolvePath(block.filename);
  const object = /^\$\{aws_s3_object\.([^.}]+)\.key\}$/.exec(String(block.s3_key ?? ''))?.[1];
  const source = object === undefined ? undefined : plan.document.resource?.aws_s3_object?.[object]?.source;
  if (source === undefined) throw new PlanError(`aws_lambda_function.${resource} has neither a filename nor an s3_key of an aws_s3_object with a source`);
  return plan.resolvePath(source as PlanValue);
}

/** `aws_lambda_function_event_invoke_config` per function resource: retries and on-failure target. */
function eventInvokeConfigs(plan: SynthesizedPlan): Map<string, { retries: number; onFailure?: string }> {
  const configs = new Map<string, { retries: number; onFailure?: string }>();
  for (const [name, block] of plan.resources('aws_lambda_function_event_invoke_config')) {
    const target = /^\$\{aws_lambda_function\.([^.}]+)\.(function_name|arn)\}$/.exec(String(block.function_name));
    if (!target) throw new PlanError(`aws_lambda_function_event_invoke_config.${name} does not name a function of this plan`);
    const retries = Number(plan.resolve(block.maximum_retry_attempts ?? 2));
    if (!Number.isInteger(retries) || retries < 0 || retries > 2) {
      throw new PlanError(`aws_lambda_function_event_invoke_config.${name}: maximum_retry_attempts must be 0, 1 or 2`);
    }
    const destinationConfig = (Array.isArray(block.destination_config) ? block.destination_config[0] : block.destination_config) as
      | Record<string, PlanValue>
      | undefined;
    const onFailureBlock = destinationConfig?.on_failure;
    const onFailure = (Array.isArray(onFailureBlock) ? onFailureBlock[0] : onFailureBlock) as Record<string, PlanValue> | undefined;
    const destination = /^\$\{([a-z0-9_]+\.[^.}]+)\.arn\}$/.exec(String(onFailure?.destination ?? ''))?.[1];
    configs.set(target[1], { retries, ...(destination ? { onFailure: destination } : {}) });
  }
  return configs;
}

function resolveFunctionName(plan: SynthesizedPlan, value: PlanValue | undefined, tag: string): string {
  try {
    const resolved = plan.resolve(value);
    if (typeof resolved === 'string' && resolved) return resolved;
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
  }
  return `media-store-${tag}`;
}

function resolveEnvironment(
  plan: SynthesizedPlan,
  resource: string,
  environment: PlanValue | undefined,
  references: ReferenceResolver,
): Record<string, string> {
  const block = (Array.isArray(environment) ? environment[0] : environment) as Record<string, PlanValue> | undefined;
  const variables = (block?.variables ?? {}) as Record<string, PlanValue>;
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(variables)) {
    let value: PlanValue;
    try {
      value = plan.resolve(raw, references);
    } catch (err) {
      if (err instanceof PlanError) {
        throw new PlanError(`aws_lambda_function.${resource} environment ${key}: ${err.message}`);
      }
      throw err;
    }
    if (value === null || typeof value === 'object') {
      throw new PlanError(`aws_lambda_function.${resource} environment ${key} is not a scalar: ${JSON.stringify(raw)}`);
    }
    env[key] = String(value);
  }
  return env;
}

/** Resource attributes that have a local meaning; anything else is an error. */
function localReferences(local: LocalValues): ReferenceResolver {
  return (type, name, attribute, expression) => {
    const fail = (): never => {
      throw new PlanError(`no local value for ${type}.${name}.${attribute} (in ${expression})`);
    };
    switch (type) {
      case 'aws_dynamodb_table':
        if (attribute === 'name' || attribute === 'id') return local.tableName;
        if (attribute === 'arn') return `arn:aws:dynamodb:${local.region}:000000000000:table/${local.tableName}`;
        return fail();
      case 'aws_s3_bucket':
        if (attribute === 'bucket' || attribute === 'id') return local.bucketName;
        if (attribute === 'arn') return `arn:aws:s3:::${local.bucketName}`;
        return fail();
      case 'aws_secretsmanager_secret': {
        const arn = local.secretArns?.[name];
        if (arn !== undefined && (attribute === 'arn' || attribute === 'id')) return arn;
        return fail();
      }
      case 'aws_sfn_state_machine': {
        const arn = local.stateMachineArns?.[name];
        if (arn !== undefined && (attribute === 'arn' || attribute === 'id')) return arn;
        return fail();
      }
      case 'aws_sns_topic':
        // The local SNS's topic; without one the functions treat "" as "do not publish".
        if (attribute === 'arn' || attribute === 'id') return local.topicArns?.[name] ?? '';
        return fail();
      default:
        return fail();
    }
  };
}

/** Unpacks every function's zip into `<dir>/<name>/` and records where each came from. */
export function extractBundles(definitions: readonly FunctionDefinition[], dir: string): FunctionsManifest {
  rmSync(dir, { recursive: true, force: true });
  const manifest: Record<string, FunctionsManifest[string]> = {};
  for (const definition of definitions) {
    const target = path.join(dir, definition.name);
    mkdirSync(target, { recursive: true });
    const files = extractZip(definition.zipPath, target);
    const sha256 = createHash('sha256').update(readFileSync(definition.zipPath)).digest('hex');
    manifest[definition.name] = { source: definition.zipPath, sha256, files };
  }
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Compiles the sandbox entry (TypeScript) to a plain script a bare Node process can run. */
export function buildRuntime(dir: string): string {
  const outfile = path.join(dir, 'lambda-runtime.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'lambda-runtime.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20', // also what a fallback Node runs
    logLevel: 'silent',
  });
  return outfile;
}

interface Sandbox {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  busy: boolean;
  /** Init finished: a later exit is a crash worth replacing at once. */
  initialized?: boolean;
  current?: { id: number; settle: (result: InvokeResult) => void };
}

export interface LocalFunctionsOptions {
  readonly definitions: readonly FunctionDefinition[];
  /** Where `extractBundles` unpacked them. */
  readonly functionsDir: string;
  readonly runtimeScript: string;
  readonly local: LocalValues;
  readonly logger: Logger;
  /** Concurrent sandboxes per function. @default 4 */
  readonly maxConcurrency?: number;
  /** Delays before the two retries of a failed asynchronous invocation (Lambda: 1 and 2 minutes). @default [1000, 2000] */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * Receives what a function's on-failure destination would (its plan address, e.g.
   * `aws_sqs_queue.x`, and Lambda's invocation record). Without it the loss is only logged.
   */
  readonly onFailedEvent?: (destination: string, record: FailedInvocationRecord) => void;
  /**
   * Awaited before each retry of an asynchronous invocation, after its delay: the stack waits
   * there while one of its emulators is being restarted (Lambda's retries wait minutes, long
   * enough for a dependency to come back; the local ones wait seconds).
   */
  readonly beforeAsyncRetry?: () => Promise<void>;
}

/** Lambda's service: invoke by tag name, synchronously or as an event (with retries). */
export class LocalFunctions {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly pendingAsync = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: LocalFunctionsOptions) {
    const node = lambdaNode();
    if (node.fallback !== undefined) options.logger.warn('functions', node.fallback);
    else options.logger.info('functions', `each sandbox a Node ${node.version} process (${node.path})`);
    for (const definition of options.definitions) {
      this.pools.set(definition.name, new FunctionPool(definition, options));
    }
  }

  get names(): string[] {
    return [...this.pools.keys()];
  }

  definition(name: string): FunctionDefinition {
    return this.pool(name).definition;
  }

  /** Tag name of the function with this physical name (`media-store-auth`, not `auth`), if the plan has one. */
  nameOf(functionName: string): string | undefined {
    return [...this.pools.values()].find((pool) => pool.definition.functionName === functionName)?.definition.name;
  }

  /** Starts one sandbox per function so the first requests do not pay the init phase. */
  async warm(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.warm()));
  }

  invoke(name: string, event: unknown): Promise<InvokeResult> {
    return this.pool(name).invoke(event);
  }

  /** `InvocationType: Event`: returns at once; on error retries (2 unless the plan says otherwise), then logs the loss. */
  invokeAsync(name: string, event: unknown, description: string): void {
    const { asyncRetries, onFailure } = this.pool(name).definition;
    const configured = this.options.asyncRetryDelaysMs ?? [1000, 2000];
    const delays = Array.from({ length: asyncRetries }, (_, i) => configured[Math.min(i, configured.length - 1)] ?? 1000);
    const { logger, onFailedEvent } = this.options;
    const delivered = onFailure !== undefined && onFailedEvent !== undefined;
    const lost = onFailure ? `event ${delivered ? 'sent' : 'not delivered'} to its on-failure destination ${onFailure}${delivered ? '' : ' (not emulated)'}` : 'event dropped';
    const run = async (): Promise<void> => {
      for (let attempt = 0; attempt <= delays.length; attempt++) {
        if (this.stopped) return;
        const result = await this.pool(name).invoke(event);
        if (result.ok) return;
        const what = `${result.error.errorType}: ${result.error.errorMessage}`;
        if (attempt < delays.length) {
          logger.warn(name, `async invocation for ${description} failed (${what}); retry ${attempt + 1} of ${delays.length}`);
          await new Promise((r) => setTimeout(r, delays[attempt]));
          await this.options.beforeAsyncRetry?.();
        } else {
          logger.error(name, `async invocation for ${description} FAILED after ${delays.length} retries, ${lost}: ${what}`);
          if (delivered) onFailedEvent(onFailure, this.failedInvocationRecord(name, event, attempt + 1, result.error));
        }
      }
    };
    const pending = run()
      .catch((err: unknown) => logger.error(name, `async invocation for ${description} FAILED: ${String(err)}`))
      .finally(() => this.pendingAsync.delete(pending));
    this.pendingAsync.add(pending);
  }

  private failedInvocationRecord(name: string, event: unknown, attempts: number, error: LambdaErrorBody): FailedInvocationRecord {
    const { region } = this.options.local;
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${region}:000000000000:function:${this.definition(name).functionName}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: error,
    };
  }

  /** Waits for asynchronous invocations in flight (tests, orderly shutdown). */
  async drain(): Promise<void> {
    while (this.pendingAsync.size) await Promise.allSettled([...this.pendingAsync]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.stop()));
  }

  private pool(name: string): FunctionPool {
    const pool = this.pools.get(name);
    if (!pool) throw new Error(`no function "${name}" in the plan (have: ${this.names.join(', ')})`);
    return pool;
  }
}

class FunctionPool {
  private readonly sandboxes = new Set<Sandbox>();
  private readonly waiting: ((sandbox: Sandbox) => void)[] = [];
  private nextId = 1;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly options: LocalFunctionsOptions,
  ) {}

  async warm(): Promise<void> {
    if (this.sandboxes.size) return;
    const sandbox = this.spawn();
    try {
      await sandbox.ready;
    } catch (err) {
      this.options.logger.error(this.definition.name, `init failed: ${(err as Error).message}`);
    }
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    const sandbox = await this.acquire();
    try {
      await sandbox.ready;
    } catch (err) {
      this.discard(sandbox);
      return { ok: false, error: { errorType: 'Runtime.InitError', errorMessage: (err as Error).message } };
    }
    const { timeoutSeconds, name } = this.definition;
    const id = this.nextId++;
    const requestId = randomUUID();
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        sandbox.current = undefined;
        this.options.logger.error(name, `${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
        this.discard(sandbox);
        resolve({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds` } });
      }, timeoutSeconds * 1000);
      sandbox.current = {
        id,
        settle: (result) => {
          clearTimeout(timer);
          sandbox.current = undefined;
          if (!result.ok) {
            this.options.logger.warn(name, `${requestId} invocation error ${result.error.errorType}: ${result.error.errorMessage}`);
          }
          resolve(result);
          this.release(sandbox);
        },
      };
      const message: ToRuntime = { type: 'invoke', id, requestId, event: JSON.stringify(event), deadline };
      sandbox.process.send(message);
    });
  }

  async stop(): Promise<void> {
    const all = [...this.sandboxes];
    this.sandboxes.clear();
    await Promise.all(all.map((s) => kill(s.process)));
  }

  private async acquire(): Promise<Sandbox> {
    for (const sandbox of this.sandboxes) {
      if (!sandbox.busy) {
        sandbox.busy = true;
        return sandbox;
      }
    }
    if (this.sandboxes.size < (this.options.maxConcurrency ?? 4)) {
      const sandbox = this.spawn();
      sandbox.busy = true;
      return sandbox;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sandbox: Sandbox): void {
    if (!this.sandboxes.has(sandbox)) return;
    const next = this.waiting.shift();
    if (next) next(sandbox);
    else sandbox.busy = false;
  }

  private discard(sandbox: Sandbox): void {
    this.sandboxes.delete(sandbox);
    void kill(sandbox.process);
    // A waiting invocation gets a fresh sandbox in place of the discarded one.
    const next = this.waiting.shift();
    if (next) {
      const fresh = this.spawn();
      fresh.busy = true;
      next(fresh);
    }
  }

  private spawn(): Sandbox {
    const { definition, options } = this;
    const taskRoot = path.join(options.functionsDir, definition.name);
    const data: RuntimeData = {
      taskRoot,
      handler: definition.handler,
      functionName: definition.functionName,
      memorySize: definition.memorySize,
      region: options.local.region,
    };
    const node = lambdaNode();
    const child = spawn(node.path, [`--max-old-space-size=${definition.memorySize}`, options.runtimeScript, JSON.stringify(data)], {
      env: {
        ...lambdaEnvironment(definition, taskRoot, options.local),
        // On an older fallback Node the SDK warns about it on every cold start: noise here.
        ...(node.fallback !== undefined ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
      },
      cwd: taskRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    logChildOutput(child, options.logger, definition.name);

    let markReady!: () => void;
    let markFailed!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined);
    const sandbox: Sandbox = { process: child, ready, busy: false };
    this.sandboxes.add(sandbox);

    child.on('message', (message: FromRuntime) => {
      if (message.type === 'ready') {
        sandbox.initialized = true;
        markReady();
      }
      else if (message.type === 'init-error') {
        markFailed(new Error(`${message.error.errorType}: ${message.error.errorMessage}`));
      } else if (sandbox.current?.id === message.id) {
        sandbox.current.settle(
          message.type === 'result' ? { ok: true, payload: JSON.parse(message.payload) } : { ok: false, error: message.error },
        );
      }
    });
    child.on('error', (err) => {
      // The process could not be started (or signalled): nothing runs in this sandbox.
      markFailed(err);
      options.logger.error(definition.name, `runtime failed: ${err.message}`);
      const current = sandbox.current;
      if (this.sandboxes.has(sandbox)) this.discard(sandbox);
      current?.settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: err.message } });
    });
    child.on('exit', (code, signal) => {
      // An uncaught exception, process.exit or running out of memory ends a Lambda sandbox:
      // fail what ran in it; the next invocation gets a fresh one.
      const status = signal !== null ? `signal ${signal}` : `exit status ${code}`;
      markFailed(new Error(`Runtime exited with error: ${status}`));
      const current = sandbox.current;
      const crashed = this.sandboxes.has(sandbox);
      if (crashed) {
        options.logger.error(definition.name, `runtime exited with error: ${status}${current ? ' during an invocation' : ''}`);
        this.discard(sandbox);
        // Keep the function warm, as Lambda restarts a crashed runtime (not after a failed init, which would loop).
        if (sandbox.initialized === true && this.sandboxes.size === 0) this.spawn();
      }
      current?.settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${status}` } });
    });
    return sandbox;
  }
}

/** Ends a sandbox's process and waits until it is gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The environment of one function: the plan's variables plus what Lambda itself sets. */
function lambdaEnvironment(definition: FunctionDefinition, taskRoot: string, local: LocalValues): Record<string, string> {
  return {
    ...definition.environment,
    AWS_REGION: local.region,
    AWS_DEFAULT_REGION: local.region,
    AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: local.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: local.dynamodbEndpoint,
    ...(local.snsEndpoint !== undefined ? { AWS_ENDPOINT_URL_SNS: local.snsEndpoint } : {}),
    ...(local.lambdaEndpoint !== undefined ? { AWS_ENDPOINT_URL_LAMBDA: local.lambdaEndpoint } : {}),
    ...(local.secretsManagerEndpoint !== undefined ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: local.secretsManagerEndpoint } : {}),
    ...(local.sfnEndpoint !== undefined ? { AWS_ENDPOINT_URL_SFN: local.sfnEndpoint } : {}),
    S3_FORCE_PATH_STYLE: 'true',
    AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.functionName}`,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: definition.handler,
  };
}

