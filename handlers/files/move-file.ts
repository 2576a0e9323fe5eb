/**
 * Moving an object to a new key, in two halves shared by the API and the move function:
 *
 * - `prepareMove` (in the request): checks the source and the name clash, and writes the
 *   session of the new key (as an upload would) holding the file's uploader, tags,
 *   description and upload time; the copy carries its id in `x-amz-meta-move-id`, so the
 *   sync function builds the new row from it exactly as for an upload.
 * - `performMove` (in the request for small files, in the move function for large ones):
 *   carry the derived objects, copy, verify, delete the original, write previews. The original
 *   is deleted only once the copy is verified: a failure at any step leaves it in place (a
 *   failed delete leaves both, never neither). Run again with `resume`, it recognises its own
 *   copy (same move id, same size) and carries on from there, so a retried or duplicated job
 *   does no harm.
 *
 * Derived objects (thumbnail, preview, poster, a video's playable copy) move with the file
 * (core/carried-media.ts): copied server-side to the new key's derived prefix *before* the
 * original, and named in the move's session, so the new key's first event already finds them
 * and its row is written `ready` without processing the file again. The old key's are deleted
 * by the process function when the original's removal arrives, as for any deleted file.
 */
import { randomBytes } from 'node:crypto';
import { TOMBSTONE_TTL_SECONDS, type CatalogFile, type ObjectHead, type UploadSession } from '../core/catalog';
import { carriedFields, carryPlan, derivedKeysOf, type CarriedProcessing } from '../core/carried-media';
import { derivedPrefixOf, initialProcessing } from '../core/media';
import { Conflict, NotFound } from '../core/errors';
import { fileIdOf } from '../core/paths';
import type { Logger } from '../core/logger';
import type { FileCatalog, RowVersion } from '../adapters/files-repository';
import { SourceObjectMissing, type MediaObjects, type ObjectStore } from '../adapters/object-store';
import type { MoveSessionStore, UploadSessionStore } from '../adapters/uploads-repository';

/** Metadata naming the session that describes a moved object (read by handlers/sync). */
export const MOVE_ID_METADATA = 'move-id';
/** How long the move's session stays for the sync function to read. */
export const MOVE_SESSION_TTL_SECONDS = 7 * 24 * 3600;

interface MoveDestination {
  readonly folder: string;
  readonly name: string;
  readonly key: string;
}

/** A move as decided in the request: enough to perform it now or later, identically. */
export interface PreparedMove {
  readonly file: CatalogFile;
  readonly destination: MoveDestination;
  readonly sessionId: string;
  readonly size: number;
  readonly sourceEtag?: string;
  readonly overwrite: boolean;
  readonly tags: readonly string[];
  readonly description?: string;
}

export interface MoveDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'previewFile' | 'previewTombstone'>;
  readonly objects: Pick<ObjectStore, 'head' | 'copy' | 'delete'>;
  /** Copies the derived objects (CopyObject; part by part above 5 GiB) and tidies the new key's derived prefix. */
  readonly derivedObjects: Pick<ObjectStore, 'copy'> & Pick<MediaObjects, 'list' | 'deleteMany'>;
  /** The move's session: what it carries is recorded there for the sync function. */
  readonly uploads: Pick<UploadSessionStore, 'get'> & MoveSessionStore;
  readonly logger: Logger;
}

export interface PrepareMoveDeps extends Pick<MoveDeps, 'objects'> {
  readonly files: Pick<FileCatalog, 'getRow'>;
  readonly uploads: Pick<UploadSessionStore, 'create'>;
  /** @default 128 random bits, base64url */
  readonly newSessionId?: () => string;
}

/** The move copied the object but the copy is not what was asked for: the original is kept. */
export class MoveNotVerified extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveNotVerified';
  }
}

export async function prepareMove(
  file: CatalogFile,
  destination: MoveDestination,
  request: { readonly overwrite: boolean; readonly tags?: readonly string[]; readonly description?: string | null },
  deps: PrepareMoveDeps,
  now: Date,
): Promise<PreparedMove> {
  const sourceHead = await deps.objects.head(file.key);
  if (sourceHead === undefined) throw new NotFound('No such file');
  if (!request.overwrite) await assertNoClash(destination, deps);
  const tags = request.tags ?? file.tags;
  const description = request.description === undefined ? file.description : (request.description ?? undefined);
  const sessionId = (deps.newSessionId ?? (() => randomBytes(16).toString('base64url')))();
  const session: UploadSession = {
    uploadId: sessionId,
    owner: file.uploadedBy,
    folder: destination.folder,
    name: destination.name,
    key: destination.key,
    contentType: file.contentType,
    size: sourceHead.size,
    tags,
    ...(description !== undefined ? { description } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + MOVE_SESSION_TTL_SECONDS * 1000).toISOString(),
    ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
    uploadedAt: file.uploadedAt,
    movedFrom: file.key,
    // Nothing to upload: the uploads API must never offer to complete or resume it.
    mode: 'single',
    status: 'completed',
  };
  await deps.uploads.create(session, Math.floor(now.getTime() / 1000) + MOVE_SESSION_TTL_SECONDS);
  return {
    file,
    destination,
    sessionId,
    size: sourceHead.size,
    ...(sourceHead.etag !== undefined ? { sourceEtag: sourceHead.etag } : {}),
    overwrite: request.overwrite,
    tags,
    ...(description !== undefined ? { description } : {}),
  };
}

async function assertNoClash(destination: MoveDestination, deps: Pick<PrepareMoveDeps, 'files' | 'objects'>, ownSessionId?: string): Promise<void> {
  const row = await deps.files.getRow(destination.folder, destination.name);
  const head = await deps.objects.head(destination.key);
  const isOwnCopy = ownSessionId !== undefined && head?.metadata[MOVE_ID_METADATA] === ownSessionId;
  if (!isOwnCopy && (row.file !== undefined || head !== undefined)) {
    throw new Conflict(`A file named "${destination.name}" already exists in ${destination.folder}; send "overwrite": true to replace it`);
  }
}

/**
 * Carry, copy, verify, delete, preview; the moved file as catalogued. With `resume` (a job's
 * run) the destination is checked again and a copy this move already made is reused.
 */
export async function performMove(move: PreparedMove, deps: MoveDeps, now: Date, options: { resume?: boolean } = {}): Promise<CatalogFile> {
  const { file, destination } = move;
  const [sourceRow, destinationRow] = await Promise.all([deps.files.getRow(file.folder, file.name), deps.files.getRow(destination.folder, destination.name)]);
  let copied: ObjectHead | undefined;
  if (options.resume === true) {
    if (!move.overwrite) await assertNoClash(destination, deps, move.sessionId);
    const existing = await deps.objects.head(destination.key);
    if (isCopyOf(existing, move)) copied = existing;
  }

  let carried: CarriedProcessing | undefined;
  if (copied === undefined) {
    // 0. The derived objects, before the original: its first event must find them in the session.
    carried = await carryDerived(move, sourceRow.file, destinationRow.file, deps);
    try {
      copied = await copyOriginal(move, deps);
    } catch (error) {
      if (carried !== undefined) await dropCarried(move, carried, destinationRow.file, deps);
      throw error;
    }
  } else {
    // An earlier run copied the original: its session says what that run carried.
    carried = (await deps.uploads.get(move.sessionId))?.carried;
  }
  // The new key's derived prefix holds only what was carried (a file replaced there leaves nothing behind).
  if (carried !== undefined) await tidyDerived(destination.key, carried, deps);

  // 3. Delete the original. If this fails, both copies exist and both are catalogued.
  await deps.objects.delete(file.key);

  const { description: _previous, etag: _etag, processingReason: _reason, derived: _derived, derivedBytes: _bytes, video: _video, ...kept } = file;
  const moved: CatalogFile = {
    ...kept,
    id: fileIdOf(destination.key),
    key: destination.key,
    folder: destination.folder,
    name: destination.name,
    size: copied.size,
    tags: move.tags,
    ...(move.description !== undefined ? { description: move.description } : {}),
    ...(copied.etag !== undefined ? { etag: copied.etag } : {}),
    uploadId: move.sessionId,
    // What the sync function writes from the session: carried results, else processing to come.
    ...(carried !== undefined ? carriedFields(carried) : { processing: initialProcessing(file.contentType) }),
  };
  await writePreviews(deps, { file, version: sourceRow.version }, { file: moved, version: destinationRow.version }, now);
  return moved;
}

/** 1. Copy, 2. verify: the new key holds this copy (not a concurrent upload): its move id, every byte, the ETag the copy produced. */
async function copyOriginal(move: PreparedMove, deps: MoveDeps): Promise<ObjectHead> {
  const { file, destination } = move;
  // If the copy fails, nothing changed but an unused session that expires.
  let result: { etag?: string };
  try {
    result = await deps.objects.copy({
      sourceKey: file.key,
      destinationKey: destination.key,
      addMetadata: { [MOVE_ID_METADATA]: move.sessionId },
      ...(move.sourceEtag !== undefined ? { sourceEtag: move.sourceEtag } : {}),
    });
  } catch (error) {
    if (error instanceof SourceObjectMissing) throw new Conflict('The file changed or was deleted while it was being moved; nothing was moved', { cause: error });
    throw error;
  }
  const copied = await deps.objects.head(destination.key);
  if (!isCopyOf(copied, move) || (result.etag !== undefined && copied.etag !== undefined && copied.etag !== result.etag)) {
    throw new MoveNotVerified(`copy of ${file.key} to ${destination.key} not found as written; original kept`);
  }
  return copied;
}

/**
 * Copies the derived objects of the version being moved to the new key's prefix and records
 * them in the move's session; `undefined` (and the session says so) when there is nothing
 * whole to carry, or a derived object vanished meanwhile (a reprocess replacing it): the new
 * key is then processed as an upload would be.
 */
async function carryDerived(move: PreparedMove, source: CatalogFile | undefined, destination: CatalogFile | undefined, deps: MoveDeps): Promise<CarriedProcessing | undefined> {
  const plan = source !== undefined && source.key === move.file.key ? carryPlan(source, move.sourceEtag, move.destination.key) : undefined;
  if (plan !== undefined) {
    try {
      await Promise.all(plan.copies.map((copy) => deps.derivedObjects.copy({ sourceKey: copy.from, destinationKey: copy.to })));
      await deps.uploads.carry(move.sessionId, plan.carried);
      return plan.carried;
    } catch (error) {
      await dropCarried(move, plan.carried, destination, deps);
      if (!(error instanceof SourceObjectMissing)) throw error;
      deps.logger.info('derived objects changed while moving: the new key is processed again', { key: move.destination.key });
      return undefined;
    }
  }
  // A run before this one may have carried what is no longer whole.
  await deps.uploads.carry(move.sessionId, undefined);
  return undefined;
}

/** Undoes carryDerived: its copies (but what the destination's own row still shows) and the session's record. */
async function dropCarried(move: PreparedMove, carried: CarriedProcessing, destination: CatalogFile | undefined, deps: MoveDeps): Promise<void> {
  const shown = new Set(derivedKeysOf(destination));
  await Promise.allSettled([
    deps.derivedObjects.deleteMany(derivedKeysOf(carried).filter((key) => !shown.has(key))),
    deps.uploads.carry(move.sessionId, undefined),
  ]).then((results) => {
    for (const result of results) if (result.status === 'rejected') deps.logger.warn('carried derived objects not dropped', { key: move.destination.key, error: result.reason as unknown });
  });
}

/** Deletes what else lies under the new key's derived prefix: the images and copy of a file the move replaced. */
async function tidyDerived(key: string, carried: CarriedProcessing, deps: MoveDeps): Promise<void> {
  const keep = new Set(derivedKeysOf(carried));
  const others = (await deps.derivedObjects.list(derivedPrefixOf(key))).filter((k) => !keep.has(k));
  await deps.derivedObjects.deleteMany(others);
}

const isCopyOf = (head: ObjectHead | undefined, move: PreparedMove): head is ObjectHead =>
  head !== undefined && head.size === move.size && head.metadata[MOVE_ID_METADATA] === move.sessionId;

/** Shows the move in listings before its events arrive; a preview that fails is only logged. */
async function writePreviews(
  deps: MoveDeps,
  source: { file: CatalogFile; version: RowVersion },
  destination: { file: CatalogFile; version: RowVersion },
  now: Date,
): Promise<void> {
  const before = source.file;
  const { sequencer: _sequencer, ...file } = destination.file;
  const tombstone = {
    id: before.id,
    key: before.key,
    folder: before.folder,
    name: before.name,
    deletedAt: now.toISOString(),
    ttl: Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
    status: 'deleted' as const,
  };
  const results = await Promise.allSettled([deps.files.previewFile(file, destination.version), deps.files.previewTombstone(tombstone, source.version)]);
  for (const result of results) if (result.status === 'rejected') deps.logger.warn('move preview not written', { error: result.reason as unknown });
}
