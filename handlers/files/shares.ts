/**
 * The owner's share routes: `POST /shares`, `GET /shares`, `DELETE /shares/{id}`,
 * `GET /shares/{id}/log`. Editors and admins create shares of what they may read (a drop link:
 * of a folder they may write); `GET /shares` lists the caller's (admins: everyone's); only the
 * creator or an admin revokes a share or reads its log — anyone else gets the 404 of an
 * unknown id.
 */
import type { ShareLimits } from '../../contract/wire';
import { NotFound } from '../core/errors';
import { hashPassword } from '../core/password';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import { isOwnedBy } from '../core/user-ids';
import { isShareId, newSessionKey, newShareId, newShareToken, hashShareToken, type SharePolicy, type ShareRequest } from '../core/shares';
import type { FileCatalog } from '../adapters/files-repository';
import type { FolderCatalog } from '../adapters/folders-repository';
import type { ShareLogEntry } from '../../contract/wire';
import type { ShareAccessLog } from '../adapters/share-access-log';
import type { Share, SharesRepository, ShareSummary, StoredTarget } from '../adapters/shares-repository';
import { ROOT_FOLDER } from '../core/paths';
import { locateFile } from './file-view';

export interface OwnerSharesDeps {
  readonly shares: Pick<SharesRepository, 'create' | 'list' | 'summary' | 'revoke'>;
  readonly accessLog: Pick<ShareAccessLog, 'entries'>;
  readonly files: Pick<FileCatalog, 'getRow'>;
  readonly folders: Pick<FolderCatalog, 'generation'>;
  readonly sharePolicy: SharePolicy;
  /** @default the clock */
  readonly now?: () => Date;
}

export interface CreatedShare {
  readonly share: ShareSummary;
  /** The link's secret: shown this once, stored only as its hash. */
  readonly token: string;
  /** The web app's path of the link. */
  readonly path: string;
}

class ShareIdNotFound extends NotFound {}

export async function createShare(request: ShareRequest, caller: Caller, deps: OwnerSharesDeps): Promise<CreatedShare> {
  requirePermission(caller, 'write', 'create shares');
  const now = (deps.now ?? (() => new Date()))();
  const { target, folderGeneration } = await resolveTarget(request, caller, deps);
  const share: Share = {
    id: newShareId(),
    owner: caller.username,
    ...(caller.userId !== undefined ? { ownerId: caller.userId } : {}),
    target,
    mode: request.mode,
    allowDownload: request.allowDownload,
    ...(request.label !== undefined ? { label: request.label } : {}),
    expiresAt: request.expiresAt,
    createdAt: now.toISOString(),
    ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
    ...(request.maxFiles !== undefined ? { maxFiles: request.maxFiles } : {}),
    ...(request.password !== undefined ? { passwordHash: await hashPassword(request.password) } : {}),
    sessionKey: newSessionKey(),
    ...(folderGeneration !== undefined ? { folderGeneration } : {}),
  };
  const token = newShareToken();
  await deps.shares.create(share, hashShareToken(token));
  const { passwordHash, sessionKey: _key, folderGeneration: _generation, ownerId: _ownerId, ...visible } = share;
  return {
    share: { ...visible, hasPassword: passwordHash !== undefined, views: 0, usedBytes: 0, usedFiles: 0 },
    token,
    path: `/s/${token}`,
  };
}

/** The target as stored, pinned: a file by its upload, a folder (not the root) by its generation. */
async function resolveTarget(request: ShareRequest, caller: Caller, deps: OwnerSharesDeps): Promise<{ target: StoredTarget; folderGeneration?: string }> {
  if (request.target.kind === 'file') {
    const location = locateFile(request.target.fileId);
    assertFolderAllowed(caller, location.folder, 'share files in');
    const row = await deps.files.getRow(location.folder, location.name);
    if (row.file === undefined) throw new NotFound('No such file');
    return { target: { kind: 'file', fileId: row.file.id, folder: row.file.folder, name: row.file.name, uploadedAt: row.file.uploadedAt } };
  }
  const folder = request.target.folder;
  assertFolderAllowed(caller, folder, 'share');
  if (folder === ROOT_FOLDER) return { target: { kind: 'folder', folder } };
  const folderGeneration = await deps.folders.generation(folder);
  if (folderGeneration === undefined) throw new NotFound(`Folder ${folder} does not exist`);
  return { target: { kind: 'folder', folder }, folderGeneration };
}

/** The caller's shares (admins: all) and the module's expiry limits, which the app's share dialog offers. */
export async function listShares(caller: Caller, deps: OwnerSharesDeps): Promise<{ shares: ShareSummary[]; limits: ShareLimits }> {
  requirePermission(caller, 'write', 'list shares');
  const all = await deps.shares.list();
  const { maxDays, allowNever } = deps.sharePolicy;
  const shares = (caller.role === 'admin' ? all : all.filter((share) => isOwnedBy(share, caller))).map(({ ownerId: _ownerId, ...summary }) => summary);
  return { shares, limits: { maxDays, allowNever } };
}

async function ownShare(id: string | undefined, caller: Caller, deps: OwnerSharesDeps): Promise<ShareSummary & { tokenHash: string }> {
  requirePermission(caller, 'write', 'manage shares');
  const share = isShareId(id) ? await deps.shares.summary(id) : undefined;
  if (share === undefined || (caller.role !== 'admin' && !isOwnedBy(share, caller))) throw new ShareIdNotFound(`No share ${JSON.stringify(id ?? '')} of yours`);
  return share;
}

export async function revokeShare(id: string | undefined, caller: Caller, deps: OwnerSharesDeps): Promise<void> {
  const share = await ownShare(id, caller, deps);
  if (share.revokedAt !== undefined) return;
  await deps.shares.revoke(share.id, share.tokenHash, (deps.now ?? (() => new Date()))());
}

export async function shareLog(id: string | undefined, caller: Caller, deps: OwnerSharesDeps): Promise<{ shareId: string; entries: ShareLogEntry[] }> {
  const share = await ownShare(id, caller, deps);
  return { shareId: share.id, entries: await deps.accessLog.entries(share.id) };
}
