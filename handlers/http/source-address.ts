/**
 * The caller's address, by one rule for every function that limits or logs by source.
 *
 * Behind the site's CloudFront distribution, `requestContext.http.sourceIp` is an edge address
 * shared by everyone behind that edge. The distribution adds the origin secret in
 * `ORIGIN_VERIFY_HEADER` and CloudFront the viewer's address in `CloudFront-Viewer-Address`;
 * that header is believed only when the origin secret came with it, since anyone can send it
 * to the API's own endpoint. Without the secret (the CLI, machine clients, a custom API
 * domain), `sourceIp` is the caller's real address and is kept.
 */
import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../contract/site';
import { headerValue } from './headers';
import type { ApiEvent, ApiResult } from './types';

/** The address part of `CloudFront-Viewer-Address` (`1.2.3.4:5678`, `2001:db8::1:5678`, `[2001:db8::1]:5678`), or undefined. */
export function viewerAddressOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^\[?([0-9A-Fa-f:.]+?)\]?:(\d{1,5})$/.exec(value.trim());
  if (match === null) return undefined;
  const address = match[1];
  return isIP(address) === 0 ? undefined : address;
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The source address of `event`: the viewer's, when the request carries one of `originSecrets`
 * (the current and, during a rotation, the previous one) and a well-formed viewer address;
 * otherwise API Gateway's `sourceIp`. No secrets (none configured or none created yet): always `sourceIp`.
 */
export function sourceAddress(event: Pick<ApiEvent, 'headers' | 'requestContext'>, originSecrets: readonly string[]): string | undefined {
  const sourceIp = event.requestContext?.http?.sourceIp;
  const presented = headerValue(event.headers, ORIGIN_VERIFY_HEADER);
  if (presented === undefined || !originSecrets.some((secret) => secret.length > 0 && sameSecret(presented, secret))) return sourceIp;
  return viewerAddressOf(headerValue(event.headers, VIEWER_ADDRESS_HEADER)) ?? sourceIp;
}

/** The origin secrets accepted now (adapters/origin-secret.ts reads them from Secrets Manager). */
export type OriginSecrets = () => Promise<readonly string[]>;

/** Middleware: `event.sourceAddress` by `sourceAddress`, before any route runs. */
export function sourceAddressMiddleware(secrets: OriginSecrets): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async (request) => {
      request.event.sourceAddress = sourceAddress(request.event, await secrets());
    },
  };
}

/** The caller's address for limits and logs: what the middleware found, or by the rule with no secret. */
export const clientAddress = (event: ApiEvent): string | undefined => event.sourceAddress ?? sourceAddress(event, []);
