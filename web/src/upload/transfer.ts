/**
 * PUTs a body to a presigned URL with XHR (fetch reports no upload progress); the browser sets
 * Content-Length itself. S3's refusals become the clients' `StorageError` (its XML code and
 * message, so an expired URL is signed again); a failed connection, the `TypeError` a failed
 * `fetch` throws: client/retry.ts retries both the same way for every client.
 */
import { storageErrorOf } from '../../../client/errors';

/** Headers a page may not set: the browser sends them itself. */
const FORBIDDEN = new Set(['content-length', 'host', 'connection']);

export function putBlob(url: string, headers: Readonly<Record<string, string>>, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve((xhr.getResponseHeader('etag') ?? '').replace(/"/g, ''));
      else reject(storageErrorOf({ status: xhr.status, statusText: xhr.statusText }, typeof xhr.responseText === 'string' ? xhr.responseText : ''));
    };
    // What fetch throws when the connection fails ("NetworkError when attempting to fetch resource"): isNetworkError knows it.
    xhr.onerror = () => reject(new TypeError('NetworkError while sending to storage'));
    const abort = (): void => {
      xhr.abort();
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal.addEventListener('abort', abort, { once: true });
    xhr.onloadend = () => signal.removeEventListener('abort', abort);
    xhr.send(body);
  });
}

/** `ms` later, or an AbortError as soon as `signal` aborts. */
export const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
