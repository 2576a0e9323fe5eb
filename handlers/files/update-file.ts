/**
 * `PATCH /files/{id}` `{name?, folder?, tags?, description?, overwrite?}`.
 *
 * Tags and description change the catalog row only. A new name or folder moves the object:
 * copy to the new key, check the copy, then delete the old key — so a failure at any step
 * leaves the original in place (a failed delete leaves both, never neither). A file already
 * at the new key is a 409 unless `overwrite: true`.
 *
 * How the catalog follows: the copy and the delete reach the sync function as S3 events like
 * any other. Before copying, this writes a session for the new key (as an upload would)
 * holding the file's uploader, tags, description and upload time, and the copy carries its
 * id in `x-amz-meta-move-id` (all other metadata, `upload-id` included, is kept). Sync builds
 * the new row from that session, exactly as for an upload, and tombstones the old row. The
 * rows written here right after the move are previews those events overwrite.
 */
import { randomBytes } from 'node:crypto';
import { TOMBSTONE_TTL_SECONDS, type CatalogFile, type UploadSession } from '../core/catalog';
import { Conflict, NotFound, ValidationError } from '../core/errors';
import { parseDescription, parseTags } from '../core/file-details';
import { fileIdOf, normalizeFileName, normalizeFolder, objectKey } from '../core/paths';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import type { Logger } from '../core/logger';
import type { FileCatalog, RowVersion } from '../adapters/files-repository';
import { SourceObjectMissing, type ObjectStore } from '../adapters/object-store';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { locateFile, toFileView, type FileView } from './file-view';

/** Metadata naming the session that describes a moved object (read by handlers/sync). */
export const MOVE_ID_METADATA = 'move-id';
/** How long the move's session stays for the sync function to read. */
export const MOVE_SESSION_TTL_SECONDS = 7 * 24 * 3600;
const FIELDS = new Set(['name', 'folder', 'tags', 'description', 'overwrite']);

export interface UpdateFileRequest {
  readonly name?: string;
  readonly folder?: string;
  readonly tags?: readonly string[];
  /** `null` (or `""`) removes the description. */
  readonly description?: string | null;
  readonly overwrite: boolean;
}

export function parseUpdateRequest(body: unknown): UpdateFileRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((f) => !FIELDS.has(f));
  if (unknown.length > 0) throw new ValidationError(unknown[0] as string, `is not a known field (expected ${[...FIELDS].join(', ')})`);
  if (fields.overwrite !== undefined && typeof fields.overwrite !== 'boolean') throw new ValidationError('overwrite', 'must be true or false');
  const request: UpdateFileRequest = {
    ...(fields.name !== undefined ? { name: normalizeFileName(fields.name, 'name') } : {}),
    ...(fields.folder !== undefined ? { folder: normalizeFolder(fields.folder) } : {}),
    ...(fields.tags !== undefined ? { tags: parseTags(fields.tags) } : {}),
    ...(fields.description !== undefined ? { description: fields.description === null ? null : (parseDescription(fields.description) ?? null) } : {}),
    overwrite: fields.overwrite === true,
  };
  if (request.name === undefined && request.folder === undefined && request.tags === undefined && request.description === undefined) {
    throw new ValidationError('body', 'names nothing to change (expected name, folder, tags or description)');
  }
  return request;
}

export interface UpdateFileDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'updateDetails' | 'previewFile' | 'previewTombstone'>;
  readonly objects: Pick<ObjectStore, 'head' | 'copy' | 'delete' | 'urlSigner'>;
  readonly uploads: Pick<UploadSessionStore, 'create'>;
  readonly viewUrlTtlSeconds: number;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
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

export async function updateFile(id: string | undefined, request: UpdateFileRequest, caller: Caller, deps: UpdateFileDeps): Promise<FileView> {
  requirePermission(caller, 'write', 'change files');
  const source = locateFile(id);
  assertFolderAllowed(caller, source.folder, 'change files in');
  const now = (deps.now ?? (() => new Date()))();
  const row = await deps.files.getRow(source.folder, source.name);
  if (row.file === undefined) throw new NotFound('No such file');
  const destination = { folder: request.folder ?? source.folder, name: request.name ?? source.name };
  const destinationKey = objectKey(destination, request.name !== undefined ? 'name' : 'folder');
  const signing = async () => ({ sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now });

  if (destinationKey === source.key) {
    const details = { ...(request.tags !== undefined ? { tags: request.tags } : {}), ...(request.description !== undefined ? { description: request.description } : {}) };
    if (Object.keys(details).length > 0 && !(await deps.files.updateDetails(source.folder, source.name, details))) throw new NotFound('No such file');
    const updated = await deps.files.getRow(source.folder, source.name);
    if (updated.file === undefined) throw new NotFound('No such file');
    return toFileView(updated.file, await signing());
  }

  assertFolderAllowed(caller, destination.folder, 'move files to');
  const moved = await moveObject({ file: row.file, version: row.version }, { ...destination, key: destinationKey }, request, deps, now);
  return toFileView(moved, await signing());
}

async function moveObject(
  source: { file: CatalogFile; version: RowVersion },
  destination: { folder: string; name: string; key: string },
  request: UpdateFileRequest,
  deps: UpdateFileDeps,
  now: Date,
): Promise<CatalogFile> {
  const { file } = source;
  const sourceHead = await deps.objects.head(file.key);
  if (sourceHead === undefined) throw new NotFound('No such file');
  const destinationRow = await deps.files.getRow(destination.folder, destination.name);
  if (!request.overwrite && (destinationRow.file !== undefined || (await deps.objects.head(destination.key)) !== undefined)) {
    throw new Conflict(`A file named "${destination.name}" already exists in ${destination.folder}; send "overwrite": true to replace it`);
  }

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

  // 1. Copy. If it fails, nothing changed but an unused session that expires.
  try {
    await deps.objects.copy({
      sourceKey: file.key,
      destinationKey: destination.key,
      addMetadata: { [MOVE_ID_METADATA]: sessionId },
      ...(sourceHead.etag !== undefined ? { sourceEtag: sourceHead.etag } : {}),
    });
  } catch (error) {
    if (error instanceof SourceObjectMissing) throw new Conflict('The file changed or was deleted while it was being moved; nothing was moved', { cause: error });
    throw error;
  }

  // 2. Verify: the new key holds this copy (not a concurrent upload) with every byte.
  const copied = await deps.objects.head(destination.key);
  if (copied === undefined || copied.size !== sourceHead.size || copied.metadata[MOVE_ID_METADATA] !== sessionId) {
    throw new MoveNotVerified(`copy of ${file.key} to ${destination.key} not found as written; original kept`);
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
    size: copied.size,
    tags,
    ...(description !== undefined ? { description } : {}),
    ...(copied.etag !== undefined ? { etag: copied.etag } : {}),
    uploadId: sessionId,
  };
  await writePreviews(deps, source, { file: moved, version: destinationRow.version }, now);
  return moved;
}

/** Shows the move in listings before its events arrive; a preview that fails is only logged. */
async function writePreviews(
  deps: UpdateFileDeps,
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
  const results = await Promise.allSettled([
    deps.files.previewFile(file, destination.version),
    deps.files.previewTombstone(tombstone, source.version),
  ]);
  for (const result of results) if (result.status === 'rejected') deps.logger.warn('move preview not written', { error: result.reason as unknown });
}
