/**
 * The one multipart pipeline of both clients (the CLI and the web app): the parts of an upload
 * hashed, signed and sent as three overlapping stages,
 *
 *   hash (bounded look-ahead) → sign (batches, ahead of need) → PUT (adaptive window)
 *
 * - Resume: the parts S3 already holds with exactly their planned length (and, when both are
 *   known, the same checksum) are kept; only the others are sent (`usableHeldParts`).
 * - Hashing runs ahead of sending by at most `hashLookAhead` parts: the API needs each part's
 *   checksum when it signs the part's URL (it signs `x-amz-checksum-crc32c`: contract/multipart.ts
 *   `PART_CHECKSUM_ALGORITHM`), so a part is signed only once hashed.
 * - URLs are signed in batches of parts already hashed (up to `MAX_PARTS_PER_SIGNING`), the next
 *   batch asked for while fewer than two per slot are signed ahead (sooner, smaller, once the next
 *   round of slots' parts are hashed while the rest are not yet), so a slot rarely waits for a
 *   signing round trip; a URL close to its expiry is signed again, and one S3 refused as expired
 *   is signed again at most `MAX_RESIGNS_PER_PART` times.
 * - Parts in flight: `concurrency.current` (the clients' one adaptive rule, client/concurrency.ts,
 *   each within its own limits). A part that failed in a way worth retrying (client/retry.ts)
 *   waits out its backoff aside while its slot sends other parts, then is signed again (an
 *   upload or a drop link that is gone fails there, instead of PUTs going on with old URLs).
 * - The first failure retries did not cure stops the run: nothing new starts, the parts in
 *   flight are aborted (through the signal `put` gets), and it rejects with that failure.
 *
 * Hashing, signing, sending and the clock are injected (`MultipartIo`): the CLI reads file
 * ranges and hashes in a worker thread, the web app sends `File` slices and hashes in Web
 * Workers; tests drive it with fakes and a virtual clock. No Node or DOM imports.
 */
import { ApiError, isNetworkError, StorageError } from './errors';
import { backoffDelayMs, isRetryable, retryAfterMs, type RetryPolicy } from './retry';
import type { HeldPart, PartsRequest, SignedParts } from '../contract/wire';
import { MAX_PARTS_PER_SIGNING, MAX_RESIGNS_PER_PART, normalizeEtag, partLength, urlStaleAtMs, type PartPlan } from '../contract/multipart';

/** What a stopped run rejects with (a pause or cancel from outside). */
const stopped = (): DOMException => new DOMException('the upload was stopped', 'AbortError');

/** Epoch milliseconds and timers: `systemClock`, or a virtual one in tests. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the answer cancels it. */
  after(ms: number, fn: () => void): () => void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** How many parts to keep in flight: `AdaptiveConcurrency`, or a fixed number. */
export interface Concurrency {
  readonly current: number;
  record(bytes: number, now: number, startedAt: number): void;
}

export const fixedConcurrency = (parts: number): Concurrency => ({ current: Math.max(1, parts), record: () => undefined });

export interface PartToSend {
  readonly partNumber: number;
  /** Byte offset in the file. */
  readonly offset: number;
  readonly length: number;
}

/** What a client does itself: the I/O. */
export interface MultipartIo {
  /**
   * Base64 checksum of a part in the upload's algorithm (CRC-32C; SHA-256 for an upload created
   * with it before) unless in `knownChecksums`; absent with those for an upload created without
   * checksums. Asked once per part, in the order the parts will be sent, at
   * most `hashLookAhead` ahead of sending.
   */
  readonly hash?: (part: PartToSend, signal: AbortSignal) => Promise<string>;
  /**
   * Base64 SHA-256 of the whole file, when it was not known before the upload started (a large
   * file, issue 22 §2): called once when the run starts and left to run beside sending, off the
   * send path (a worker reading the file in bounded buffers); the run resolves once it and every
   * part are done, with it as `sha256` (none when it resolves undefined: the client could not
   * hash it). A rejection fails the run.
   */
  readonly hashFile?: (signal: AbortSignal) => Promise<string | undefined>;
  /** `POST …/parts`: retries are its own (the API client's). */
  readonly sign: (request: PartsRequest) => Promise<SignedParts>;
  /**
   * PUTs the part's bytes to the signed URL with exactly its headers; resolves with S3's ETag.
   * `onProgress`: bytes of this attempt sent so far. Rejects with a `StorageError` when S3
   * refuses, a network error when the connection fails, anything when `signal` aborts.
   */
  readonly put: (part: PartToSend, url: string, headers: Readonly<Record<string, string>>, onProgress: (loaded: number) => void, signal: AbortSignal) => Promise<string>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** For the backoff's jitter. @default Math.random */
  readonly random?: () => number;
}

/** What happens, for progress bars, state files and `--debug`. */
export type MultipartEvent =
  /** Once, before any part is sent: the bytes S3 already holds. */
  | { readonly type: 'start'; readonly size: number; readonly alreadyStored: number; readonly due: readonly number[] }
  /** Bytes sent by this run: parts stored plus those in flight (falls back when an attempt fails). */
  | { readonly type: 'progress'; readonly bytesSent: number; readonly bytesInFlight: number }
  | { readonly type: 'part-stored'; readonly partNumber: number; readonly size: number; readonly etag: string }
  | { readonly type: 'signed'; readonly partNumbers: readonly number[]; readonly expiresAt: string }
  | { readonly type: 'sign-ahead-failed'; readonly partNumbers: readonly number[]; readonly error: unknown }
  | { readonly type: 'resign'; readonly partNumber: number; readonly reason: string }
  | { readonly type: 'retry'; readonly partNumber: number; readonly attempt: number; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'concurrency'; readonly from: number; readonly to: number };

export interface MultipartOptions {
  readonly size: number;
  readonly plan: PartPlan;
  /** The parts S3 holds (`GET /uploads/{id}`); those unfit for the plan are sent again. */
  readonly held?: readonly HeldPart[];
  /** Every part's checksum when known (index 0 = part 1): held parts must match them. */
  readonly knownChecksums?: readonly string[];
  readonly io: MultipartIo;
  readonly concurrency: Concurrency;
  readonly retry: RetryPolicy;
  /** Parts hashed ahead of the next one to send. @default max(16, 4 × parts in flight) */
  readonly hashLookAhead?: (inFlight: number) => number;
  /** Parts per signing request. @default min(100, max(8, 4 × parts in flight)) */
  readonly signBatch?: (inFlight: number) => number;
  /** A pause or cancel from outside: rejects with an AbortError once the parts in flight stopped. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: MultipartEvent) => void;
}

interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface MultipartResult {
  /** Every part, held or sent, in order: the completion's list. */
  readonly parts: readonly CompletedPart[];
  /** Part numbers this run sent, in the order S3 stored them. */
  readonly sent: readonly number[];
  /** Parts S3 already held. */
  readonly reused: number;
  /** The whole file's SHA-256 from `io.hashFile`, when given. */
  readonly sha256?: string;
}

/**
 * The parts S3 holds that count for `plan`: numbered within it, of exactly their planned length
 * and, when the part's checksum is known on both sides, the same one. Others are sent again.
 */
export function usableHeldParts(size: number, plan: PartPlan, held: readonly HeldPart[], knownChecksums?: readonly string[]): HeldPart[] {
  return held.filter(
    (p) =>
      Number.isInteger(p.partNumber) &&
      p.partNumber >= 1 &&
      p.partNumber <= plan.partCount &&
      p.size === partLength(size, plan, p.partNumber) &&
      ((p.checksum ?? p.sha256) === undefined || knownChecksums?.[p.partNumber - 1] === undefined || (p.checksum ?? p.sha256) === knownChecksums[p.partNumber - 1]),
  );
}

/**
 * Why a failed PUT means its URL expired, or undefined: S3's 403 "Request has expired" — or a
 * connection dropped after the URL's expiry, which is how that 403 arrives when S3 answers
 * and closes before reading the body (the client's write fails with EPIPE/ECONNRESET).
 */
export function expiredUrlReason(error: unknown, expiresAtMs: number, now: number): string | undefined {
  if (error instanceof StorageError) return error.isExpiredUrl ? `S3 ${error.status} ${error.code}` : undefined;
  if (isNetworkError(error) && now >= expiresAtMs) return `connection dropped after its expiry: ${(error as Error).message}`;
  return undefined;
}

interface SignedUrl {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** When to stop using it and sign again. */
  readonly staleAtMs: number;
  /** When S3 starts refusing it. */
  readonly expiresAtMs: number;
}

interface Due {
  readonly partNumber: number;
  readonly attempt: number;
}

/** Sends the parts S3 does not hold; resolves once every part is stored. */
export function sendMultipart(options: MultipartOptions): Promise<MultipartResult> {
  const { size, plan, io, concurrency, retry } = options;
  const clock = io.clock ?? systemClock;
  const hashLookAhead = options.hashLookAhead ?? ((current: number) => Math.max(16, 4 * current));
  const batchSize = (): number => Math.min(MAX_PARTS_PER_SIGNING, Math.max(1, (options.signBatch ?? ((current: number) => Math.max(8, 4 * current)))(concurrency.current)));
  const emit = (event: MultipartEvent): void => options.onEvent?.(event);

  // Stops everything of this run: a pause or cancel from outside, or the first failure retries did not cure.
  const stopper = new AbortController();
  if (options.signal?.aborted) stopper.abort();
  else options.signal?.addEventListener('abort', () => stopper.abort(), { once: true });
  const { signal } = stopper;

  // The whole file, hashed beside the parts' sending from the start.
  const wholeFile = io.hashFile?.(signal);
  wholeFile?.catch(() => undefined);

  const held = usableHeldParts(size, plan, options.held ?? [], options.knownChecksums);
  const etags = new Map<number, string>(held.map((p) => [p.partNumber, normalizeEtag(p.etag)]));
  const queue: number[] = [];
  for (let n = 1; n <= plan.partCount; n += 1) if (!etags.has(n)) queue.push(n);
  emit({ type: 'start', size, alreadyStored: held.reduce((sum, p) => sum + p.size, 0), due: queue });

  let nextIndex = 0;
  const retrying: { partNumber: number; attempt: number; readyAt: number }[] = [];
  const hashes = new Map<number, Promise<string>>();
  const hashed = new Map<number, string>();
  const urls = new Map<number, SignedUrl>();
  const signing = new Map<number, Promise<void>>();
  const inFlight = new Map<number, number>();
  const sent: number[] = [];
  let bytesStored = 0;

  const partOf = (n: number): PartToSend => ({ partNumber: n, offset: (n - 1) * plan.partSize, length: partLength(size, plan, n) });
  const report = (): void => {
    let bytesInFlight = 0;
    for (const loaded of inFlight.values()) bytesInFlight += loaded;
    emit({ type: 'progress', bytesSent: bytesStored + bytesInFlight, bytesInFlight });
  };
  const fresh = (n: number): boolean => (urls.get(n)?.staleAtMs ?? 0) > clock.now();
  /** The parts due next, in the order they will go: retries waiting, then parts never sent. */
  const upcoming = (count: number): number[] => [...retrying.map((r) => r.partNumber), ...queue.slice(nextIndex, nextIndex + count)];
  const checksummed = io.hash !== undefined || options.knownChecksums !== undefined;
  const ready = (n: number): boolean => !checksummed || hashed.has(n);

  const hashOf = (n: number): Promise<string> => {
    let pending = hashes.get(n);
    if (pending) return pending;
    const known = options.knownChecksums?.[n - 1];
    if (known !== undefined) {
      // Known before the upload started: ready at once, so signing takes them in full batches.
      hashed.set(n, known);
      pending = Promise.resolve(known);
    } else if (io.hash === undefined) {
      pending = Promise.reject(new RangeError(`part ${n} has no checksum`));
    } else {
      pending = io.hash(partOf(n), signal).then((checksum) => {
        hashed.set(n, checksum);
        signAhead();
        return checksum;
      });
    }
    pending.catch(() => undefined);
    hashes.set(n, pending);
    return pending;
  };

  const hashAhead = (): void => {
    if (!checksummed || signal.aborted) return;
    for (const n of upcoming(hashLookAhead(concurrency.current))) void hashOf(n);
  };

  const sign = (partNumbers: readonly number[]): Promise<void> => {
    const request = (async () => {
      const checksums = checksummed ? Object.fromEntries(await Promise.all(partNumbers.map(async (n) => [String(n), await hashOf(n)] as const))) : undefined;
      const answer = await io.sign({ partNumbers, ...(checksums ? { checksums } : {}) });
      const expiresAtMs = Date.parse(answer.expiresAt);
      const staleAtMs = urlStaleAtMs(expiresAtMs, clock.now());
      for (const part of answer.parts) urls.set(part.partNumber, { url: part.url, headers: part.headers, staleAtMs, expiresAtMs });
      emit({ type: 'signed', partNumbers, expiresAt: answer.expiresAt });
    })();
    const settled = request.finally(() => partNumbers.forEach((n) => signing.delete(n)));
    for (const n of partNumbers) signing.set(n, settled.catch(() => undefined));
    return settled;
  };

  /** Parts due soon without a URL (or one being signed) that are hashed, in order: a batch's worth at most. */
  const signable = (count: number): number[] => upcoming(count).filter((n) => !signing.has(n) && !fresh(n) && ready(n)).slice(0, batchSize());

  /**
   * Asks for the next batch of hashed parts while fewer than two URLs per slot are signed (or
   * being signed) ahead: a full batch when that many are hashed, else, once the parts the next
   * round of slots takes (one per slot) are hashed, what is hashed — where hashing only just keeps
   * ahead of sending (the browser's), waiting for more left slots waiting a signing round trip.
   * A part whose slot waits for its URL is signed at once with what else is hashed (`urlOf`).
   */
  function signAhead(): void {
    if (signal.aborted) return;
    const horizon = upcoming(Math.max(2, 2 * concurrency.current)).filter((n) => !signing.has(n) && !fresh(n));
    if (!horizon.length) return;
    const nextRound = horizon.slice(0, concurrency.current);
    const unsigned = upcoming(2 * batchSize()).filter((n) => !signing.has(n) && !fresh(n));
    const batch = unsigned.filter(ready).slice(0, batchSize());
    const full = batch.length >= Math.min(batchSize(), unsigned.length);
    // A failure only loses the head start: the part is signed on its own when its turn comes.
    if (batch.length && (full || nextRound.every(ready))) sign(batch).catch((error: unknown) => emit({ type: 'sign-ahead-failed', partNumbers: batch, error }));
  }

  const urlOf = async (n: number): Promise<SignedUrl> => {
    if (checksummed) await hashOf(n);
    for (let round = 0; round < 3; round += 1) {
      if (fresh(n)) return urls.get(n) as SignedUrl;
      const pending = signing.get(n);
      if (pending) await pending;
      else {
        signAhead();
        await (signing.get(n) ?? sign([n, ...signable(2 * batchSize()).filter((m) => m !== n)].slice(0, batchSize())));
      }
    }
    const signed = urls.get(n);
    if (!signed) throw new ApiError(502, 'PartNotSigned', `the API did not sign part ${n}`, 'POST /uploads/{uploadId}/parts');
    return signed;
  };

  /** One attempt at a part (signed again while S3 says its URL expired): its length once stored, or undefined when it waits for a retry. */
  const sendPart = async ({ partNumber: n, attempt }: Due): Promise<number | undefined> => {
    const part = partOf(n);
    for (let resigns = 0; ; ) {
      const signed = await urlOf(n);
      if (signal.aborted) throw stopped();
      let etag: string;
      try {
        etag = await io.put(part, signed.url, signed.headers, (loaded) => {
          inFlight.set(n, loaded);
          report();
        }, signal);
      } catch (error) {
        inFlight.delete(n);
        report();
        if (signal.aborted) throw error;
        const expiry = expiredUrlReason(error, signed.expiresAtMs, clock.now());
        if (expiry !== undefined && resigns < MAX_RESIGNS_PER_PART) {
          resigns += 1;
          urls.delete(n);
          emit({ type: 'resign', partNumber: n, reason: expiry });
          continue;
        }
        if (attempt >= retry.retries || !isRetryable(error)) throw error;
        const delayMs = Math.max(backoffDelayMs(attempt, retry, io.random), Math.min(retryAfterMs(error) ?? 0, retry.maxDelayMs));
        // Its retry signs again: the API says so at once if the upload (or a drop link) is gone.
        urls.delete(n);
        emit({ type: 'retry', partNumber: n, attempt: attempt + 1, delayMs, error });
        retrying.push({ partNumber: n, attempt: attempt + 1, readyAt: clock.now() + delayMs });
        return undefined;
      }
      inFlight.delete(n);
      hashes.delete(n);
      hashed.delete(n);
      urls.delete(n);
      etag = normalizeEtag(etag);
      etags.set(n, etag);
      sent.push(n);
      bytesStored += part.length;
      emit({ type: 'part-stored', partNumber: n, size: part.length, etag });
      report();
      return part.length;
    }
  };

  const takeNext = (now: number): Due | undefined => {
    const due = retrying.findIndex((r) => r.readyAt <= now);
    if (due >= 0) return retrying.splice(due, 1)[0];
    if (nextIndex < queue.length) return { partNumber: queue[nextIndex++] as number, attempt: 0 };
    return undefined;
  };

  return new Promise<MultipartResult>((resolve, reject) => {
    let active = 0;
    let failure: unknown;
    let cancelTimer: (() => void) | undefined;
    const finish = (): void => {
      if (failure !== undefined) reject(failure);
      else if (signal.aborted) reject(stopped());
      else {
        const parts = [...etags].sort(([a], [b]) => a - b).map(([partNumber, etag]) => ({ partNumber, etag }));
        if (wholeFile === undefined) resolve({ parts, sent, reused: held.length });
        else wholeFile.then((sha256) => resolve({ parts, sent, reused: held.length, ...(sha256 !== undefined ? { sha256 } : {}) }), reject);
      }
    };
    signal.addEventListener('abort', () => {
      cancelTimer?.();
      if (active === 0) finish();
    }, { once: true });

    const pump = (): void => {
      cancelTimer?.();
      cancelTimer = undefined;
      while (failure === undefined && !signal.aborted && active < concurrency.current) {
        const due = takeNext(clock.now());
        if (due === undefined) break;
        active += 1;
        const startedAt = clock.now();
        sendPart(due)
          .then(
            (bytes) => {
              if (bytes === undefined) return;
              const before = concurrency.current;
              concurrency.record(bytes, clock.now(), startedAt);
              if (concurrency.current !== before) emit({ type: 'concurrency', from: before, to: concurrency.current });
            },
            (error: unknown) => {
              failure ??= error;
              // The parts still in flight would be lost anyway: the upload failed (resuming sends them).
              stopper.abort();
            },
          )
          .finally(() => {
            active -= 1;
            pump();
          });
      }
      hashAhead();
      signAhead();
      if (failure !== undefined || signal.aborted) {
        if (active === 0) finish();
      } else if (retrying.length > 0 && active < concurrency.current) {
        // Nothing else to send now: come back when the first retry is due.
        cancelTimer = clock.after(Math.max(0, Math.min(...retrying.map((r) => r.readyAt)) - clock.now()), pump);
      } else if (active === 0 && nextIndex >= queue.length && retrying.length === 0) finish();
    };
    pump();
  });
}
