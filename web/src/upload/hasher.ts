import { crc32cOf } from '../../../contract/crc32c';
import type { PartChecksumAlgorithm, PartPlan } from '../../../contract/multipart';
import type { UploadHashAnswer, UploadHashStart } from './upload-hashing';

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

/** Parts being read or read ahead of the whole file's SHA-256 in `hashUpload`: what its Worker holds at most. */
const UPLOAD_HASH_KEEP_BYTES = 32 * 1024 * 1024;
/** `File` reads in flight in `hashUpload`'s Worker, within its bytes. */
const UPLOAD_HASH_READS_AT_ONCE = 3;

/** A multipart upload's checksums, hashed in one Worker of its own (upload-hash-worker.ts). */
export interface UploadHashing {
  readonly plan: PartPlan;
  /** Base64 CRC-32C of part `partNumber`; rejects with an AbortError when `signal` aborts first. */
  partChecksum(partNumber: number, signal?: AbortSignal): Promise<string>;
  /** Base64 SHA-256 of the whole file; undefined where this browser cannot hash it incrementally. */
  readonly sha256: Promise<string | undefined>;
  /** Stops the Worker (the upload ended, or another plan came): what is pending rejects. */
  stop(): void;
}

/**
 * Starts hashing `file` for an upload cut as `plan` with CRC-32C parts: every part is read once,
 * a few at a time, for its CRC-32C and the whole file's SHA-256 (upload-hash-worker.ts), so no byte is
 * read twice and no send waits for the SHA-256. May start before the upload is created (the
 * plan is `planParts(size)`, as the API's), giving the SHA-256 a head start.
 */
export function hashUpload(file: Blob, plan: PartPlan): UploadHashing {
  const checksums = new Map<number, string>();
  const waiting = new Map<number, { resolve: (checksum: string) => void; reject: (error: unknown) => void }[]>();
  let failure: unknown;
  let settleSha: { resolve: (sha256: string | undefined) => void; reject: (error: unknown) => void } | undefined;
  const sha256 = new Promise<string | undefined>((resolve, reject) => (settleSha = { resolve, reject }));
  sha256.catch(() => undefined);
  const fail = (error: unknown): void => {
    failure ??= error;
    for (const list of waiting.values()) for (const w of list) w.reject(failure);
    waiting.clear();
    settleSha?.reject(failure);
  };

  let worker: Worker | undefined;
  if (typeof Worker === 'function') {
    worker = new Worker(new URL('./upload-hash-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<UploadHashAnswer>) => {
      const answer = event.data;
      if (answer.type === 'part') {
        checksums.set(answer.partNumber, answer.checksum);
        for (const w of waiting.get(answer.partNumber) ?? []) w.resolve(answer.checksum);
        waiting.delete(answer.partNumber);
      } else if (answer.type === 'sha256') settleSha?.resolve(answer.sha256);
      else fail(new Error(`hashing failed: ${answer.message}`));
    };
    worker.onerror = (event) => fail(new Error(`hashing failed: ${event.message || 'the Worker stopped'}`));
    const start: UploadHashStart = { file, partSize: plan.partSize, partCount: plan.partCount, keepBytes: UPLOAD_HASH_KEEP_BYTES, readsAtOnce: UPLOAD_HASH_READS_AT_ONCE };
    worker.postMessage(start);
  } else {
    // Without Workers (a DOM emulation in component tests), on this thread.
    void (async () => {
      for (let n = 1; n <= plan.partCount; n += 1) {
        const bytes = new Uint8Array(await file.slice((n - 1) * plan.partSize, n * plan.partSize).arrayBuffer());
        const checksum = crc32cOf(bytes);
        checksums.set(n, checksum);
        for (const w of waiting.get(n) ?? []) w.resolve(checksum);
        waiting.delete(n);
      }
      settleSha?.resolve(await digestHere(file));
    })().catch(fail);
  }

  return {
    plan,
    sha256,
    partChecksum(partNumber, signal) {
      const known = checksums.get(partNumber);
      if (known !== undefined) return Promise.resolve(known);
      if (failure !== undefined) return Promise.reject(failure);
      if (signal?.aborted) return Promise.reject(aborted());
      return new Promise((resolve, reject) => {
        const entry = {
          resolve: (checksum: string) => {
            signal?.removeEventListener('abort', stop);
            resolve(checksum);
          },
          reject: (error: unknown) => {
            signal?.removeEventListener('abort', stop);
            reject(error);
          },
        };
        const stop = (): void => {
          waiting.set(partNumber, (waiting.get(partNumber) ?? []).filter((w) => w !== entry));
          reject(aborted());
        };
        signal?.addEventListener('abort', stop, { once: true });
        waiting.set(partNumber, [...(waiting.get(partNumber) ?? []), entry]);
      });
    },
    stop() {
      worker?.terminate();
      worker = undefined;
      if (failure === undefined) fail(aborted());
    },
  };
}
