/**
 * Errors the handlers throw anywhere and the error middleware maps to responses in one place.
 * Every HTTP error carries its status and a stable machine-readable `code`; the message is
 * written for the caller, so it must never contain internals. Anything that is not an
 * `HttpError` becomes a generic 500.
 */
export interface HttpErrorOptions {
  readonly cause?: unknown;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.headers = options.headers ?? {};
  }
}

export class BadRequest extends HttpError {
  readonly statusCode = 400;
  readonly code: string = 'BadRequest';
}

/** A request field failed validation; the message names the field. */
export class ValidationError extends BadRequest {
  override readonly code: string = 'ValidationError';
  constructor(
    readonly field: string,
    problem: string,
    options?: HttpErrorOptions,
  ) {
    super(`${field}: ${problem}`, options);
  }
}

export class Unauthorized extends HttpError {
  readonly statusCode = 401;
  readonly code: string = 'Unauthorized';
}

export class Forbidden extends HttpError {
  readonly statusCode = 403;
  readonly code: string = 'Forbidden';
}

export class NotFound extends HttpError {
  readonly statusCode = 404;
  readonly code: string = 'NotFound';
}

export class Conflict extends HttpError {
  readonly statusCode = 409;
  readonly code: string = 'Conflict';
}

export class PayloadTooLarge extends HttpError {
  readonly statusCode = 413;
  readonly code: string = 'PayloadTooLarge';
}

export class UnsupportedMediaType extends HttpError {
  readonly statusCode = 415;
  readonly code: string = 'UnsupportedMediaType';
}

export class TooManyRequests extends HttpError {
  readonly statusCode = 429;
  readonly code: string = 'TooManyRequests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options: HttpErrorOptions = {},
  ) {
    super(message, { ...options, headers: { ...options.headers, 'retry-after': String(retryAfterSeconds) } });
  }
}

export class ServiceUnavailable extends HttpError {
  readonly statusCode = 503;
  readonly code: string = 'ServiceUnavailable';
}

/** AWS errors worth another try later: throttling, a service's 5xx, a dropped connection or timeout. */
const TRANSIENT_AWS_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);

/**
 * Whether an error from an AWS call (after the SDK's own retries) is a service's passing
 * trouble — throttling, a 5xx, a dropped connection — rather than an answer about the request.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof HttpError) return false;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  return (
    TRANSIENT_AWS_ERRORS.has(error.name) ||
    (typeof status === 'number' && status >= 500) ||
    (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) ||
    /socket hang up/.test(error.message)
  );
}

/** A function's environment is missing or malformed: thrown at cold start, never caught. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}
