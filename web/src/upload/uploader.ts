/**
 * Runs the uploads of the store: a few files at a time; a small file hashed whole (its SHA-256
 * declared, S3 verifies it) and sent in one PUT; a large file's parts hashed, signed and sent
 * as a pipeline (parts.ts), each with its CRC-32C; multipart state saved in IndexedDB for
 * resuming after a reload. The rules of each step are in machine.ts. Every API call goes
 * through the upload's `UploadEndpoints` (the account's, or a drop link's).
 *
 * Duplicates (issue 22 §2, contract/dedupe.ts): files added to the account's uploads are first
 * hashed (up to `WHOLE_FILE_SHA256_MAX_BYTES`, streamed in the hashing Workers) and asked in
 * batches whether the library holds their content; those it does are not sent (phase
 * `duplicate`, with where the copy is) unless the person asks to upload them anyway. A drop link
 * never asks (a guest must not learn what the folder holds). A larger file is hashed while sent
 * (a Worker of its own, started before the upload is created, reading each part once for its
 * CRC-32C and the SHA-256: hasher.ts `hashUpload`) and its SHA-256 declared when the upload
 * completes.
 */
import type { FileItem } from '../../../contract/wire';
import type { HeldPart } from '../../../contract/wire';
import { PART_CHECKSUM_ALGORITHM, planParts, WHOLE_FILE_SHA256_MAX_BYTES, type PartChecksumAlgorithm } from '../../../contract/multipart';
import { EXISTS_REQUESTS_AT_ONCE, MAX_EXISTS_HASHES } from '../../../contract/dedupe';
import { usableHeldParts } from '../../../client/multipart';
import { DEFAULT_RETRY_POLICY, withRetry } from '../../../client/retry';
import { ApiError } from '../api';
import { accountEndpoints, type UploadEndpoints } from './endpoints';
import { store } from '../store';
import { hashUpload, sha256Of, type UploadHashing } from './hasher';
import { fileKey, isActive, newUpload, transition, type UploadEvent, type UploadItem } from './machine';
import { forgetUpload, saveUpload, savedUploads } from './resume-db';
import { sendParts } from './parts';
import { putBlob, wait } from './transfer';

const FILES_AT_ONCE = 2;
/** Progress reaches the store (and a render) at most this often per upload. */
const PROGRESS_INTERVAL_MS = 100;

const files = new Map<string, File>();
/** Whole-file SHA-256s hashed before sending (the duplicate check), by upload key: not hashed again. */
const hashedFirst = new Map<string, string>();
/** Uploads waiting for the duplicate check: not started until it answered. */
const checking = new Set<string>();
const controllers = new Map<string, AbortController>();
/** Where each upload goes (the account's routes unless queued for a drop link). */
const targets = new Map<string, UploadEndpoints>();
const endpointsOf = (key: string): UploadEndpoints => targets.get(key) ?? accountEndpoints;
let onUploaded: (file: FileItem) => void = () => undefined;

/** Called with each uploaded file once the catalog lists it (the app shows it in its folder). */
export function whenUploaded(listener: (file: FileItem) => void): void {
  onUploaded = listener;
}

/**
 * The catalog row appears when S3's event reaches the sync function, usually within a second or
 * two of the completion: ask for the file often at first, then every second, for about 30 s,
 * and report it once there.
 */
async function announce(endpoints: UploadEndpoints, fileId: string | undefined): Promise<void> {
  if (!fileId || !endpoints.getFile) return;
  for (let attempt = 0, waited = 0; waited < 30_000; attempt += 1) {
    try {
      onUploaded(await endpoints.getFile(fileId));
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) return;
      const delay = Math.min(1000, Math.round(150 * 1.5 ** attempt));
      waited += delay;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** `report`, called at most once per `PROGRESS_INTERVAL_MS` with the latest value; `flush` sends a pending one now. */
function throttled(report: (value: number) => void): ((value: number) => void) & { flush(): void } {
  let last = 0;
  let pending: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === undefined) return;
    last = performance.now();
    const value = pending;
    pending = undefined;
    report(value);
  };
  const call = (value: number): void => {
    pending = value;
    const due = last + PROGRESS_INTERVAL_MS - performance.now();
    if (due <= 0) flush();
    else timer ??= setTimeout(flush, due);
  };
  return Object.assign(call, { flush });
}

const itemOf = (key: string): UploadItem | undefined => store.get().uploads.find((u) => u.key === key);

function dispatch(key: string, event: UploadEvent): void {
  store.update((s) => ({ uploads: s.uploads.map((u) => (u.key === key ? transition(u, event) : u)) }));
}

/** Unfinished uploads of earlier visits to `endpoints`' target, shown as waiting for their file. */
export async function restoreSavedUploads(endpoints: UploadEndpoints = accountEndpoints): Promise<void> {
  const saved = await savedUploads(endpoints.target).catch(() => []);
  if (!saved.length) return;
  for (const record of saved) if (!targets.has(record.key)) targets.set(record.key, endpoints);
  store.update((s) => ({
    uploads: [
      ...s.uploads,
      ...saved
        .filter((record) => !s.uploads.some((u) => u.key === record.key))
        .map((record): UploadItem => ({
          ...newUpload({ name: record.name, size: record.size, lastModified: 0, type: record.contentType }, record.folder),
          key: record.key,
          phase: 'needs-file',
          uploadId: record.uploadId,
          fileId: record.fileId,
          partSize: record.partSize,
          partCount: record.partCount,
        })),
    ],
  }));
}

/**
 * Queues files for `folder` (sent to `endpoints`, the account's by default); a file matching an
 * unfinished upload resumes it instead.
 */
export function addFiles(entries: readonly { readonly file: File; readonly folder: string }[], endpoints: UploadEndpoints = accountEndpoints): void {
  const fresh: string[] = [];
  store.update((s) => {
    let uploads = s.uploads;
    for (const { file, folder } of entries) {
      const key = fileKey(file);
      files.set(key, file);
      targets.set(key, endpoints);
      const existing = uploads.find((u) => u.key === key);
      if (existing && existing.phase === 'needs-file') {
        uploads = uploads.map((u) => (u.key === key ? transition(u, { type: 'file-found' }) : u));
      } else if (existing && (existing.phase === 'failed' || existing.phase === 'paused')) {
        uploads = uploads.map((u) => (u.key === key ? transition(u, { type: 'resume' }) : u));
      } else if (!existing || existing.phase === 'done' || existing.phase === 'cancelled' || existing.phase === 'duplicate') {
        uploads = [...uploads.filter((u) => u.key !== key), newUpload(file, folder)];
        fresh.push(key);
      }
    }
    return { uploads };
  });
  if (endpoints.filesExist && fresh.length > 0) {
    for (const key of fresh) checking.add(key);
    void checkLibrary(fresh, endpoints);
  }
  pump();
}

/** Runs `work` on each item, `atOnce` at a time. */
async function eachLimited<T>(items: readonly T[], atOnce: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

/**
 * The duplicate check of newly added files: hashed first (those up to the bound), asked in
 * batches, and those found marked `duplicate`; the others start. A failed check only costs the
 * skip: the files are sent.
 */
async function checkLibrary(keys: readonly string[], endpoints: UploadEndpoints): Promise<void> {
  const ask = endpoints.filesExist;
  const release = (key: string): void => {
    if (checking.delete(key)) pump();
  };
  try {
    const small = keys.filter((key) => (files.get(key)?.size ?? Infinity) <= WHOLE_FILE_SHA256_MAX_BYTES);
    for (const key of keys) if (!small.includes(key)) release(key);
    const byHash = new Map<string, string[]>();
    await Promise.all(
      small.map(async (key) => {
        const sha256 = await sha256Of(files.get(key) as File, undefined, { stream: true });
        hashedFirst.set(key, sha256);
        byHash.set(sha256, [...(byHash.get(sha256) ?? []), key]);
      }),
    );
    const hashes = [...byHash.keys()];
    const batches: string[][] = [];
    for (let i = 0; i < hashes.length; i += MAX_EXISTS_HASHES) batches.push(hashes.slice(i, i + MAX_EXISTS_HASHES));
    await eachLimited(batches, EXISTS_REQUESTS_AT_ONCE, async (batch) => {
      const answer = await (ask as NonNullable<typeof ask>)(batch);
      for (const { sha256, copies } of answer.found) {
        const copy = copies[0];
        if (!copy) continue;
        for (const key of byHash.get(sha256) ?? []) dispatch(key, { type: 'duplicate', copy: { id: copy.id, folder: copy.folder, name: copy.name } });
      }
      for (const sha256 of batch) for (const key of byHash.get(sha256) ?? []) release(key);
    });
  } finally {
    for (const key of keys) release(key);
  }
}

/** Sends a file whose content is already in the library all the same. */
export function uploadAnyway(key: string): void {
  dispatch(key, { type: 'upload-anyway' });
  pump();
}

function pump(): void {
  const { uploads } = store.get();
  let active = uploads.filter(isActive).length;
  for (const item of uploads) {
    if (active >= FILES_AT_ONCE) break;
    if (item.phase === 'queued' && files.has(item.key) && !controllers.has(item.key) && !checking.has(item.key)) {
      active += 1;
      void run(item.key);
    }
  }
}

export function pause(key: string): void {
  dispatch(key, { type: 'pause' });
  controllers.get(key)?.abort();
}

export function resume(key: string): void {
  dispatch(key, { type: 'resume' });
  pump();
}

export function cancel(key: string): void {
  const item = itemOf(key);
  dispatch(key, { type: 'cancel' });
  controllers.get(key)?.abort();
  if (item?.uploadId && item.partCount !== undefined && item.phase !== 'done') void endpointsOf(key).abortUpload(item.uploadId).catch(() => undefined);
  void forgetUpload(endpointsOf(key).target, key).catch(() => undefined);
}

export function clearFinished(): void {
  store.update((s) => ({ uploads: s.uploads.filter((u) => u.phase !== 'done' && u.phase !== 'cancelled' && u.phase !== 'duplicate') }));
}

async function run(key: string): Promise<void> {
  const controller = new AbortController();
  /** A large file's hashing, started before its upload is created. */
  let early: UploadHashing | undefined;
  controllers.set(key, controller);
  const { signal } = controller;
  const endpoints = endpointsOf(key);
  dispatch(key, { type: 'start', at: performance.now() });
  try {
    const file = files.get(key) as File;
    let item = itemOf(key) as UploadItem;
    let held: HeldPart[] = [];
    let checksumAlgorithm: PartChecksumAlgorithm | undefined;
    /** Whether the whole file is hashed while sending (its SHA-256 was not declared at creation). */
    let hashFile = false;
    if (item.uploadId === undefined) {
      // A small file's SHA-256 is declared (S3 verifies it on the single PUT); a large one's parts
      // each carry their CRC-32C, which S3 verifies, and its SHA-256 is hashed while sending (see
      // WHOLE_FILE_SHA256_MAX_BYTES). The duplicate check may have hashed it already.
      const sha256 = item.size <= WHOLE_FILE_SHA256_MAX_BYTES ? (hashedFirst.get(key) ?? (await sha256Of(file, signal, { stream: true }))) : undefined;
      hashFile = sha256 === undefined;
      // A large file's hashing starts now, on the plan the API makes (planParts): its SHA-256
      // gains the creation's round trip; parts.ts takes it over (or stops it if the plan differs).
      if (hashFile && PART_CHECKSUM_ALGORITHM === 'CRC32C') {
        early = hashUpload(file, planParts(item.size));
        signal.addEventListener('abort', () => early?.stop(), { once: true });
      }
      const created = await endpoints.createUpload({
        folder: item.folder, fileName: item.name, contentType: item.contentType, size: item.size,
        ...(sha256 !== undefined ? { sha256 } : {}),
        // Multipart: each part is hashed in a Worker and S3 verifies it (a single PUT ignores this).
        checksumAlgorithm: PART_CHECKSUM_ALGORITHM,
      });
      if (created.mode === 'single') {
        early?.stop();
        dispatch(key, { type: 'created', uploadId: created.uploadId, fileId: created.fileId, partSize: item.size, partCount: 1, ...(created.storedAs !== undefined ? { storedAs: created.storedAs } : {}) });
        dispatch(key, { type: 'held', parts: [], at: performance.now() });
        await withRetry(() => putBlob(created.url, created.headers, file, (loaded) => dispatch(key, { type: 'progress', bytesInFlight: loaded }), signal), DEFAULT_RETRY_POLICY, { sleep: (ms) => wait(ms, signal) });
        dispatch(key, { type: 'part-done', partNumber: 1, size: item.size });
        dispatch(key, { type: 'completing' });
        dispatch(key, { type: 'done' });
        hashedFirst.delete(key);
        void announce(endpoints, itemOf(key)?.fileId);
        return;
      }
      dispatch(key, { type: 'created', uploadId: created.uploadId, fileId: created.fileId, partSize: created.partSize, partCount: created.partCount, ...(created.storedAs !== undefined ? { storedAs: created.storedAs } : {}) });
      checksumAlgorithm = created.checksumAlgorithm;
      await saveUpload({
        target: endpoints.target, key, uploadId: created.uploadId, fileId: created.fileId, name: item.name, folder: item.folder, size: item.size, contentType: item.contentType,
        partSize: created.partSize, partCount: created.partCount, savedAt: new Date().toISOString(),
      }).catch(() => undefined);
    } else {
      const status = await endpoints.uploadStatus(item.uploadId);
      if (status.status === 'completed') {
        dispatch(key, { type: 'held', parts: [], at: performance.now() });
        dispatch(key, { type: 'done' });
        await forgetUpload(endpoints.target, key).catch(() => undefined);
        void announce(endpoints, itemOf(key)?.fileId);
        return;
      }
      checksumAlgorithm = status.checksumAlgorithm;
      hashFile = status.sha256 === undefined;
      // Only parts of exactly their planned length count: the others are sent again.
      held = usableHeldParts(item.size, { partSize: item.partSize as number, partCount: item.partCount as number }, status.parts ?? []);
    }
    dispatch(key, { type: 'held', parts: held, at: performance.now() });
    item = itemOf(key) as UploadItem;
    const uploadId = item.uploadId as string;
    const progress = throttled((bytesInFlight: number) => dispatch(key, { type: 'progress', bytesInFlight }));
    const { parts, sha256 } = await sendParts({
      file,
      size: item.size,
      plan: { partSize: item.partSize as number, partCount: item.partCount as number },
      uploadId,
      held,
      ...(checksumAlgorithm !== undefined ? { checksumAlgorithm } : {}),
      hashFile,
      ...(early !== undefined ? { hashing: early } : {}),
      endpoints,
      signal,
      onProgress: progress,
      onPartDone: (partNumber, size) => dispatch(key, { type: 'part-done', partNumber, size }),
    });
    progress.flush();
    if (signal.aborted) return;
    dispatch(key, { type: 'completing' });
    await endpoints.completeUpload(uploadId, { parts, ...(sha256 !== undefined ? { sha256 } : {}) });
    hashedFirst.delete(key);
    await forgetUpload(endpoints.target, key).catch(() => undefined);
    dispatch(key, { type: 'done' });
    void announce(endpoints, itemOf(key)?.fileId);
  } catch (error) {
    if (!signal.aborted) dispatch(key, { type: 'fail', message: error instanceof Error ? error.message : String(error) });
  } finally {
    early?.stop();
    controllers.delete(key);
    pump();
  }
}
