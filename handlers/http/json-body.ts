/**
 * Middleware: parses the JSON body of POST/PUT/PATCH requests into `event.parsedBody`.
 * Wrong content type → 415, empty or invalid JSON → 400, so handlers only see parsed input.
 */
import type { MiddlewareObj } from '@middy/core';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from '../core/errors';
import type { ApiEvent } from './types';

export interface JsonBodyOptions {
  /** Methods whose requests carry a body. @default ['POST','PUT','PATCH'] */
  readonly methods?: readonly string[];
  /** Largest accepted body, bytes. @default 65536 */
  readonly maxBytes?: number;
}

const defaults: Required<JsonBodyOptions> = { methods: ['POST', 'PUT', 'PATCH'], maxBytes: 64 * 1024 };

/** The parsed body of `event`; throws the `HttpError` the caller should see. */
export function parseJsonBody(event: ApiEvent, maxBytes: number = defaults.maxBytes): unknown {
  const contentType = headerValue(event.headers, 'content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i.test(contentType.trim())) {
    throw new UnsupportedMediaType('Request body must be JSON: send Content-Type: application/json');
  }
  if (event.body === undefined || event.body === null || event.body === '') throw new BadRequest('Request body is empty; a JSON object is expected');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new PayloadTooLarge(`Request body is larger than ${maxBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('Request body is not valid JSON');
  }
}

export function headerValue(headers: Readonly<Record<string, string | undefined>> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const found = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
}

export function jsonBody(options: JsonBodyOptions = {}): MiddlewareObj<ApiEvent> {
  const { methods, maxBytes } = { ...defaults, ...options };
  const jsonBodyBefore = (request: { event: ApiEvent }): void => {
    const method = request.event.requestContext?.http?.method?.toUpperCase() ?? '';
    if (methods.includes(method)) request.event.parsedBody = parseJsonBody(request.event, maxBytes);
  };
  return { name: 'jsonBody', before: jsonBodyBefore };
}
