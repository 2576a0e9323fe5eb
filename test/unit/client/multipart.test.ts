/**
 * The clients' one multipart pipeline (client/multipart.ts) with a fake signer, fake hashing, a
 * fake S3 and a virtual clock: time only moves when every promise has settled and the next
 * timer is due, so backoffs, signing ahead and URL expiry are checked in exact virtual time,
 * without waiting for them.
 */
import { StorageError } from '../../../client/errors';
import { expiredUrlReason, fixedConcurrency, sendMultipart, usableHeldParts, type Clock, type MultipartEvent, type MultipartOptions, type PartToSend } from '../../../client/multipart';
import { MAX_RESIGNS_PER_PART } from '../../../contract/multipart';
import type { HeldPart, PartsRequest } from '../../../contract/wire';

const PART = 1024;
const START = Date.parse('2026-01-01T00:00:00Z');

/** Virtual time: a due timer fires only once nothing else is left to run (every promise settled). */
function virtualClock(): Clock & { sleep(ms: number): Promise<void> } {
  let now = START;
  let seq = 0;
  let scheduled = false;
  const timers: { at: number; seq: number; fn: () => void }[] = [];
  const schedule = (): void => {
    if (scheduled || !timers.length) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const timer = timers.shift();
      if (timer) {
        now = Math.max(now, timer.at);
        timer.fn();
      }
      schedule();
    });
  };
  const clock = {
    now: () => now,
    after(ms: number, fn: () => void) {
      const timer = { at: now + Math.max(0, ms), seq: (seq += 1), fn };
      timers.push(timer);
      schedule();
      return () => {
        const index = timers.indexOf(timer);
        if (index >= 0) timers.splice(index, 1);
      };
    },
    sleep: (ms: number) => new Promise<void>((resolve) => clock.after(ms, resolve)),
  };
  return clock;
}

const expired = (): StorageError => new StorageError(403, 'AccessDenied', 'Request has expired');
const slowDown = (): StorageError => new StorageError(503, 'SlowDown', 'Please reduce your request rate.');
const badRequest = (): StorageError => new StorageError(400, 'InvalidRequest', 'bad part');

interface Put {
  readonly partNumber: number;
  /** Virtual ms since the start when it was sent. */
  readonly at: number;
  /** Which signing round signed its URL. */
  readonly signing: number;
  /** Whether its URL was already stale (past the margin before its expiry) when sent. */
  readonly stale: boolean;
}

interface Settings extends Partial<Omit<MultipartOptions, 'io' | 'concurrency' | 'size' | 'plan'>> {
  readonly partCount: number;
  readonly inFlight?: number;
  /** Virtual ms each PUT takes. @default 10 */
  readonly putMs?: number;
  /** Virtual ms a signing round trip takes. @default 5 */
  readonly signMs?: number;
  /** Virtual lifetime of signed URLs. @default 1 hour */
  readonly urlLifetimeMs?: number;
  /** Without: an upload created without checksums. @default true */
  readonly checksummed?: boolean;
  /** Part number → what its next attempts answer (a fresh error each time), in order. */
  readonly failures?: Record<number, (() => Error)[]>;
}

function harness(settings: Settings) {
  const { partCount, inFlight = 3, putMs = 10, signMs = 5, urlLifetimeMs = 3600e3, checksummed = true, failures = {}, ...overrides } = settings;
  const clock = virtualClock();
  const size = partCount * PART - 10;
  const signed: (PartsRequest & { at: number; putsBefore: number })[] = [];
  const puts: Put[] = [];
  const hashedAt = new Map<number, number>();
  const hashedBeforePut = new Map<number, number>();
  const events: MultipartEvent[] = [];
  const urlStaleAt = new Map<string, number>();
  let active = 0;
  let peak = 0;
  const options: MultipartOptions = {
    size,
    plan: { partSize: PART, partCount },
    concurrency: fixedConcurrency(inFlight),
    retry: { retries: 3, baseDelayMs: 300, maxDelayMs: 600 },
    io: {
      clock,
      random: () => 0,
      ...(checksummed
        ? {
            hash: async (part: PartToSend) => {
              await clock.sleep(1);
              hashedAt.set(part.partNumber, clock.now() - START);
              return `sha-of-${part.partNumber}-${part.length}`;
            },
          }
        : {}),
      sign: async (request) => {
        signed.push({ ...request, at: clock.now() - START, putsBefore: puts.length });
        const round = signed.length;
        await clock.sleep(signMs);
        const expiresAt = clock.now() + urlLifetimeMs;
        const parts = request.partNumbers.map((n) => {
          const url = `https://s3.example/${n}?round=${round}`;
          // What a client should treat as stale: within 30 s (or a quarter of its life) of expiry.
          urlStaleAt.set(url, expiresAt - Math.min(30_000, urlLifetimeMs / 4));
          return { partNumber: n, url, headers: { 'x-amz-checksum-sha256': request.checksums?.[String(n)] ?? '' } };
        });
        return { parts, expiresAt: new Date(expiresAt).toISOString() };
      },
      put: (part, url, _headers, onProgress, signal) => {
        const n = part.partNumber;
        puts.push({ partNumber: n, at: clock.now() - START, signing: Number(/round=(\d+)/.exec(url)?.[1]), stale: clock.now() >= (urlStaleAt.get(url) ?? 0) });
        hashedBeforePut.set(n, hashedAt.size);
        active += 1;
        peak = Math.max(peak, active);
        return new Promise((resolve, reject) => {
          onProgress(part.length / 2);
          const cancel = clock.after(putMs, () => {
            active -= 1;
            const failure = failures[n]?.shift();
            if (failure) return reject(failure());
            onProgress(part.length);
            resolve(`"etag-${n}"`);
          });
          signal.addEventListener('abort', () => {
            cancel();
            active -= 1;
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      },
    },
    onEvent: (event) => events.push(event),
    ...overrides,
  };
  const putsOf = (n: number): Put[] => puts.filter((p) => p.partNumber === n);
  const signingsOf = (n: number): number => signed.filter((r) => r.partNumbers.includes(n)).length;
  return { options, clock, size, signed, puts, putsOf, signingsOf, events, hashedBeforePut, peak: () => peak };
}

const numbers = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

describe('sendMultipart', () => {
  it('sends every part once with its checksum, signing later parts in batches ahead of their turn, and lists them all in order', async () => {
    // Prepare
    const h = harness({ partCount: 30 });
    // Act
    const result = await sendMultipart(h.options);
    // Assess
    expect(result.parts).toEqual(numbers(30).map((n) => ({ partNumber: n, etag: `etag-${n}` })));
    expect([...result.sent].sort((a, b) => a - b)).toEqual(numbers(30));
    expect(h.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual(numbers(30));
    for (const request of h.signed) for (const n of request.partNumbers) expect(request.checksums?.[String(n)]).toBe(`sha-of-${n}-${n === 30 ? PART - 10 : PART}`);
    expect(Math.max(...h.signed.map((r) => r.partNumbers.length))).toBeGreaterThan(3);
    expect(h.signed.length).toBeLessThan(15);
    expect(h.peak()).toBe(3);
  });

  it('hashes the whole file beside the parts\' sending (not before it) and resolves with its SHA-256 once both are done', async () => {
    // Prepare: a whole-file hash that takes longer than sending the first parts.
    const h = harness({ partCount: 12 });
    let putsWhenHashed = -1;
    let started = -1;
    const options = {
      ...h.options,
      io: {
        ...h.options.io,
        hashFile: async () => {
          started = h.puts.length;
          await h.clock.sleep(200);
          putsWhenHashed = h.puts.length;
          return 'whole-sha';
        },
      },
    };
    // Act
    const result = await sendMultipart(options);
    // Assess: started before any PUT, parts were sent while it ran, and the result carries it.
    expect(started).toBe(0);
    expect(putsWhenHashed).toBeGreaterThan(3);
    expect(result.sha256).toBe('whole-sha');
    expect(result.parts).toHaveLength(12);
  });

  it('waits for the whole-file hash after the last part, and fails the run when it fails', async () => {
    const h = harness({ partCount: 2 });
    const slow = sendMultipart({ ...h.options, io: { ...h.options.io, hashFile: async () => (await h.clock.sleep(10_000), 'late') } });
    await expect(slow).resolves.toMatchObject({ sha256: 'late' });
    expect(h.clock.now() - START).toBeGreaterThanOrEqual(10_000);
    const h2 = harness({ partCount: 2 });
    await expect(sendMultipart({ ...h2.options, io: { ...h2.options.io, hashFile: async () => Promise.reject(new Error('file changed while hashing')) } })).rejects.toThrow('file changed while hashing');
  });

  it('hands the whole-file hash the run\'s signal, which a pause aborts', async () => {
    const h = harness({ partCount: 20 });
    const pause = new AbortController();
    let seen: AbortSignal | undefined;
    const run = sendMultipart({ ...h.options, signal: pause.signal, io: { ...h.options.io, hashFile: (signal) => ((seen = signal), new Promise<string>(() => undefined)) } });
    await h.clock.sleep(15);
    pause.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen?.aborted).toBe(true);
  });

  it('keeps hashing ahead of sending (parts are hashed before their PUT, several ahead)', async () => {
    const h = harness({ partCount: 30, putMs: 15 });

    await sendMultipart(h.options);

    const late = [...h.hashedBeforePut.entries()].filter(([n]) => n > 10);
    expect(late.every(([n, hashed]) => hashed >= n)).toBe(true);
    expect(late.some(([n, hashed]) => hashed > n + 3)).toBe(true);
  });

  it('hashes no further ahead than its look-ahead', async () => {
    const h = harness({ partCount: 40, inFlight: 2, hashLookAhead: () => 4, signBatch: () => 2 });
    let mostAhead = 0;
    const hash = h.options.io.hash as NonNullable<MultipartOptions['io']['hash']>;
    const options = { ...h.options, io: { ...h.options.io, hash: (part: PartToSend, signal: AbortSignal) => {
      mostAhead = Math.max(mostAhead, part.partNumber - h.puts.length);
      return hash(part, signal);
    } } };

    await sendMultipart(options);

    expect(mostAhead).toBeGreaterThan(1);
    expect(mostAhead).toBeLessThanOrEqual(4 + 2); // the look-ahead past the parts taken, 2 of which may still wait for their URL
  });

  it('signs the next batch while earlier parts are still being sent, so no part waits for a signing round trip', async () => {
    // 40 parts, 2 in flight: batches of 8, the next one asked for when 4 signed parts remain ahead.
    const h = harness({ partCount: 40, inFlight: 2, putMs: 25, signBatch: () => 8 });

    await sendMultipart(h.options);

    const batches = h.signed.filter((r) => Math.min(...r.partNumbers) > 4);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const batch of batches) expect(batch.putsBefore).toBeLessThan(Math.min(...batch.partNumbers) - 2);
    expect(new Set(h.signed.flatMap((r) => r.partNumbers)).size).toBe(40);
    // After the first round trip no slot waits for one: 2 in flight, 20 rounds of 25 ms.
    expect(h.clock.now() - START).toBeLessThan(40 + 20 * 25 + 25);
  });

  it('signs the parts the next round of slots takes once they are hashed, when hashing only just keeps ahead of sending', async () => {
    // Prepare: one part hashed every 6 ms, in order (the browser's one reading Worker), 2 in flight of 10 ms each: 16-part batches never fill ahead.
    const h = harness({ partCount: 24, inFlight: 2, putMs: 10, signMs: 5 });
    const hashedAt = new Map<number, number>();
    let hashing = Promise.resolve();
    const hash = (part: PartToSend): Promise<string> => {
      const done = hashing.then(() => h.clock.sleep(6)).then(() => {
        hashedAt.set(part.partNumber, h.clock.now() - START);
        return `sha-of-${part.partNumber}`;
      });
      hashing = done.then(() => undefined);
      return done;
    };

    // Act
    await sendMultipart({ ...h.options, io: { ...h.options.io, hash } });

    // Assess: a part goes out within a PUT's time (a slot freeing) and the signing round trip asked
    // when it was hashed (the rule before waited for 4 parts hashed: up to 20 ms here).
    const waited = h.puts.map((p) => p.at - (hashedAt.get(p.partNumber) as number));
    expect(waited).toHaveLength(24);
    expect(Math.max(...waited)).toBeLessThanOrEqual(10 + 5);
  });

  it('sends other parts while a failed part waits out its backoff, then signs it again and sends it again', async () => {
    const h = harness({ partCount: 8, inFlight: 1, failures: { 2: [slowDown] } });

    const result = await sendMultipart(h.options);

    expect(h.puts.slice(0, 3).map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const [first, second] = h.putsOf(2);
    expect(second?.at).toBeGreaterThanOrEqual((first?.at ?? 0) + 10 + 150); // the PUT, then backoff: ceiling 300, jitter 0 → 150
    expect(h.puts.findIndex((p) => p === second)).toBeGreaterThan(2);
    expect(h.signingsOf(2)).toBe(2);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'retry', partNumber: 2, attempt: 1, delayMs: 150 }));
    expect(result.parts.map((p) => p.partNumber)).toEqual(numbers(8));
  });

  it('gives up on a part after the policy\'s retries, with S3\'s answer', async () => {
    const h = harness({ partCount: 4, failures: { 3: [slowDown, slowDown, slowDown, slowDown] } });

    await expect(sendMultipart(h.options)).rejects.toMatchObject({ name: 'StorageError', status: 503, code: 'SlowDown' });
    expect(h.putsOf(3)).toHaveLength(4);
  });

  it('signs a part again when S3 says its URL expired, without counting it as a retry', async () => {
    const h = harness({ partCount: 4, failures: { 3: [expired] } });

    await sendMultipart(h.options);

    expect(h.signingsOf(3)).toBe(2);
    const [first, second] = h.putsOf(3);
    expect(second?.signing).toBeGreaterThan(first?.signing ?? Infinity);
    expect(h.events).toContainEqual({ type: 'resign', partNumber: 3, reason: 'S3 403 AccessDenied' });
    expect(h.events.some((e) => e.type === 'retry')).toBe(false);
  });

  it(`signs an expired part again at most ${MAX_RESIGNS_PER_PART} times, then fails with S3's refusal`, async () => {
    const h = harness({ partCount: 2, failures: { 2: Array.from({ length: 10 }, () => expired) } });

    await expect(sendMultipart(h.options)).rejects.toMatchObject({ status: 403, message: 'Request has expired' });
    expect(h.putsOf(2)).toHaveLength(1 + MAX_RESIGNS_PER_PART);
  });

  it('signs a URL again before sending once it is close to its expiry, instead of sending into a refusal', async () => {
    // URLs live 60 s (stale after 45 s); one part in flight, each PUT takes 20 s: later parts of a batch go stale.
    const h = harness({ partCount: 8, inFlight: 1, putMs: 20_000, urlLifetimeMs: 60_000, signBatch: () => 8 });

    await sendMultipart(h.options);

    expect(h.puts.every((p) => !p.stale)).toBe(true);
    expect(h.signed.length).toBeGreaterThan(1);
    expect(h.puts).toHaveLength(8);
  });

  it('fails at once on a refusal not worth retrying, aborting the parts in flight', async () => {
    const h = harness({ partCount: 12, putMs: 10, failures: { 2: [badRequest] } });

    await expect(sendMultipart(h.options)).rejects.toMatchObject({ status: 400, code: 'InvalidRequest' });
    expect(h.putsOf(2)).toHaveLength(1);
    expect(h.puts.length).toBeLessThan(12);
  });

  it('signs without checksums for an upload created without them', async () => {
    const h = harness({ partCount: 6, checksummed: false });

    const result = await sendMultipart(h.options);

    expect(h.signed.every((r) => r.checksums === undefined)).toBe(true);
    expect(result.sent).toHaveLength(6);
  });

  it('stops when aborted (a pause): no PUT starts after the abort and it rejects with an AbortError', async () => {
    const controller = new AbortController();
    const h = harness({ partCount: 40, putMs: 20, signal: controller.signal });
    h.clock.after(60, () => controller.abort());

    const sending = sendMultipart(h.options);

    await expect(sending).rejects.toMatchObject({ name: 'AbortError' });
    const putsAtAbort = h.puts.length;
    await h.clock.sleep(200);
    expect(h.puts.length).toBe(putsAtAbort);
    expect(h.puts.length).toBeLessThan(40);
  });

  it('resumes: sends only the parts S3 does not hold with the right size and checksum, and lists every part', async () => {
    const sums = numbers(6).map((n) => `sum-${n}`);
    const held: HeldPart[] = [
      { partNumber: 1, etag: '"etag-1"', size: PART, sha256: 'sum-1' },
      { partNumber: 2, etag: 'etag-2', size: PART - 1 }, // truncated: sent again
      { partNumber: 3, etag: 'etag-3', size: PART, sha256: 'sum-1' }, // another body: sent again
      { partNumber: 5, etag: 'etag-5', size: PART },
      { partNumber: 9, etag: 'etag-9', size: PART }, // not in the plan
    ];
    const h = harness({ partCount: 6, held, knownChecksums: sums });

    const result = await sendMultipart(h.options);

    expect(h.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual([2, 3, 4, 6]);
    expect(h.events[0]).toEqual({ type: 'start', size: h.size, alreadyStored: 2 * PART, due: [2, 3, 4, 6] });
    expect(h.signed.flatMap((r) => Object.entries(r.checksums ?? {}))).toEqual(expect.arrayContaining([['2', 'sum-2'], ['6', 'sum-6']]));
    expect(result).toEqual({ parts: numbers(6).map((n) => ({ partNumber: n, etag: `etag-${n}` })), sent: expect.any(Array), reused: 2 });
  });

  it('reports the bytes sent, taking back a failed attempt\'s, ending at the bytes of the parts it sent', async () => {
    const h = harness({ partCount: 5, failures: { 2: [slowDown] }, held: [{ partNumber: 1, etag: 'e', size: PART }] });

    await sendMultipart(h.options);

    const progress = h.events.flatMap((e) => (e.type === 'progress' ? [e.bytesSent] : []));
    expect(progress.some((bytes, i) => i > 0 && bytes < (progress[i - 1] as number))).toBe(true);
    expect(progress.at(-1)).toBe(h.size - PART);
    const stored = h.events.flatMap((e) => (e.type === 'part-stored' ? [e.partNumber] : []));
    expect(stored.sort()).toEqual([2, 3, 4, 5]);
  });
});

describe('usableHeldParts', () => {
  const plan = { partSize: PART, partCount: 3 };

  it('keeps parts of exactly their planned length, in the plan, whose checksum matches when both are known', () => {
    const held: HeldPart[] = [
      { partNumber: 1, etag: 'a', size: PART, sha256: 'x' },
      { partNumber: 2, etag: 'b', size: PART },
      { partNumber: 3, etag: 'c', size: 10 },
      { partNumber: 4, etag: 'd', size: PART },
    ];

    expect(usableHeldParts(2 * PART + 10, plan, held).map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(usableHeldParts(2 * PART + 10, plan, held, ['y', 'z', 'w']).map((p) => p.partNumber)).toEqual([2, 3]);
    expect(usableHeldParts(2 * PART + 11, plan, held).map((p) => p.partNumber)).toEqual([1, 2]);
  });
});

describe('expiredUrlReason', () => {
  const expiresAt = 1_000_000;
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('takes S3\'s 403 "Request has expired" at its word', () => {
    expect(expiredUrlReason(new StorageError(403, 'AccessDenied', 'Request has expired'), expiresAt, 0)).toBe('S3 403 AccessDenied');
  });

  it('reads a connection dropped after the URL expired as the same refusal', () => {
    expect(expiredUrlReason(epipe, expiresAt, expiresAt + 1)).toBe('connection dropped after its expiry: write EPIPE');
  });

  it('leaves other failures to the retry rules', () => {
    expect(expiredUrlReason(epipe, expiresAt, expiresAt - 1)).toBeUndefined();
    expect(expiredUrlReason(new StorageError(403, 'SignatureDoesNotMatch', 'bad'), expiresAt, expiresAt + 1)).toBeUndefined();
    expect(expiredUrlReason(new Error('boom'), expiresAt, expiresAt + 1)).toBeUndefined();
  });
});
