/**
 * The web app's I/O for the clients' one multipart pipeline (client/multipart.ts: hash → sign
 * ahead → PUT in an adaptive window, retries, re-signing, resume from the parts S3 holds):
 * parts are slices of the `File` (the browser streams them from disk), hashed in the Worker
 * pool of hasher.ts (CRC-32C: contract/multipart.ts `PART_CHECKSUM_ALGORITHM`), PUT with XHR (transfer.ts), signed through the upload's endpoints (the
 * account's or a drop link's) with the clients' one retry policy.
 *
 * Memory: what this holds is the hashing Workers' slices (pool size × part size: 2-4 × 8 MiB
 * for files up to ~78 GiB, so 16-32 MiB for a 50 GiB file) plus a digest and a URL per part
 * hashed or signed ahead (a few dozen), whatever the file's size.
 */
import { AdaptiveConcurrency, BROWSER_PART_CONCURRENCY } from '../../../client/concurrency';
import { sendMultipart, type Concurrency, type MultipartResult } from '../../../client/multipart';
import { DEFAULT_RETRY_POLICY, withRetry } from '../../../client/retry';
import type { PartChecksumAlgorithm, PartPlan } from '../../../contract/multipart';
import type { HeldPart } from '../../../contract/wire';
import type { UploadEndpoints } from './endpoints';
import { partChecksumOf, sha256OfFileAside } from './hasher';
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
  return sendMultipart({
    size: options.size,
    plan: options.plan,
    held: options.held,
    concurrency: options.concurrency ?? new AdaptiveConcurrency(BROWSER_PART_CONCURRENCY),
    retry: DEFAULT_RETRY_POLICY,
    signal,
    io: {
      ...(options.checksumAlgorithm ? { hash: (part, stop) => partChecksumOf(options.checksumAlgorithm as PartChecksumAlgorithm, sliceOf(part.offset, part.length), stop) } : {}),
      // The file's identity, not its integrity (S3 checks every part): a browser that cannot hash it sends the file without.
      ...(options.hashFile ? { hashFile: (stop) => sha256OfFileAside(file, stop).catch(() => undefined) } : {}),
      // The page's API calls do not retry (a page shows its errors); the pipeline's signing does.
      sign: (request) => withRetry(() => options.endpoints.signParts(options.uploadId, request), DEFAULT_RETRY_POLICY, { sleep: (ms) => wait(ms, signal) }),
      put: (part, url, headers, onProgress, stop) => putBlob(url, headers, sliceOf(part.offset, part.length), onProgress, stop),
    },
    onEvent: (event) => {
      if (event.type === 'progress') options.onProgress(event.bytesInFlight);
      else if (event.type === 'part-stored') options.onPartDone(event.partNumber, event.size, event.etag);
    },
  });
}
