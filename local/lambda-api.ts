/**
 * Just enough of the Lambda API for the local stack: `Invoke`
 * (`POST /2015-03-31/functions/{name}/invocations`), so a function can start another as AWS
 * lets it — `X-Amz-Invocation-Type: Event` queues the event (202, retried on failure as the
 * plan's event invoke config says), `RequestResponse` answers the result. The functions get
 * its address as `AWS_ENDPOINT_URL_LAMBDA`. Loopback only; requests are not authenticated
 * (nothing beyond this machine can reach it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from './log';
import { freePort } from './ports';

export interface LocalLambdaApiOptions {
  /** The tag name of the function with this physical name or ARN, if any. */
  readonly functionOf: (nameOrArn: string) => string | undefined;
  readonly invoke: (name: string, event: unknown) => Promise<{ ok: true; payload: unknown } | { ok: false; error: { errorType: string; errorMessage: string } }>;
  readonly invokeAsync: (name: string, event: unknown, description: string) => void;
  readonly logger: Logger;
  /** @default a free port */
  readonly port?: number;
}

export interface LocalLambdaApi {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda refuses asynchronous payloads over 256 KiB (1 MiB since 2025; the smaller is enough here). */
const MAX_EVENT_BYTES = 256 * 1024;

export async function startLocalLambdaApi(options: LocalLambdaApiOptions): Promise<LocalLambdaApi> {
  const { logger } = options;
  const port = options.port ?? (await freePort());
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger.error('lambda', `invoke failed: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { Type: 'Service', message: 'Internal error' }, { 'x-amzn-errortype': 'ServiceException' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || match === null) {
      req.resume();
      send(res, 404, { Type: 'User', message: 'Only Invoke is emulated' }, { 'x-amzn-errortype': 'UnknownOperationException' });
      return;
    }
    const requested = decodeURIComponent(match[1] as string);
    const name = options.functionOf(requested);
    const body = await readBody(req);
    if (name === undefined) {
      send(res, 404, { Type: 'User', message: `Function not found: ${requested}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      return;
    }
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      send(res, 400, { Type: 'User', message: 'Could not parse request body into json' }, { 'x-amzn-errortype': 'InvalidRequestContentException' });
      return;
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'Event') {
      if (body.length > MAX_EVENT_BYTES) {
        send(res, 413, { Type: 'User', message: 'Request must be smaller than 262144 bytes for the InvokeAsync operation' }, { 'x-amzn-errortype': 'RequestTooLargeException' });
        return;
      }
      options.invokeAsync(name, event, `Invoke ${name}`);
      res.writeHead(202, { 'content-length': 0 });
      res.end();
      return;
    }
    const result = await options.invoke(name, event);
    if (result.ok) send(res, 200, result.payload ?? null, { 'x-amz-executed-version': '$LATEST' });
    else send(res, 200, result.error, { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  logger.info('lambda', `Lambda Invoke API on ${endpoint}`);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
