/**
 * Who may do what, in one place: the three roles and their permissions, and the folder
 * prefixes a user may be limited to. Handlers ask `requirePermission` and
 * `assertFolderAllowed`; nothing else decides access. The folder-limit rule itself lives in
 * contract/folder-limits.ts, so the web app shows write controls only where it holds.
 */
import { folderVisibility, isFolderAllowed, isWithin } from '../../contract/folder-limits';
import { Forbidden, ValidationError } from './errors';
import { normalizeFolder, ROOT_FOLDER } from './paths';

export { folderVisibility, isFolderAllowed, isWithin };

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** `read`: list, view, download. `write`: upload, change, delete files and folders. `manage-users`: the users API. */
type Permission = 'read' | 'write' | 'manage-users';

const PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['read', 'write', 'manage-users'],
  editor: ['read', 'write'],
  viewer: ['read'],
};

export const hasPermission = (role: Role, permission: Permission): boolean => PERMISSIONS[role].includes(permission);

/** Viewers only read; editors and admins may upload, change and delete. */
export const canUpload = (role: Role): boolean => hasPermission(role, 'write');
export const canManageUsers = (role: Role): boolean => hasPermission(role, 'manage-users');

/** The caller as the handlers see it (the authorizer's context, see handlers/http/principal.ts). */
export interface Caller {
  readonly username: string;
  /** The user's id (handlers/core/user-ids.ts); absent: the legacy id of `username`. */
  readonly userId?: string;
  readonly role: Role;
  /** Folder prefixes the caller is limited to; `undefined`: every folder. */
  readonly folders?: readonly string[];
}

class PermissionDenied extends Forbidden {
  override readonly code = 'Forbidden';
}

/** A folder outside the caller's folder limits. */
export class FolderForbidden extends Forbidden {
  override readonly code = 'FolderForbidden';
}

export function requirePermission(caller: Pick<Caller, 'role'>, permission: Permission, action: string): void {
  if (!hasPermission(caller.role, permission)) throw new PermissionDenied(`Role "${caller.role}" may not ${action}`);
}

/** Most folder limits one user may carry (they travel in every token). */
const MAX_FOLDER_LIMITS = 20;

/**
 * Validates a user's folder limits: `undefined`/`null` means every folder; otherwise a
 * non-empty array of folder paths, normalized (NFC, leading `/`), without duplicates and
 * without folders already covered by another entry. A list containing `/` means every
 * folder. An empty array is refused rather than guessed at (no folder? every folder?).
 */
export function parseFolderLimits(input: unknown, field = 'folders'): readonly string[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input)) throw new ValidationError(field, 'must be an array of folder paths, or null for every folder');
  if (input.length === 0) throw new ValidationError(field, 'must not be empty: omit it (or send null) for access to every folder');
  if (input.length > MAX_FOLDER_LIMITS) throw new ValidationError(field, `must hold at most ${MAX_FOLDER_LIMITS} folders`);
  const folders = input.map((value: unknown, i) => normalizeFolder(value, `${field}[${i}]`, 'stored'));
  if (folders.includes(ROOT_FOLDER)) return undefined;
  const unique = [...new Set(folders)].sort();
  return unique.filter((folder) => !unique.some((other) => other !== folder && isWithin(folder, other)));
}

/** Throws `FolderForbidden` (403) when `folder` is outside the caller's folder limits. */
export function assertFolderAllowed(caller: Caller, folder: string, action = 'use'): void {
  if (!isFolderAllowed(caller, folder)) throw new FolderForbidden(`You may not ${action} folder ${folder}`);
}

/** Whether a subfolder listing of an ancestor folder may show `child` (inside a limit, or on the way to one). */
export function isFolderVisible(caller: Caller, child: string): boolean {
  return folderVisibility(caller, child) !== 'none';
}
