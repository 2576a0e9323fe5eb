/**
 * The S3 side of the local stack: s3rver in this process behind the SigV4 check it lacks
 * (every request but a CORS preflight signed with the stack's per-run key pair, in its
 * Authorization header or as a presigned URL, and sent to this emulator's own Host), the bucket created with the plan's CORS rules, and its object events rewritten into the records AWS S3 delivers to a
 * Lambda notification target (URL-encoded key, a monotonic `sequencer`, the real event
 * names), filtered by the plan's `aws_s3_bucket_notification`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account';
import type { Logger } from './log';
import { PlanError, rejectReference, type PlanValue, type ReferenceResolver, type SynthesizedPlan } from './plan';
import { emulateMultipart } from './s3-multipart';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials, type Refusal } from './sigv4';
import { dropAfter, type FaultInjector } from './faults';

/** One record of an S3 event notification, as AWS S3 delivers it to Lambda. */
export interface S3EventRecord {
  readonly eventVersion: string;
  readonly eventSource: 'aws:s3';
  readonly awsRegion: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly userIdentity: { principalId: string };
  readonly requestParameters: { sourceIPAddress: string };
  readonly responseElements: Record<string, string>;
  readonly s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

export interface S3Notification {
  /** Logical name of the target `aws_lambda_function` in the plan. */
  readonly functionResource: string;
  readonly events: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
  readonly id: string;
}

export interface LocalS3Options {
  /** Keep objects here; omit for a temporary directory removed on stop. */
  readonly directory?: string;
  /** @default a free port */
  readonly port?: number;
  readonly region: string;
  readonly logger: Logger;
  /**
   * The stack's key pair. Every request must be SigV4-signed with it, in the Authorization
   * header (the SDK's) or in the query (presigned URLs: signature, signed headers, expiry), as
   * S3 checks requests to a private bucket; s3rver alone checks nothing. Only CORS preflights
   * (OPTIONS), which carry no credentials, go through unsigned.
   */
  readonly credentials: LocalCredentials;
  /** Faults to inject in signed requests (local/faults.ts). */
  readonly faults?: FaultInjector;
}

export interface LocalS3 {
  readonly endpoint: string;
  /** Creates the bucket if missing and (re)applies the CORS rules. */
  ensureBucket(name: string, corsRules: readonly CorsRule[]): Promise<void>;
  /** Called for every object event, after the object operation completed. */
  onObjectEvent(listener: (record: S3EventRecord) => void): void;
  /** Whether the server listens now; false from an unexpected close until it listens again on its port. */
  isUp(): boolean;
  stop(): Promise<void>;
}

export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

interface S3rverRecord {
  eventName: string;
  eventTime: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: { bucket: { name: string; ownerIdentity: { principalId: string } }; object: { key: string; size?: number; eTag?: string } };
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const { logger, region } = options;
  const temporary = !options.directory;
  const directory = options.directory ?? mkdtempSync(path.join(tmpdir(), 'media-store-s3-'));
  mkdirSync(directory, { recursive: true });
  const port = options.port ?? (await freePort());

  const s3rver = new S3rver({ directory, silent: true, address: '127.0.0.1', port, vhostBuckets: false });
  // s3rver refuses key ids it does not know (it has one built in, which the check below refuses).
  DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const requests = new AsyncLocalStorage<IncomingMessage>();
  const listeners: ((record: S3EventRecord) => void)[] = [];
  const sequencer = monotonicSequencer();

  const emit = (record: S3EventRecord): void => {
    if (requests.getStore()?.headers[SUPPRESS_EVENTS_HEADER] !== undefined) {
      logger.warn('s3', `${record.eventName} ${record.s3.object.key} not notified (${SUPPRESS_EVENTS_HEADER})`);
      return;
    }
    // S3 notifications are asynchronous: never inside the request that caused them.
    setImmediate(() => listeners.forEach((listener) => listener(record)));
  };

  s3rver.on('event', (event: { Records: S3rverRecord[] }) => {
    const request = requests.getStore();
    for (const raw of event.Records) {
      const completesMultipart = raw.eventName === 'ObjectCreated:Post' && request?.url?.includes('uploadId=');
      emit(
        toAwsRecord(raw, {
          region,
          sequencer: sequencer(),
          eventName: completesMultipart ? 'ObjectCreated:CompleteMultipartUpload' : raw.eventName,
        }),
      );
    }
  });

  // s3rver emits nothing for DeleteObjects (POST ?delete); AWS emits ObjectRemoved:Delete per key.
  const store = s3rver.store as { deleteObject(bucket: string, key: string): Promise<void> };
  const deleteObject = store.deleteObject.bind(store);
  store.deleteObject = async (bucket: string, key: string): Promise<void> => {
    await deleteObject(bucket, key);
    const request = requests.getStore();
    if (request?.method === 'POST' && /[?&]delete(=|&|$)/.test(request.url ?? '')) {
      emit(
        toAwsRecord(
          {
            eventName: 'ObjectRemoved:Delete',
            eventTime: new Date().toISOString(),
            userIdentity: { principalId: 'AWS:LOCAL' },
            requestParameters: { sourceIPAddress: request.socket.remoteAddress ?? '127.0.0.1' },
            responseElements: {},
            s3: { bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' } }, object: { key } },
          },
          { region, sequencer: sequencer(), eventName: 'ObjectRemoved:Delete' },
        ),
      );
    }
  };

  // ListParts, AbortMultipartUpload and S3's checks on parts, checksums and completion (s3rver lacks them).
  const multipart = emulateMultipart(s3rver, () => requests.getStore());
  const handle = s3rver.callback();
  const check = async (req: IncomingMessage): Promise<Refusal | undefined> => {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost !== undefined || req.method === 'OPTIONS') return wrongHost;
    return verifySigV4({ method: req.method, url: req.url, headers: req.headers }, { credentials: options.credentials, region, service: 's3' });
  };
  const server: Server = createServer((req, res) => {
    check(req)
      .then((refusal) => {
        if (refusal === undefined) return req.method === 'OPTIONS' || !injectFault(req, res) ? serve(req, res) : undefined;
        logger.warn('s3', `${req.method} ${req.url?.split('?')[0]} refused: ${refusal.code}`);
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message></Error>`;
        res.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
        req.resume();
      })
      .catch((error: unknown) => {
        logger.warn('s3', `${req.method} ${req.url?.split('?')[0]} failed: ${String(error)}`);
        if (!res.headersSent) sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      });
  });
  /** Answers the request with an injected fault, before s3rver sees it; false when none is due. */
  const injectFault = (req: IncomingMessage, res: import('node:http').ServerResponse): boolean => {
    const fault = options.faults?.next('s3');
    if (fault === undefined) return false;
    req.resume();
    if (fault === 'timeout') dropAfter(res, options.faults!.timeoutMs);
    else if (fault === 'throttle') sendS3Error(res, 503, 'SlowDown', 'Please reduce your request rate. (injected fault)');
    else sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again. (injected fault)');
    return true;
  };
  const serve = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    if (req.headers['x-amz-copy-source'] !== undefined) {
      void requests
        .run(req, () => handleCopy(req, res, s3rver.store as unknown as CopyStore))
        .then((handled) => {
          if (!handled) requests.run(req, () => handle(req, res));
        })
        .catch((error: unknown) => {
          logger.warn('s3', `copy ${req.url?.split('?')[0]} failed: ${String(error)}`);
          sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        });
      return;
    }
    requests.run(req, () => multipart.serve(req, res) || handle(req, res));
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // Supervised: a server that stops listening while the stack runs (a fatal socket error) listens
  // again on the same port, with the same directory, so its objects are intact.
  let stopping = false;
  const relisten = (attempt: number): void => {
    if (stopping || server.listening) return;
    setTimeout(() => {
      if (stopping || server.listening) return;
      server.once('error', (error) => {
        logger.error('s3', `listening again failed: ${String(error)}`);
        relisten(attempt + 1);
      });
      server.listen(port, '127.0.0.1', () => logger.warn('s3', `S3 listens again on ${port} (data in ${directory} kept)`));
    }, Math.min(10_000, 250 * 2 ** attempt)).unref();
  };
  server.on('close', () => {
    if (stopping) return;
    logger.error('s3', 'S3 stopped listening unexpectedly; restarting it');
    relisten(0);
  });
  server.on('error', (error) => {
    if (stopping) return;
    logger.error('s3', `server error: ${String(error)}`);
    if (!server.listening) relisten(0);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  logger.info('s3', `S3 (s3rver) on ${endpoint} (${temporary ? 'temporary data' : `data in ${directory}`})`);

  return {
    endpoint,
    async ensureBucket(name, corsRules) {
      const configs = corsRules.length ? [Buffer.from(corsXml(corsRules))] : [];
      // configureBuckets() is s3rver's own provisioning: create if missing, apply the configs.
      (s3rver as unknown as { _configureBuckets: unknown })._configureBuckets = [{ name, configs }];
      await s3rver.configureBuckets();
    },
    onObjectEvent(listener) {
      listeners.push(listener);
    },
    isUp: () => server.listening,
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      s3rver.logger.close();
      DUMMY_ACCOUNT.revokeAccessKey(options.credentials.accessKeyId);
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

// --- Copies: what s3rver gets wrong or lacks -------------------------------------------

/** The parts of s3rver's filesystem store the copy emulation uses. */
interface CopyStore {
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<{ content: NodeJS.ReadableStream | null } | null>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
}

function sendS3Error(res: import('node:http').ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** `x-amz-copy-source` (`[/]bucket/url-encoded key[?versionId=…]`) as bucket and key, or undefined. */
export function parseCopySource(header: string): { bucket: string; key: string } | undefined {
  const [path = ''] = header.split('?', 1);
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.indexOf('/');
  if (slash <= 0) return undefined;
  try {
    return { bucket: decodeURIComponent(trimmed.slice(0, slash)), key: decodeURIComponent(trimmed.slice(slash + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Fixes up copies before s3rver sees them, or serves them itself. Returns whether the
 * response was sent.
 * - s3rver decodes `x-amz-copy-source` with `decodeURI`, which leaves `%2B`, `%26`, `%23`, …
 *   encoded: the header is rewritten so that `decodeURI` yields the real key.
 * - `x-amz-copy-source-if-match` is checked here (s3rver ignores it): 412 on another ETag.
 * - UploadPartCopy (PUT ?partNumber&uploadId with a copy source) is not implemented by
 *   s3rver: the byte range of the source is stored as the part here.
 */
async function handleCopy(req: IncomingMessage, res: import('node:http').ServerResponse, store: CopyStore): Promise<boolean> {
  const source = parseCopySource(String(req.headers['x-amz-copy-source']));
  if (source === undefined) {
    sendS3Error(res, 400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    return true;
  }
  req.headers['x-amz-copy-source'] = `${encodeURI(source.bucket)}/${encodeURI(source.key)}`;
  const exists = await store.existsObject(source.bucket, source.key);
  const ifMatch = req.headers['x-amz-copy-source-if-match'];
  if (exists && typeof ifMatch === 'string') {
    const etag = String((await store.getMetadata(source.bucket, source.key)).etag ?? '').replace(/"/g, '');
    if (ifMatch.replace(/"/g, '') !== etag) {
      sendS3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      return true;
    }
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const uploadId = url.searchParams.get('uploadId');
  const partNumber = Number(url.searchParams.get('partNumber'));
  if (req.method !== 'PUT' || uploadId === null || !Number.isInteger(partNumber)) return false;

  // UploadPartCopy.
  if (!exists) {
    sendS3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    return true;
  }
  const [bucket] = url.pathname.split('/').filter(Boolean);
  const size = Number((await store.getMetadata(source.bucket, source.key))['content-length']);
  const range = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers['x-amz-copy-source-range'] ?? ''));
  const first = range === null ? 0 : Number(range[1]);
  const last = range === null ? size - 1 : Number(range[2]);
  if (bucket === undefined || first > last || last >= size) {
    sendS3Error(res, 400, 'InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy');
    return true;
  }
  const object = await store.getObject(source.bucket, source.key, { start: first, end: last });
  if (object?.content === null || object === null) {
    sendS3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    return true;
  }
  req.resume();
  const { md5 } = await store.putPart(decodeURIComponent(bucket), uploadId, partNumber, object.content);
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`;
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/**
 * Local only: a request carrying this header changes the bucket without any notification,
 * as if the event were lost — to put the catalog out of step on purpose (reconcile tests).
 */
export const SUPPRESS_EVENTS_HEADER = 'x-media-store-local-suppress-events';

/**
 * S3's sequencer orders the events of one key. s3rver stamps milliseconds, which ties for
 * events in the same millisecond; this one never repeats and never goes backwards, also
 * across restarts on kept data (it starts from the clock).
 */
export function monotonicSequencer(): () => string {
  let last = 0n;
  return () => {
    const fromClock = BigInt(Date.now()) << 20n;
    last = fromClock > last ? fromClock : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}

/** S3 URL-encodes keys in notifications like a form (`red flower.jpg` → `red+flower.jpg`). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function toAwsRecord(raw: S3rverRecord, fields: { region: string; sequencer: string; eventName: string }): S3EventRecord {
  const bucket = raw.s3.bucket.name;
  const object = raw.s3.object;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: fields.region,
    eventTime: raw.eventTime,
    eventName: fields.eventName,
    userIdentity: raw.userIdentity,
    requestParameters: raw.requestParameters,
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(32).toString('base64'),
      ...raw.responseElements,
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: '',
      bucket: { name: bucket, ownerIdentity: raw.s3.bucket.ownerIdentity, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeEventKey(object.key),
        ...(fields.eventName.startsWith('ObjectCreated:') && object.size !== undefined ? { size: Number(object.size) } : {}),
        ...(object.eTag ? { eTag: object.eTag } : {}),
        sequencer: fields.sequencer,
      },
    },
  };
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function corsXml(rules: readonly CorsRule[]): string {
  const escape = escapeXml;
  const many = (tag: string, values: readonly string[]): string => values.map((v) => `<${tag}>${escape(v)}</${tag}>`).join('');
  const body = rules
    .map(
      (r) =>
        `<CORSRule>${many('AllowedOrigin', r.allowedOrigins)}${many('AllowedMethod', r.allowedMethods)}` +
        `${many('AllowedHeader', r.allowedHeaders)}${many('ExposeHeader', r.exposeHeaders)}` +
        `${r.maxAgeSeconds !== undefined ? `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>` : ''}</CORSRule>`,
    )
    .join('');
  return `<CORSConfiguration>${body}</CORSConfiguration>`;
}

// --- What the plan says about the bucket -----------------------------------------------

/**
 * The local stand-in for the site's CloudFront domain. There is no CloudFront locally, and the
 * app is served on an origin the plan cannot know, so the rule admitting the distribution's
 * origin resolves to a name no browser can be on (`.invalid` is reserved, RFC 2606).
 */
export const LOCAL_DISTRIBUTION_DOMAIN = 'distribution.cloudfront.invalid';

const siteReferences: ReferenceResolver = (type, name, attribute, expression) =>
  type === 'aws_cloudfront_distribution' && attribute === 'domain_name'
    ? LOCAL_DISTRIBUTION_DOMAIN
    : rejectReference(type, name, attribute, expression);

/** The plan's `aws_s3_bucket_cors_configuration` rules, variables resolved. */
export function corsRulesFromPlan(plan: SynthesizedPlan): CorsRule[] {
  const declared = plan.resources('aws_s3_bucket_cors_configuration').filter(([, block]) => Number(plan.resolve(block.count ?? 1, siteReferences)) > 0);
  return declared.flatMap(([, block]) =>
    list(plan.resolve(block.cors_rule, siteReferences)).map((r) => {
      const rule = r as Record<string, PlanValue>;
      return {
        allowedOrigins: list(rule.allowed_origins).map(String),
        allowedMethods: list(rule.allowed_methods).map(String),
        allowedHeaders: list(rule.allowed_headers).map(String),
        exposeHeaders: list(rule.expose_headers).map(String),
        ...(rule.max_age_seconds !== undefined && rule.max_age_seconds !== null
          ? { maxAgeSeconds: Number(rule.max_age_seconds) }
          : {}),
      };
    }),
  );
}

/** The Lambda targets of the plan's `aws_s3_bucket_notification`. */
export function notificationsFromPlan(plan: SynthesizedPlan): S3Notification[] {
  return plan.resources('aws_s3_bucket_notification').flatMap(([, block]) =>
    list(block.lambda_function).map((t, index) => {
      const target = t as Record<string, PlanValue>;
      const arn = String(target.lambda_function_arn);
      const ref = /^\$\{aws_lambda_function\.([^.}]+)\.arn\}$/.exec(arn);
      if (!ref) throw new PlanError(`notification target ${arn} is not a function of this plan`);
      return {
        functionResource: ref[1],
        events: list(plan.resolve(target.events)).map(String),
        prefix: String(plan.resolve(target.filter_prefix ?? '') ?? ''),
        suffix: String(plan.resolve(target.filter_suffix ?? '') ?? ''),
        id: String(target.id ?? `notification-${index}`),
      };
    }),
  );
}

/** Whether a notification fires for a record: event type (with `*`) and key prefix/suffix. */
export function notificationMatches(notification: S3Notification, record: S3EventRecord): boolean {
  const eventName = `s3:${record.eventName}`;
  const typeMatches = notification.events.some((pattern) =>
    pattern.endsWith('*') ? eventName.startsWith(pattern.slice(0, -1)) : eventName === pattern,
  );
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  return typeMatches && key.startsWith(notification.prefix) && key.endsWith(notification.suffix);
}

function list(value: PlanValue | undefined): PlanValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
