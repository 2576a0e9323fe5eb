/**
 * PUTs a body to a presigned URL with XHR (fetch reports no upload progress); the browser sets
 * Content-Length itself. Network failures, 5xx and 429 are retried with the CLI's backoff.
 */
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus } from '../../../client/retry';

export class TransferFailed extends Error {
  /** S3 refused the URL as expired (403 "Request has expired"): sign again rather than retry. */
  readonly expired: boolean;

  constructor(readonly status: number, message: string, body = '') {
    super(message);
    this.name = 'TransferFailed';
    this.expired = status === 403 && /Request has expired/i.test(body);
  }

  /** Worth another try with the same URL: the network or the server's trouble. */
  get retryable(): boolean {
    return this.status === 0 || isRetryableStatus(this.status);
  }
}

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
      else reject(new TransferFailed(xhr.status, `storage answered HTTP ${xhr.status}`, typeof xhr.responseText === 'string' ? xhr.responseText : ''));
    };
    xhr.onerror = () => reject(new TransferFailed(0, 'network error while sending'));
    const abort = (): void => {
      xhr.abort();
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal.addEventListener('abort', abort, { once: true });
    xhr.onloadend = () => signal.removeEventListener('abort', abort);
    xhr.send(body);
  });
}

export const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });

/** `send` again after a retryable failure, at most the CLI's retry count. */
export async function withTransferRetry<T>(send: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const retryable = error instanceof TransferFailed && error.retryable;
      if (!retryable || attempt >= DEFAULT_RETRY_POLICY.retries || signal.aborted) throw error;
      await wait(backoffDelayMs(attempt, DEFAULT_RETRY_POLICY), signal);
    }
  }
}
