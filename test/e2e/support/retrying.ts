/**
 * A client that retries as the apps do (client/retry.ts: 429, 5xx and dropped connections
 * again with backoff; anything else is the answer), for the tests that break the stack on
 * purpose: faults injected in the emulators (local/fault-injection.test.ts) and emulators killed
 * mid-run (local/self-healing.test.ts).
 */
import { isRetryableStatus } from '../../../client/retry';

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

export interface RetryOptions {
  /** Attempts after the first. @default 10 */
  readonly retries?: number;
  /** Longest wait between attempts (100 ms doubling up to it). @default 2000 */
  readonly maxDelayMs?: number;
  /** Counts the retries made. */
  readonly retried?: { count: number };
}

/** `attempt` until it answers something not to retry, or the retries are spent (the last answer, or its error). */
export async function retrying<A extends { readonly status: number }>(attempt: () => Promise<A>, options: RetryOptions = {}): Promise<A> {
  const retries = options.retries ?? 10;
  for (let n = 0; ; n += 1) {
    let answer: A | undefined;
    try {
      answer = await attempt();
    } catch (error) {
      if (n >= retries) throw error;
    }
    if (answer !== undefined && !isRetryableStatus(answer.status)) return answer;
    if (n >= retries) return answer!;
    if (options.retried) options.retried.count += 1;
    await new Promise((r) => setTimeout(r, Math.min(options.maxDelayMs ?? 2000, 100 * 2 ** n)));
  }
}

/** PUTs `bytes` to a presigned URL; its status, the body read. */
async function putBytes(url: string, headers: Record<string, string>, bytes: Buffer): Promise<number> {
  const response = await fetch(url, { method: 'PUT', headers, body: bytes });
  await response.arrayBuffer();
  return response.status;
}

/**
 * One upload as a client does it: `POST /uploads`, then the PUT to its presigned URL, each
 * retried. `call` is the test's own API caller (its stack, its token). Throws unless the
 * upload was created and S3 took the bytes; resolves with the new file's id.
 */
export async function uploadRetrying(
  call: (route: string, init: { json: unknown }) => Promise<Answer<unknown>>,
  file: { folder: string; name: string; bytes: Buffer; contentType?: string },
  options: RetryOptions = {},
): Promise<{ fileId: string }> {
  const created = await retrying(() => call('/uploads', { json: { folder: file.folder, fileName: file.name, contentType: file.contentType ?? 'image/jpeg', size: file.bytes.length } }), options);
  if (created.status !== 201) throw new Error(`POST /uploads of ${file.name} answered ${created.status} ${JSON.stringify(created.body)}`);
  const upload = created.body as { fileId: string; url: string; headers: Record<string, string> };
  const stored = await retrying(async () => ({ status: await putBytes(upload.url, upload.headers, file.bytes) }), options);
  if (stored.status !== 200) throw new Error(`PUT of ${file.name} answered ${stored.status}`);
  return { fileId: upload.fileId };
}
