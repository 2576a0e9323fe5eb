/**
 * The inside of one local Lambda execution environment: a Node 22 process of its own (as
 * Lambda's nodejs22.x), with only the function's environment and a heap bounded by its memory
 * size. It loads the bundle once (the init phase), then runs one invocation at a time, like a
 * Lambda sandbox; if the function crashes the process, only this sandbox dies. Messages travel
 * over the IPC channel, results and errors as JSON, as Lambda serializes them.
 *
 * This file is compiled on the fly by local/functions.ts (it runs in a plain Node, where
 * neither tsx nor ts-jest is loaded), so it imports nothing but node built-ins.
 */
import path from 'node:path';

export interface RuntimeData {
  readonly taskRoot: string;
  /** `index.handler`: module file (without extension) and exported name. */
  readonly handler: string;
  readonly functionName: string;
  readonly memorySize: number;
  readonly region: string;
}

export type ToRuntime = { type: 'invoke'; id: number; requestId: string; event: string; deadline: number };

export interface LambdaErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export type FromRuntime =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaErrorBody }
  | { type: 'result'; id: number; payload: string }
  | { type: 'error'; id: number; error: LambdaErrorBody };

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

function errorBody(err: unknown, fallbackType: string): LambdaErrorBody {
  if (err instanceof Error) {
    return { errorType: err.name || fallbackType, errorMessage: err.message, trace: err.stack?.split('\n') };
  }
  return { errorType: fallbackType, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}

async function loadHandler(data: RuntimeData): Promise<Handler> {
  const dot = data.handler.lastIndexOf('.');
  const modulePath = path.join(data.taskRoot, data.handler.slice(0, dot));
  const exportName = data.handler.slice(dot + 1);
  let loaded: Record<string, unknown>;
  try {
    loaded = require(modulePath) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err;
    loaded = (await import(`${modulePath}.mjs`)) as Record<string, unknown>;
  }
  const handler = loaded[exportName];
  if (typeof handler !== 'function') {
    const err = new Error(`${data.handler} is undefined or not exported`);
    err.name = 'Runtime.HandlerNotFound';
    throw err;
  }
  return handler as Handler;
}

function lambdaContext(data: RuntimeData, requestId: string, deadline: number): Record<string, unknown> {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${data.region}:000000000000:function:${data.functionName}`,
    memoryLimitInMB: String(data.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function invoke(handler: Handler, event: unknown, context: Record<string, unknown>): Promise<unknown> {
  if (handler.length < 3) return Promise.resolve(handler(event, context));
  return new Promise((resolve, reject) => {
    const returned = handler(event, context, (err, result) => (err ? reject(err) : resolve(result)));
    if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
  });
}

/** What the parent passes as the only argument: the sandbox's configuration, as JSON. */
const RUNTIME_DATA_ARGUMENT = 1;

function send(message: FromRuntime): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const data = JSON.parse(process.argv[process.argv.length - RUNTIME_DATA_ARGUMENT] as string) as RuntimeData;
  // The parent is gone (stopped, or killed without stopping us): a sandbox never outlives it.
  process.on('disconnect', () => process.exit(0));

  let handler: Handler;
  try {
    handler = await loadHandler(data);
  } catch (err) {
    send({ type: 'init-error', error: errorBody(err, 'Runtime.ImportModuleError') });
    return;
  }
  process.on('message', (message: ToRuntime) => {
    const event: unknown = JSON.parse(message.event);
    invoke(handler, event, lambdaContext(data, message.requestId, message.deadline)).then(
      (result) => send({ type: 'result', id: message.id, payload: JSON.stringify(result === undefined ? null : result) }),
      (err: unknown) => send({ type: 'error', id: message.id, error: errorBody(err, 'Error') }),
    );
  });
  send({ type: 'ready' });
}

if (process.send !== undefined) void main();
