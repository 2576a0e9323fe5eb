/**
 * Just enough of SNS for the local stack: `Publish` (and `GetTopicAttributes`, to check a
 * topic exists) on the plan's topics, in the Query protocol the SDK v3 client speaks
 * (form-encoded POST, XML answer). Nothing is delivered anywhere: messages are recorded,
 * logged, and readable at `GET /_local/messages` (JSON) for tests and curious developers.
 * Every request, that GET included, must be sent to this emulator's own Host and SigV4-signed
 * with the stack's per-run key pair (local/sigv4.ts); a POST must be form-encoded (else 415).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from './log';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials } from './sigv4';
import { dropAfter, type FaultInjector } from './faults';

interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  /** Message attributes by name: `{dataType, value}`. */
  readonly attributes: Readonly<Record<string, { readonly dataType: string; readonly value: string }>>;
  /** ISO 8601. */
  readonly timestamp: string;
}

export interface LocalSnsOptions {
  readonly region: string;
  /** Names of the topics that exist. */
  readonly topicNames: readonly string[];
  readonly logger: Logger;
  /** The stack's key pair: requests not signed with it are refused. */
  readonly credentials: LocalCredentials;
  /** @default a free port */
  readonly port?: number;
  /** Faults to inject in `Publish` (local/faults.ts). */
  readonly faults?: FaultInjector;
}

interface LocalSns {
  readonly endpoint: string;
  /** ARN of a topic by name, in the local account. */
  topicArn(name: string): string;
  /** Every message published so far, oldest first. */
  messages(): readonly PublishedMessage[];
  stop(): Promise<void>;
}

export const LOCAL_ACCOUNT = '000000000000';
const MESSAGES_PATH = '/_local/messages';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** SNS refuses messages over 256 KiB. */
const MAX_MESSAGE_BYTES = 256 * 1024;

export async function startLocalSns(options: LocalSnsOptions): Promise<LocalSns> {
  const { logger, region, credentials } = options;
  const port = options.port ?? (await freePort());
  const topicArn = (name: string): string => `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${name}`;
  const topics = new Set(options.topicNames.map(topicArn));
  const published: PublishedMessage[] = [];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger.error('sns', `request failed: ${String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'Receiver', 'InternalError', 'Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost) return refuse(req, res, wrongHost);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (req.method === 'POST' && contentType !== 'application/x-www-form-urlencoded') {
      return refuse(req, res, { status: 415, code: 'UnsupportedMediaType', message: `Content-Type ${JSON.stringify(contentType)} is not supported: send application/x-www-form-urlencoded` });
    }
    const body = await readBody(req);
    const unsigned = await verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { credentials, region, service: 'sns' });
    if (unsigned) return refuse(req, res, unsigned);
    if (req.method === 'GET' && path === MESSAGES_PATH) {
      const body = JSON.stringify(published);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method !== 'POST' || path !== '/') return sendError(res, 400, 'Sender', 'InvalidAction', 'Only POST / with a Query-protocol action is supported locally');
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action');
    const arn = params.get('TopicArn') ?? '';
    switch (action) {
      case 'Publish': {
        const fault = options.faults?.next('sns');
        if (fault === 'throttle') return sendError(res, 400, 'Sender', 'Throttling', 'Rate exceeded (injected fault)');
        if (fault === 'error') return sendError(res, 500, 'Receiver', 'InternalError', 'Internal error (injected fault)');
        // A timeout: published, but the answer never comes.
        if (fault === 'timeout') dropAfter(res, options.faults!.timeoutMs);
        if (!topics.has(arn)) return sendError(res, 404, 'Sender', 'NotFound', 'Topic does not exist');
        const message = params.get('Message');
        if (message === null || message === '') return sendError(res, 400, 'Sender', 'InvalidParameter', 'Invalid parameter: Empty message');
        if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) return sendError(res, 400, 'Sender', 'InvalidParameter', 'Invalid parameter: Message too long');
        const subject = params.get('Subject');
        const entry: PublishedMessage = {
          messageId: randomUUID(),
          topicArn: arn,
          message,
          ...(subject !== null ? { subject } : {}),
          attributes: attributesOf(params),
          timestamp: new Date().toISOString(),
        };
        published.push(entry);
        logger.info('sns', `published ${entry.messageId} to ${arn}: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`);
        return sendXml(res, 'Publish', `<PublishResult><MessageId>${entry.messageId}</MessageId></PublishResult>`);
      }
      case 'GetTopicAttributes':
        if (!topics.has(arn)) return sendError(res, 404, 'Sender', 'NotFound', 'Topic does not exist');
        return sendXml(res, 'GetTopicAttributes', `<GetTopicAttributesResult><Attributes><entry><key>TopicArn</key><value>${escapeXml(arn)}</value></entry></Attributes></GetTopicAttributesResult>`);
      default:
        return sendError(res, 400, 'Sender', 'InvalidAction', `The action ${action ?? '(none)'} is not valid for this endpoint (local SNS supports Publish and GetTopicAttributes).`);
    }
  }

  function refuse(req: IncomingMessage, res: ServerResponse, refusal: { status: number; code: string; message: string }): void {
    logger.warn('sns', `${req.method} ${req.url?.split('?')[0]} refused: ${refusal.code}`);
    req.resume();
    sendError(res, refusal.status, 'Sender', refusal.code, refusal.message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  logger.info('sns', `SNS (Publish only) on ${endpoint}, topics: ${[...topics].join(', ') || 'none'}; messages at ${endpoint}${MESSAGES_PATH}`);

  return {
    endpoint,
    topicArn,
    messages: () => [...published],
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` pairs. */
function attributesOf(params: URLSearchParams): Record<string, { dataType: string; value: string }> {
  const attributes: Record<string, { dataType: string; value: string }> = {};
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const name = params.get(`MessageAttributes.entry.${n}.Name`)!;
    attributes[name] = {
      dataType: params.get(`MessageAttributes.entry.${n}.Value.DataType`) ?? 'String',
      value: params.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? params.get(`MessageAttributes.entry.${n}.Value.BinaryValue`) ?? '',
    };
  }
  return attributes;
}

/** The body, up to a little over SNS's largest message (form-encoding grows it); more is cut off. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * MAX_MESSAGE_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendXml(res: ServerResponse, action: string, result: string): void {
  const body = `<${action}Response xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, type: 'Sender' | 'Receiver', code: string, message: string): void {
  const body = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
