/**
 * Who may do what, in one place: the three roles and their permissions, and the folder
 * prefixes a user may be limited to. Handlers ask `requirePermission` and
 * `assertFolderAllowed`; nothing else decides access.
 *
 * Folder limits: a user with `folders: ["/family", "/trips/2024"]` may read and (role
 * permitting) write `/family`, `/family/…`, `/trips/2024` and `/trips/2024/…` — never
 * `/family2` nor `/trips`. The ancestors of an allowed folder (`/`, `/trips`) are
 * navigable: their subfolder listings show only the way to the allowed folders. A user
 * without limits (`folders` undefined) and every admin reach every folder.
 */
import { Forbidden, ValidationError } from './errors';
import { normalizeFolder, ROOT_FOLDER } from './paths';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** `read`: list, view, download. `write`: upload, change, delete files and folders. `manage-users`: the users API. */
export type Permission = 'read' | 'write' | 'manage-users';

const PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['read', 'write', 'manage-users'],
  editor: ['read', 'write'],
  viewer: ['read'],
};

export const hasPermission = (role: Role, permission: Permission): boolean => PERMISSIONS[role].includes(permission);

/** Viewers only read; editors and admins may upload, change and delete. */
export const canUpload = (role: Role): boolean => hasPermission(role, 'write');
export const canChangeFiles = canUpload;
export const canManageUsers = (role: Role): boolean => hasPermission(role, 'manage-users');

/** The caller as the handlers see it (the authorizer's context, see handlers/http/principal.ts). */
export interface Caller {
  readonly username: string;
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
export const MAX_FOLDER_LIMITS = 20;

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
  const folders = input.map((value: unknown, i) => normalizeFolder(value, `${field}[${i}]`));
  if (folders.includes(ROOT_FOLDER)) return undefined;
  const unique = [...new Set(folders)].sort();
  return unique.filter((folder) => !unique.some((other) => other !== folder && isWithin(folder, other)));
}

/** Whether normalized `folder` is `prefix` or lies below it (`/family2` is not below `/family`). */
export function isWithin(folder: string, prefix: string): boolean {
  if (prefix === ROOT_FOLDER) return true;
  return folder === prefix || folder.startsWith(`${prefix}/`);
}

const limitsOf = (caller: Caller): readonly string[] | undefined => (caller.role === 'admin' ? undefined : caller.folders);

/** Whether the caller may see the files of (normalized) `folder` and change them, role permitting. */
export function isFolderAllowed(caller: Caller, folder: string): boolean {
  const limits = limitsOf(caller);
  if (limits === undefined) return true;
  const normalized = folder.normalize('NFC');
  return limits.some((prefix) => isWithin(normalized, prefix));
}

/** Throws `FolderForbidden` (403) when `folder` is outside the caller's folder limits. */
export function assertFolderAllowed(caller: Caller, folder: string, action = 'use'): void {
  if (!isFolderAllowed(caller, folder)) throw new FolderForbidden(`You may not ${action} folder ${folder}`);
}

/**
 * How much of `folder` the caller may see: `all` inside the limits; `path` for an ancestor of
 * an allowed folder (its subfolder listing is filtered to the way there, its files stay
 * hidden); `none` elsewhere.
 */
export function folderVisibility(caller: Caller, folder: string): 'all' | 'path' | 'none' {
  if (isFolderAllowed(caller, folder)) return 'all';
  const limits = limitsOf(caller) ?? [];
  return limits.some((prefix) => isWithin(prefix, folder.normalize('NFC'))) ? 'path' : 'none';
}

/** Whether a subfolder listing of an ancestor folder may show `child` (inside a limit, or on the way to one). */
export function isFolderVisible(caller: Caller, child: string): boolean {
  return folderVisibility(caller, child) !== 'none';
}
