/**
 * The inside of one local Lambda execution environment: runs in its own worker thread with
 * its own `process.env`, loads the bundle once (the init phase), then runs one invocation at
 * a time, like a Lambda sandbox. Results and errors travel as JSON, as Lambda serializes them.
 *
 * This file is compiled on the fly by local/functions.ts (it runs in a plain worker, where
 * neither tsx nor ts-jest is loaded), so it imports nothing but node built-ins.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

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

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('lambda-runtime must run in a worker thread');
  const data = workerData as RuntimeData;

  let handler: Handler;
  try {
    handler = await loadHandler(data);
  } catch (err) {
    port.postMessage({ type: 'init-error', error: errorBody(err, 'Runtime.ImportModuleError') } satisfies FromRuntime);
    return;
  }
  port.on('message', (message: ToRuntime) => {
    const event: unknown = JSON.parse(message.event);
    invoke(handler, event, lambdaContext(data, message.requestId, message.deadline)).then(
      (result) => {
        const payload = JSON.stringify(result === undefined ? null : result);
        port.postMessage({ type: 'result', id: message.id, payload } satisfies FromRuntime);
      },
      (err: unknown) => port.postMessage({ type: 'error', id: message.id, error: errorBody(err, 'Error') } satisfies FromRuntime),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromRuntime);
}

if (parentPort) void main();
