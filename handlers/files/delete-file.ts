/**
 * `DELETE /files/{id}`: deletes the object; the sync function tombstones the row when the
 * removal event arrives. Until then a preview tombstone (kept at the row's sequencer, see
 * files-repository.ts) already hides the file from listings. 204 on success; 404 when
 * neither the catalog nor the bucket has the file.
 */
import { TOMBSTONE_TTL_SECONDS } from '../core/catalog';
import { NotFound } from '../core/errors';
import type { Logger } from '../core/logger';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import { locateFile } from './file-view';

export interface DeleteFileDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'previewTombstone'>;
  readonly objects: Pick<ObjectStore, 'head' | 'delete'>;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

export async function deleteFile(id: string | undefined, caller: Caller, deps: DeleteFileDeps): Promise<void> {
  requirePermission(caller, 'write', 'delete files');
  const location = locateFile(id);
  assertFolderAllowed(caller, location.folder, 'delete files in');
  const row = await deps.files.getRow(location.folder, location.name);
  // A file just uploaded may not be catalogued yet: the bucket decides whether it exists.
  if (row.file === undefined && (await deps.objects.head(location.key)) === undefined) throw new NotFound('No such file');
  await deps.objects.delete(location.key);
  if (row.file === undefined) return;
  const now = (deps.now ?? (() => new Date()))();
  const tombstone = {
    id: row.file.id,
    key: location.key,
    folder: location.folder,
    name: location.name,
    deletedAt: now.toISOString(),
    ttl: Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
    status: 'deleted' as const,
  };
  await deps.files.previewTombstone(tombstone, row.version).catch((error: unknown) => deps.logger.warn('delete preview not written', { key: location.key, error }));
}
