/**
 * Loads an upload session for a caller: only its owner (the same user id: not a user created
 * again under a deleted owner's name) or an admin may touch it, and the owner only while the
 * folder is still within their folder limits. Anyone else gets the same 404 as
 * for an id that never existed, so upload ids cannot be probed.
 */
import type { UploadSession } from '../core/catalog';
import { canUpload, isFolderAllowed } from '../core/roles';
import { isOwnedBy } from '../core/user-ids';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { requireRole, type Principal } from '../http/principal';
import { UploadExpired, UploadNotFound } from './errors';

const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;

export async function accessibleSession(
  uploadId: string | undefined,
  caller: Principal,
  uploads: Pick<UploadSessionStore, 'get'>,
  now: Date,
  options: { readonly allowExpired?: boolean } = {},
): Promise<UploadSession> {
  requireRole(caller, canUpload, 'upload files');
  const session = uploadId !== undefined && UPLOAD_ID.test(uploadId) ? await uploads.get(uploadId) : undefined;
  const allowed = session !== undefined && (caller.role === 'admin' || (isOwnedBy(session, caller) && isFolderAllowed(caller, session.folder)));
  if (!allowed) {
    throw new UploadNotFound(`No upload ${JSON.stringify(uploadId ?? '')} of yours`);
  }
  if (options.allowExpired !== true && session.status !== 'completed' && isExpired(session, now)) {
    throw new UploadExpired(`Upload ${session.uploadId} expired at ${session.expiresAt}; start a new upload`);
  }
  return session;
}

function isExpired(session: Pick<UploadSession, 'expiresAt'>, now: Date): boolean {
  const expiresAt = Date.parse(session.expiresAt);
  return Number.isNaN(expiresAt) || now.getTime() >= expiresAt;
}
