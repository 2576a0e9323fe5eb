/**
 * Storage figures (`GET /stats/storage`), as pure rules: which rows count, how a row is
 * tallied, how partial tallies (one per scan segment) merge, and the answer's order.
 *
 * A row counts once, for its current size, type, content type and uploader, when it is an
 * available file; tombstones and anything that is not a file row count nothing. So the
 * figures are a function of the catalog as it is, never of the events that made it: an
 * overwrite, a move (which keeps the uploader), a delete or a duplicate delivery changes
 * them exactly as it changes the rows `GET /files` lists.
 *
 * What else the bucket holds for a file is counted apart (`stored`): its derived images (the
 * bytes processing recorded on the row) and a video's playable copy once ready (the bytes the
 * transcoding recorded), and the trash (each entry's file size).
 */
import { UNKNOWN_UPLOADER } from './catalog';
import type { StorageFigures, StorageStats, StoredFigures } from '../../contract/wire';
import { FILE_TYPES, type FileType } from './content-types';

export type { StorageFigures, StorageStats, StoredFigures };

/** The fields of a catalog row the figures read (the scan projects only these). */
export interface TalliedRow {
  readonly size?: unknown;
  readonly fileType?: unknown;
  readonly contentType?: unknown;
  readonly uploadedBy?: unknown;
  readonly status?: unknown;
  /** The derived images' bytes. */
  readonly derivedBytes?: unknown;
  /** A video's `video` attribute: its copy's state and bytes are read. */
  readonly video?: unknown;
}

/** Running figures; mutable so a scan adds a page at a time without copying. */
export interface StorageTally {
  files: number;
  bytes: number;
  readonly byType: Map<FileType, { files: number; bytes: number }>;
  readonly byContentType: Map<string, { files: number; bytes: number }>;
  readonly byUser: Map<string, { files: number; bytes: number }>;
  /** Originals with derived images, and those images' bytes. */
  readonly derivedImages: { files: number; bytes: number };
  /** Videos with a ready copy, and the copies' bytes. */
  readonly videoCopies: { files: number; bytes: number };
  /** Trash entries and their files' bytes. */
  readonly trash: { files: number; bytes: number };
}


/** Content types listed one by one; the rest are summed under `OTHER_CONTENT_TYPES`. */
export const MAX_CONTENT_TYPES = 50;
export const OTHER_CONTENT_TYPES = 'other types';

export const emptyTally = (): StorageTally => ({
  files: 0,
  bytes: 0,
  byType: new Map(),
  byContentType: new Map(),
  byUser: new Map(),
  derivedImages: { files: 0, bytes: 0 },
  videoCopies: { files: 0, bytes: 0 },
  trash: { files: 0, bytes: 0 },
});

const isByteCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Whether a row is an available file the figures count. */
function countsAsFile(row: TalliedRow): boolean {
  return row.status === 'available' && isByteCount(row.size);
}

/** The bytes of a video's copy when it is ready and they were recorded. */
function readyCopyBytes(video: unknown): number | undefined {
  if (typeof video !== 'object' || video === null) return undefined;
  const copy = (video as { copy?: unknown }).copy;
  if (typeof copy !== 'object' || copy === null) return undefined;
  const { state, bytes } = copy as { state?: unknown; bytes?: unknown };
  return state === 'ready' && isByteCount(bytes) ? bytes : undefined;
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
  if (isByteCount(row.derivedBytes) && row.derivedBytes > 0) addTo(tally.derivedImages, 1, row.derivedBytes);
  const copyBytes = readyCopyBytes(row.video);
  if (copyBytes !== undefined) addTo(tally.videoCopies, 1, copyBytes);
}

/** Adds one trash entry (its file's size as deleted); an entry without a readable size counts as an entry of 0 bytes. */
export function tallyTrashEntry(tally: StorageTally, fileSize: unknown): void {
  addTo(tally.trash, 1, isByteCount(fileSize) ? fileSize : 0);
}

function addTo(figures: { files: number; bytes: number }, files: number, bytes: number): void {
  figures.files += files;
  figures.bytes += bytes;
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
    addTo(merged.derivedImages, tally.derivedImages.files, tally.derivedImages.bytes);
    addTo(merged.videoCopies, tally.videoCopies.files, tally.videoCopies.bytes);
    addTo(merged.trash, tally.trash.files, tally.trash.bytes);
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
  const total = { files: tally.files, bytes: tally.bytes };
  const { derivedImages, videoCopies, trash } = tally;
  const stored: StoredFigures = {
    originals: total,
    derivedImages: { ...derivedImages },
    videoCopies: { ...videoCopies },
    trash: { ...trash },
    total: { files: total.files + trash.files, bytes: total.bytes + derivedImages.bytes + videoCopies.bytes + trash.bytes },
  };
  return { computedAt: computedAt.toISOString(), total, stored, byType, byContentType, byUser };
}
