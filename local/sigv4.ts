/**
 * AWS Signature Version 4 for the local emulators: every one of them (Lambda, Secrets
 * Manager, SNS, the S3 front, the DynamoDB front) refuses a request that is not signed with the
 * stack's own per-run key pair, as AWS refuses one not signed by a known principal.
 *
 * The verifier does not reimplement SigV4: it hands the request, reduced to the headers the
 * client says it signed, to the AWS SDK's own signer (`@smithy/signature-v4`) with the stack's
 * secret and the date the client signed at, then compares the signature it gets with the one
 * sent, in constant time. Checked besides: the algorithm, the credential scope (key id, day,
 * region, service), `host` among the signed headers, the date within {@link MAX_SKEW_MS} of now
 * (header-signed) or the URL's expiry (presigned), and for services that sign their payload
 * (all but S3) the body against the signed hash.
 *
 * Also here: the per-run key pair, the Host check against DNS rebinding, and the client side
 * (signing a raw HTTP request, for tests and tools that do not use an SDK client).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A fresh key pair for one run of the local stack: an AWS-shaped id and a 240-bit secret. */
export function generateLocalCredentials(): LocalCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('');
  return { accessKeyId: `LKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** How far a header-signed request's date may be from now (AWS: 5 minutes for most services). */
export const MAX_SKEW_MS = 5 * 60 * 1000;
/** The longest a presigned URL may live (AWS: 7 days). */
const MAX_EXPIRES_SECONDS = 604_800;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const CONTENT_SHA256 = 'x-amz-content-sha256';

/** A request as an emulator received it. */
export interface ReceivedRequest {
  readonly method?: string | undefined;
  /** Path and query exactly as sent (`IncomingMessage.url`). */
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /**
   * The whole body, for services whose payload is signed (all but S3): its SHA-256 must be the
   * signed one. Omitted for S3, whose signature covers the `x-amz-content-sha256` it declares.
   */
  readonly body?: Uint8Array;
}

export interface VerifyOptions {
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** The signing name: `lambda`, `secretsmanager`, `sns`, `s3`, `dynamodb`. */
  readonly service: string;
  /** @default new Date() */
  readonly now?: Date;
}

/** Why a request is refused, with the status and error code the service would answer. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

type Reason = 'missing' | 'malformed' | 'unknown-key' | 'scope' | 'skew' | 'expired' | 'mismatch';

const S3_REFUSALS: Record<Reason, Omit<Refusal, 'message'>> = {
  missing: { status: 403, code: 'AccessDenied' },
  malformed: { status: 400, code: 'AuthorizationHeaderMalformed' },
  'unknown-key': { status: 403, code: 'InvalidAccessKeyId' },
  scope: { status: 400, code: 'AuthorizationHeaderMalformed' },
  skew: { status: 403, code: 'RequestTimeTooSkewed' },
  expired: { status: 403, code: 'AccessDenied' },
  mismatch: { status: 403, code: 'SignatureDoesNotMatch' },
};
const JSON_SERVICE_REFUSALS: Record<Reason, Omit<Refusal, 'message'>> = {
  missing: { status: 403, code: 'MissingAuthenticationTokenException' },
  malformed: { status: 400, code: 'IncompleteSignatureException' },
  'unknown-key': { status: 403, code: 'UnrecognizedClientException' },
  scope: { status: 403, code: 'InvalidSignatureException' },
  skew: { status: 403, code: 'InvalidSignatureException' },
  expired: { status: 403, code: 'InvalidSignatureException' },
  mismatch: { status: 403, code: 'InvalidSignatureException' },
};

class SignatureRefused extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureRefused';
  }
}

/**
 * Checks a request's SigV4 signature (Authorization header or presigned query) against the
 * stack's credentials. Returns undefined when it is good, else why it is refused.
 */
export async function verifySigV4(request: ReceivedRequest, options: VerifyOptions): Promise<Refusal | undefined> {
  try {
    await verifyOrThrow(request, options);
    return undefined;
  } catch (error) {
    if (!(error instanceof SignatureRefused)) throw error;
    const table = options.service === 's3' ? S3_REFUSALS : JSON_SERVICE_REFUSALS;
    return { ...table[error.reason], message: error.message };
  }
}

async function verifyOrThrow(request: ReceivedRequest, options: VerifyOptions): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const [path = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s, 2);
  const query = parseQuery(rawQuery);
  const authorization = headerValue(request.headers, 'authorization');
  const presigned = query['X-Amz-Algorithm'] !== undefined;
  if (authorization === undefined && !presigned) throw new SignatureRefused('missing', 'Request is missing Authentication Token (sign it with the stack\'s credentials)');
  if (authorization !== undefined && presigned) throw new SignatureRefused('malformed', 'Only one auth mechanism allowed: the Authorization header or the X-Amz-Algorithm query');

  const given = presigned ? presignedFields(query) : { ...headerFields(authorization as string), amzDate: headerValue(request.headers, 'x-amz-date') ?? '' };
  const [accessKeyId, day, region, service, terminator, ...rest] = given.credential.split('/');
  if (terminator !== 'aws4_request' || rest.length > 0 || !/^\d{8}$/.test(day ?? '')) throw new SignatureRefused('malformed', `Malformed credential scope "${given.credential}"`);
  const signedAt = parseAmzDate(given.amzDate);
  if (signedAt === undefined || !given.amzDate.startsWith(day as string)) throw new SignatureRefused('malformed', 'X-Amz-Date must be YYYYMMDDTHHMMSSZ on the credential scope\'s day');
  if (!safeEqual(accessKeyId ?? '', options.credentials.accessKeyId)) throw new SignatureRefused('unknown-key', 'The access key id is not the local stack\'s (see .local/stack.json)');
  if (region !== options.region) throw new SignatureRefused('scope', `Credential should be scoped to region ${options.region}, not ${region}`);
  if (service !== options.service) throw new SignatureRefused('scope', `Credential should be scoped to service ${options.service}, not ${service}`);
  const signed = given.signedHeaders.split(';');
  if (!signed.includes('host')) throw new SignatureRefused('malformed', 'host must be a signed header');
  if (!/^[0-9a-f]{64}$/.test(given.signature)) throw new SignatureRefused('malformed', 'The signature must be 64 hex digits');

  const now = (options.now ?? new Date()).getTime();
  if (presigned) {
    const expires = Number(query['X-Amz-Expires']);
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) throw new SignatureRefused('malformed', `X-Amz-Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds`);
    if (signedAt > now + MAX_SKEW_MS) throw new SignatureRefused('skew', 'Request is signed in the future');
    if (now > signedAt + expires * 1000) throw new SignatureRefused('expired', 'Request has expired');
  } else if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    throw new SignatureRefused('skew', 'Signature expired: the request time is too far from the server time');
  }

  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = headerValue(request.headers, name);
    if (value === undefined) throw new SignatureRefused('mismatch', `Signed header ${name} is missing from the request`);
    headers[name] = value;
  }
  const s3 = options.service === 's3';
  if (request.body !== undefined) {
    const declared = headerValue(request.headers, CONTENT_SHA256);
    if (declared !== undefined && declared !== sha256Hex(request.body)) throw new SignatureRefused('mismatch', 'The body does not match its x-amz-content-sha256');
  }
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service escapes it once more.
    uriEscapePath: !s3,
    applyChecksum: s3,
  });
  const httpRequest = { method, protocol: 'http:', hostname: headers.host ?? '', path, query, headers, ...(request.body !== undefined ? { body: request.body } : {}) };
  const signingDate = new Date(signedAt);
  const signedNames = new Set(signed);
  let expected: { signedHeaders: string; signature: string };
  if (presigned) {
    // The payload hash of a presigned URL: the one it names, else S3's UNSIGNED-PAYLOAD (or the body's).
    const payload = typeof query['X-Amz-Content-Sha256'] === 'string' ? query['X-Amz-Content-Sha256'] : s3 ? UNSIGNED_PAYLOAD : undefined;
    const unsignedHeaders = new Set(signedNames.has(CONTENT_SHA256) ? [] : [CONTENT_SHA256]);
    const out = await signer.presign(
      { ...httpRequest, headers: { ...headers, ...(payload !== undefined && !signedNames.has(CONTENT_SHA256) ? { [CONTENT_SHA256]: payload } : {}) } },
      {
        signingDate,
        expiresIn: Number(query['X-Amz-Expires']),
        signableHeaders: signedNames,
        unsignableHeaders: unsignedHeaders,
        // The headers stay headers: what the client signed as a header is not moved to the query.
        unhoistableHeaders: new Set([...signedNames, CONTENT_SHA256]),
      },
    );
    expected = { signedHeaders: String(out.query?.['X-Amz-SignedHeaders']), signature: String(out.query?.['X-Amz-Signature']) };
  } else {
    const out = await signer.sign(httpRequest, { signingDate, signableHeaders: signedNames });
    expected = headerFields(String(out.headers.authorization));
  }
  if (expected.signedHeaders !== given.signedHeaders || !safeEqual(expected.signature, given.signature)) {
    throw new SignatureRefused('mismatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
}

interface SignatureFields {
  readonly credential: string;
  readonly amzDate: string;
  readonly signedHeaders: string;
  readonly signature: string;
}

function headerFields(authorization: string): Omit<SignatureFields, 'amzDate'> {
  const match = /^AWS4-HMAC-SHA256 (.*)$/s.exec(authorization.trim());
  if (match === null) throw new SignatureRefused('malformed', `Authorization must use ${ALGORITHM}`);
  const fields = Object.fromEntries(
    (match[1] as string).split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    }),
  );
  const { Credential: credential, SignedHeaders: signedHeaders, Signature: signature } = fields;
  if (!credential || !signedHeaders || !signature) throw new SignatureRefused('malformed', 'Authorization needs Credential, SignedHeaders and Signature');
  return { credential, signedHeaders, signature };
}

function presignedFields(query: Record<string, string | string[]>): SignatureFields {
  const one = (name: string): string => {
    const value = query[name];
    if (typeof value !== 'string' || value === '') throw new SignatureRefused('malformed', `Query-string authentication needs one ${name}`);
    return value;
  };
  if (one('X-Amz-Algorithm') !== ALGORITHM) throw new SignatureRefused('malformed', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  return { credential: one('X-Amz-Credential'), amzDate: one('X-Amz-Date'), signedHeaders: one('X-Amz-SignedHeaders'), signature: one('X-Amz-Signature') };
}

/** The query as the signer takes it: decoded names and values, repeated names as arrays. */
function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
    } catch {
      throw new SignatureRefused('malformed', 'The query string is not valid percent-encoding');
    }
    const before = query[name];
    query[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return query;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): number | undefined {
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return date === null ? undefined : Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
}

/** Whether two strings are equal, in time that does not depend on where they differ. */
function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 and HMAC-SHA-256 from node:crypto in the shape the SDK's signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('NodeSha256 cannot be reset');
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

// --- Host (DNS rebinding) ------------------------------------------------------------------

/**
 * Refuses a request whose Host is not this emulator's own loopback address and port: a page
 * of another site reaching 127.0.0.1 through a name it controls (DNS rebinding) sends its own
 * name as Host. 421 Misdirected Request.
 */
export function hostRefusal(host: string | undefined, port: number): Refusal | undefined {
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (host !== undefined && allowed.includes(host.toLowerCase())) return undefined;
  return { status: 421, code: 'MisdirectedRequest', message: `Host ${JSON.stringify(host ?? '')} is not this emulator's (127.0.0.1:${port})` };
}

// --- The client side ------------------------------------------------------------------------

export interface SignOptions {
  readonly credentials: LocalCredentials;
  readonly region: string;
  readonly service: string;
  /** @default new Date() */
  readonly signingDate?: Date;
}

/**
 * The headers that sign a raw HTTP request (Authorization, X-Amz-Date, and for S3
 * x-amz-content-sha256) with the SDK's signer: for tests and tools that speak HTTP directly.
 * `headers` must include every header that will be sent and should be signed (Host among them).
 */
export async function signRequestHeaders(
  request: { method: string; url: string; headers: Readonly<Record<string, string>>; body?: string | Uint8Array },
  options: SignOptions,
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const before = query[name];
    query[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  const s3 = options.service === 's3';
  const signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: options.service, sha256: NodeSha256, uriEscapePath: !s3, applyChecksum: s3 });
  const headers = Object.fromEntries(Object.entries({ host: url.host, ...request.headers }).map(([k, v]) => [k.toLowerCase(), v]));
  const out = await signer.sign(
    { method: request.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname, query, headers, ...(request.body !== undefined ? { body: request.body } : {}) },
    { signingDate: options.signingDate ?? new Date() },
  );
  return Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k, String(v)]));
}

/** The key pair in a parsed `.local/stack.json` (tools find the running stack there), if it has one. */
export function localCredentialsIn(stack: Readonly<Record<string, unknown>>): LocalCredentials | undefined {
  const value = stack.credentials as Partial<Record<keyof LocalCredentials, unknown>> | undefined;
  return typeof value?.accessKeyId === 'string' && typeof value.secretAccessKey === 'string' ? { accessKeyId: value.accessKeyId, secretAccessKey: value.secretAccessKey } : undefined;
}
