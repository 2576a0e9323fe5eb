/**
 * Opening a share from its token, used by every public route (the files function's views and
 * downloads, the uploads function's drop links). Each request checks, in this order:
 *
 * 1. the token's shape, then its hash in the table (revoked shares have no row);
 * 2. the expiry;
 * 3. the creator, re-read from the users table: still there with the same user id (not a user
 *    created again under a deleted creator's name), still allowed to read (view) or write
 *    (drop), and the target still within their folder limits;
 * 4. the target itself: the very file that was shared (same path, same upload), or the very
 *    folder (still existing, with the generation recorded at creation: not deleted since, even
 *    if created again; see core/shares.ts `reachesSharedFolder`).
 *
 * Any failure is the same `404 NotFound` "No such share", so tokens cannot be probed and an
 * ended share looks like one that never was. A password comes after: 401 without a session.
 */
import { NotFound, Unauthorized } from '../core/errors';
import { hasPermission, isFolderAllowed } from '../core/roles';
import { isOwnedBy } from '../core/user-ids';
import { hashShareToken, isShareLive, isShareToken, reachesSharedFolder, verifyShareSession } from '../core/shares';
import type { FileCatalog } from '../adapters/files-repository';
import type { FolderCatalog } from '../adapters/folders-repository';
import type { Share, SharesRepository } from '../adapters/shares-repository';
import type { UsersRepository } from '../adapters/users-repository';
import type { CatalogFile } from '../core/catalog';
import { ROOT_FOLDER } from '../core/paths';
import { headerValue } from '../http/headers';
import type { ApiEvent } from '../http/types';

/** Header carrying the session `POST /public/shares/{token}/unlock` returned. */
const SHARE_SESSION_HEADER = 'x-share-session';
/** Header carrying a drop link guest's key (returned by their first upload). */
export const SHARE_GUEST_HEADER = 'x-share-guest';
const NO_SUCH_SHARE = 'No such share';

export class ShareNotFound extends NotFound {
  constructor() {
    super(NO_SUCH_SHARE);
  }
}

export class SharePasswordRequired extends Unauthorized {
  override readonly code = 'SharePasswordRequired';
}

export interface OpenShareDeps {
  readonly shares: Pick<SharesRepository, 'byTokenHash'>;
  readonly users: Pick<UsersRepository, 'getAccess'>;
  readonly files: Pick<FileCatalog, 'getRow'>;
  readonly folders: Pick<FolderCatalog, 'marker'>;
}

export interface OpenedShare {
  readonly share: Share;
  readonly tokenHash: string;
  /** The shared file, for a file share. */
  readonly file?: CatalogFile;
  /** The folder whose files the share shows or receives. */
  readonly folder: string;
}

export async function openShare(token: string | undefined, deps: OpenShareDeps, now: Date): Promise<OpenedShare> {
  if (!isShareToken(token)) throw new ShareNotFound();
  const tokenHash = hashShareToken(token);
  const share = await deps.shares.byTokenHash(tokenHash);
  if (share === undefined || !isShareLive(share, now)) throw new ShareNotFound();
  const creator = await deps.users.getAccess(share.owner);
  const needs = share.mode === 'drop' ? 'write' : 'read';
  const folder = share.target.folder;
  if (creator === undefined || !isOwnedBy(share, creator) || !hasPermission(creator.role, needs) || !isFolderAllowed(creator, folder)) throw new ShareNotFound();
  if (share.target.kind === 'file') {
    const row = await deps.files.getRow(folder, share.target.name);
    // A file deleted, moved, renamed or uploaded anew under the same name is not the shared file.
    if (row.file === undefined || row.file.uploadedAt !== share.target.uploadedAt) throw new ShareNotFound();
    return { share, tokenHash, file: row.file, folder };
  }
  // A folder deleted (even if created again since) is not the shared folder; the root has no marker.
  if (folder !== ROOT_FOLDER && !reachesSharedFolder(share.folderGeneration, await deps.folders.marker(folder))) throw new ShareNotFound();
  return { share, tokenHash, folder };
}

/** Throws 401 `SharePasswordRequired` when the share has a password and the request no valid session. */
export function requireShareSession(opened: OpenedShare, event: ApiEvent, now: Date): void {
  if (opened.share.passwordHash === undefined) return;
  const session = headerValue(event.headers, SHARE_SESSION_HEADER);
  if (!verifyShareSession(session, opened.share.sessionKey, opened.share.id, Math.floor(now.getTime() / 1000))) {
    throw new SharePasswordRequired('This share needs its password: POST it to /public/shares/{token}/unlock and send the session in X-Share-Session');
  }
}
