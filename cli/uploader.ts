/**
 * Uploads one local file through the API: a single presigned PUT or a multipart upload whose
 * parts are signed in batches ahead of need, sent several at a time straight from file ranges
 * (how many is chosen from the measured rate unless `parallel` fixes it), retried with backoff,
 * re-signed when S3 says the URL expired, and remembered in a state file so a killed process
 * resumes the same upload, asking the API which parts S3 already holds and sending only the
 * others. Checksums are computed in worker threads before the upload is created (its SHA-256
 * is declared then). Memory stays bounded whatever the file size: each part in flight holds
 * one read buffer (`READ_CHUNK_BYTES`), each hashing worker two (`HASH_READ_BYTES`), plus 44
 * bytes of checksum per part. `bench:upload` runs this through the built CLI.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ApiClient } from './api-client';
import type { FileInfo, HeldPart, SingleUpload, UploadStatus } from './api-types';
import type { UploadRequest } from '../contract/wire';
import { contentTypeOf } from './content-type';
import { AdaptiveConcurrency, CLI_PART_CONCURRENCY } from '../client/concurrency';
import { MAX_PARTS_PER_SIGNING, MAX_RESIGNS_PER_PART, partLength, partOffset, planParts, urlStaleAtMs, WHOLE_FILE_SHA256_MAX_BYTES } from '../contract/multipart';
import { ApiError, isNetworkError, StorageError } from '../client/errors';
import { CliError } from './errors';
import { hashRanges, hashRangesEach, partRanges, type RangeHashes } from './file-hasher';
import { backoffDelayMs, isRetryable, retryAfterMs, sleep, withRetry, type RetryPolicy } from '../client/retry';
import { createAgents, destroyAgents, putFileRange, type Agents } from './transfer';
import type { UploadIdentity, UploadState, UploadStateStore } from './upload-state';

/** At most one state file write per this interval while parts complete. */
export const STATE_SAVE_INTERVAL_MS = 250;

export interface UploadListener {
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
   * Declare the whole file's SHA-256 (recorded in the catalog; S3 checks it on a single PUT,
   * and cannot on a multipart upload, whose parts it checks instead): true whatever the size,
   * false never. It costs a read of the file before the upload starts.
   * @default only up to `WHOLE_FILE_SHA256_MAX_BYTES`
   */
  readonly fileSha256?: boolean;
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

export interface UploadResult {
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
  /** Base64 SHA-256 of each part, index 0 = part 1. */
  readonly parts: readonly string[];
}

/**
 * The whole file's SHA-256 and every part's (the form `x-amz-checksum-sha256` takes: base64
 * with padding), in two worker threads reading the file at the same time: on two cores this
 * costs one read of the file in wall time, and the event loop stays free.
 */
export async function computeChecksums(filePath: string, size: number, partSize: number): Promise<FileChecksums> {
  const [whole, parts] = await Promise.all([hashRanges(filePath, [[0, size]]), hashRanges(filePath, partRanges(size, partSize))]);
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
    const declareWhole = checksummed && (options.fileSha256 ?? stat.size <= WHOLE_FILE_SHA256_MAX_BYTES);
    const known = declareWhole ? await computeChecksums(filePath, stat.size, expectedPartSize(stat.size)) : undefined;
    if (known) options.debug?.(`sha256 ${known.sha256} (${known.parts.length} part checksums)`);
    const createBody: UploadRequest = {
      folder: options.folder,
      fileName: name,
      contentType: options.contentType ?? contentTypeOf(name),
      size: stat.size,
      ...(options.tags && options.tags.length ? { tags: options.tags } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(known ? { sha256: known.sha256 } : {}),
      ...(checksummed ? { checksumAlgorithm: 'SHA256' } : {}),
      ...(options.overwrite === true ? { overwrite: true } : {}),
    };
    const created = await options.api.call('POST /uploads', { body: createBody });
    options.debug?.(`upload ${created.uploadId}: mode ${created.mode}${created.mode === 'multipart' ? `, ${created.partCount} parts of ${created.partSize} bytes` : ''}`);
    if (created.mode === 'single') return await sendSingle(options, identity, created, agents, createBody);
    const partsChecksummed = checksummed && created.checksumAlgorithm === 'SHA256';
    // Hashed up front with the part size the API chose; otherwise hashed while sending.
    const partChecksums = partsChecksummed && known?.partSize === created.partSize ? known.parts : undefined;

    const state: UploadState = {
      version: 1,
      identity,
      uploadId: created.uploadId,
      fileId: created.fileId,
      partSize: created.partSize,
      partCount: created.partCount,
      completedParts: [],
      ...(known ? { sha256: known.sha256 } : {}),
      ...(partsChecksummed ? { checksumAlgorithm: 'SHA256' as const } : {}),
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
  const held = (status.parts ?? []).filter(
    (p) =>
      p.partNumber >= 1 &&
      p.partNumber <= state.partCount &&
      p.size === partLength(identity.size, state, p.partNumber) &&
      // Parts hashed while sending are not saved: S3 checked each against the file, whose size and date the state's identity pins.
      (p.sha256 === undefined || state.partChecksums === undefined || p.sha256 === state.partChecksums[p.partNumber - 1]),
  );
  options.debug?.(`upload ${state.uploadId}: resuming, S3 holds parts [${held.map((p) => p.partNumber).join(',')}]`);
  return { state: status.checksumAlgorithm === 'SHA256' ? { ...state, checksumAlgorithm: 'SHA256' } : state, held };
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
 * Why a failed PUT means its URL expired, or undefined: S3's 403 "Request has expired" — or a
 * connection dropped after the URL's expiry, which is how that 403 arrives when S3 answers
 * and closes before reading the body (the client's write fails with EPIPE/ECONNRESET).
 */
export function expiredUrlReason(error: unknown, expiresAtMs: number, now: number = Date.now()): string | undefined {
  if (error instanceof StorageError) return error.isExpiredUrl ? `S3 ${error.status} ${error.code}` : undefined;
  if (isNetworkError(error) && now >= expiresAtMs) return `connection dropped after its expiry: ${(error as Error).message}`;
  return undefined;
}

interface CachedUrl {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** When to stop using it and sign again. */
  readonly staleAtMs: number;
  /** When S3 starts refusing it. */
  readonly expiresAtMs: number;
}

/** Each part's SHA-256, from a hashing worker that runs ahead of sending (or known up front). */
export interface PartChecksums {
  of(partNumber: number): Promise<string>;
  /** Whether `of` would answer at once. */
  ready(partNumber: number): boolean;
  /** Part `partNumber` is being sent: the hashing may move further ahead. */
  sending?(partNumber: number): void;
}

/**
 * How many parts the hashing worker may run ahead of the part being sent: enough for the next
 * signing batches (2 per slot signed ahead), few enough that hashing is spread over the upload
 * instead of taking a core in one burst at its start — a burst that also misled the adaptive
 * rule (the first window measured slow, the next one fast: 4 → 16 in flight, slower on a
 * busy 2-core machine).
 */
export const HASH_LOOK_AHEAD_PARTS = 24;

/** Checksums computed before the upload started (index 0 = part 1). */
export const knownChecksums = (sums: readonly string[]): PartChecksums => ({
  of: (n) => Promise.resolve(sums[n - 1] as string),
  ready: (n) => sums[n - 1] !== undefined,
});

/** The parts' checksums hashed in a worker thread, in the order the parts will be sent. */
export function streamedChecksums(filePath: string, size: number, plan: { readonly partSize: number; readonly partCount: number }, due: readonly number[]): PartChecksums & { stop(): void } {
  const index = new Map(due.map((n, i) => [n, i]));
  const hashes: RangeHashes = hashRangesEach(filePath, due.map((n) => [partOffset(plan, n), partLength(size, plan, n)] as const), { allowed: HASH_LOOK_AHEAD_PARTS });
  const done = new Set<number>();
  due.forEach((n, i) => void hashes.digest(i).then(() => done.add(n), () => undefined));
  return {
    of: (n) => {
      const i = index.get(n);
      return i === undefined ? Promise.reject(new CliError(`part ${n} was not hashed`)) : hashes.digest(i);
    },
    ready: (n) => done.has(n),
    sending: (n) => hashes.allow((index.get(n) ?? 0) + 1 + HASH_LOOK_AHEAD_PARTS),
    stop: () => hashes.stop(),
  };
}

/**
 * Signs part URLs in batches of the next parts due, ahead of need: whenever fewer than
 * `lowWater` of the coming parts have a URL (or one on its way), the next batch is requested
 * in the background, so a part never waits for a signing round trip after the first. Re-signs
 * a part whose URL expired (or is about to). Each request carries the batch's part checksums
 * when the upload has them; while parts are still being hashed, a batch holds only parts
 * already hashed (and the part asked for), so the first parts go out before the rest is hashed.
 */
export class PartSigner {
  private readonly cache = new Map<number, CachedUrl>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private waitingFor: Promise<unknown> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly uploadId: string,
    private readonly batchSize: number,
    private readonly checksums: PartChecksums | undefined,
    private readonly debug?: (message: string) => void,
    /** Parts ahead that should have a URL or one being signed. @default batchSize / 2 */
    private readonly lowWater: () => number = () => Math.ceil(batchSize / 2),
  ) {}

  /** Part `partNumber`'s URL; `upcoming`: the parts due after it, in the order they will be sent. */
  async url(partNumber: number, upcoming: readonly number[]): Promise<CachedUrl> {
    const signed = await this.urlNow(partNumber, upcoming);
    this.signAhead(upcoming);
    return signed;
  }

  private signAhead(upcoming: readonly number[]): void {
    const horizon = upcoming.slice(0, this.lowWater());
    if (horizon.every((n) => this.inFlight.has(n) || this.fresh(n))) return;
    const unsigned = upcoming.filter((n) => !this.inFlight.has(n) && !this.fresh(n));
    const batch = unsigned.filter((n) => this.hashed(n)).slice(0, this.batchSize);
    if (!batch.length) {
      // Not hashed yet: sign ahead as soon as the first of them is.
      const first = unsigned[0];
      if (first !== undefined && this.checksums && !this.waitingFor) {
        this.waitingFor = this.checksums.of(first).then(
          () => {
            this.waitingFor = undefined;
            this.signAhead(upcoming.filter((n) => n !== first || !this.fresh(n)));
          },
          () => (this.waitingFor = undefined),
        );
      }
      return;
    }
    // A failure here only loses the head start: the part signs on demand (with retries) when due.
    this.sign(batch).catch((error: unknown) => this.debug?.(`signing ahead [${batch.join(',')}] failed: ${(error as Error).message}`));
  }

  private async urlNow(partNumber: number, upcoming: readonly number[]): Promise<CachedUrl> {
    if (!this.fresh(partNumber)) await this.checksums?.of(partNumber);
    for (let round = 0; round < 3; round += 1) {
      if (this.fresh(partNumber)) return this.cache.get(partNumber) as CachedUrl;
      const pending = this.inFlight.get(partNumber);
      if (pending) {
        await pending;
        continue;
      }
      const batch = [partNumber, ...upcoming.filter((n) => n !== partNumber && !this.inFlight.has(n) && !this.fresh(n) && this.hashed(n))].slice(0, this.batchSize);
      await this.sign(batch);
    }
    const signed = this.cache.get(partNumber);
    if (!signed) throw new CliError(`the API did not sign part ${partNumber}`);
    return signed;
  }

  invalidate(partNumber: number): void {
    this.cache.delete(partNumber);
  }

  private hashed(n: number): boolean {
    return this.checksums === undefined || this.checksums.ready(n);
  }

  private fresh(n: number): boolean {
    const cached = this.cache.get(n);
    return cached !== undefined && cached.staleAtMs > Date.now();
  }

  private async sign(partNumbers: readonly number[]): Promise<void> {
    const { checksums } = this;
    const request = (async () => {
      const sums = checksums ? await Promise.all(partNumbers.map(async (n) => [String(n), await checksums.of(n)] as const)) : undefined;
      return this.api.call('POST /uploads/{uploadId}/parts', { params: { uploadId: this.uploadId }, body: { partNumbers, ...(sums ? { checksums: Object.fromEntries(sums) } : {}) } });
    })()
      .then((answer) => {
        const expiresAtMs = new Date(answer.expiresAt).getTime();
        const staleAtMs = urlStaleAtMs(expiresAtMs, Date.now());
        for (const part of answer.parts) this.cache.set(part.partNumber, { url: part.url, headers: part.headers, staleAtMs, expiresAtMs });
        this.debug?.(`signed parts [${partNumbers.join(',')}] until ${answer.expiresAt}`);
      });
    const settled = request.finally(() => {
      for (const n of partNumbers) this.inFlight.delete(n);
    });
    for (const n of partNumbers) this.inFlight.set(n, settled.catch(() => undefined));
    await settled;
  }
}

async function sendMultipart(
  options: UploadFileOptions,
  identity: UploadIdentity,
  initial: UploadState,
  held: readonly HeldPart[],
  agents: Agents,
  resumed: boolean,
): Promise<UploadResult> {
  const concurrency =
    options.parallel !== undefined
      ? { current: Math.max(1, options.parallel), record: () => undefined }
      : new AdaptiveConcurrency(CLI_PART_CONCURRENCY);
  const etags = new Map<number, string>(held.map((p) => [p.partNumber, p.etag.replace(/"/g, '')]));
  const state: UploadState = initial;
  /** Parts S3 accepted, in the order it did (appended, not copied per part: 10,000 of them). */
  const completedParts = [...etags].map(([partNumber, etag]) => ({ partNumber, etag }));
  const alreadyStored = held.reduce((sum, p) => sum + p.size, 0);
  options.listener?.start?.(identity.size, alreadyStored);

  const due: number[] = [];
  for (let n = 1; n <= state.partCount; n += 1) if (!etags.has(n)) due.push(n);
  // Batches of 4 parts per slot in flight (64 at 16), signed again when 2 per slot remain.
  const maxInFlight = options.parallel ?? CLI_PART_CONCURRENCY.max;
  const batchSize = Math.min(MAX_PARTS_PER_SIGNING, Math.max(8, 4 * maxInFlight));
  // Parts not hashed before the upload started are hashed now, in a worker, ahead of sending.
  const streamed = state.partChecksums === undefined && (state.checksumAlgorithm === 'SHA256') ? streamedChecksums(identity.filePath, identity.size, state, due) : undefined;
  const checksums = state.partChecksums ? knownChecksums(state.partChecksums) : streamed;
  const signer = new PartSigner(options.api, state.uploadId, batchSize, checksums, options.debug, () => Math.max(4, 2 * concurrency.current));
  /** Parts waiting out a retry's backoff: their slot sends other parts meanwhile. */
  const retrying: { partNumber: number; attempt: number; readyAt: number }[] = [];
  const upcoming = (): number[] => [...retrying.map((r) => r.partNumber), ...due.slice(nextIndex, nextIndex + 2 * batchSize)];
  const sent: number[] = [];
  let nextIndex = 0;
  let failure: unknown;
  let savedAt = 0;

  /**
   * One attempt at a part (re-signing its URL while S3 says it expired); resolves with its
   * length, or with undefined when it failed in a way worth retrying and was queued again.
   */
  const sendPart = async (partNumber: number, attempt: number): Promise<number | undefined> => {
    const start = partOffset(state, partNumber);
    const length = partLength(identity.size, state, partNumber);
    let resigns = 0;
    let etag: string;
    checksums?.sending?.(partNumber);
    for (;;) {
      const signed = await signer.url(partNumber, upcoming());
      if (options.putDelayMs && attempt === 0 && resigns === 0) await sleep(options.putDelayMs);
      let bytes = 0;
      try {
        options.debug?.(`part ${partNumber}: PUT ${length} bytes (attempt ${attempt + 1})`);
        const answer = await putFileRange({
          url: signed.url,
          headers: signed.headers,
          filePath: identity.filePath,
          start,
          length,
          agents,
          onBytes: (b) => {
            bytes += b;
            options.listener?.bytes?.(b);
          },
        });
        etag = answer.etag;
        break;
      } catch (error) {
        options.listener?.bytes?.(-bytes);
        const expiry = expiredUrlReason(error, signed.expiresAtMs);
        if (expiry !== undefined && resigns < MAX_RESIGNS_PER_PART) {
          resigns += 1;
          options.debug?.(`part ${partNumber}: URL expired (${expiry}); re-signing`);
          signer.invalidate(partNumber);
          continue;
        }
        if (attempt >= options.retry.retries || !isRetryable(error)) throw error;
        const delay = Math.max(backoffDelayMs(attempt, options.retry), Math.min(retryAfterMs(error) ?? 0, options.retry.maxDelayMs));
        options.debug?.(`part ${partNumber}: failed (${(error as Error).message}); retry ${attempt + 1} in ${delay} ms`);
        retrying.push({ partNumber, attempt: attempt + 1, readyAt: Date.now() + delay });
        return undefined;
      }
    }
    etags.set(partNumber, etag);
    sent.push(partNumber);
    completedParts.push({ partNumber, etag });
    // The list is a hint (resuming asks the API); rewriting it after each of 10,000 parts is not worth it.
    if (Date.now() - savedAt >= STATE_SAVE_INTERVAL_MS) {
      options.states?.save({ ...state, completedParts });
      savedAt = Date.now();
    }
    options.debug?.(`part ${partNumber}: stored (etag ${etag})`);
    return length;
  };

  /** A part whose retry is due, else the next part never sent. */
  const takeNext = (now: number): { partNumber: number; attempt: number } | undefined => {
    const ready = retrying.findIndex((r) => r.readyAt <= now);
    if (ready >= 0) return retrying.splice(ready, 1)[0];
    if (nextIndex < due.length) return { partNumber: due[nextIndex++] as number, attempt: 0 };
    return undefined;
  };

  // Keeps `concurrency.current` parts in flight; a slot whose part waits to be retried sends
  // another meanwhile. After a failure, starts no more and waits for the rest.
  await new Promise<void>((resolve) => {
    let active = 0;
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      clearTimeout(timer);
      timer = undefined;
      while (failure === undefined && active < concurrency.current) {
        const next = takeNext(Date.now());
        if (next === undefined) break;
        active += 1;
        const startedAt = Date.now();
        sendPart(next.partNumber, next.attempt)
          .then(
            (bytes) => {
              if (bytes === undefined) return;
              const before = concurrency.current;
              concurrency.record(bytes, Date.now(), startedAt);
              if (concurrency.current !== before) options.debug?.(`parts in flight: ${before} → ${concurrency.current}`);
            },
            (error: unknown) => {
              failure ??= error;
            },
          )
          .finally(() => {
            active -= 1;
            pump();
          });
      }
      if (failure === undefined && retrying.length > 0 && active < concurrency.current) {
        // Nothing else to send now: come back when the first retry is due.
        timer = setTimeout(pump, Math.max(0, Math.min(...retrying.map((r) => r.readyAt)) - Date.now()));
      } else if (active === 0) resolve();
    };
    pump();
  }).finally(() => streamed?.stop());
  if (failure !== undefined) throw failure;

  const parts = [...etags].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
  let completed: { file?: FileInfo };
  try {
    completed = await options.api.call('POST /uploads/{uploadId}/complete', { params: { uploadId: state.uploadId }, body: { parts } });
  } catch (error) {
    // A refused completion aborts the upload on the API's side: nothing left to resume.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) options.states?.remove(identity);
    throw error;
  }
  options.states?.remove(identity);
  options.debug?.(`upload ${state.uploadId}: completed with ${parts.length} parts (${sent.length} sent by this run)`);
  return {
    fileId: completed.file?.id ?? state.fileId,
    folder: identity.folder,
    name: identity.name,
    size: identity.size,
    mode: 'multipart',
    resumed,
    partsSent: sent,
    partsReused: held.length,
    ...(completed.file ? { file: completed.file } : {}),
  };
}
