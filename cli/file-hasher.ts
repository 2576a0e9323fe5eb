/**
 * Checksums of byte ranges of a file (SHA-256, or a part's CRC-32C: contract/multipart.ts
 * `PART_CHECKSUM_ALGORITHM`), off the main thread: each call runs one worker thread that
 * reads its ranges with positioned reads into two reused buffers, the next read running while
 * the current buffer is hashed (memory: 2 × `HASH_READ_BYTES` per worker, whatever the file
 * size), and answers each range's digest as soon as it has it. An upload hashes its parts in
 * one while it sends them (a part is signed once hashed); when the whole file's SHA-256 is
 * declared too, a second worker hashes the whole file at the same time.
 */
import { Worker } from 'node:worker_threads';
import { crc32cTables, crc32cUpdateWith } from '../contract/crc32c';
import type { PartChecksumAlgorithm } from '../contract/multipart';

/**
 * Read size of the hashing workers. Measured on 512 MiB (CPU per pass): 256 KiB-1 MiB 0.45 s,
 * 4 MiB 0.63 s and 2-4× the wall time — a buffer that no longer fits the CPU cache is hashed
 * from memory.
 */
const HASH_READ_BYTES = 256 * 1024;

/** A byte range: [start, length]. */
type ByteRange = readonly [number, number];

/**
 * The worker, as plain JavaScript evaluated in the thread (`eval: true`): it runs the same
 * from the TypeScript sources and from the bundled CLI, with no file of its own to ship. Its
 * CRC-32C is contract/crc32c.ts's own functions, their source text (self-contained for this).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { open } = require('node:fs/promises');
const { file, ranges, readBytes, algorithm } = workerData;
const crc32cTables = (${crc32cTables.toString()});
const crc32cUpdateWith = (${crc32cUpdateWith.toString()});
const tables = algorithm === 'CRC32C' ? crc32cTables() : undefined;
// SHA-256 by Node's crypto (native), CRC-32C by the contract's function: both as base64.
const createDigest = () => {
  if (algorithm !== 'CRC32C') return createHash('sha256');
  let crc = 0xffffffff;
  return {
    update(bytes) { crc = crc32cUpdateWith(tables, crc, bytes); },
    digest() {
      const value = (crc ^ 0xffffffff) >>> 0;
      return Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]).toString('base64');
    },
  };
};
// Ranges it may hash so far: the parent raises it as sending advances (a bounded look-ahead).
let allowed = workerData.allowed ?? Infinity;
let wake;
parentPort.on('message', (message) => {
  if (typeof message.allow === 'number' && message.allow > allowed) {
    allowed = message.allow;
    if (wake) wake();
  }
});
(async () => {
  const handle = await open(file, 'r');
  try {
    // Two buffers: the next read runs while the current one is hashed.
    const buffers = [Buffer.allocUnsafe(readBytes), Buffer.allocUnsafe(readBytes)];
    for (const [index, [start, length]] of ranges.entries()) {
      while (index >= allowed) await new Promise((resolve) => (wake = resolve));
      wake = undefined;
      const hash = createDigest();
      let which = 0;
      const readAt = (done) => handle.read(buffers[which], 0, Math.min(readBytes, length - done), start + done);
      let pending = length > 0 ? readAt(0) : undefined;
      for (let done = 0; done < length; ) {
        const { bytesRead, buffer } = await pending;
        if (bytesRead === 0) throw new Error(file + ' is shorter than expected (changed while uploading?)');
        done += bytesRead;
        which = 1 - which;
        pending = done < length ? readAt(done) : undefined;
        hash.update(buffer.subarray(0, bytesRead));
      }
      parentPort.postMessage({ index, digest: hash.digest('base64') });
    }
    parentPort.postMessage({ done: true });
  } finally {
    await handle.close();
    parentPort.close();
  }
})().catch((error) => {
  // Uncaught in the worker: its 'error' event rejects hashRanges.
  throw error;
});
`;

/** The digests of a `hashRangesEach` run, each available as soon as the worker has it. */
export interface RangeHashes {
  /** Base64 checksum of range `index`. */
  digest(index: number): Promise<string>;
  /** Every digest, in order, once all are computed. */
  readonly all: Promise<string[]>;
  /** Lets the worker hash ranges up to (not including) `count`; it waits for more otherwise. */
  allow(count: number): void;
  /** Stops the worker (an upload that failed or finished early); pending digests reject. */
  stop(): void;
}

export interface HashRangesOptions {
  /** @default HASH_READ_BYTES */
  readonly readBytes?: number;
  /** Ranges it may hash before `allow` raises it. @default all */
  readonly allowed?: number;
  /** A part checksum algorithm. @default 'SHA256' */
  readonly algorithm?: PartChecksumAlgorithm;
}

/**
 * Base64 checksum (SHA-256 unless `algorithm` says otherwise) of each range of the file, in
 * order, computed in a worker thread and handed out range by range: an upload signs and sends
 * its first parts while later ones are hashed.
 */
export function hashRangesEach(filePath: string, ranges: readonly ByteRange[], options: HashRangesOptions = {}): RangeHashes {
  const settlers = ranges.map(() => {
    let resolve!: (digest: string) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<string>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    promise.catch(() => undefined);
    return { promise, resolve, reject };
  });
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: filePath, ranges, readBytes: options.readBytes ?? HASH_READ_BYTES, allowed: options.allowed, algorithm: options.algorithm ?? 'SHA256' } });
  let finished = false;
  const failAll = (error: unknown): void => {
    finished = true;
    for (const s of settlers) s.reject(error);
  };
  worker.on('message', (message: { index?: number; digest?: string; done?: boolean }) => {
    if (message.done) finished = true;
    else if (message.index !== undefined && message.digest !== undefined) settlers[message.index]?.resolve(message.digest);
  });
  worker.once('error', failAll);
  worker.once('exit', (code) => {
    if (!finished) failAll(new Error(`hashing ${filePath} stopped (worker exit code ${code})`));
  });
  const all = Promise.all(settlers.map((s) => s.promise));
  // Stopping early rejects the digests nobody waits for: not an unhandled rejection.
  all.catch(() => undefined);
  return {
    digest: (index) => settlers[index]?.promise ?? Promise.reject(new RangeError(`no range ${index}`)),
    all,
    allow: (count) => {
      if (!finished) worker.postMessage({ allow: count });
    },
    stop: () => {
      if (!finished) void worker.terminate();
    },
  };
}

/** Base64 checksum (SHA-256 unless `algorithm` says otherwise) of each range of the file, in order, computed in a worker thread. */
export function hashRanges(filePath: string, ranges: readonly ByteRange[], readBytes: number = HASH_READ_BYTES, algorithm: PartChecksumAlgorithm = 'SHA256'): Promise<string[]> {
  return hashRangesEach(filePath, ranges, { readBytes, algorithm }).all;
}

/** The ranges of `partSize`-byte parts of a `size`-byte file (one empty part for an empty file). */
export function partRanges(size: number, partSize: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (let start = 0; start < size; start += partSize) ranges.push([start, Math.min(partSize, size - start)]);
  return ranges.length ? ranges : [[0, 0]];
}
