/**
 * Middleware: the JSON body of POST/PUT/PATCH requests, parsed by `@middy/http-json-body-parser`
 * into `event.parsedBody` (the raw `event.body` stays as API Gateway sent it). Around the
 * library: only methods that carry a body are parsed (middy's parser would refuse a GET
 * without a content type), and a body over `maxBytes` is refused before it is parsed.
 * middy's own errors (415 for both a foreign content type and bad JSON) become this API's
 * 415/400 in http-errors.ts, the one place errors become responses.
 */
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { PayloadTooLarge } from '../core/errors';
import type { ApiEvent } from './types';

export interface JsonBodyOptions {
  /** Methods whose requests carry a body. @default ['POST','PUT','PATCH'] */
  readonly methods?: readonly string[];
  /** Largest accepted body, bytes (after base64 decoding). @default 65536 */
  readonly maxBytes?: number;
}

const defaults: Required<JsonBodyOptions> = { methods: ['POST', 'PUT', 'PATCH'], maxBytes: 64 * 1024 };

/** What middy's parser reads and writes: a copy, so the event keeps its raw body. */
interface ParserEvent {
  headers: Record<string, string | undefined>;
  body: unknown;
  isBase64Encoded: boolean;
}

const parser = httpJsonBodyParser();

/** The parsed body of `event`; rejects with the error the caller should see (mapped by http-errors.ts). */
export async function parseJsonBody(event: ApiEvent, maxBytes: number = defaults.maxBytes): Promise<unknown> {
  const { body } = event;
  if (typeof body === 'string' && Buffer.byteLength(body, event.isBase64Encoded ? 'base64' : 'utf8') > maxBytes) {
    throw new PayloadTooLarge(`Request body is larger than ${maxBytes} bytes`);
  }
  const parsed: ParserEvent = { headers: lowerCaseContentType(event.headers), body, isBase64Encoded: event.isBase64Encoded === true };
  await parser.before!({ event: parsed } as never);
  return parsed.body;
}

/** Media types are case-insensitive (RFC 9110); middy's pattern is not, so `APPLICATION/JSON` is lowered first. */
function lowerCaseContentType(headers: ApiEvent['headers'] | undefined): Record<string, string | undefined> {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'content-type');
  const value = name === undefined ? undefined : headers?.[name];
  return value === undefined ? {} : { 'content-type': value.trim().toLowerCase() };
}

export function jsonBody(options: JsonBodyOptions = {}): MiddlewareObj<ApiEvent> {
  const { methods, maxBytes } = { ...defaults, ...options };
  const jsonBodyBefore = async (request: { event: ApiEvent }): Promise<void> => {
    const method = request.event.requestContext?.http?.method?.toUpperCase() ?? '';
    if (methods.includes(method)) request.event.parsedBody = await parseJsonBody(request.event, maxBytes);
  };
  return { name: 'jsonBody', before: jsonBodyBefore };
}
