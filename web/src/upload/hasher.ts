import { crc32cOf } from '../../../contract/crc32c';
import type { PartChecksumAlgorithm } from '../../../contract/multipart';

/**
 * Checksums of file slices (a part's CRC-32C, a file's SHA-256) in a small pool of Workers (`poolSize()`: one per core but one, 2 to
 * 4), so parts are hashed in parallel with each other and with sending. A job holds no bytes
 * until a Worker takes it (a slice of a File is a reference to the disk), and each Worker reads
 * one slice at a time: hashing holds at most `poolSize() × part size` in memory (WebCrypto has
 * no incremental digest, so a slice is read whole).
 */
type Job = {
  readonly blob: Blob;
  /** Hashed as a stream (a whole file: bounded memory), not read whole. */
  readonly stream?: boolean;
  /** A part's checksum in this algorithm, not a SHA-256. */
  readonly algorithm?: PartChecksumAlgorithm;
  readonly signal?: AbortSignal;
  readonly resolve: (sha256: string) => void;
  readonly reject: (error: unknown) => void;
};

interface Slot {
  readonly worker: Worker;
  job?: Job;
}

let slots: Slot[] | undefined;
const queue: Job[] = [];

/** Workers in the pool: the cores but one for the page, at least 2, at most 4. */
function poolSize(cores: number = typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2): number {
  return Math.min(4, Math.max(2, cores - 1));
}

const aborted = (): DOMException => new DOMException('aborted', 'AbortError');

function pool(): Slot[] {
  if (slots) return slots;
  slots = Array.from({ length: poolSize() }, () => {
    const slot: Slot = { worker: new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' }) };
    slot.worker.onmessage = (event: MessageEvent<{ sha256?: string; error?: string }>) => {
      const job = slot.job;
      slot.job = undefined;
      if (event.data.sha256) job?.resolve(event.data.sha256);
      else job?.reject(new Error(event.data.error ?? 'hashing failed'));
      next();
    };
    slot.worker.onerror = (event) => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(new Error(`hashing failed: ${event.message || 'the Worker stopped'}`));
      next();
    };
    return slot;
  });
  return slots;
}

function next(): void {
  for (const slot of pool()) {
    if (slot.job) continue;
    let job = queue.shift();
    // A job of a paused or cancelled upload is dropped before any byte of it is read.
    while (job?.signal?.aborted) {
      job.reject(aborted());
      job = queue.shift();
    }
    if (!job) return;
    slot.job = job;
    slot.worker.postMessage({ blob: job.blob, ...(job.stream ? { stream: true } : {}), ...(job.algorithm ? { algorithm: job.algorithm } : {}) });
  }
}

/**
 * Base64 SHA-256 of `blob`; rejects with an AbortError if `signal` aborts before a Worker takes
 * it. `stream`: read as a stream and hashed incrementally (a whole file, whatever its size).
 */
export function sha256Of(blob: Blob, signal?: AbortSignal, options: { readonly stream?: boolean } = {}): Promise<string> {
  if (signal?.aborted) return Promise.reject(aborted());
  // Without Workers (a DOM emulation in component tests), on this thread.
  if (typeof Worker !== 'function') return digestHere(blob);
  return new Promise((resolve, reject) => {
    queue.push({ blob, ...(options.stream ? { stream: true } : {}), ...(signal ? { signal } : {}), resolve, reject });
    next();
  });
}

/**
 * Base64 checksum of an upload's part in `algorithm` (the upload's: CRC-32C, or SHA-256 for one
 * created with it), hashed in the pool; rejects with an AbortError if `signal` aborts before a
 * Worker takes it.
 */
export function partChecksumOf(algorithm: PartChecksumAlgorithm, part: Blob, signal?: AbortSignal): Promise<string> {
  if (algorithm === 'SHA256') return sha256Of(part, signal);
  if (signal?.aborted) return Promise.reject(aborted());
  if (typeof Worker !== 'function') return part.arrayBuffer().then((buffer) => crc32cOf(new Uint8Array(buffer)));
  return new Promise((resolve, reject) => {
    queue.push({ blob: part, algorithm, ...(signal ? { signal } : {}), resolve, reject });
    next();
  });
}

/**
 * Base64 SHA-256 of a whole (large) file in a Worker of its own, streamed, beside the pool that
 * hashes its parts: how a file too large to hash before sending gets its SHA-256 while it is
 * sent (issue 22 §2). `signal` stops the Worker.
 */
export function sha256OfFileAside(file: Blob, signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.reject(aborted());
  if (typeof Worker !== 'function') return digestHere(file);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' });
    const stop = (): void => {
      worker.terminate();
      reject(aborted());
    };
    signal.addEventListener('abort', stop, { once: true });
    const settle = (): void => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<{ sha256?: string; error?: string }>) => {
      settle();
      if (event.data.sha256) resolve(event.data.sha256);
      else reject(new Error(event.data.error ?? 'hashing failed'));
    };
    worker.onerror = (event) => {
      settle();
      reject(new Error(`hashing failed: ${event.message || 'the Worker stopped'}`));
    };
    worker.postMessage({ blob: file, stream: true });
  });
}

async function digestHere(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
