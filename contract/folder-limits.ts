/**
 * The folder-limit rule, shared by the handlers (which enforce it) and the web app (which shows
 * write controls only where it holds). Pure functions, no imports outside contract/, so the
 * browser bundle can use them.
 *
 * Folder limits: a user with `folders: ["/family", "/trips/2024"]` may read and (role
 * permitting) write `/family`, `/family/…`, `/trips/2024` and `/trips/2024/…` — never
 * `/family2` nor `/trips`. The ancestors of an allowed folder (`/`, `/trips`) are
 * navigable: their subfolder listings show only the way to the allowed folders. A user
 * without limits (`folders` undefined or null) and every admin reach every folder.
 */
import type { Role } from './wire';

export const ROOT_FOLDER = '/';

/** Who is asking, as far as folder limits go (the handlers' caller, the web app's session user). */
interface FolderLimited {
  readonly role: Role;
  /** Folder prefixes the user is limited to; `undefined`/`null`: every folder. */
  readonly folders?: readonly string[] | null | undefined;
}

/** Whether normalized `folder` is `prefix` or lies below it (`/family2` is not below `/family`). */
export function isWithin(folder: string, prefix: string): boolean {
  if (prefix === ROOT_FOLDER) return true;
  return folder === prefix || folder.startsWith(`${prefix}/`);
}

/** The user's folder limits; `undefined`: every folder (admins always). */
export const folderLimitsOf = (user: FolderLimited): readonly string[] | undefined => (user.role === 'admin' ? undefined : (user.folders ?? undefined));

/** Whether the user may see the files of (normalized) `folder` and change them, role permitting. */
export function isFolderAllowed(user: FolderLimited, folder: string): boolean {
  const limits = folderLimitsOf(user);
  if (limits === undefined) return true;
  const normalized = folder.normalize('NFC');
  return limits.some((prefix) => isWithin(normalized, prefix));
}

/**
 * How much of `folder` the user may see: `all` inside the limits; `path` for an ancestor of
 * an allowed folder (its subfolder listing is filtered to the way there, its files stay
 * hidden); `none` elsewhere.
 */
export function folderVisibility(user: FolderLimited, folder: string): 'all' | 'path' | 'none' {
  if (isFolderAllowed(user, folder)) return 'all';
  const limits = folderLimitsOf(user) ?? [];
  return limits.some((prefix) => isWithin(prefix, folder.normalize('NFC'))) ? 'path' : 'none';
}
