/**
 * Sends the missing parts of one multipart upload as a pipeline whose three stages overlap:
 *
 *   hash (Worker pool, bounded look-ahead) → sign (batches, ahead of need) → PUT (adaptive window)
 *
 * - Hashing runs ahead of sending by at most `hashLookAhead()` parts, in the pool of hasher.ts;
 *   the API needs each part's SHA-256 when it signs the part's URL (it signs
 *   `x-amz-checksum-sha256`), so a part is signed only once hashed.
 * - URLs are signed in batches of parts already hashed (up to `MAX_PARTS_PER_SIGNING`), the next
 *   batch asked for while fewer than two per slot are signed ahead, so a slot rarely waits for a
 *   signing round trip; a URL close to its expiry, or refused as expired, is signed again.
 * - Parts in flight: chosen from the measured rate by the clients' one rule (client/concurrency)
 *   within a browser's 6 connections per host. A part that failed waits out its backoff aside
 *   while its slot sends other parts, then is signed again (an upload or a drop link that is
 *   gone fails the upload there, instead of PUTs going on with URLs signed before).
 *
 * Memory: a part's body is a slice of the File (the browser streams it from disk), so what this
 * holds is the hashing Workers' slices (pool size × part size: 2-4 × 8 MiB for files up to
 * ~78 GiB, so 16-32 MiB for a 50 GiB file) plus a digest and a URL per part hashed or signed
 * ahead (a few dozen), whatever the file's size.
 */
import { AdaptiveConcurrency, BROWSER_PART_CONCURRENCY } from '../../../client/concurrency';
import { MAX_PARTS_PER_SIGNING, MAX_RESIGNS_PER_PART, partLength, partOffset, urlStaleAtMs, type PartPlan } from '../../../contract/multipart';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryable } from '../../../client/retry';
import type { UploadEndpoints } from './endpoints';
import { sha256Of } from './hasher';
import { putBlob, TransferFailed, wait } from './transfer';


export interface Concurrency {
  readonly current: number;
  record(bytes: number, now: number, startedAt: number): void;
}

export interface SendPartsOptions {
  readonly file: Blob;
  readonly size: number;
  readonly plan: PartPlan;
  readonly uploadId: string;
  /** Part numbers to send, in order. */
  readonly parts: readonly number[];
  /** Whether the upload was created with SHA-256 checksums (every URL then signs its part's). */
  readonly checksummed: boolean;
  readonly endpoints: Pick<UploadEndpoints, 'signParts'>;
  readonly signal: AbortSignal;
  /** Bytes sent so far of the parts in flight. */
  readonly onProgress: (bytesInFlight: number) => void;
  readonly onPartDone: (partNumber: number, size: number, etag: string) => void;
  /** @default adaptive from the measured rate, `BROWSER_PART_CONCURRENCY` */
  readonly concurrency?: Concurrency;
  /** @default the Worker pool */
  readonly hash?: (blob: Blob, signal: AbortSignal) => Promise<string>;
  /** @default XHR */
  readonly put?: typeof putBlob;
}

interface SignedUrl {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly staleAtMs: number;
}

interface Due {
  readonly partNumber: number;
  readonly attempt: number;
}

/** The API's trouble, worth asking again: 5xx, 429, or no answer. */

/** Resolves once every part is stored (each reported through `onPartDone`); rejects on the first failure that retries did not cure, or with an AbortError. */
export function sendParts(options: SendPartsOptions): Promise<void> {
  const { plan } = options;
  // Stops everything of this run: a pause or cancel from outside, or the first failure retries did not cure.
  const stopper = new AbortController();
  if (options.signal.aborted) stopper.abort();
  else options.signal.addEventListener('abort', () => stopper.abort(), { once: true });
  const { signal } = stopper;
  const concurrency = options.concurrency ?? new AdaptiveConcurrency(BROWSER_PART_CONCURRENCY);
  const hash = options.hash ?? sha256Of;
  const put = options.put ?? putBlob;
  const queue = options.parts;
  let nextIndex = 0;
  const retrying: { partNumber: number; attempt: number; readyAt: number }[] = [];
  const hashes = new Map<number, Promise<string>>();
  const hashed = new Map<number, string>();
  const urls = new Map<number, SignedUrl>();
  const signing = new Map<number, Promise<void>>();
  const inFlight = new Map<number, number>();

  const sliceOf = (n: number): Blob => options.file.slice(partOffset(plan, n), partOffset(plan, n) + partLength(options.size, plan, n));
  const report = (): void => options.onProgress([...inFlight.values()].reduce((a, b) => a + b, 0));
  const hashLookAhead = (): number => Math.max(16, 4 * concurrency.current);
  const batchSize = (): number => Math.min(MAX_PARTS_PER_SIGNING, Math.max(8, 4 * concurrency.current));
  const fresh = (n: number): boolean => (urls.get(n)?.staleAtMs ?? 0) > Date.now();
  /** The parts due next, in the order they will go: retries waiting, then parts never sent. */
  const upcoming = (count: number): number[] => [...retrying.map((r) => r.partNumber), ...queue.slice(nextIndex, nextIndex + count)];

  const hashOf = (n: number): Promise<string> => {
    let pending = hashes.get(n);
    if (!pending) {
      pending = hash(sliceOf(n), signal).then((sha256) => {
        hashed.set(n, sha256);
        signAhead();
        return sha256;
      });
      pending.catch(() => undefined);
      hashes.set(n, pending);
    }
    return pending;
  };

  const hashAhead = (): void => {
    if (!options.checksummed || signal.aborted) return;
    for (const n of upcoming(hashLookAhead())) void hashOf(n);
  };

  const sign = (partNumbers: readonly number[]): Promise<void> => {
    const request = (async () => {
      const checksums = options.checksummed ? Object.fromEntries(await Promise.all(partNumbers.map(async (n) => [String(n), await hashOf(n)] as const))) : undefined;
      for (let attempt = 0; ; attempt += 1) {
        try {
          const answer = await options.endpoints.signParts(options.uploadId, { partNumbers, ...(checksums ? { checksums } : {}) });
          const staleAtMs = urlStaleAtMs(Date.parse(answer.expiresAt), Date.now());
          for (const part of answer.parts) urls.set(part.partNumber, { url: part.url, headers: part.headers, staleAtMs });
          return;
        } catch (error) {
          if (signal.aborted || attempt >= DEFAULT_RETRY_POLICY.retries || !isRetryable(error)) throw error;
          await wait(backoffDelayMs(attempt, DEFAULT_RETRY_POLICY), signal);
        }
      }
    })();
    const settled = request.finally(() => partNumbers.forEach((n) => signing.delete(n)));
    for (const n of partNumbers) signing.set(n, settled.catch(() => undefined));
    return settled;
  };

  /**
   * Asks for the next batch of hashed parts while fewer than two URLs per slot are signed (or
   * being signed) ahead: a full batch when that many are hashed, else, when the first part
   * without a URL is hashed, what is hashed (a slot would wait otherwise).
   */
  function signAhead(): void {
    if (signal.aborted) return;
    const horizon = upcoming(2 * concurrency.current);
    const uncovered = horizon.find((n) => !signing.has(n) && !fresh(n));
    if (uncovered === undefined) return;
    const ready = (n: number): boolean => !options.checksummed || hashed.has(n);
    const unsigned = upcoming(2 * batchSize()).filter((n) => !signing.has(n) && !fresh(n));
    const batch = unsigned.filter(ready).slice(0, batchSize());
    const full = batch.length >= Math.min(batchSize(), unsigned.length);
    // A failure only loses the head start: the part is signed on its own when its turn comes.
    if (batch.length && (full || ready(uncovered))) sign(batch).catch(() => undefined);
  }

  const urlOf = async (n: number): Promise<SignedUrl> => {
    if (options.checksummed) await hashOf(n);
    for (let round = 0; round < 3; round += 1) {
      if (fresh(n)) return urls.get(n) as SignedUrl;
      const pending = signing.get(n);
      if (pending) await pending;
      else {
        signAhead();
        await (signing.get(n) ?? sign([n]));
      }
    }
    const signed = urls.get(n);
    if (!signed) throw new Error(`the API did not sign part ${n}`);
    return signed;
  };

  /** One attempt at a part: its length once stored, or undefined when it waits for a retry. */
  const sendPart = async ({ partNumber: n, attempt }: Due): Promise<number | undefined> => {
    const length = partLength(options.size, plan, n);
    for (let resigns = 0; ; ) {
      const signed = await urlOf(n);
      if (signal.aborted) throw new DOMException('aborted', 'AbortError');
      try {
        const etag = await put(signed.url, signed.headers, sliceOf(n), (loaded) => {
          inFlight.set(n, loaded);
          report();
        }, signal);
        inFlight.delete(n);
        hashes.delete(n);
        hashed.delete(n);
        urls.delete(n);
        options.onPartDone(n, length, etag);
        report();
        return length;
      } catch (error) {
        inFlight.delete(n);
        report();
        if (signal.aborted || !(error instanceof TransferFailed)) throw error;
        if (error.expired && resigns < MAX_RESIGNS_PER_PART) {
          resigns += 1;
          urls.delete(n);
          continue;
        }
        if (!error.retryable || attempt >= DEFAULT_RETRY_POLICY.retries) throw error;
        // Its retry signs again: the API says so at once if the upload (or a drop link) is gone.
        urls.delete(n);
        retrying.push({ partNumber: n, attempt: attempt + 1, readyAt: Date.now() + backoffDelayMs(attempt, DEFAULT_RETRY_POLICY) });
        return undefined;
      }
    }
  };

  const takeNext = (now: number): Due | undefined => {
    const ready = retrying.findIndex((r) => r.readyAt <= now);
    if (ready >= 0) return retrying.splice(ready, 1)[0];
    if (nextIndex < queue.length) return { partNumber: queue[nextIndex++] as number, attempt: 0 };
    return undefined;
  };

  return new Promise<void>((resolve, reject) => {
    let active = 0;
    let failure: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      if (failure !== undefined) reject(failure);
      else if (signal.aborted) reject(new DOMException('aborted', 'AbortError'));
      else resolve();
    };
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      if (active === 0) finish();
    }, { once: true });

    const pump = (): void => {
      clearTimeout(timer);
      timer = undefined;
      while (failure === undefined && !signal.aborted && active < concurrency.current) {
        const due = takeNext(Date.now());
        if (due === undefined) break;
        active += 1;
        const startedAt = performance.now();
        sendPart(due)
          .then(
            (bytes) => {
              if (bytes !== undefined) concurrency.record(bytes, performance.now(), startedAt);
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
        timer = setTimeout(pump, Math.max(0, Math.min(...retrying.map((r) => r.readyAt)) - Date.now()));
      } else if (active === 0 && nextIndex >= queue.length && retrying.length === 0) finish();
    };
    pump();
  });
}
