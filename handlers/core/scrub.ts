/**
 * The scrub (issue 22 §3): proves, a share each run, that every stored file still has the bytes
 * it was stored with, so the whole library is read within `scrub_period_days`.
 *
 * - **Order and cursor.** Files are read in the order of a Scan of the sparse `byType` index
 *   (file rows only); the cursor item (contract/table.ts `scrubCursorKey`) keeps the last file
 *   done, so each run goes on where the last stopped, and a pass that ends starts the next.
 * - **Pacing** (`runQuota`): a run reads enough files that the pass stays on schedule: by the
 *   end of this run, `N × (time into the pass + one run) / period` files, where `N` is the size
 *   of the last full pass (or of this one, if larger); at least one. A pass that fell behind (a
 *   failed run, a burst of uploads) catches up at the next run. The first pass knows no `N`: it
 *   reads as much as each run's time allows, so a new library is verified soon.
 * - **Check.** The object is read whole, streamed through SHA-256 (constant memory), and
 *   compared with the row's `sha256` (declared by the client, verified by S3 at upload). A row
 *   without one (uploaded before checksums, or by a client that declared none) gets the
 *   SHA-256 of this first read (`sha256Source` = `scrub`): that read proves nothing, every later
 *   one does (trust on first read; S3's own CRC64NVME of such objects is not what the catalog
 *   keeps). An object whose ETag is no longer the row's was replaced meanwhile: skipped, the
 *   sync is updating its row. A missing object is skipped too (its delete event is on the way),
 *   and so is one in an Intelligent-Tiering archive tier (a GET needs a restore first).
 * - **Mismatch.** The row gets `corruptAt` and the SHA-256 found (conditional on the same ETag,
 *   and only once), and one `file.corrupt` message goes to the ops topic. The object is never
 *   replaced or deleted: a person decides (restore a version or a backup, docs/media.md).
 */
import type { Logger } from './logger';

/** What the scrub reads of a file row (contract/table.ts `SCRUB_ATTRIBUTES`). */
export interface ScrubFile {
  readonly pk: string;
  readonly sk: string;
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
  readonly sha256?: string;
  readonly corruptAt?: string;
}

/** Where the scrub's pass stands (the cursor item). */
export interface ScrubCursor {
  /** The Scan's exclusive start key (the last file done); absent at the start of a pass. */
  readonly startKey?: Readonly<Record<string, unknown>>;
  /** ISO 8601. */
  readonly passStartedAt: string;
  /** Files visited in this pass so far. */
  readonly doneInPass: number;
  /** Files of the last full pass; absent before the first one ended. */
  readonly lastPassFiles?: number;
}

/** The object read whole: its SHA-256 (base64), length and ETag. */
export interface ObjectDigest {
  readonly sha256: string;
  readonly bytes: number;
  readonly etag?: string;
}

export interface FileCorruptAlert {
  readonly type: 'file.corrupt';
  readonly fileId: string;
  readonly key: string;
  readonly size: number;
  /** Base64 SHA-256 the catalog holds. */
  readonly expectedSha256: string;
  /** Base64 SHA-256 of the bytes read. */
  readonly foundSha256: string;
  readonly bytesRead: number;
  /** ISO 8601. */
  readonly detectedAt: string;
}

export interface ScrubCatalogStore {
  cursor(): Promise<ScrubCursor | undefined>;
  saveCursor(cursor: ScrubCursor): Promise<void>;
  /** A page of file rows in Scan order after `startKey`; `next` absent on the last page. */
  page(startKey: Readonly<Record<string, unknown>> | undefined, limit: number): Promise<{ files: readonly ScrubFile[]; next?: Readonly<Record<string, unknown>> }>;
  /** The start key that resumes the Scan right after this file. */
  keyAfter(file: ScrubFile): Readonly<Record<string, unknown>>;
  markVerified(file: ScrubFile, at: string): Promise<void>;
  recordSha256(file: ScrubFile, sha256: string, at: string): Promise<void>;
  /** True when this call marked it (false: already marked, or the row changed). */
  markCorrupt(file: ScrubFile, foundSha256: string, at: string): Promise<boolean>;
}

export interface ScrubDeps {
  readonly catalog: ScrubCatalogStore;
  /** Reads the object whole; undefined when it is gone or cannot be read without a restore (archive tiers). */
  readonly digest: (key: string) => Promise<ObjectDigest | undefined>;
  readonly alert: (message: FileCorruptAlert) => Promise<void>;
  readonly fileIdOf: (key: string) => string;
  readonly periodDays: number;
  readonly runsPerDay: number;
  readonly logger: Logger;
  /** Milliseconds this run may still use (Lambda's remaining time less a margin). */
  readonly timeLeftMs: () => number;
  /** @default the clock */
  readonly now?: () => Date;
  /** Rows per Scan page. @default 100 */
  readonly pageSize?: number;
}

export interface ScrubOutcome {
  readonly verified: number;
  readonly recorded: number;
  readonly corrupt: number;
  readonly skipped: number;
  readonly quota: number;
  /** A pass ended in this run (named so the logger does not take it for a password). */
  readonly roundEnded: boolean;
}

const DAY_MS = 86_400_000;
/** Files between two saves of the cursor (a put each: 1/50 of a write unit per file). */
const SAVE_EVERY = 50;

/** How many files this run should visit (see the module comment); `Infinity` in the first pass. */
export function runQuota(cursor: ScrubCursor, now: Date, periodDays: number, runsPerDay: number): number {
  if (cursor.lastPassFiles === undefined) return Number.POSITIVE_INFINITY;
  const files = Math.max(cursor.lastPassFiles, cursor.doneInPass);
  const periodMs = periodDays * DAY_MS;
  const intoPass = Math.max(0, now.getTime() - Date.parse(cursor.passStartedAt));
  const target = Math.ceil((files * Math.min(periodMs, intoPass + DAY_MS / runsPerDay)) / periodMs);
  return Math.max(1, target - cursor.doneInPass);
}

type Verdict = 'verified' | 'recorded' | 'corrupt' | 'skipped';

export async function scrubFiles(deps: ScrubDeps): Promise<ScrubOutcome> {
  const clock = deps.now ?? (() => new Date());
  const start = clock();
  let cursor: ScrubCursor = (await deps.catalog.cursor()) ?? { passStartedAt: start.toISOString(), doneInPass: 0 };
  const quota = runQuota(cursor, start, deps.periodDays, deps.runsPerDay);
  const counts: Record<Verdict, number> = { verified: 0, recorded: 0, corrupt: 0, skipped: 0 };
  let visited = 0;
  let roundEnded = false;

  outer: while (visited < quota && deps.timeLeftMs() > 0) {
    const page = await deps.catalog.page(cursor.startKey, Math.min(deps.pageSize ?? 100, Number.isFinite(quota) ? quota - visited : Number.MAX_SAFE_INTEGER));
    for (const file of page.files) {
      if (visited >= quota || deps.timeLeftMs() <= 0) break outer;
      counts[await check(file, deps, clock)] += 1;
      visited += 1;
      cursor = { ...cursor, startKey: deps.catalog.keyAfter(file), doneInPass: cursor.doneInPass + 1 };
      // Every so often, and when the run ends: a run killed in between reads a few files again.
      if (visited % SAVE_EVERY === 0) await deps.catalog.saveCursor(cursor);
    }
    if (page.next !== undefined) {
      // A page can end on a row the scan read but did not return (a filtered-out item): go on from its key.
      cursor = { ...cursor, startKey: page.next };
      continue;
    }
    // The last page: the pass is over, the next starts now.
    deps.logger.info('scrub pass ended', { files: cursor.doneInPass, startedAt: cursor.passStartedAt });
    cursor = { passStartedAt: clock().toISOString(), doneInPass: 0, lastPassFiles: cursor.doneInPass };
    await deps.catalog.saveCursor(cursor);
    roundEnded = true;
    // An empty library, or a pass that ended within this run: stop; the next run begins the next pass.
    break;
  }
  if (!roundEnded && visited % SAVE_EVERY !== 0) await deps.catalog.saveCursor(cursor);
  const outcome = { ...counts, quota: Number.isFinite(quota) ? quota : -1, roundEnded };
  deps.logger.info('scrub run done', outcome);
  return outcome;
}

async function check(file: ScrubFile, deps: ScrubDeps, clock: () => Date): Promise<Verdict> {
  const digest = await deps.digest(file.key);
  if (digest === undefined) return 'skipped';
  // Replaced since the row was read: the sync writes the new version's row.
  if (file.etag !== undefined && digest.etag !== undefined && digest.etag !== file.etag) return 'skipped';
  const at = clock().toISOString();
  if (file.sha256 === undefined) {
    await deps.catalog.recordSha256(file, digest.sha256, at);
    return 'recorded';
  }
  if (digest.sha256 === file.sha256 && digest.bytes === file.size) {
    await deps.catalog.markVerified(file, at);
    return 'verified';
  }
  if (await deps.catalog.markCorrupt(file, digest.sha256, at)) {
    deps.logger.error('file corrupt: its bytes no longer match their SHA-256', { key: file.key, size: file.size, bytesRead: digest.bytes });
    try {
      await deps.alert({
        type: 'file.corrupt',
        fileId: deps.fileIdOf(file.key),
        key: file.key,
        size: file.size,
        expectedSha256: file.sha256,
        foundSha256: digest.sha256,
        bytesRead: digest.bytes,
        detectedAt: at,
      });
    } catch (error) {
      // The mark stays (the file API shows it) and the error alarm of this function fires.
      deps.logger.error('file.corrupt alert failed', { key: file.key, error });
      throw error;
    }
  }
  return 'corrupt';
}
