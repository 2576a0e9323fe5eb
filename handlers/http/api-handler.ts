/** The middy pipeline every API function uses: JSON body → route → errors mapped once. */
import middy from '@middy/core';
import type { Logger } from '../core/logger';
import { httpErrors } from './http-errors';
import { jsonBody, type JsonBodyOptions } from './json-body';
import { createRouter } from './router';
import type { ApiEvent, ApiResult, RouteMap } from './types';

export function createApiHandler(routes: RouteMap, logger: Logger, body: JsonBodyOptions = {}) {
  return middy<ApiEvent, ApiResult>(createRouter(routes, logger)).use(jsonBody(body)).use(httpErrors(logger));
}
