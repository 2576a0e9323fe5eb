/**
 * `POST /uploads/{uploadId}/complete` `{"parts": [{"partNumber", "etag"}], "sha256"?}`: assembles the
 * file only when the client's list is exactly parts 1…partCount, each held by S3 with that
 * ETag and its planned size, adding up to the declared size. Anything else aborts the S3
 * upload and deletes the session before answering 400: nothing half-stored stays behind.
 * A repeated call after success answers the same file again (a client whose response was
 * lost, or whose call outlived the function's timeout while S3 finished, may retry).
 *
 * `sha256`: the whole file's SHA-256 when the client hashed it while sending (a large file,
 * not hashed before the upload started). Recorded on the session before S3 assembles the
 * object, so the sync function writes it on the row; it must equal one declared at creation.
 * S3 checks each part's checksum, not this one: the scrub re-reads the object to prove it.
 */
import type { CatalogFile, UploadSession } from '../core/catalog';
import { fileTypeOf } from '../core/content-types';
import { ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { checkPartList, isBase64Sha256, MAX_PARTS, type ClaimedPart, type HeldPart } from '../../contract/multipart';
import { fileIdOf } from '../core/paths';
import { ObjectExists, PartsRejected, type MultipartUploads } from '../adapters/multipart-uploads';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import type { Principal } from '../http/principal';
import { FileExists, NotMultipart, UploadExpired, UploadRejected } from './errors';
import { accessibleSession } from './upload-access';

/** S3's ETags are 32 hex digits (`-N` for multipart objects); room to spare for compatible servers. */
const MAX_ETAG_LENGTH = 128;
/**
 * Largest request body the uploads function accepts: a completion of 10,000 parts with the
 * longest ETags (JSON included) fits; API Gateway allows 10 MB, Lambda 6 MB.
 */
export const MAX_UPLOADS_BODY_BYTES = 2 * 1024 * 1024;

interface CompleteRequest {
  readonly parts: readonly ClaimedPart[];
  /** Base64 SHA-256 of the whole file, hashed while sending. */
  readonly sha256?: string;
}

export function parseCompleteRequest(body: unknown): CompleteRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => f !== 'parts' && f !== 'sha256');
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected parts, sha256)');
  if (fields.sha256 !== undefined && !isBase64Sha256(fields.sha256)) {
    throw new ValidationError('sha256', 'must be the SHA-256 of the whole file in base64 with padding (44 characters, 32 bytes)');
  }
  return { parts: parseParts(fields.parts), ...(fields.sha256 !== undefined ? { sha256: fields.sha256 as string } : {}) };
}

function parseParts(parts: unknown): readonly ClaimedPart[] {
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PARTS) throw new ValidationError('parts', `must be an array of 1 to ${MAX_PARTS} parts`);
  return parts.map((part: unknown, i): ClaimedPart => {
    if (typeof part !== 'object' || part === null || Array.isArray(part)) throw new ValidationError(`parts[${i}]`, 'must be an object {partNumber, etag}');
    const { partNumber, etag, ...rest } = part as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new ValidationError(`parts[${i}].${extra}`, 'is not a known field (expected partNumber, etag)');
    if (typeof partNumber !== 'number' || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
      throw new ValidationError(`parts[${i}].partNumber`, `must be a whole number from 1 to ${MAX_PARTS}`);
    }
    const unquoted = typeof etag === 'string' ? etag.replace(/^"(.*)"$/, '$1') : '';
    if (typeof etag !== 'string' || unquoted === '' || unquoted.length > MAX_ETAG_LENGTH || unquoted.includes('"')) {
      throw new ValidationError(`parts[${i}].etag`, 'must be the ETag S3 returned for the part');
    }
    return { partNumber, etag };
  });
}

export interface CompleteUploadDeps {
  readonly uploads: Pick<UploadSessionStore, 'get' | 'markCompleted' | 'remove' | 'isCatalogued' | 'declareSha256'>;
  readonly multipart: Pick<MultipartUploads, 'listParts' | 'complete' | 'abort'>;
  readonly logger?: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

/** The catalog fields of the file the upload became, as known when it completes. */
type CompletedFile = Pick<CatalogFile, 'id' | 'folder' | 'name' | 'size' | 'contentType' | 'fileType' | 'uploadedBy' | 'sha256' | 'etag'>;

export async function completeUpload(uploadId: string | undefined, request: CompleteRequest, caller: Principal, deps: CompleteUploadDeps): Promise<{ file: CompletedFile }> {
  const claimed = request.parts;
  const now = (deps.now ?? (() => new Date()))();
  let session = await accessibleSession(uploadId, caller, deps.uploads, now);
  const multipart = session.multipart;
  if (session.mode !== 'multipart' || multipart === undefined) throw new NotMultipart(`Upload ${session.uploadId} is a single PUT: S3 stores it when the PUT succeeds`);
  if (request.sha256 !== undefined && session.sha256 !== undefined && request.sha256 !== session.sha256) {
    throw new ValidationError('sha256', `is not the SHA-256 this upload declared when it was created (${session.sha256})`);
  }
  if (session.status === 'completed') return { file: fileOf(session) };
  if (request.sha256 !== undefined && session.sha256 === undefined) {
    // Before S3 assembles the object: the sync function reads it from the session.
    if (!(await deps.uploads.declareSha256(session.uploadId, request.sha256))) throw new UploadExpired(`Upload ${session.uploadId} no longer exists; start a new upload`);
    session = { ...session, sha256: request.sha256 };
  }
  const { s3UploadId, partSize, partCount } = multipart;

  const held = await deps.multipart.listParts(session.key, s3UploadId);
  if (held === undefined) return vanished(session, deps);
  const problem = checkPartList(session.size, { partSize, partCount }, claimed, held);
  if (problem !== undefined) {
    await discard(session, deps);
    throw new UploadRejected(problem.code, `${problem.message}. The upload was aborted: start a new one.`);
  }

  const byNumber = new Map(held.map((p) => [p.partNumber, p]));
  const parts = claimed.map((c) => byNumber.get(c.partNumber) as HeldPart);
  let result: { etag?: string } | undefined;
  try {
    result = await deps.multipart.complete(session.key, s3UploadId, parts, { overwrite: multipart.overwrite === true, ...(multipart.checksumAlgorithm !== undefined ? { checksumAlgorithm: multipart.checksumAlgorithm } : {}) });
  } catch (error) {
    if (error instanceof ObjectExists) {
      await discard(session, deps);
      throw new FileExists(`A file named "${session.name}" appeared in ${session.folder} during the upload, which did not ask to overwrite it. The upload was aborted.`, { cause: error });
    }
    if (!(error instanceof PartsRejected)) throw error;
    deps.logger?.warn('completion refused by S3', { uploadId: session.uploadId, s3Code: error.s3Code });
    await discard(session, deps);
    throw new UploadRejected('PartsRejected', `S3 refused the parts (${error.s3Code}). The upload was aborted: start a new one.`);
  }
  if (result === undefined) return vanished(session, deps);
  // Kept (now 'completed'), not deleted: the sync function reads uploader and tags from it.
  await deps.uploads.markCompleted(session.uploadId);
  return { file: fileOf(session, result.etag) };
}

/**
 * S3 no longer knows the upload: either it was completed (by an earlier call whose answer was
 * lost) and the sync function catalogued the file, or it was aborted. The session is kept in
 * the second case too: if S3 completed it a moment ago, the sync function still needs it.
 */
async function vanished(session: UploadSession, deps: CompleteUploadDeps): Promise<{ file: CompletedFile }> {
  if (await deps.uploads.isCatalogued(session)) {
    await deps.uploads.markCompleted(session.uploadId);
    return { file: fileOf(session) };
  }
  throw new UploadExpired(`Upload ${session.uploadId} no longer exists in S3; start a new upload`);
}

async function discard(session: UploadSession, deps: CompleteUploadDeps): Promise<void> {
  if (session.multipart !== undefined) await deps.multipart.abort(session.key, session.multipart.s3UploadId);
  await deps.uploads.remove(session.uploadId);
}

function fileOf(session: UploadSession, etag?: string): CompletedFile {
  return {
    id: fileIdOf(session.key),
    folder: session.folder,
    name: session.name,
    size: session.size,
    contentType: session.contentType,
    fileType: fileTypeOf(session.contentType),
    uploadedBy: session.owner,
    ...(session.sha256 !== undefined ? { sha256: session.sha256 } : {}),
    ...(etag !== undefined ? { etag } : {}),
  };
}
