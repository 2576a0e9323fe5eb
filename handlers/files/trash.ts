/**
 * The trash's use cases (docs/api.md "Trash"), shared by the files function (one file) and the
 * move function's bulk jobs (handlers/move/run-trash-job.ts):
 *
 * - `moveToTrash`: copy the object to `trash/<entry id>`, verify it, record the entry (the row
 *   as it was), then delete the original and write the preview tombstone (the sync function's
 *   tombstone follows; the timeline counters move with the row). A failure before the delete
 *   leaves the file where it was (at worst an unreferenced `trash/` copy the lifecycle expires).
 * - `restoreEntry`: copy the bytes back to the file's place, or beside it under a free name,
 *   with a session holding the row's uploader, tags, description and upload time (as a move
 *   does), so the sync function rebuilds the very row; processing then finds the date taken
 *   again and remakes the derived images and video copies. Then the entry and its copy go.
 * - `purgeEntry`: delete the bytes and the entry for good.
 */
import { randomBytes } from 'node:crypto';
import { fileFromObject, TOMBSTONE_TTL_SECONDS, type CatalogFile, type UploadSession } from '../core/catalog';
import { Conflict, NotFound, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { initialProcessing } from '../core/media';
import { parsePageLimit } from '../core/page-limit';
import { fileIdOf } from '../core/paths';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import { isTrashEntryId, MAX_RESTORE_NAME_TRIES, mayHandleEntry, restorePlace, trashEntryOf, trashEntryView, type TrashEntry } from '../core/trash';
import { PREVIEW_SEQUENCER, type FileCatalog, type RowVersion } from '../adapters/files-repository';
import { SourceObjectMissing, type ObjectStore } from '../adapters/object-store';
import type { TrashStore } from '../adapters/trash-repository';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import type { TrashPage, TrashRestored } from '../../contract/wire';
import { PAGE_LIMITS } from '../../contract/listing';
import { MOVE_ID_METADATA, MOVE_SESSION_TTL_SECONDS } from './move-file';

export interface TrashDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'previewFile' | 'previewTombstone'>;
  readonly objects: Pick<ObjectStore, 'head' | 'copy' | 'delete'>;
  readonly uploads: Pick<UploadSessionStore, 'create'>;
  readonly trash: TrashStore;
  readonly trashRetentionDays: number;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

/** No such entry, or not the caller's: others' entries are not revealed. */
class TrashEntryNotFound extends NotFound {
  override readonly code = 'TrashEntryNotFound';
}

/** Every name tried beside the file's place was taken. */
class NoFreeName extends Conflict {
  override readonly code = 'NoFreeName';
}

/** The copy to the trash did not verify: the original is kept. */
class TrashCopyNotVerified extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrashCopyNotVerified';
  }
}

const clock = (deps: Pick<TrashDeps, 'now'>): Date => (deps.now ?? (() => new Date()))();

/**
 * Moves the file at `folder`/`name` to the trash; `undefined` when there is no such file. A file
 * just uploaded and not catalogued yet goes too, with the row its object implies.
 */
export async function moveToTrash(
  location: { readonly folder: string; readonly name: string; readonly key: string },
  deletedBy: string,
  deps: TrashDeps,
  options: { readonly deletedWithFolder?: string } = {},
): Promise<TrashEntry | undefined> {
  const now = clock(deps);
  const [row, head] = await Promise.all([deps.files.getRow(location.folder, location.name), deps.objects.head(location.key)]);
  if (head === undefined) return undefined;
  const file: CatalogFile | undefined =
    row.file ?? fileFromObject({ key: location.key, head, sequencer: PREVIEW_SEQUENCER, uploadedAt: (head.lastModified ?? now).toISOString() });
  if (file === undefined) return undefined;
  const entry = trashEntryOf({ ...file, size: head.size }, deletedBy, now, deps.trashRetentionDays, options);
  try {
    await deps.objects.copy({ sourceKey: location.key, destinationKey: entry.trashKey, ...(head.etag !== undefined ? { sourceEtag: head.etag } : {}) });
  } catch (error) {
    if (error instanceof SourceObjectMissing) return undefined;
    throw error;
  }
  const copied = await deps.objects.head(entry.trashKey);
  // The copy was conditional on the source's ETag; ETags of copies differ (multipart, SSE-KMS), sizes do not.
  if (copied === undefined || copied.size !== head.size) {
    throw new TrashCopyNotVerified(`copy of ${location.key} to ${entry.trashKey} not found as written; original kept`);
  }
  await deps.trash.put(entry);
  await deps.objects.delete(location.key);
  const tombstone = {
    id: file.id,
    key: location.key,
    folder: location.folder,
    name: location.name,
    deletedAt: now.toISOString(),
    ttl: Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
    status: 'deleted' as const,
  };
  await deps.files.previewTombstone(tombstone, row.version).catch((error: unknown) => deps.logger.warn('delete preview not written', { key: location.key, error }));
  return entry;
}

/** The entry `id` if the caller may handle it; else the 404 of an unknown id. */
export async function entryFor(id: string | undefined, caller: Caller, deps: Pick<TrashDeps, 'trash' | 'now'>): Promise<TrashEntry> {
  const entry = isTrashEntryId(id) ? await deps.trash.get(id) : undefined;
  if (entry === undefined || Date.parse(entry.expiresAt) <= clock(deps).getTime() || !mayHandleEntry(caller, entry)) throw new TrashEntryNotFound('No such file in the trash');
  return entry;
}

/** Brings an entry back to its place, or beside it under a free name. */
export async function restoreEntry(entry: TrashEntry, caller: Caller, deps: TrashDeps): Promise<TrashRestored> {
  requirePermission(caller, 'write', 'restore files');
  assertFolderAllowed(caller, entry.file.folder, 'restore files into');
  const now = clock(deps);
  const bytes = await deps.objects.head(entry.trashKey);
  if (bytes === undefined) {
    // Expired (or purged) under us: the entry names nothing any more.
    await deps.trash.remove(entry.id);
    throw new TrashEntryNotFound('No such file in the trash');
  }
  let place: { folder: string; name: string; key: string } | undefined;
  let version: RowVersion = { exists: false };
  let attempt = 0;
  for (; attempt < MAX_RESTORE_NAME_TRIES && place === undefined; attempt += 1) {
    const candidate = restorePlace(entry, attempt);
    if (candidate === undefined) continue;
    const [row, head] = await Promise.all([deps.files.getRow(candidate.folder, candidate.name), deps.objects.head(candidate.key)]);
    if (row.file === undefined && head === undefined) {
      place = candidate;
      version = row.version;
    }
  }
  if (place === undefined) throw new NoFreeName(`No free name for ${entry.file.name} in ${entry.file.folder}: rename or delete the file there first`);

  const file = entry.file;
  const sessionId = randomBytes(16).toString('base64url');
  const session: UploadSession = {
    uploadId: sessionId,
    owner: file.uploadedBy,
    folder: place.folder,
    name: place.name,
    key: place.key,
    contentType: file.contentType,
    size: bytes.size,
    tags: file.tags,
    ...(file.description !== undefined ? { description: file.description } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + MOVE_SESSION_TTL_SECONDS * 1000).toISOString(),
    ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
    uploadedAt: file.uploadedAt,
    movedFrom: entry.trashKey,
    mode: 'single',
    status: 'completed',
  };
  await deps.uploads.create(session, Math.floor(now.getTime() / 1000) + MOVE_SESSION_TTL_SECONDS);
  await deps.objects.copy({ sourceKey: entry.trashKey, destinationKey: place.key, addMetadata: { [MOVE_ID_METADATA]: sessionId } });
  const copied = await deps.objects.head(place.key);
  if (copied === undefined || copied.size !== bytes.size || copied.metadata[MOVE_ID_METADATA] !== sessionId) {
    throw new TrashCopyNotVerified(`restore of ${entry.trashKey} to ${place.key} not found as written; kept in the trash`);
  }
  // The row as it was, at its new place; derived images and copies are made again by processing.
  const { derived: _derived, derivedBytes: _derivedBytes, video: _video, processingReason: _reason, etag: _etag, ...kept } = file;
  const restored = {
    ...kept,
    id: fileIdOf(place.key),
    key: place.key,
    folder: place.folder,
    name: place.name,
    size: copied.size,
    ...(copied.etag !== undefined ? { etag: copied.etag } : {}),
    uploadId: sessionId,
    processing: initialProcessing(file.contentType),
  };
  await deps.files.previewFile(restored, version).catch((error: unknown) => deps.logger.warn('restore preview not written', { key: place?.key, error }));
  await deps.trash.remove(entry.id);
  await deps.objects.delete(entry.trashKey);
  return { file: { id: restored.id, folder: restored.folder, name: restored.name }, renamed: attempt > 1 };
}

/** Deletes an entry's bytes and the entry, for good. */
export async function purgeEntry(entry: TrashEntry, deps: Pick<TrashDeps, 'objects' | 'trash'>): Promise<void> {
  await deps.objects.delete(entry.trashKey);
  await deps.trash.remove(entry.id);
}

export function parseTrashQuery(params: Readonly<Record<string, string | undefined>> | undefined): { limit: number; afterId?: string } {
  const limit = parsePageLimit(params?.limit, PAGE_LIMITS.trash);
  const cursor = params?.cursor;
  if (cursor !== undefined && !isTrashEntryId(cursor)) throw new ValidationError('cursor', 'is not a cursor returned by GET /trash');
  return { limit, ...(cursor !== undefined ? { afterId: cursor } : {}) };
}

/** `GET /trash`: the entries the caller may handle, newest deletions first. */
export async function listTrash(query: { limit: number; afterId?: string }, caller: Caller, deps: Pick<TrashDeps, 'trash' | 'trashRetentionDays'>): Promise<TrashPage> {
  const page = await deps.trash.list({ ...query, keep: (entry) => mayHandleEntry(caller, entry) });
  return { entries: page.entries.map(trashEntryView), ...(page.lastId !== undefined ? { nextCursor: page.lastId } : {}), retentionDays: deps.trashRetentionDays };
}
