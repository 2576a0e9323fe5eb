/**
 * SHA-256 of byte ranges of a file, off the main thread: each call runs one worker thread that
 * reads its ranges with positioned reads into one reused buffer (memory: `HASH_READ_BYTES` per
 * worker, whatever the file size) and answers each range's digest. `computeChecksums` runs two
 * at once — the whole file in one, every part in the other — so on two cores the checksums of
 * an upload cost one read of the file in wall time, not two, and the event loop stays free.
 */
import { Worker } from 'node:worker_threads';

/** Read size of the hashing workers: large reads, few system calls, bounded memory. */
export const HASH_READ_BYTES = 4 * 1024 * 1024;

/** A byte range: [start, length]. */
export type ByteRange = readonly [number, number];

/**
 * The worker, as plain JavaScript evaluated in the thread (`eval: true`): it runs the same
 * from the TypeScript sources and from the bundled CLI, with no file of its own to ship.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { file, ranges, readBytes } = workerData;
const fd = openSync(file, 'r');
try {
  const buffer = Buffer.allocUnsafe(readBytes);
  const digests = [];
  for (const [start, length] of ranges) {
    const hash = createHash('sha256');
    for (let done = 0; done < length; ) {
      const read = readSync(fd, buffer, 0, Math.min(readBytes, length - done), start + done);
      if (read === 0) throw new Error(file + ' is shorter than expected (changed while uploading?)');
      hash.update(buffer.subarray(0, read));
      done += read;
    }
    digests.push(hash.digest('base64'));
  }
  parentPort.postMessage(digests);
} finally {
  closeSync(fd);
}
`;

/** Base64 SHA-256 of each range of the file, in order, computed in a worker thread. */
export function hashRanges(filePath: string, ranges: readonly ByteRange[], readBytes: number = HASH_READ_BYTES): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: filePath, ranges, readBytes } });
    let answered = false;
    worker.once('message', (digests: string[]) => {
      answered = true;
      resolve(digests);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`hashing ${filePath} stopped (worker exit code ${code})`));
    });
  });
}

/** The ranges of `partSize`-byte parts of a `size`-byte file (one empty part for an empty file). */
export function partRanges(size: number, partSize: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (let start = 0; start < size; start += partSize) ranges.push([start, Math.min(partSize, size - start)]);
  return ranges.length ? ranges : [[0, 0]];
}
