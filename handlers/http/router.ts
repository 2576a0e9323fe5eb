/**
 * Dispatch on `event.routeKey`. Each API bundle serves exactly its routes of
 * contract/routes.ts (a unit test keeps the maps and the contract equal); any other key is a
 * JSON 404, e.g. when the local server or a misconfigured API sends the wrong route.
 */
import type { Context } from 'aws-lambda';
import { NotFound } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ApiEvent, ApiResult, RouteMap } from './types';

export function createRouter(routes: RouteMap, logger: Logger): (event: ApiEvent, context: Context) => Promise<ApiResult> {
  return async (event, context) => {
    const handle = Object.prototype.hasOwnProperty.call(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (handle === undefined) throw new NotFound(`No route for ${event.routeKey ?? 'this request'}`);
    return handle(event, { logger: logger.child({ requestId: context.awsRequestId, route: event.routeKey }), lambda: context });
  };
}
