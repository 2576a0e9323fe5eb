/**
 * What can go wrong in the CLI, and the one place that turns any failure into a single line
 * for the terminal (`describeError`) and an exit code. Stack traces only with `--debug`.
 * The API's and the storage's refusals are the client layer's (client/errors.ts).
 */
import { ApiError, isNetworkError, StorageError, systemErrorCode } from '../client/errors';

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
