/**
 * The web app's I/O for the clients' one multipart pipeline (client/multipart.ts: hash → sign
 * ahead → PUT in an adaptive window, retries, re-signing, resume from the parts S3 holds):
 * parts are slices of the `File` (the browser streams them from disk), PUT with XHR
 * (transfer.ts), signed through the upload's endpoints (the account's or a drop link's) with the
 * clients' one retry policy. Hashing (hasher.ts):
 * - a large file whose SHA-256 is hashed while sending, with CRC-32C parts (the default): one
 *   Worker of its own reads each part once, a few at a time, for its CRC-32C and the whole file's
 *   SHA-256 (`hashUpload`); sends wait only for their part's CRC-32C;
 * - otherwise (a resumed upload with SHA-256 parts, or one whose SHA-256 was declared) parts in
 *   the Worker pool and the file's SHA-256, when wanted, in a Worker beside it.
 *
 * Memory: what this holds is the hashing Workers' parts (32 MiB being read or read ahead of the
 * SHA-256, or one part where parts are larger; or pool size × part size: 2-4 × 8 MiB for files up to ~78 GiB) plus a
 * digest and a URL per part hashed or signed ahead (a few dozen), whatever the file's size.
 */
import { AdaptiveConcurrency, BROWSER_PART_CONCURRENCY } from '../../../client/concurrency';
import { sendMultipart, type Concurrency, type MultipartIo, type MultipartResult, type PartToSend } from '../../../client/multipart';
import { DEFAULT_RETRY_POLICY, withRetry } from '../../../client/retry';
import type { PartChecksumAlgorithm, PartPlan } from '../../../contract/multipart';
import type { HeldPart } from '../../../contract/wire';
import type { UploadEndpoints } from './endpoints';
import { hashUpload, partChecksumOf, sha256OfFileAside, type UploadHashing } from './hasher';
import { putBlob, wait } from './transfer';

export interface SendPartsOptions {
  readonly file: Blob;
  readonly size: number;
  readonly plan: PartPlan;
  readonly uploadId: string;
  /** The parts S3 holds (a resume); the others are sent. */
  readonly held: readonly HeldPart[];
  /** The upload's part checksum algorithm, when it was created with one (every URL then signs its part's). */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /** Hash the whole file beside sending (in a Worker of its own): the result then carries its SHA-256. */
  readonly hashFile?: boolean;
  /**
   * The upload's hashing started before it was created (`hashUpload` with `planParts(size)`):
   * used when its plan is this one and the upload's parts are CRC-32C with `hashFile`; stopped
   * when the parts are sent.
   */
  readonly hashing?: UploadHashing;
  readonly endpoints: Pick<UploadEndpoints, 'signParts'>;
  readonly signal: AbortSignal;
  /** Bytes sent so far of the parts in flight. */
  readonly onProgress: (bytesInFlight: number) => void;
  readonly onPartDone: (partNumber: number, size: number, etag: string) => void;
  /** @default adaptive from the measured rate, `BROWSER_PART_CONCURRENCY` */
  readonly concurrency?: Concurrency;
}

/** Resolves with every part's ETag once all are stored; rejects on the first failure retries did not cure, or with an AbortError. */
export function sendParts(options: SendPartsOptions): Promise<MultipartResult> {
  const { file, signal } = options;
  const sliceOf = (offset: number, length: number): Blob => file.slice(offset, offset + length);
  // A large file's SHA-256 and its parts' CRC-32C from one read of each part, in a Worker of its own.
  const together = options.hashFile === true && options.checksumAlgorithm === 'CRC32C';
  const samePlan = options.hashing !== undefined && options.hashing.plan.partSize === options.plan.partSize && options.hashing.plan.partCount === options.plan.partCount;
  if (options.hashing && !(together && samePlan)) options.hashing.stop();
  const hashing = together ? (samePlan ? (options.hashing as UploadHashing) : hashUpload(file, options.plan)) : undefined;
  const hashIo: Pick<MultipartIo, 'hash' | 'hashFile'> = hashing
    ? {
        hash: (part, stop) => hashing.partChecksum(part.partNumber, stop),
        hashFile: (stop) => {
          stop.addEventListener('abort', () => hashing.stop(), { once: true });
          return hashing.sha256.catch(() => undefined);
        },
      }
    : {
        ...(options.checksumAlgorithm ? { hash: (part: PartToSend, stop: AbortSignal) => partChecksumOf(options.checksumAlgorithm as PartChecksumAlgorithm, sliceOf(part.offset, part.length), stop) } : {}),
        // The file's identity, not its integrity (S3 checks every part): a browser that cannot hash it sends the file without.
        ...(options.hashFile ? { hashFile: (stop: AbortSignal) => sha256OfFileAside(file, stop).catch(() => undefined) } : {}),
      };
  const sent = sendMultipart({
    size: options.size,
    plan: options.plan,
    held: options.held,
    concurrency: options.concurrency ?? new AdaptiveConcurrency(BROWSER_PART_CONCURRENCY),
    retry: DEFAULT_RETRY_POLICY,
    signal,
    io: {
      ...hashIo,
      // The page's API calls do not retry (a page shows its errors); the pipeline's signing does.
      sign: (request) => withRetry(() => options.endpoints.signParts(options.uploadId, request), DEFAULT_RETRY_POLICY, { sleep: (ms) => wait(ms, signal) }),
      put: (part, url, headers, onProgress, stop) => putBlob(url, headers, sliceOf(part.offset, part.length), onProgress, stop),
    },
    onEvent: (event) => {
      if (event.type === 'progress') options.onProgress(event.bytesInFlight);
      else if (event.type === 'part-stored') options.onPartDone(event.partNumber, event.size, event.etag);
    },
  });
  return hashing ? sent.finally(() => hashing.stop()) : sent;
}
