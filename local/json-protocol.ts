/**
 * The AWS JSON protocol (1.0 and 1.1) as the emulators of Secrets Manager and Step Functions
 * serve it: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body, answered with
 * JSON or `{ __type, message }` and `x-amzn-errortype`. Every request must be sent to the
 * emulator's own Host, with the protocol's content type (else 415), at most `maxBodyBytes`
 * long, and SigV4-signed with the stack's per-run key pair (local/sigv4.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from './log';
import { readLimitedBody } from './request-body';
import { hostRefusal, verifySigV4, type LocalCredentials } from './sigv4';

/** An error the service answers with: its `__type`, message and status. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type JsonOperations = Readonly<Record<string, (input: Record<string, unknown>) => unknown>>;

export interface AwsJsonServiceOptions {
  /** `1.0` (Step Functions) or `1.1` (Secrets Manager). */
  readonly version: '1.0' | '1.1';
  /** What precedes the operation in `X-Amz-Target` (`secretsmanager`, `AWSStepFunctions`). */
  readonly targetPrefix: string;
  /** SigV4's service name, also the log's source (`secretsmanager`, `states`). */
  readonly service: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  readonly logger: Logger;
  readonly port: number;
  readonly maxBodyBytes: number;
  /** What a longer body is refused with (the service's own error). */
  readonly tooLarge: AwsJsonError;
  /** The service's `__type` for an unexpected failure. */
  readonly internalErrorType: string;
  readonly operations: JsonOperations;
}

interface AwsJsonService {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` and runs each request's operation; an operation's AwsJsonError is its answer. */
export async function startAwsJsonService(options: AwsJsonServiceOptions): Promise<AwsJsonService> {
  const { port, logger, service, operations } = options;
  const contentType = `application/x-amz-json-${options.version}`;
  const targetPattern = new RegExp(`^${options.targetPrefix}\\.(\\w+)$`);

  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...(errorType !== undefined ? { 'x-amzn-errortype': errorType } : {}) });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost) throw new AwsJsonError(wrongHost.code, wrongHost.message, wrongHost.status);
    const sent = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (sent !== contentType) throw new AwsJsonError('UnsupportedMediaTypeException', `Content-Type ${JSON.stringify(sent)} is not supported: send ${contentType}`, 415);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = targetPattern.exec(target)?.[1];
    const body = await readLimitedBody(req, options.maxBodyBytes);
    if (body === undefined) throw options.tooLarge;
    const unsigned = await verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { credentials: options.credentials, region: options.region, service });
    if (unsigned) throw new AwsJsonError(unsigned.code, unsigned.message, unsigned.status);
    const run = operation === undefined ? undefined : operations[operation];
    if (req.method !== 'POST' || run === undefined) throw new AwsJsonError('UnknownOperationException', `Operation ${target || '(none)'} is not emulated.`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      throw new AwsJsonError('SerializationException', 'Request body is not JSON.');
    }
    send(res, 200, run(input));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof AwsJsonError) {
        if (error.status === 403 || error.status === 415 || error.status === 421) logger.warn(service, `${req.method} ${String(req.headers['x-amz-target'] ?? '')} refused: ${error.type}`);
        req.resume();
        return send(res, error.status, { __type: error.type, message: error.message }, error.type);
      }
      logger.error(service, `request failed: ${String(error)}`);
      send(res, 500, { __type: options.internalErrorType, message: 'Internal error' }, options.internalErrorType);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
