/**
 * Middleware: the one place errors become responses. An `HttpError` becomes its status and
 * `{error:{code,message}}`; middy's own HTTP errors (its body parser's) are translated into
 * ours first; an AWS service that is throttling or failing for a moment (after the SDK's own
 * retries) becomes a 503 with `Retry-After` that clients retry; anything else is logged in full
 * (redacted) and answered with a generic 500 that leaks nothing.
 */
import type { MiddlewareObj } from '@middy/core';
import { BadRequest, HttpError, isTransientAwsError, ServiceUnavailable, UnsupportedMediaType } from '../core/errors';
import type { Logger } from '../core/logger';
import { errorBody, json } from './response';
import type { ApiEvent, ApiResult } from './types';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

const JSON_BODY_PARSER = '@middy/http-json-body-parser';

/**
 * `@middy/http-json-body-parser` answers 415 both to a foreign content type and to a body that
 * is not JSON; this API keeps 415 for the first and says 400 for the second, naming an empty body.
 */
function fromMiddyError(error: unknown): HttpError | undefined {
  if (!(error instanceof Error) || typeof (error as { statusCode?: unknown }).statusCode !== 'number') return undefined;
  const cause = error.cause as { package?: unknown; data?: unknown } | undefined;
  if (cause?.package !== JSON_BODY_PARSER) return undefined;
  if (error.message === 'Unsupported Media Type') return new UnsupportedMediaType('Request body must be JSON: send Content-Type: application/json', { cause: error });
  if (cause.data === undefined || cause.data === null || cause.data === '') return new BadRequest('Request body is empty; a JSON object is expected', { cause: error });
  return new BadRequest('Request body is not valid JSON', { cause: error });
}

/** A backing service's passing trouble (after the SDK's retries), as a 503 the client retries. */
function fromTransientAwsError(error: unknown): HttpError | undefined {
  if (!isTransientAwsError(error)) return undefined;
  return new ServiceUnavailable('A storage service is busy or unavailable for a moment; retry shortly', { cause: error, headers: { 'retry-after': '1' } });
}

export function errorResponse(thrown: unknown, logger: Logger, fields: Readonly<Record<string, unknown>> = {}): ApiResult {
  const error = fromMiddyError(thrown) ?? fromTransientAwsError(thrown) ?? thrown;
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) logger.error('request failed', { ...fields, status: error.statusCode, error });
    else logger.info('request rejected', { ...fields, status: error.statusCode, code: error.code });
    return json(error.statusCode, errorBody(error.code, error.message), error.headers);
  }
  logger.error('unhandled error', { ...fields, status: 500, error });
  return json(500, errorBody('InternalError', INTERNAL_ERROR_MESSAGE));
}

export function httpErrors(logger: Logger): MiddlewareObj<ApiEvent, ApiResult> {
  const httpErrorsOnError = (request: { event: ApiEvent; error: Error | null; response: ApiResult | null; context: { awsRequestId?: string } }): void => {
    if (request.response !== null && request.response !== undefined && request.error === null) return;
    request.response = errorResponse(request.error, logger, { requestId: request.context?.awsRequestId, route: request.event?.routeKey });
  };
  return { name: 'httpErrors', onError: httpErrorsOnError };
}
