/**
 * What can go wrong in the CLI, and the one place that turns any failure into a single line
 * for the terminal (`describeError`) and an exit code. Stack traces only with `--debug`.
 */

/** A failure the user can act on; `exitCode` 1 unless a subclass says otherwise. */
export class CliError extends Error {
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad arguments: exit code 2, like most CLIs. */
export class UsageError extends CliError {
  override readonly exitCode: number = 2;
}

/** The API answered with an error body `{error: {code, message}}` (or API Gateway's `{message}`). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the CLI was doing, e.g. `GET /files`. */
    readonly operation: string,
    /** Seconds from a `Retry-After` header. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** S3 refused a presigned request (the XML error's code and message). */
export class StorageError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** S3's answer to a presigned URL past its expiry: sign it again and retry. */
  get isExpiredUrl(): boolean {
    return this.status === 403 && /expired/i.test(this.message);
  }
}

/** The error code of a Node system error, also when wrapped as fetch's `cause`. */
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

/** A failure of the connection rather than an answer: worth retrying. */
export function isNetworkError(error: unknown): boolean {
  const code = systemErrorCode(error);
  if (code !== undefined) return NETWORK_CODES.has(code);
  return error instanceof Error && /socket hang up|other side closed|fetch failed/i.test(error.message);
}

const hostOf = (url: string | undefined): string => {
  if (!url) return 'the API';
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const LOGIN_HINT = 'not logged in or token expired: run media-store login';

/** One line, no stack: what failed and, where it helps, what to do. */
export function describeError(error: unknown, context: { url?: string } = {}): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 401:
        return LOGIN_HINT;
      case 403:
        // API Gateway's own 403 (no error code of ours): its authorizer refused the token.
        return error.code === 'Http403' ? LOGIN_HINT : `forbidden: ${error.message}`;
      case 404:
        return `not found: ${error.message}`;
      case 409:
        return `conflict: ${error.message}`;
      case 413:
        return `too large: ${error.message}`;
      case 415:
        return `unsupported file type: ${error.message}`;
      case 429:
        return `too many requests, try again later: ${error.message}`;
      default:
        return error.status >= 500 ? `the API failed (${error.status}) on ${error.operation}: ${error.message}` : `${error.message} (${error.status})`;
    }
  }
  if (error instanceof StorageError) return `storage refused the transfer (${error.status} ${error.code}): ${error.message}`;
  if (error instanceof CliError) return error.message;
  const code = systemErrorCode(error);
  const where = (error as { path?: unknown }).path;
  const file = typeof where === 'string' ? where : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${hostOf(context.url)}: connection refused (is the API running, is the URL right?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${hostOf(context.url)}: offline or wrong URL`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
      return `cannot reach ${hostOf(context.url)}: network unreachable or timed out (offline?)`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return `connection to ${hostOf(context.url)} dropped: try again`;
    case 'ENOSPC':
      return `disk full${file ? ` while writing ${file}` : ''}`;
    case 'EDQUOT':
      return `disk quota exceeded${file ? ` while writing ${file}` : ''}`;
    case 'ENOENT':
      return `no such file or directory${file ? `: ${file}` : ''}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${file ? `: ${file}` : ''}`;
    case 'EISDIR':
      return `is a directory${file ? `: ${file}` : ''}`;
    default:
      break;
  }
  if (isNetworkError(error)) return `network error talking to ${hostOf(context.url)}: ${(error as Error).message}`;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message.split('\n')[0]}`;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}
