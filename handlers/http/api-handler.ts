/** The middy pipeline every API function uses: source address → JSON body → route → errors mapped once → large answers compressed. */
import middy from '@middy/core';
import type { Logger } from '../core/logger';
import { compressResponse } from './compress';
import { httpErrors } from './http-errors';
import { jsonBody, type JsonBodyOptions } from './json-body';
import { createRouter } from './router';
import { sourceAddressMiddleware, type OriginSecrets } from './source-address';
import type { ApiEvent, ApiResult, RouteMap } from './types';

export interface ApiHandlerOptions extends JsonBodyOptions {
  /** The origin secrets that make `CloudFront-Viewer-Address` believed (handlers/http/source-address.ts). @default none */
  readonly originSecrets?: OriginSecrets;
}

export function createApiHandler(routes: RouteMap, logger: Logger, options: ApiHandlerOptions = {}) {
  const { originSecrets, ...body } = options;
  return middy<ApiEvent, ApiResult>(createRouter(routes, logger))
    .use(compressResponse()) // first in, so its `after` runs last, on the answer as sent
    .use(sourceAddressMiddleware(originSecrets ?? (() => Promise.resolve([]))))
    .use(jsonBody(body))
    .use(httpErrors(logger));
}
