/**
 * Folders as the catalog keeps them: a folder exists when it has a marker item in its
 * parent's partition (`FOLDER#<parent>` / `DIR#<name>`). Markers are written for every
 * folder of a file's path when the file lands (sync) and by `POST /folders`, so empty
 * folders list too; a deleted folder's marker becomes a tombstone like a file row.
 * Pure path arithmetic; paths are normalized (handlers/core/paths.ts).
 *
 * A marker also carries a generation: a random id set when the folder is created (or created
 * again after a delete) and dropped with the tombstone, so a folder deleted and created anew
 * under the same path is told apart from the one before (its shares stay ended).
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from './errors';
import { KEY_PREFIX, MAX_KEY_BYTES, normalizeFolder, ROOT_FOLDER, type NameUse } from './paths';

export interface FolderRef {
  /** Normalized path, e.g. `/trips/2024`. */
  readonly path: string;
  readonly parent: string;
  readonly name: string;
}

/** What an available folder's marker tells beyond its path. */
export interface FolderMarker {
  /**
   * Set when the folder is created, dropped when it is deleted. Absent on a marker written
   * before generations existed, until a share of that folder stamps one.
   */
  readonly generation?: string;
}

export const newFolderGeneration = (): string => randomBytes(12).toString('base64url');

/** Room a folder must leave in the longest key (`MAX_KEY_BYTES`) for `/` and a short file name. */
const MIN_NAME_ROOM = 2 + 16;

export function folderRef(path: string): FolderRef {
  if (path === ROOT_FOLDER) throw new Error('the root folder has no parent');
  const slash = path.lastIndexOf('/');
  return { path, parent: slash === 0 ? ROOT_FOLDER : path.slice(0, slash), name: path.slice(slash + 1) };
}

/** The folders from the top down to `path`: `/a/b/c` → `/a`, `/a/b`, `/a/b/c`; none for the root. */
export function folderChain(path: string): FolderRef[] {
  if (path === ROOT_FOLDER) return [];
  const segments = path.slice(1).split('/');
  return segments.map((_, i) => folderRef(`/${segments.slice(0, i + 1).join('/')}`));
}

/**
 * The path of a folder to create (`new`) or delete (`stored`): normalized, not the root, with
 * room left for file names.
 */
export function parseFolderPath(input: unknown, field = 'path', use: NameUse = 'new'): string {
  if (input === undefined) throw new ValidationError(field, 'is required');
  const path = normalizeFolder(input, field, use);
  if (path === ROOT_FOLDER) throw new ValidationError(field, 'must not be the root folder, which always exists');
  if (Buffer.byteLength(`${KEY_PREFIX}${path}`, 'utf8') + MIN_NAME_ROOM > MAX_KEY_BYTES) {
    throw new ValidationError(field, 'is too long to hold files: object keys are limited to 1024 bytes');
  }
  return path;
}

/** The path of a child folder named `name` in `parent`. */
export const childPath = (parent: string, name: string): string => (parent === ROOT_FOLDER ? `/${name}` : `${parent}/${name}`);
