/**
 * Just enough of the Lambda API for the local stack: `Invoke` of the plan's functions by
 * name or ARN (the REST-JSON route the SDK v3 client calls), so a function can hand work to
 * another as in AWS — the sync function invokes the process function with
 * `InvocationType: Event`, which is queued with the plan's retries and on-failure
 * destination (LocalFunctions.invokeAsync); `RequestResponse` waits for the result.
 *
 * Only the stack itself may invoke: every request must be SigV4-signed with the stack's per-run
 * key pair (local/sigv4.ts), be sent to this emulator's own Host (DNS rebinding), carry a JSON
 * or binary payload (a page's `text/plain` form post is 415, as is anything a browser could send
 * without a preflight), and name a function by its full name or ARN (`auth` alone is not a
 * function the stack defines: `media-store-auth` is).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { InvokeResult } from './functions';
import type { Logger } from './log';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials } from './sigv4';
import { LOCAL_ACCOUNT } from './sns';
import { readLimitedBody } from './request-body';

interface LambdaInvoker {
  /** Tag name of the function with this physical name (`media-store-auth`), if any. */
  nameOf(functionName: string): string | undefined;
  invoke(name: string, event: unknown): Promise<InvokeResult>;
  invokeAsync(name: string, event: unknown, description: string): void;
}

interface LocalLambda {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's limits: 256 KB for an event, 6 MB for a synchronous request. */
const MAX_EVENT_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** What the SDK sends (`application/octet-stream`) and JSON; never a type a form can post. */
const PAYLOAD_TYPES = new Set(['application/octet-stream', 'application/json']);

export interface LocalLambdaOptions {
  invoker: () => LambdaInvoker;
  logger: Logger;
  /** The stack's key pair: requests not signed with it are refused. */
  credentials: LocalCredentials;
  region: string;
  /** @default a free port */
  port?: number;
}

export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const { credentials, region, logger } = options;
  const port = options.port ?? (await freePort());
  const arnPrefix = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:`;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger.error('lambda', `request failed: ${String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'ServiceException', 'Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost) return refuse(req, res, wrongHost);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!PAYLOAD_TYPES.has(contentType) && !(contentType === '' && req.headers['content-length'] === '0')) {
      return refuse(req, res, { status: 415, code: 'UnsupportedMediaTypeException', message: `Content-Type ${JSON.stringify(contentType)} is not supported: send application/json or application/octet-stream` });
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const body = await readLimitedBody(req, type === 'Event' ? MAX_EVENT_BYTES : MAX_REQUEST_BYTES);
    if (body === undefined) return sendError(res, 413, 'RequestTooLargeException', 'Request payload too large');
    const unsigned = await verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { credentials, region, service: 'lambda' });
    if (unsigned) return refuse(req, res, unsigned);
    const match = INVOKE_PATH.exec(new URL(req.url ?? '/', 'http://local').pathname);
    if (req.method !== 'POST' || match === null) return sendError(res, 404, 'UnknownOperationException', 'Only Invoke is emulated');
    const requested = decodeURIComponent(match[1] as string);
    const invoker = options.invoker();
    const physical = requested.startsWith(arnPrefix) ? requested.slice(arnPrefix.length).replace(/:\$LATEST$/, '') : requested.startsWith('arn:') ? undefined : requested;
    const name = physical === undefined ? undefined : invoker.nameOf(physical);
    if (name === undefined) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${requested} (give a function's full name or ARN)`);
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

  function refuse(req: IncomingMessage, res: ServerResponse, refusal: { status: number; code: string; message: string }): void {
    logger.warn('lambda', `${req.method} ${req.url?.split('?')[0]} refused: ${refusal.code}`);
    req.resume();
    sendError(res, refusal.status, refusal.code, refusal.message);
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ Type: 'User', message }));
}
