import { describe, expect, it } from 'vitest';
import type { PartsRequest, SignedParts } from '../../contract/wire';
import { sendParts, type SendPartsOptions } from '../src/upload/parts';
import { TransferFailed } from '../src/upload/transfer';

const PART = 1024;

interface Harness {
  readonly options: SendPartsOptions;
  readonly signed: PartsRequest[];
  readonly puts: number[];
  readonly done: number[];
  /** Parts in flight at most at once. */
  readonly peak: () => number;
  readonly hashedBeforePut: Map<number, number>;
}

/** Test doubles for the API, the hashing pool and XHR: each PUT answers after `putMs`. */
function harness(partCount: number, settings: Partial<Omit<SendPartsOptions, 'concurrency'>> & { failOnce?: Map<number, number>; putMs?: number; concurrency?: number } = {}): Harness {
  const { failOnce: failures, putMs, concurrency, ...overrides } = settings;
  const signed: PartsRequest[] = [];
  const puts: number[] = [];
  const done: number[] = [];
  const hashed = new Set<number>();
  const hashedBeforePut = new Map<number, number>();
  let active = 0;
  let peak = 0;
  const failOnce = new Map(failures ?? []);
  const size = partCount * PART - 10;
  const file = new Blob([new Uint8Array(size)]);
  const options: SendPartsOptions = {
    file,
    size,
    plan: { partSize: PART, partCount },
    uploadId: 'u1',
    parts: Array.from({ length: partCount }, (_, i) => i + 1),
    checksummed: true,
    signal: new AbortController().signal,
    concurrency: { current: concurrency ?? 3, record: () => undefined },
    endpoints: {
      signParts: async (_id: string, request: PartsRequest): Promise<SignedParts> => {
        signed.push(request);
        await new Promise((r) => setTimeout(r, 5));
        return { parts: request.partNumbers.map((n) => ({ partNumber: n, url: `https://s3/${n}`, headers: { 'x-amz-checksum-sha256': request.checksums?.[String(n)] ?? '' } })), expiresAt: new Date(Date.now() + 3600e3).toISOString() };
      },
    },
    hash: async (blob) => {
      await new Promise((r) => setTimeout(r, 1));
      hashed.add(hashed.size + 1);
      return `sha-of-${blob.size}-${hashed.size}`;
    },
    put: (url, _headers, body, onProgress, signal) => {
      const n = Number(url.split('/').pop());
      puts.push(n);
      hashedBeforePut.set(n, hashed.size);
      active += 1;
      peak = Math.max(peak, active);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          active -= 1;
          onProgress(body.size);
          const status = failOnce.get(n);
          if (status !== undefined) {
            failOnce.delete(n);
            reject(new TransferFailed(status, `HTTP ${status}`, status === 403 ? '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' : ''));
          } else resolve(`etag-${n}`);
        }, putMs ?? 10);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          active -= 1;
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    },
    onProgress: () => undefined,
    onPartDone: (n) => done.push(n),
    ...overrides,
  };
  return { options, signed, puts, done, peak: () => peak, hashedBeforePut };
}

describe('sendParts', () => {
  it('sends every part once with its checksum, signing later parts in batches ahead of their turn', async () => {
    // Prepare
    const h = harness(30);
    // Act
    await sendParts(h.options);
    // Assess
    expect([...h.done].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect([...h.puts].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const request of h.signed) for (const n of request.partNumbers) expect(request.checksums?.[String(n)]).toMatch(/^sha-of-/);
    expect(Math.max(...h.signed.map((r) => r.partNumbers.length))).toBeGreaterThan(3);
    expect(h.signed.length).toBeLessThan(15);
    expect(h.peak()).toBe(3);
  });

  it('keeps hashing ahead of sending (parts are hashed before their PUT, several ahead)', async () => {
    const h = harness(30, { putMs: 15 });

    await sendParts(h.options);

    const late = [...h.hashedBeforePut.entries()].filter(([n]) => n > 10);
    expect(late.every(([n, hashed]) => hashed >= n)).toBe(true);
    expect(late.some(([n, hashed]) => hashed > n + 3)).toBe(true);
  });

  it('sends other parts while a failed part waits out its backoff, then sends it again', async () => {
    const h = harness(8, { failOnce: new Map([[2, 503]]), concurrency: 1 });

    await sendParts(h.options);

    expect(h.puts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(h.puts.lastIndexOf(2)).toBeGreaterThan(2);
    expect(h.signed.filter((r) => r.partNumbers.includes(2)).length).toBe(2);
    expect([...h.done].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('signs a part again when S3 says its URL expired', async () => {
    const h = harness(4, { failOnce: new Map([[3, 403]]) });

    await sendParts(h.options);

    expect(h.signed.filter((r) => r.partNumbers.includes(3)).length).toBe(2);
    expect(h.done).toHaveLength(4);
  });

  it('fails on a refusal that is not worth retrying', async () => {
    const h = harness(4, { failOnce: new Map([[2, 400]]) });

    await expect(sendParts(h.options)).rejects.toThrow('HTTP 400');
  });

  it('signs without checksums for an upload created without them', async () => {
    const h = harness(6, { checksummed: false });

    await sendParts(h.options);

    expect(h.signed.every((r) => r.checksums === undefined)).toBe(true);
    expect(h.done).toHaveLength(6);
  });

  it('stops sending when aborted (a pause): no PUT starts after the abort and it rejects with an AbortError', async () => {
    const controller = new AbortController();
    const h = harness(40, { signal: controller.signal, putMs: 20 });

    const sending = sendParts(h.options);
    await new Promise((r) => setTimeout(r, 60));
    controller.abort();
    const putsAtAbort = h.puts.length;

    await expect(sending).rejects.toThrow('aborted');
    await new Promise((r) => setTimeout(r, 60));
    expect(h.puts.length).toBe(putsAtAbort);
    expect(h.done.length).toBeLessThan(40);
  });
});
