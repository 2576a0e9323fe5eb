/**
 * `POST /folders {path}`, `GET /folders?parent=`, `DELETE /folders?path=`.
 *
 * - Create: editors and admins, inside their folder limits; the ancestors are marked too
 *   (creating `/a/b/c` makes `/a` and `/a/b` list). 201 when new, 200 when it existed.
 * - List: the available subfolders of `parent`, sorted; a caller limited to folders sees an
 *   ancestor of its folders (`/`, `/trips` for `/trips/2024`) only as the way there.
 *   404 for a parent that is neither a folder nor the root.
 * - Delete: editors and admins, inside their limits; an empty folder (no available file, no
 *   subfolder) at once, else 409 `FolderNotEmpty` — unless `recursive=true`, which moves it to
 *   the trash with everything in it as a job (folder-routes.ts, trash-jobs.ts); 404 when there
 *   is no such folder.
 *
 * A folder emptied and deleted while an upload into it is still in flight comes back when
 * that file lands (the sync marks the file's folders): the catalog follows the bucket.
 */
import { Conflict, NotFound, ValidationError } from '../core/errors';
import { childPath, folderRef, parseFolderPath, type FolderRef } from '../core/folders';
import { normalizeFolder, ROOT_FOLDER } from '../core/paths';
import { assertFolderAllowed, FolderForbidden, folderVisibility, isFolderVisible, requirePermission, type Caller } from '../core/roles';
import type { FolderCatalog } from '../adapters/folders-repository';

export interface FoldersDeps {
  readonly folders: FolderCatalog;
}

export class FolderNotEmpty extends Conflict {
  override readonly code = 'FolderNotEmpty';
}

type Params = Readonly<Record<string, string | undefined>> | undefined;

export function parseCreateFolderRequest(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"path": "/trips/2024"}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => f !== 'path');
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected path)');
  return parseFolderPath(fields.path);
}

export const parseFolderListQuery = (params: Params): string => normalizeFolder(params?.parent ?? ROOT_FOLDER, 'parent', 'stored');
export const parseFolderDeleteQuery = (params: Params): string => parseFolderPath(params?.path, 'path', 'stored');

export async function createFolder(path: string, caller: Caller, deps: FoldersDeps): Promise<{ folder: FolderRef; created: boolean }> {
  requirePermission(caller, 'write', 'create folders');
  assertFolderAllowed(caller, path, 'create');
  const created = await deps.folders.createChain(path, caller.username);
  return { folder: folderRef(path), created };
}

export async function listFolders(parent: string, caller: Caller, deps: FoldersDeps): Promise<{ parent: string; folders: FolderRef[] }> {
  const visibility = folderVisibility(caller, parent);
  if (visibility === 'none') throw new FolderForbidden(`You may not list folder ${parent}`);
  const [names, exists] = await Promise.all([deps.folders.listChildren(parent), parent === ROOT_FOLDER ? true : deps.folders.exists(parent)]);
  if (!exists && names.length === 0) throw new NotFound(`Folder ${parent} does not exist`);
  const folders = names
    .map((name) => folderRef(childPath(parent, name)))
    .filter((folder) => visibility === 'all' || isFolderVisible(caller, folder.path))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { parent, folders };
}

export async function deleteFolder(path: string, caller: Caller, deps: FoldersDeps): Promise<void> {
  requirePermission(caller, 'write', 'delete folders');
  assertFolderAllowed(caller, path, 'delete');
  if (!(await deps.folders.exists(path))) throw new NotFound(`Folder ${path} does not exist`);
  if (await deps.folders.hasContent(path)) throw new FolderNotEmpty(`Folder ${path} is not empty: delete its files and subfolders first, or send recursive=true to move it to the trash with everything in it`);
  if (!(await deps.folders.remove(path))) throw new NotFound(`Folder ${path} does not exist`);
}
