/**
 * The S3 server proper, in a child process of the local stack (local/s3.ts forks it and
 * restarts it when it dies): s3rver with what it lacks emulated (multipart checks in
 * local/s3-multipart.ts, copies here), and its object events rewritten into the records AWS S3
 * delivers to a Lambda notification target (URL-encoded key, a monotonic `sequencer`, the real
 * event names), sent to the stack over IPC.
 *
 * It listens on a free loopback port that only the stack's checking front (local/s3.ts) is
 * told; the front forwards requests unchanged (s3rver checks the same signature again). Its
 * objects are files in the directory it is given, so a restarted server serves them all.
 * It exits when the stack goes (the IPC channel closes), however the stack ends.
 *
 * IPC, stack → server: `start` (directory, region, the stack's key pair: never in argv or the
 * environment), `ensureBucket`. Server → stack: `listening`, `event`, `log`, `done`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account';
import { emulateMultipart } from './s3-multipart';
import type { LocalCredentials } from './sigv4';

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

export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

/** What the stack sends the server. */
export type ToS3Server =
  | { readonly type: 'start'; readonly directory: string; readonly region: string; readonly credentials: LocalCredentials }
  | { readonly type: 'ensureBucket'; readonly id: number; readonly name: string; readonly corsRules: readonly CorsRule[] };

/** What the server sends the stack. */
export type FromS3Server =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'event'; readonly record: S3EventRecord }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly error?: string };

/**
 * Local only: a request carrying this header changes the bucket without any notification,
 * as if the event were lost — to put the catalog out of step on purpose (reconcile tests).
 */
export const SUPPRESS_EVENTS_HEADER = 'x-media-store-local-suppress-events';

interface S3rverRecord {
  eventName: string;
  eventTime: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: { bucket: { name: string; ownerIdentity: { principalId: string } }; object: { key: string; size?: number; eTag?: string } };
}

/** Runs s3rver on a free loopback port; `send` carries its events and log lines to the stack. */
async function serve(options: { directory: string; region: string; credentials: LocalCredentials }, send: (message: FromS3Server) => void): Promise<{ port: number; ensureBucket(name: string, corsRules: readonly CorsRule[]): Promise<void> }> {
  const { region, directory } = options;
  const warn = (message: string): void => send({ type: 'log', level: 'warn', message });
  const s3rver = new S3rver({ directory, silent: true, address: '127.0.0.1', port: 0, vhostBuckets: false });
  // s3rver refuses key ids it does not know (it has one built in, which the front refuses).
  DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const requests = new AsyncLocalStorage<IncomingMessage>();
  const sequencer = monotonicSequencer();

  const emit = (record: S3EventRecord): void => {
    if (requests.getStore()?.headers[SUPPRESS_EVENTS_HEADER] !== undefined) {
      warn(`${record.eventName} ${record.s3.object.key} not notified (${SUPPRESS_EVENTS_HEADER})`);
      return;
    }
    // Sent at once, before the response (s3rver emits before it answers): a server killed after
    // a client saw its 200 has already handed the event over, as S3 never loses one. The stack
    // delivers it asynchronously (another process: never inside the request that caused it).
    send({ type: 'event', record });
  };

  s3rver.on('event', (event: { Records: S3rverRecord[] }) => {
    const request = requests.getStore();
    for (const raw of event.Records) {
      const completesMultipart = raw.eventName === 'ObjectCreated:Post' && request?.url?.includes('uploadId=');
      emit(toAwsRecord(raw, { region, sequencer: sequencer(), eventName: completesMultipart ? 'ObjectCreated:CompleteMultipartUpload' : raw.eventName }));
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
  const server = createServer((req, res) => {
    if (req.headers['x-amz-copy-source'] !== undefined) {
      void requests
        .run(req, () => handleCopy(req, res, s3rver.store as unknown as CopyStore))
        .then((handled) => {
          if (!handled) requests.run(req, () => handle(req, res));
        })
        .catch((error: unknown) => {
          warn(`copy ${req.url?.split('?')[0]} failed: ${String(error)}`);
          sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        });
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers['if-match'] !== undefined) {
      void requests
        .run(req, () => refuseOtherEtag(req, res, s3rver.store as unknown as CopyStore))
        .then((refused) => {
          if (!refused) requests.run(req, () => multipart.serve(req, res) || handle(req, res));
        })
        .catch((error: unknown) => {
          warn(`conditional read ${req.url?.split('?')[0]} failed: ${String(error)}`);
          sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        });
      return;
    }
    requests.run(req, () => multipart.serve(req, res) || handle(req, res));
  });
  // Longer than the front's pooled connections stay idle, so the front never reuses one this side just closed.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async ensureBucket(name, corsRules) {
      const configs = corsRules.length ? [Buffer.from(corsXml(corsRules))] : [];
      // configureBuckets() is s3rver's own provisioning: create if missing, apply the configs.
      (s3rver as unknown as { _configureBuckets: unknown })._configureBuckets = [{ name, configs }];
      await s3rver.configureBuckets();
    },
  };
}

/** The child's main: waits for `start`, serves, answers `ensureBucket`; exits when the stack goes. */
function main(): void {
  const send = (message: FromS3Server): void => {
    if (process.connected) process.send?.(message);
  };
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C reaches the whole process group: the stack stops this server itself (the channel closes),
  // rather than seeing it die first and restarting it.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  process.on('message', (message: ToS3Server) => {
    if (message.type === 'start' && server === undefined) {
      serve(message, send).then(
        (started) => {
          server = started;
          send({ type: 'listening', port: started.port });
        },
        (error: unknown) => {
          send({ type: 'log', level: 'error', message: `S3 server could not start: ${String(error)}` });
          process.exit(1);
        },
      );
    } else if (message.type === 'ensureBucket') {
      const answer = (error?: unknown): void => send({ type: 'done', id: message.id, ...(error !== undefined ? { error: String(error) } : {}) });
      if (server === undefined) answer('not started');
      else server.ensureBucket(message.name, message.corsRules).then(() => answer(), answer);
    }
  });
}

if (require.main === module) main();

// --- Copies: what s3rver gets wrong or lacks -------------------------------------------

/** The parts of s3rver's filesystem store the copy emulation uses. */
interface CopyStore {
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<{ content: NodeJS.ReadableStream | null } | null>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
}

export function sendS3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
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
async function handleCopy(req: IncomingMessage, res: ServerResponse, store: CopyStore): Promise<boolean> {
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
 * `If-Match` on GetObject and HeadObject (s3rver ignores it): 412 when the object's ETag is
 * another (`*` matches any). A missing object is left to s3rver's 404. Returns whether the
 * response was sent.
 */
async function refuseOtherEtag(req: IncomingMessage, res: ServerResponse, store: CopyStore): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (url.searchParams.has('uploadId')) return false;
  const [bucket, ...key] = url.pathname.split('/').filter(Boolean);
  if (bucket === undefined || key.length === 0) return false;
  const names = { bucket: decodeURIComponent(bucket), key: key.map(decodeURIComponent).join('/') };
  if (!(await store.existsObject(names.bucket, names.key))) return false;
  const etag = String((await store.getMetadata(names.bucket, names.key)).etag ?? '').replace(/"/g, '');
  const wanted = String(req.headers['if-match']).split(',').map((value) => value.trim().replace(/"/g, ''));
  if (wanted.includes('*') || wanted.includes(etag)) return false;
  req.resume();
  if (req.method === 'HEAD') {
    res.writeHead(412);
    res.end();
  } else {
    sendS3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  return true;
}

// --- Event records -----------------------------------------------------------------------

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

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function corsXml(rules: readonly CorsRule[]): string {
  const many = (tag: string, values: readonly string[]): string => values.map((v) => `<${tag}>${escapeXml(v)}</${tag}>`).join('');
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
