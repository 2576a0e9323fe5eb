/**
 * PUTs a body to a presigned URL with XHR (fetch reports no upload progress); the browser sets
 * Content-Length itself. Network failures, 5xx and 429 are retried with the CLI's backoff.
 */
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus } from '../../../cli/retry';

export class TransferFailed extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'TransferFailed';
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
      else reject(new TransferFailed(xhr.status, `storage answered HTTP ${xhr.status}`));
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

const wait = (ms: number, signal: AbortSignal): Promise<void> =>
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
      const retryable = error instanceof TransferFailed && (error.status === 0 || isRetryableStatus(error.status));
      if (!retryable || attempt >= DEFAULT_RETRY_POLICY.retries || signal.aborted) throw error;
      await wait(backoffDelayMs(attempt, DEFAULT_RETRY_POLICY), signal);
    }
  }
}
