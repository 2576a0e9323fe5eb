/**
 * `DELETE /files/{id}`: moves the file to the trash (handlers/files/trash.ts): its bytes to
 * `trash/<entry id>`, its row to a trash entry, restorable for `trash_retention_days`. The sync
 * function tombstones the row when the removal event arrives; until then a preview tombstone
 * (kept at the row's sequencer, see files-repository.ts) already hides the file from listings,
 * the timeline, shares and ZIPs. 204 on success; 404 when the bucket has no such file.
 */
import { NotFound } from '../core/errors';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import { locateFile } from './file-view';
import { moveToTrash, type TrashDeps } from './trash';

export type DeleteFileDeps = TrashDeps;

export async function deleteFile(id: string | undefined, caller: Caller, deps: DeleteFileDeps): Promise<void> {
  requirePermission(caller, 'write', 'delete files');
  const location = locateFile(id);
  assertFolderAllowed(caller, location.folder, 'delete files in');
  // A file just uploaded may not be catalogued yet: the bucket decides whether it exists.
  if ((await moveToTrash(location, caller.username, deps)) === undefined) throw new NotFound('No such file');
}
