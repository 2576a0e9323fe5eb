/** JSON responses, the only shape the API returns. */
import type { ApiResult } from './types';

export function json(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** A `302 Found` to `location` (e.g. a presigned download URL), never cached. */
export function redirect(location: string): ApiResult {
  return { statusCode: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

/** `204 No Content`. */
export function noContent(): ApiResult {
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
}
