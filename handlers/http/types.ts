/** The HTTP API (payload 2.0) shapes the API functions share. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Logger } from '../core/logger';

export interface ApiEvent extends Omit<APIGatewayProxyEventV2, 'requestContext'> {
  readonly requestContext: APIGatewayProxyEventV2['requestContext'] & {
    /** Set by the Lambda authorizer's simple response on protected routes. */
    readonly authorizer?: { readonly lambda?: Readonly<Record<string, unknown>> };
  };
  /** The parsed JSON body, set by the `jsonBody` middleware on POST/PUT/PATCH. */
  parsedBody?: unknown;
  /** The caller's address by the one rule of http/source-address.ts, set by its middleware. */
  sourceAddress?: string;
}

export type ApiResult = APIGatewayProxyStructuredResultV2;

interface RouteContext {
  readonly logger: Logger;
  readonly lambda: Context;
}

/** One route's use case: parse → call → response. Throws `HttpError`s for the caller's mistakes. */
type RouteHandler = (event: ApiEvent, context: RouteContext) => Promise<ApiResult>;

/** A function's routes keyed by API Gateway route key (`POST /uploads`). */
export type RouteMap = Readonly<Record<string, RouteHandler>>;
