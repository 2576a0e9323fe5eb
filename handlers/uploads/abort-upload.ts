/**
 * `DELETE /uploads/{uploadId}`: aborts the S3 multipart upload (its parts are deleted) and
 * deletes the session. A single PUT cannot be aborted: S3 cannot revoke a presigned URL.
 */
import type { MultipartUploads } from '../adapters/multipart-uploads';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import type { Principal } from '../http/principal';
import { requirePendingMultipart } from './sign-parts';
import { accessibleSession } from './upload-access';

export interface AbortUploadDeps {
  readonly uploads: Pick<UploadSessionStore, 'get' | 'remove'>;
  readonly multipart: Pick<MultipartUploads, 'abort'>;
  /** @default the clock */
  readonly now?: () => Date;
}

export async function abortUpload(uploadId: string | undefined, caller: Principal, deps: AbortUploadDeps): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  // An expired upload may still be cleaned up early (the lifecycle rule would do it later).
  const session = await accessibleSession(uploadId, caller, deps.uploads, now, { allowExpired: true });
  const multipart = requirePendingMultipart(session);
  await deps.multipart.abort(session.key, multipart.s3UploadId);
  await deps.uploads.remove(session.uploadId);
}
