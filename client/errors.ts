/**
 * What the API and the storage answer when they refuse, for every client (the CLI and the web
 * app): one error type per party and one parser of their error bodies. No Node or DOM imports.
 */

/** The API answered with an error: its `{error: {code, message}}`, or API Gateway's own `{message}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the client was doing, e.g. `GET /files`. */
    readonly operation = '',
    /** Seconds from a `Retry-After` header (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * API Gateway's own refusal of a token: 401, or 403 in its `{"message"}` format (the API's own
   * 403s always carry an error code). A client renews its session once and retries.
   */
  get isTokenRefused(): boolean {
    return this.status === 401 || (this.status === 403 && this.code === 'Http403');
  }
}

/** S3 refused a presigned request (the XML error's code and message). */
export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }

  /** S3's answer to a presigned URL past its expiry: sign it again and retry. */
  get isExpiredUrl(): boolean {
    return this.status === 403 && /expired/i.test(this.message);
  }
}

/** The answer's parts the parsers read: what both Node's and the browser's `fetch` give. */
interface Answer {
  readonly status: number;
  readonly statusText?: string;
  readonly headers?: { get(name: string): string | null };
}

/** Seconds of a `Retry-After` header (delta-seconds form), or undefined. */
function retryAfterSecondsOf(answer: Answer): number | undefined {
  const seconds = Number(answer.headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** The ApiError an error answer means, from its body text. */
export function apiErrorOf(answer: Answer, text: string, operation = ''): ApiError {
  let body: { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  try {
    body = text ? (JSON.parse(text) as typeof body) : undefined;
  } catch {
    body = undefined;
  }
  const code = typeof body?.error?.code === 'string' ? body.error.code : `Http${answer.status}`;
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : typeof body?.message === 'string'
        ? body.message
        : text.trim().slice(0, 200) || answer.statusText || `HTTP ${answer.status}`;
  return new ApiError(answer.status, code, message, operation, retryAfterSecondsOf(answer));
}

/** The StorageError an S3 error answer means, from its XML body. */
export function storageErrorOf(answer: Answer, text: string): StorageError {
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return new StorageError(answer.status, tag('Code') ?? `Http${answer.status}`, tag('Message') ?? (text.trim().slice(0, 200) || answer.statusText || `HTTP ${answer.status}`));
}

/** The error code of a system error (Node's `ECONNRESET`, undici's `UND_ERR_*`), also when wrapped as fetch's `cause`. */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    if (typeof code === 'string' && code.startsWith('UND_ERR')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * A failure of the connection rather than an answer: worth retrying. Node's fetch says
 * `fetch failed` with a coded cause; browsers throw a TypeError ("Failed to fetch",
 * "NetworkError when attempting to fetch resource", "Load failed").
 */
export function isNetworkError(error: unknown): boolean {
  const code = systemErrorCode(error);
  if (code !== undefined) return NETWORK_CODES.has(code);
  return error instanceof Error && /socket hang up|other side closed|fetch failed|failed to fetch|networkerror|load failed/i.test(error.message);
}
