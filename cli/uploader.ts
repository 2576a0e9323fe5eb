/**
 * Uploads one local file through the API: a single presigned PUT or a multipart upload, through
 * the clients' one pipeline (client/multipart.ts: parts signed in batches ahead of need, sent
 * several at a time — how many is chosen from the measured rate unless `parallel` fixes it —
 * retried with backoff, re-signed when S3 says the URL expired). This file brings the CLI's
 * I/O: parts PUT straight from file ranges, hashed in worker threads, and a state file so a
 * killed process resumes the same upload, asking the API which parts S3 already holds and
 * sending only the others. Checksums are computed in worker threads: a file up to
 * `WHOLE_FILE_SHA256_MAX_BYTES` is hashed before the upload is created (its SHA-256 declared
 * then), a larger one while its parts are sent (declared when completing). Memory stays bounded whatever the file size: each part in flight holds
 * one read buffer (`READ_CHUNK_BYTES`), each hashing worker two (`HASH_READ_BYTES`), plus 8
 * bytes of checksum per part (a CRC-32C in base64). `bench:upload` runs this through the built CLI.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ApiClient } from './api-client';
import type { FileInfo, HeldPart, SingleUpload, UploadStatus } from './api-types';
import type { UploadRequest } from '../contract/wire';
import { contentTypeOf } from './content-type';
import { AdaptiveConcurrency, CLI_PART_CONCURRENCY } from '../client/concurrency';
import { MAX_PARTS_PER_SIGNING, MAX_RESIGNS_PER_PART, normalizeEtag, PART_CHECKSUM_ALGORITHM, partLength, partOffset, planParts, WHOLE_FILE_SHA256_MAX_BYTES, type PartChecksumAlgorithm, type PartPlan } from '../contract/multipart';
import { ApiError, StorageError } from '../client/errors';
import { fixedConcurrency, sendMultipart as sendParts, usableHeldParts, type MultipartIo, type MultipartResult } from '../client/multipart';
import { CliError } from './errors';
import { hashRanges, hashRangesEach, partRanges, type RangeHashes } from './file-hasher';
import { sleep, withRetry, type RetryPolicy } from '../client/retry';
import { createAgents, destroyAgents, putFileRange, type Agents } from './transfer';
import type { UploadIdentity, UploadState, UploadStateStore } from './upload-state';

/** At most one state file write per this interval while parts complete. */
const STATE_SAVE_INTERVAL_MS = 250;

interface UploadListener {
  /** Once known: the file's size and how many bytes S3 already holds (resume). */
  start?(size: number, alreadyStored: number): void;
  /** Bytes read for sending (negative when a failed attempt's bytes are taken back). */
  bytes?(delta: number): void;
}

export interface UploadFileOptions {
  readonly api: ApiClient;
  readonly filePath: string;
  readonly folder: string;
  /** @default the file's base name */
  readonly name?: string;
  /** @default from the extension */
  readonly contentType?: string;
  readonly tags?: readonly string[];
  readonly description?: string;
  /**
   * Parts in flight at once, fixed. @default adaptive: from 4, doubled while the measured rate
   * grows, within 2-16 (`CLI_PART_CONCURRENCY`, the rule the web app shares)
   */
  readonly parallel?: number;
  readonly retry: RetryPolicy;
  /** Where resumable state is kept; without it a killed upload starts over. */
  readonly states?: UploadStateStore;
  /**
   * Send each part's SHA-256 for S3 to verify (the parts are hashed in a worker thread while
   * earlier ones are sent), and declare the whole file's SHA-256 up to
   * `WHOLE_FILE_SHA256_MAX_BYTES`. @default true
   */
  readonly checksums?: boolean;
  /**
   * Hash the whole file before the upload starts and declare its SHA-256 then (recorded in the
   * catalog; S3 checks it on a single PUT, and cannot on a multipart upload, whose parts it
   * checks instead): true whatever the size (a read of the file before sending), false never
   * (not even while sending). @default up to `WHOLE_FILE_SHA256_MAX_BYTES` before, larger
   * files while sending (declared when completing)
   */
  readonly fileSha256?: boolean;
  /** The checksums when already computed (the duplicate check hashed the file first): not read again. */
  readonly precomputed?: FileChecksums;
  /** Replace a file of the same name (else 409 FileExists). @default false */
  readonly overwrite?: boolean;
  readonly listener?: UploadListener;
  readonly debug?: (message: string) => void;
  /**
   * Test knob (MEDIA_STORE_DEBUG_PUT_DELAY_MS): stall this long between getting a part's URL
   * and sending it, once per part (first attempt), as a suspended laptop or a long queue would.
   */
  readonly putDelayMs?: number;
  readonly agents?: Agents;
}

interface UploadResult {
  readonly fileId: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly mode: 'single' | 'multipart';
  /** Whether an earlier, interrupted run's upload was continued. */
  readonly resumed: boolean;
  /** Part numbers sent by this run (multipart). */
  readonly partsSent: readonly number[];
  /** Parts S3 already held from an earlier run. */
  readonly partsReused: number;
  readonly file?: FileInfo;
}

/** The part size the API chooses for `size` bytes: the same pure rule (handlers/core/multipart). */
export const expectedPartSize = (size: number): number => planParts(size).partSize;

export interface FileChecksums {
  /** Base64 SHA-256 of the whole file. */
  readonly sha256: string;
  readonly partSize: number;
  /** Base64 checksum of each part in `PART_CHECKSUM_ALGORITHM` (CRC-32C), index 0 = part 1. */
  readonly parts: readonly string[];
}

/**
 * The whole file's SHA-256 and every part's CRC-32C (the form `x-amz-checksum-crc32c` takes:
 * base64 with padding), in two worker threads reading the file at the same time: on two cores
 * this costs one read of the file in wall time, and the event loop stays free.
 */
export async function computeChecksums(filePath: string, size: number, partSize: number): Promise<FileChecksums> {
  const [whole, parts] = await Promise.all([hashRanges(filePath, [[0, size]]), hashRanges(filePath, partRanges(size, partSize), undefined, PART_CHECKSUM_ALGORITHM)]);
  return { sha256: whole[0] as string, partSize, parts };
}

export async function uploadFile(options: UploadFileOptions): Promise<UploadResult> {
  const filePath = path.resolve(options.filePath);
  const stat = statSync(filePath);
  if (!stat.isFile()) throw new CliError(`${options.filePath} is not a regular file`);
  const name = options.name ?? path.basename(filePath);
  const identity: UploadIdentity = { apiUrl: options.api.baseUrl, filePath, size: stat.size, mtimeMs: stat.mtimeMs, folder: options.folder, name };
  const agents = options.agents ?? createAgents(Math.max(1, options.parallel ?? CLI_PART_CONCURRENCY.max));
  try {
    const resumed = await resumeState(options, identity);
    if (resumed && 'file' in resumed) return resumed.file;
    if (resumed) return await sendMultipart(options, identity, resumed.state, resumed.held, agents, true);

    const checksummed = options.checksums !== false;
    // The whole file's SHA-256 must be known before the upload exists (it is declared then), so
    // it costs a read of the file up front: by default only for small files (see
    // WHOLE_FILE_SHA256_MAX_BYTES). The parts are hashed in the same pass, in a second worker.
    // A larger one is hashed while its parts are sent and declared when the upload completes.
    const declareWhole = checksummed && (options.precomputed !== undefined || (options.fileSha256 ?? stat.size <= WHOLE_FILE_SHA256_MAX_BYTES));
    const known = declareWhole ? (options.precomputed ?? (await computeChecksums(filePath, stat.size, expectedPartSize(stat.size)))) : undefined;
    if (known) options.debug?.(`sha256 ${known.sha256} (${known.parts.length} part checksums)`);
    const createBody: UploadRequest = {
      folder: options.folder,
      fileName: name,
      contentType: options.contentType ?? contentTypeOf(name),
      size: stat.size,
      ...(options.tags && options.tags.length ? { tags: options.tags } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(known ? { sha256: known.sha256 } : {}),
      ...(checksummed ? { checksumAlgorithm: PART_CHECKSUM_ALGORITHM } : {}),
      ...(options.overwrite === true ? { overwrite: true } : {}),
    };
    const created = await options.api.call('POST /uploads', { body: createBody });
    options.debug?.(`upload ${created.uploadId}: mode ${created.mode}${created.mode === 'multipart' ? `, ${created.partCount} parts of ${created.partSize} bytes` : ''}`);
    if (created.mode === 'single') return await sendSingle(options, identity, created, agents, createBody);
    const partAlgorithm = checksummed ? created.checksumAlgorithm : undefined;
    // Hashed up front with the part size and algorithm the API chose; otherwise hashed while sending.
    const partChecksums = partAlgorithm === PART_CHECKSUM_ALGORITHM && known?.partSize === created.partSize ? known.parts : undefined;

    const state: UploadState = {
      version: 1,
      identity,
      uploadId: created.uploadId,
      fileId: created.fileId,
      partSize: created.partSize,
      partCount: created.partCount,
      completedParts: [],
      ...(known ? { sha256: known.sha256 } : {}),
      ...(partAlgorithm !== undefined ? { checksumAlgorithm: partAlgorithm } : {}),
      ...(partChecksums ? { partChecksums } : {}),
      startedAt: new Date().toISOString(),
    };
    options.states?.save(state);
    return await sendMultipart(options, identity, state, [], agents, false);
  } finally {
    if (!options.agents) destroyAgents(agents);
  }
}

type Resumption = { state: UploadState; held: readonly HeldPart[] } | { file: UploadResult };

/** The saved upload for this file, if the API still has it open; stale state is dropped. */
async function resumeState(options: UploadFileOptions, identity: UploadIdentity): Promise<Resumption | undefined> {
  const state = options.states?.load(identity);
  if (!state) return undefined;
  let status: UploadStatus;
  try {
    status = await options.api.call('GET /uploads/{uploadId}', { params: { uploadId: state.uploadId } });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
      options.debug?.(`upload ${state.uploadId}: no longer open (${error.status} ${error.code}); starting over`);
      options.states?.remove(identity);
      return undefined;
    }
    throw error;
  }
  if (status.status === 'completed') {
    // Killed after the API completed it but before the state was removed: nothing left to send.
    options.states?.remove(identity);
    options.listener?.start?.(identity.size, identity.size);
    const result: UploadResult = { fileId: state.fileId, folder: identity.folder, name: identity.name, size: identity.size, mode: 'multipart', resumed: true, partsSent: [], partsReused: state.partCount };
    return { file: result };
  }
  if (status.status !== 'pending') {
    options.debug?.(`upload ${state.uploadId}: status ${status.status}; starting over`);
    options.states?.remove(identity);
    return undefined;
  }
  // Only parts of exactly their planned length (and, when known, checksum) count: others are sent again.
  // Parts hashed while sending are not saved: S3 checked each against the file, whose size and date the state's identity pins.
  const held = usableHeldParts(identity.size, state, status.parts ?? [], state.partChecksums);
  options.debug?.(`upload ${state.uploadId}: resuming, S3 holds parts [${held.map((p) => p.partNumber).join(',')}]`);
  return { state: status.checksumAlgorithm !== undefined ? { ...state, checksumAlgorithm: status.checksumAlgorithm } : state, held };
}

async function sendSingle(options: UploadFileOptions, identity: UploadIdentity, created: SingleUpload, agents: Agents, createBody: UploadRequest): Promise<UploadResult> {
  options.listener?.start?.(identity.size, 0);
  let upload = created;
  let resigns = 0;
  await withRetry(
    async (attempt) => {
      for (;;) {
        let sent = 0;
        try {
          if (options.putDelayMs && attempt === 0 && resigns === 0) await sleep(options.putDelayMs);
          options.debug?.(`single PUT ${identity.size} bytes (attempt ${attempt + 1})`);
          return await putFileRange({
            url: upload.url,
            headers: upload.headers,
            filePath: identity.filePath,
            start: 0,
            length: identity.size,
            agents,
            onBytes: (b) => {
              sent += b;
              options.listener?.bytes?.(b);
            },
          });
        } catch (error) {
          options.listener?.bytes?.(-sent);
          if (error instanceof StorageError && error.isExpiredUrl && resigns < MAX_RESIGNS_PER_PART) {
            resigns += 1;
            options.debug?.('single PUT: URL expired, starting a new upload session');
            upload = (await options.api.call('POST /uploads', { body: createBody })) as SingleUpload;
            continue;
          }
          throw error;
        }
      }
    },
    options.retry,
    { onRetry: (error, n, delay) => options.debug?.(`single PUT failed (${(error as Error).message}); retry ${n} in ${delay} ms`) },
  );
  return { fileId: upload.fileId, folder: identity.folder, name: identity.name, size: identity.size, mode: 'single', resumed: false, partsSent: [], partsReused: 0 };
}

/**
 * How many parts the hashing worker may run ahead of the part being sent: enough for the next
 * signing batches (2 per slot signed ahead), few enough that hashing is spread over the upload
 * instead of taking a core in one burst at its start — a burst that also misled the adaptive
 * rule (the first window measured slow, the next one fast: 4 → 16 in flight, slower on a
 * busy 2-core machine).
 */
const HASH_LOOK_AHEAD_PARTS = 24;

/**
 * The parts' checksums hashed in a worker thread reading the file, in the order the parts will
 * be sent (`due`), as far as the pipeline has asked for: its look-ahead bounds the worker's.
 */
function streamedHashes(filePath: string, size: number, plan: PartPlan, due: readonly number[], algorithm: PartChecksumAlgorithm): { hash: NonNullable<MultipartIo['hash']>; stop(): void } {
  const index = new Map(due.map((n, i) => [n, i]));
  const hashes: RangeHashes = hashRangesEach(filePath, due.map((n) => [partOffset(plan, n), partLength(size, plan, n)] as const), { allowed: 0, algorithm });
  return {
    hash: (part) => {
      const i = index.get(part.partNumber);
      if (i === undefined) return Promise.reject(new CliError(`part ${part.partNumber} was not hashed`));
      hashes.allow(i + 1);
      return hashes.digest(i);
    },
    stop: () => hashes.stop(),
  };
}

/**
 * The multipart upload through the clients' one pipeline (client/multipart.ts); this adapter
 * brings the CLI's I/O: parts PUT from file ranges over keep-alive sockets, parts hashed in a
 * worker thread (unless hashed before the upload started), the state file, the listener.
 */
async function sendMultipart(
  options: UploadFileOptions,
  identity: UploadIdentity,
  state: UploadState,
  heldByS3: readonly HeldPart[],
  agents: Agents,
  resumed: boolean,
): Promise<UploadResult> {
  const concurrency = options.parallel !== undefined ? fixedConcurrency(options.parallel) : new AdaptiveConcurrency(CLI_PART_CONCURRENCY);
  const held = usableHeldParts(identity.size, state, heldByS3, state.partChecksums);
  const heldNumbers = new Set(held.map((p) => p.partNumber));
  const due: number[] = [];
  for (let n = 1; n <= state.partCount; n += 1) if (!heldNumbers.has(n)) due.push(n);
  // Batches of 4 parts per slot in flight (64 at 16), signed again when 2 per slot remain.
  const batchSize = Math.min(MAX_PARTS_PER_SIGNING, Math.max(8, 4 * (options.parallel ?? CLI_PART_CONCURRENCY.max)));
  // Parts not hashed before the upload started are hashed now, in a worker, ahead of sending.
  const streamed = state.checksumAlgorithm !== undefined && state.partChecksums === undefined ? streamedHashes(identity.filePath, identity.size, state, due, state.checksumAlgorithm) : undefined;
  // The whole file's SHA-256, when not declared at creation: hashed beside sending, in another worker.
  const whole = state.sha256 === undefined && options.checksums !== false && options.fileSha256 !== false ? hashRangesEach(identity.filePath, [[0, identity.size]]) : undefined;
  /** Parts S3 stored, in the order it did (appended, not copied per part: 10,000 of them). */
  const completedParts = held.map((p) => ({ partNumber: p.partNumber, etag: normalizeEtag(p.etag) }));
  const delayed = new Set<number>();
  let savedAt = 0;
  let reported = 0;
  const debug = options.debug;
  let result: MultipartResult;
  try {
    result = await sendParts({
      size: identity.size,
      plan: state,
      held,
      ...(state.partChecksums ? { knownChecksums: state.partChecksums } : {}),
      concurrency,
      retry: options.retry,
      hashLookAhead: () => HASH_LOOK_AHEAD_PARTS,
      signBatch: () => batchSize,
      io: {
        ...(streamed ? { hash: streamed.hash } : {}),
        ...(whole ? { hashFile: () => whole.digest(0) } : {}),
        sign: (request) => options.api.call('POST /uploads/{uploadId}/parts', { params: { uploadId: state.uploadId }, body: request }),
        put: async (part, url, headers, onProgress, signal) => {
          if (options.putDelayMs && !delayed.has(part.partNumber)) {
            delayed.add(part.partNumber);
            await sleep(options.putDelayMs);
          }
          debug?.(`part ${part.partNumber}: PUT ${part.length} bytes`);
          let loaded = 0;
          const answer = await putFileRange({ url, headers, filePath: identity.filePath, start: part.offset, length: part.length, agents, signal, onBytes: (b) => onProgress((loaded += b)) });
          return answer.etag;
        },
      },
      onEvent: (event) => {
        switch (event.type) {
          case 'start':
            options.listener?.start?.(identity.size, event.alreadyStored);
            break;
          case 'progress':
            options.listener?.bytes?.(event.bytesSent - reported);
            reported = event.bytesSent;
            break;
          case 'part-stored':
            completedParts.push({ partNumber: event.partNumber, etag: event.etag });
            // The list is a hint (resuming asks the API); rewriting it after each of 10,000 parts is not worth it.
            if (Date.now() - savedAt >= STATE_SAVE_INTERVAL_MS) {
              options.states?.save({ ...state, completedParts });
              savedAt = Date.now();
            }
            debug?.(`part ${event.partNumber}: stored (etag ${event.etag})`);
            break;
          case 'signed':
            debug?.(`signed parts [${event.partNumbers.join(',')}] until ${event.expiresAt}`);
            break;
          case 'sign-ahead-failed':
            debug?.(`signing ahead [${event.partNumbers.join(',')}] failed: ${(event.error as Error).message}`);
            break;
          case 'resign':
            debug?.(`part ${event.partNumber}: URL expired (${event.reason}); re-signing`);
            break;
          case 'retry':
            debug?.(`part ${event.partNumber}: failed (${(event.error as Error).message}); retry ${event.attempt} in ${event.delayMs} ms`);
            break;
          case 'concurrency':
            debug?.(`parts in flight: ${event.from} → ${event.to}`);
            break;
        }
      },
    });
  } finally {
    streamed?.stop();
    whole?.stop();
  }
  if (result.sha256 !== undefined) debug?.(`sha256 ${result.sha256} (hashed while sending)`);

  let completed: { file?: FileInfo };
  try {
    completed = await options.api.call('POST /uploads/{uploadId}/complete', { params: { uploadId: state.uploadId }, body: { parts: result.parts, ...(result.sha256 !== undefined ? { sha256: result.sha256 } : {}) } });
  } catch (error) {
    // A refused completion aborts the upload on the API's side: nothing left to resume.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) options.states?.remove(identity);
    throw error;
  }
  options.states?.remove(identity);
  debug?.(`upload ${state.uploadId}: completed with ${result.parts.length} parts (${result.sent.length} sent by this run)`);
  return {
    fileId: completed.file?.id ?? state.fileId,
    folder: identity.folder,
    name: identity.name,
    size: identity.size,
    mode: 'multipart',
    resumed,
    partsSent: result.sent,
    partsReused: result.reused,
    ...(completed.file ? { file: completed.file } : {}),
  };
}
