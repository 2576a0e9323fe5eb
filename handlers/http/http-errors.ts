/**
 * Middleware: the one place errors become responses. An `HttpError` becomes its status and
 * `{error:{code,message}}`; anything else is logged in full (redacted) and answered with a
 * generic 500 that leaks nothing.
 */
import type { MiddlewareObj } from '@middy/core';
import { HttpError } from '../core/errors';
import type { Logger } from '../core/logger';
import { errorBody, json } from './response';
import type { ApiEvent, ApiResult } from './types';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

export function errorResponse(error: unknown, logger: Logger, fields: Readonly<Record<string, unknown>> = {}): ApiResult {
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
