/**
 * Moving an object to a new key, in two halves shared by the API and the move function:
 *
 * - `prepareMove` (in the request): checks the source and the name clash, and writes the
 *   session of the new key (as an upload would) holding the file's uploader, tags,
 *   description and upload time; the copy carries its id in `x-amz-meta-move-id`, so the
 *   sync function builds the new row from it exactly as for an upload.
 * - `performMove` (in the request for small files, in the move function for large ones):
 *   copy, verify, delete the original, write previews. The original is deleted only once the
 *   copy is verified: a failure at any step leaves it in place (a failed delete leaves both,
 *   never neither). Run again with `resume`, it recognises its own copy (same move id, same
 *   size) and carries on from there, so a retried or duplicated job does no harm.
 */
import { randomBytes } from 'node:crypto';
import { TOMBSTONE_TTL_SECONDS, type CatalogFile, type ObjectHead, type UploadSession } from '../core/catalog';
import { Conflict, NotFound } from '../core/errors';
import { fileIdOf } from '../core/paths';
import type { Logger } from '../core/logger';
import type { FileCatalog, RowVersion } from '../adapters/files-repository';
import { SourceObjectMissing, type ObjectStore } from '../adapters/object-store';
import type { UploadSessionStore } from '../adapters/uploads-repository';

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
 * Copy, verify, delete, preview; the moved file as catalogued. With `resume` (a job's run)
 * the destination is checked again and a copy this move already made is reused.
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

  if (copied === undefined) {
    // 1. Copy. If it fails, nothing changed but an unused session that expires.
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
    // 2. Verify: the new key holds this copy (not a concurrent upload): its move id, every byte, the ETag the copy produced.
    copied = await deps.objects.head(destination.key);
    if (!isCopyOf(copied, move) || (result.etag !== undefined && copied?.etag !== undefined && copied.etag !== result.etag)) {
      throw new MoveNotVerified(`copy of ${file.key} to ${destination.key} not found as written; original kept`);
    }
  }

  // 3. Delete the original. If this fails, both copies exist and both are catalogued.
  await deps.objects.delete(file.key);

  const { description: _previous, etag: _etag, ...kept } = file;
  const moved: CatalogFile = {
    ...kept,
    id: fileIdOf(destination.key),
    key: destination.key,
    folder: destination.folder,
    name: destination.name,
    size: (copied as ObjectHead).size,
    tags: move.tags,
    ...(move.description !== undefined ? { description: move.description } : {}),
    ...((copied as ObjectHead).etag !== undefined ? { etag: (copied as ObjectHead).etag } : {}),
    uploadId: move.sessionId,
  };
  await writePreviews(deps, { file, version: sourceRow.version }, { file: moved, version: destinationRow.version }, now);
  return moved;
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
