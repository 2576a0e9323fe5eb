import { createHash } from 'node:crypto';
import { createCRC32 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { hashUploadParts, type UploadHashAnswer } from '../src/upload/upload-hashing';

const KiB = 1024;

/** CRC-32C in S3's base64 form by hash-wasm (not the code under test, contract/crc32c.ts). */
async function crc32c(bytes: Uint8Array): Promise<string> {
  const hasher = await createCRC32(0x82f63b78);
  hasher.init();
  hasher.update(bytes);
  return Buffer.from(hasher.digest('hex'), 'hex').toString('base64');
}

/** A Blob whose slices are recorded: every byte range the hashing reads. */
function watchedBlob(bytes: Uint8Array<ArrayBuffer>): { blob: Blob; reads: [number, number][] } {
  const real = new Blob([bytes]);
  const reads: [number, number][] = [];
  const blob = {
    size: real.size,
    slice: (start: number, end: number) => {
      reads.push([start, end]);
      return real.slice(start, end);
    },
  } as unknown as Blob;
  return { blob, reads };
}

const randomBytes = (size: number): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(new ArrayBuffer(size));
  for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
  return bytes;
};

/** A Blob whose slices' reads end only when the test releases them (`pending`, in the order they began). */
function heldReads(bytes: Uint8Array<ArrayBuffer>): { blob: Blob; pending: { start: number; release: () => void }[] } {
  const real = new Blob([bytes]);
  const pending: { start: number; release: () => void }[] = [];
  const blob = {
    size: real.size,
    slice: (start: number, end: number) => ({
      arrayBuffer: () => new Promise<ArrayBuffer>((resolve) => pending.push({ start, release: () => void real.slice(start, end).arrayBuffer().then(resolve) })),
    }),
  } as unknown as Blob;
  return { blob, pending };
}

describe('hashUploadParts', () => {
  it('answers every part\'s CRC-32C in order, then the whole file\'s SHA-256, reading each byte once', async () => {
    // Prepare: five 256 KiB parts and a short sixth; only two parts may wait for the SHA-256.
    const partSize = 256 * KiB;
    const bytes = randomBytes(5 * partSize + 1234);
    const { blob, reads } = watchedBlob(bytes);
    const answers: UploadHashAnswer[] = [];

    // Act
    await hashUploadParts({ file: blob, partSize, partCount: 6, keepBytes: 2 * partSize }, (answer) => answers.push(answer));

    // Assess
    const expected = await Promise.all(Array.from({ length: 6 }, (_, i) => crc32c(bytes.subarray(i * partSize, (i + 1) * partSize))));
    expect(answers).toEqual([
      ...expected.map((checksum, i) => ({ type: 'part', partNumber: i + 1, checksum })),
      { type: 'sha256', sha256: createHash('sha256').update(bytes).digest('base64') },
    ]);
    expect(reads).toEqual(Array.from({ length: 6 }, (_, i) => [i * partSize, Math.min(bytes.length, (i + 1) * partSize)]));
  });

  it('keeps up to readsAtOnce reads in flight within keepBytes, answering each CRC-32C as its read ends and the SHA-256 in part order', async () => {
    // Prepare: six 64 KiB parts whose reads end only when the test lets them, newest first.
    const partSize = 64 * KiB;
    const bytes = randomBytes(6 * partSize);
    const { blob, pending } = heldReads(bytes);
    const answers: UploadHashAnswer[] = [];
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

    // Act: 3 reads at once, 4 parts' bytes at most.
    const done = hashUploadParts({ file: blob, partSize, partCount: 6, keepBytes: 4 * partSize, readsAtOnce: 3 }, (answer) => answers.push(answer));
    await settle();
    const inFlightAtFirst = pending.map((p) => p.start / partSize + 1);
    for (const read of pending.splice(0).reverse()) read.release();
    await settle();
    const startedNext = pending.map((p) => p.start / partSize + 1);
    while (pending.length) {
      for (const read of pending.splice(0)) read.release();
      await settle();
    }
    await done;

    // Assess
    expect(inFlightAtFirst).toEqual([1, 2, 3]);
    // Parts 1-3 were digested once read (the SHA-256 frees them), so the next three reads began.
    expect(startedNext).toEqual([4, 5, 6]);
    expect(answers.slice(0, 3).map((a) => (a.type === 'part' ? a.partNumber : a.type))).toEqual([3, 2, 1]);
    const expected = await Promise.all(Array.from({ length: 6 }, (_, i) => crc32c(bytes.subarray(i * partSize, (i + 1) * partSize))));
    expect(new Map(answers.flatMap((a) => (a.type === 'part' ? [[a.partNumber, a.checksum]] : [])))).toEqual(new Map(expected.map((c, i) => [i + 1, c])));
    expect(answers.at(-1)).toEqual({ type: 'sha256', sha256: createHash('sha256').update(bytes).digest('base64') });
  });

  it('reads no further ahead of the SHA-256 than keepBytes, reads in flight included', async () => {
    // Prepare: reads that end only when the test lets them.
    const partSize = 64 * KiB;
    const { blob, pending } = heldReads(randomBytes(8 * partSize));

    // Act: 4 reads allowed at once, but only 2 parts' bytes.
    const done = hashUploadParts({ file: blob, partSize, partCount: 8, keepBytes: 2 * partSize, readsAtOnce: 4 }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(pending.map((p) => p.start / partSize + 1)).toEqual([1, 2]);
    while (pending.length) {
      for (const read of pending.splice(0)) read.release();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await done;
  });

  it('hashes an empty file: one empty part', async () => {
    const answers: UploadHashAnswer[] = [];
    await hashUploadParts({ file: new Blob([]), partSize: 8 * 1024 * KiB, partCount: 1, keepBytes: 32 * 1024 * KiB }, (answer) => answers.push(answer));
    expect(answers).toEqual([
      { type: 'part', partNumber: 1, checksum: 'AAAAAA==' },
      { type: 'sha256', sha256: createHash('sha256').update(new Uint8Array()).digest('base64') },
    ]);
  });

  it('rejects when a part cannot be read (the file changed), after answering the parts read before', async () => {
    const partSize = 64 * KiB;
    const real = new Blob([randomBytes(3 * partSize)]);
    const broken = {
      size: real.size,
      slice: (start: number, end: number) => (start >= 2 * partSize ? { arrayBuffer: () => Promise.reject(new DOMException('changed', 'NotReadableError')) } : real.slice(start, end)),
    } as unknown as Blob;
    const answers: UploadHashAnswer[] = [];
    await expect(hashUploadParts({ file: broken, partSize, partCount: 3, keepBytes: 4 * partSize }, (answer) => answers.push(answer))).rejects.toThrow('changed');
    expect(answers.map((a) => (a.type === 'part' ? a.partNumber : a.type))).toEqual([1, 2]);
  });
});
