/**
 * Storage figures (`GET /stats/storage`), as pure rules: which rows count, how a row is
 * tallied, how partial tallies (one per scan segment) merge, and the answer's order.
 *
 * A row counts once, for its current size, type, content type and uploader, when it is an
 * available file; tombstones and anything that is not a file row count nothing. So the
 * figures are a function of the catalog as it is, never of the events that made it: an
 * overwrite, a move (which keeps the uploader), a delete or a duplicate delivery changes
 * them exactly as it changes the rows `GET /files` lists.
 */
import { UNKNOWN_UPLOADER } from './catalog';
import type { StorageFigures, StorageStats } from '../../contract/wire';
import { FILE_TYPES, type FileType } from './content-types';

export type { StorageFigures, StorageStats };

/** The fields of a catalog row the figures read (the scan projects only these). */
export interface TalliedRow {
  readonly size?: unknown;
  readonly fileType?: unknown;
  readonly contentType?: unknown;
  readonly uploadedBy?: unknown;
  readonly status?: unknown;
}

/** Running figures; mutable so a scan adds a page at a time without copying. */
export interface StorageTally {
  files: number;
  bytes: number;
  readonly byType: Map<FileType, { files: number; bytes: number }>;
  readonly byContentType: Map<string, { files: number; bytes: number }>;
  readonly byUser: Map<string, { files: number; bytes: number }>;
}


/** Content types listed one by one; the rest are summed under `OTHER_CONTENT_TYPES`. */
export const MAX_CONTENT_TYPES = 50;
export const OTHER_CONTENT_TYPES = 'other types';

export const emptyTally = (): StorageTally => ({ files: 0, bytes: 0, byType: new Map(), byContentType: new Map(), byUser: new Map() });

/** Whether a row is an available file the figures count. */
export function countsAsFile(row: TalliedRow): boolean {
  return row.status === 'available' && typeof row.size === 'number' && Number.isFinite(row.size) && row.size >= 0;
}

/** `image/JPEG; x=y` → `image/jpeg`; anything unreadable → `application/octet-stream` (what the catalog assumes too). */
export function contentTypeFamily(contentType: unknown): string {
  if (typeof contentType !== 'string') return 'application/octet-stream';
  const family = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[^/\s]+\/[^/\s]+$/.test(family) ? family : 'application/octet-stream';
}

function add(map: Map<string, { files: number; bytes: number }>, key: string, files: number, bytes: number): void {
  const figures = map.get(key);
  if (figures === undefined) map.set(key, { files, bytes });
  else {
    figures.files += files;
    figures.bytes += bytes;
  }
}

/** Adds one row to the tally; rows that are not available files are ignored. */
export function tallyRow(tally: StorageTally, row: TalliedRow): void {
  if (!countsAsFile(row)) return;
  const size = row.size as number;
  const fileType: FileType = (FILE_TYPES as readonly unknown[]).includes(row.fileType) ? (row.fileType as FileType) : 'other';
  tally.files += 1;
  tally.bytes += size;
  add(tally.byType as Map<string, { files: number; bytes: number }>, fileType, 1, size);
  add(tally.byContentType, contentTypeFamily(row.contentType), 1, size);
  add(tally.byUser, typeof row.uploadedBy === 'string' && row.uploadedBy !== '' ? row.uploadedBy : UNKNOWN_UPLOADER, 1, size);
}

/** The sum of partial tallies (one per scan segment). */
export function mergeTallies(tallies: readonly StorageTally[]): StorageTally {
  const merged = emptyTally();
  for (const tally of tallies) {
    merged.files += tally.files;
    merged.bytes += tally.bytes;
    for (const [key, f] of tally.byType) add(merged.byType as Map<string, { files: number; bytes: number }>, key, f.files, f.bytes);
    for (const [key, f] of tally.byContentType) add(merged.byContentType, key, f.files, f.bytes);
    for (const [key, f] of tally.byUser) add(merged.byUser, key, f.files, f.bytes);
  }
  return merged;
}

/** Largest first (bytes, then files), then by name, so the order is stable. */
const largestFirst = <T extends StorageFigures>(name: (entry: T) => string) => (a: T, b: T): number =>
  b.bytes - a.bytes || b.files - a.files || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

/** The answer of `GET /stats/storage`: every file type listed, content types capped at `MAX_CONTENT_TYPES`. */
export function storageStatsOf(tally: StorageTally, computedAt: Date): StorageStats {
  const byType = FILE_TYPES.map((fileType) => ({ fileType, files: tally.byType.get(fileType)?.files ?? 0, bytes: tally.byType.get(fileType)?.bytes ?? 0 }))
    // Ties (e.g. empty types) keep the types' own order: image, video, other.
    .sort((a, b) => b.bytes - a.bytes || b.files - a.files);
  const contentTypes = [...tally.byContentType].map(([contentType, f]) => ({ contentType, ...f })).sort(largestFirst((e) => e.contentType));
  const listed = contentTypes.slice(0, MAX_CONTENT_TYPES);
  const rest = contentTypes.slice(MAX_CONTENT_TYPES);
  const byContentType =
    rest.length === 0
      ? listed
      : [...listed, { contentType: OTHER_CONTENT_TYPES, files: rest.reduce((n, e) => n + e.files, 0), bytes: rest.reduce((n, e) => n + e.bytes, 0) }];
  const byUser = [...tally.byUser].map(([uploadedBy, f]) => ({ uploadedBy, ...f })).sort(largestFirst((e) => e.uploadedBy));
  return { computedAt: computedAt.toISOString(), total: { files: tally.files, bytes: tally.bytes }, byType, byContentType, byUser };
}
