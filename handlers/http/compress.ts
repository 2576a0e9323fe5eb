/**
 * Middleware: a JSON or HTML answer of at least `COMPRESS_MIN_BYTES` is sent compressed (Brotli,
 * else gzip, as the request's `accept-encoding` allows; base64 in the Lambda result, which API
 * Gateway decodes to bytes). An HTTP API does not compress, and CloudFront does not compress
 * what it does not cache, so a month of the timeline (~18 kB of JSON) crossed a phone's link
 * whole (CloudFront forwards the viewer's accept-encoding with the AllViewer origin request
 * policy and passes the encoded answer through). Small answers, errors, redirects and answers
 * already encoded go as they are.
 */
import type { MiddlewareObj } from '@middy/core';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { chooseEncoding, isCompressible } from '../../contract/site';
import type { ApiEvent, ApiResult } from './types';

/** Below this, compressing saves less than a packet (CloudFront's own floor is 1,000 bytes). */
export const COMPRESS_MIN_BYTES = 1024;

const header = (headers: ApiResult['headers'], name: string): string | undefined => {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found === undefined ? undefined : String(found[1]);
};

/** `result` compressed for a request accepting `acceptEncoding`, or `result` itself when it is not worth it. */
export function compressResult(result: ApiResult, acceptEncoding: string | undefined): ApiResult {
  if (typeof result !== 'object' || result === null || typeof result.body !== 'string' || result.isBase64Encoded === true) return result;
  const status = result.statusCode ?? 200;
  if (status < 200 || status >= 300 || status === 204) return result;
  if (header(result.headers, 'content-encoding') !== undefined || !isCompressible(header(result.headers, 'content-type') ?? '')) return result;
  const raw = Buffer.from(result.body, 'utf8');
  if (raw.length < COMPRESS_MIN_BYTES) return result;
  const encoding = chooseEncoding(acceptEncoding);
  const vary = header(result.headers, 'vary');
  const headers = { ...result.headers, vary: vary ? `${vary}, accept-encoding` : 'accept-encoding' };
  if (encoding === undefined) return { ...result, headers };
  // Brotli at quality 5: ~1 ms for 20 kB, within a few percent of its best size.
  const body = encoding === 'br' ? brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : gzipSync(raw, { level: 6 });
  return { ...result, headers: { ...headers, 'content-encoding': encoding }, body: body.toString('base64'), isBase64Encoded: true };
}

export function compressResponse(): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    after: (request) => {
      if (request.response !== undefined && request.response !== null) {
        request.response = compressResult(request.response, request.event.headers?.['accept-encoding']);
      }
    },
  };
}
