/**
 * Before an upload sends anything: which of the files are already in the library (issue 22 §2,
 * contract/dedupe.ts). Files up to `WHOLE_FILE_SHA256_MAX_BYTES` are hashed first (small ones
 * here, larger ones with their parts in worker threads, so the upload reads them no more), and
 * their SHA-256s asked in batches of `MAX_EXISTS_HASHES`, `EXISTS_REQUESTS_AT_ONCE` at a time.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ApiClient } from './api-client';
import { EXISTS_REQUESTS_AT_ONCE, MAX_EXISTS_HASHES } from '../contract/dedupe';
import { crc32cOf } from '../contract/crc32c';
import { WHOLE_FILE_SHA256_MAX_BYTES } from '../contract/multipart';
import type { ContentCopy } from '../contract/wire';
import { computeChecksums, expectedPartSize, type FileChecksums } from './uploader';

/** Below this a file is hashed on the main thread (reading it whole costs less than a worker's start). */
const HASH_HERE_MAX_BYTES = 4 * 1024 * 1024;
/** Files hashed at once. */
const HASHING_AT_ONCE = 4;

/** A file's checksums as the uploader takes them, read once. */
async function checksumsOf(absolute: string, size: number): Promise<FileChecksums> {
  const partSize = expectedPartSize(size);
  if (size <= Math.min(HASH_HERE_MAX_BYTES, partSize)) {
    // One part: the whole file's bytes.
    const bytes = await readFile(absolute);
    return { sha256: createHash('sha256').update(bytes).digest('base64'), partSize, parts: [crc32cOf(bytes)] };
  }
  return computeChecksums(absolute, size, partSize);
}

/** Runs `work` on each item, `atOnce` at a time, answers in order. */
export async function eachLimited<T, R>(items: readonly T[], atOnce: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return results;
}

/** The checksums of the files hashed first (undefined for a larger file: hashed while sending, unless `all`). */
export function hashFirst<F extends { readonly absolute: string; readonly size: number }>(files: readonly F[], all = false): Promise<(FileChecksums | undefined)[]> {
  return eachLimited(files, HASHING_AT_ONCE, (f) => (all || f.size <= WHOLE_FILE_SHA256_MAX_BYTES ? checksumsOf(f.absolute, f.size) : Promise.resolve(undefined)));
}

/** The copies already in the library (that the caller may see) of each SHA-256 asked. */
export async function copiesInLibrary(api: ApiClient, sha256s: readonly string[]): Promise<ReadonlyMap<string, readonly ContentCopy[]>> {
  const unique = [...new Set(sha256s)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_EXISTS_HASHES) batches.push(unique.slice(i, i + MAX_EXISTS_HASHES));
  const answers = await eachLimited(batches, EXISTS_REQUESTS_AT_ONCE, (batch) => api.call('POST /files/exists', { body: { sha256: batch } }));
  return new Map(answers.flatMap((a) => a.found.map((f) => [f.sha256, f.copies] as const)));
}
