/**
 * `GET /uploads/{uploadId}`: the session and, while a multipart upload is pending, the parts S3
 * already holds (ListParts, every page), so a client in another process or on another device
 * resumes by sending only the missing parts.
 */
import type { PartChecksumAlgorithm } from '../../contract/multipart';
import type { UploadMode, UploadStatus } from '../core/catalog';
import { fileIdOf } from '../core/paths';
import type { MultipartUploads } from '../adapters/multipart-uploads';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import type { Principal } from '../http/principal';
import { UploadExpired } from './errors';
import { accessibleSession } from './upload-access';

export interface UploadStatusDeps {
  readonly uploads: Pick<UploadSessionStore, 'get' | 'isCatalogued' | 'markCompleted'>;
  readonly multipart: Pick<MultipartUploads, 'listParts'>;
  /** @default the clock */
  readonly now?: () => Date;
}

interface HeldPartView {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  /** The part's checksum (base64, in the upload's checksumAlgorithm) S3 verified, for uploads created with one. */
  readonly checksum?: string;
  /** The same, for uploads created with checksumAlgorithm SHA256 only (what clients before CRC32C read). */
  readonly sha256?: string;
}

export interface UploadStatusResponse {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: UploadMode;
  readonly status: UploadStatus;
  readonly folder: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256?: string;
  readonly partSize?: number;
  readonly partCount?: number;
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  readonly expiresAt: string;
  /** Parts S3 holds, by part number; empty for single PUTs and completed uploads. */
  readonly parts: readonly HeldPartView[];
}

export async function uploadStatus(uploadId: string | undefined, caller: Principal, deps: UploadStatusDeps): Promise<UploadStatusResponse> {
  const now = (deps.now ?? (() => new Date()))();
  const session = await accessibleSession(uploadId, caller, deps.uploads, now);
  let status = session.status ?? 'pending';
  const multipart = session.mode === 'multipart' ? session.multipart : undefined;
  let parts: HeldPartView[] = [];
  const held = multipart !== undefined && status === 'pending' ? await deps.multipart.listParts(session.key, multipart.s3UploadId) : [];
  if (held === undefined) {
    // S3 no longer knows it: completed by a call whose answer was lost, or aborted (lifecycle rule).
    if (!(await deps.uploads.isCatalogued(session))) throw new UploadExpired(`Upload ${session.uploadId} no longer exists in S3; start a new upload`);
    await deps.uploads.markCompleted(session.uploadId);
    status = 'completed';
  } else {
    const sha256 = multipart?.checksumAlgorithm === 'SHA256';
    parts = held.map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size, ...(p.checksum !== undefined ? { checksum: p.checksum, ...(sha256 ? { sha256: p.checksum } : {}) } : {}) }));
  }
  // A single PUT has no completion call: it is done once the sync function catalogued it.
  if (multipart === undefined && status === 'pending' && (await deps.uploads.isCatalogued(session))) status = 'completed';
  return {
    uploadId: session.uploadId,
    fileId: fileIdOf(session.key),
    mode: session.mode ?? 'single',
    status,
    folder: session.folder,
    fileName: session.name,
    contentType: session.contentType,
    size: session.size,
    ...(session.sha256 !== undefined ? { sha256: session.sha256 } : {}),
    ...(multipart !== undefined
      ? { partSize: multipart.partSize, partCount: multipart.partCount, ...(multipart.checksumAlgorithm !== undefined ? { checksumAlgorithm: multipart.checksumAlgorithm } : {}) }
      : {}),
    expiresAt: session.expiresAt,
    parts,
  };
}
