/**
 * Just enough of the Lambda API for the local stack: `Invoke` of the plan's functions by
 * name or ARN (the REST-JSON route the SDK v3 client calls), so a function can hand work to
 * another as in AWS — the sync function invokes the process function with
 * `InvocationType: Event`, which is queued with the plan's retries and on-failure
 * destination (LocalFunctions.invokeAsync); `RequestResponse` waits for the result.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { InvokeResult } from './functions';
import type { Logger } from './log';
import { freePort } from './ports';

export interface LambdaInvoker {
  /** Tag name of the function whose physical name (or ARN) is given, if any. */
  nameOf(functionName: string): string | undefined;
  invoke(name: string, event: unknown): Promise<InvokeResult>;
  invokeAsync(name: string, event: unknown, description: string): void;
}

export interface LocalLambda {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's limits: 256 KB for an event, 6 MB for a synchronous request. */
const MAX_EVENT_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export async function startLocalLambda(options: { invoker: () => LambdaInvoker; logger: Logger; port?: number }): Promise<LocalLambda> {
  const port = options.port ?? (await freePort());
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      options.logger.error('lambda', `request failed: ${String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'ServiceException', 'Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (req.method !== 'POST' || match === null) return sendError(res, 404, 'UnknownOperationException', 'Only Invoke is emulated');
    const requested = decodeURIComponent(match[1] as string);
    const invoker = options.invoker();
    const name = invoker.nameOf(requested.replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, '').replace(/:\$LATEST$/, ''));
    if (name === undefined) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${requested}`);
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const body = await readBody(req, type === 'Event' ? MAX_EVENT_BYTES : MAX_REQUEST_BYTES);
    if (body === undefined) return sendError(res, 413, 'RequestTooLargeException', 'Request payload too large');
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    if (type === 'Event') {
      invoker.invokeAsync(name, event, `Invoke from another function`);
      res.writeHead(202, { 'x-amzn-requestid': crypto.randomUUID() }).end();
      return;
    }
    if (type !== 'RequestResponse') return sendError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`);
    const result = await invoker.invoke(name, event);
    const payload = JSON.stringify(result.ok ? (result.payload ?? null) : result.error);
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...(result.ok ? {} : { 'x-amz-function-error': 'Unhandled' }) }).end(payload);
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ Type: 'User', message }));
}
