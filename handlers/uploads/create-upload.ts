/**
 * `POST /uploads`: validate the request field by field, store an upload session, and return
 * either a presigned single PUT whose signed headers (`content-type`, `content-length`,
 * `x-amz-meta-upload-id`, and with `sha256` also `x-amz-checksum-sha256`) make S3 itself
 * refuse any other type, size, session or body — or, from `multipartThresholdBytes` on, a
 * multipart upload whose parts the client has signed on demand (see sign-parts.ts).
 *
 * An upload never silently replaces a file: unless the request says `overwrite: true`, a
 * catalogued file of that folder and name is a 409 `FileExists` here, and S3 itself enforces
 * it — the single PUT signs `If-None-Match: *` and the multipart completion sends it — so a
 * file that appears after this check (or is not catalogued yet) is not replaced either.
 */
import { randomBytes } from 'node:crypto';
import type { MultipartState, UploadSession } from '../core/catalog';
import { canonicalContentType, isContentTypeAllowed } from '../core/content-types';
import { PayloadTooLarge, UnsupportedMediaType, ValidationError } from '../core/errors';
import type { MultipartUpload, SingleUpload } from '../../contract/wire';
import { isBase64Sha256, isPartChecksumAlgorithm, PART_CHECKSUM_ALGORITHMS, planParts, type PartChecksumAlgorithm } from '../../contract/multipart';
import { parseDescription, parseTags } from '../core/file-details';
import { fileIdOf, fileLocation } from '../core/paths';
import { assertFolderAllowed, canUpload } from '../core/roles';
import type { FileCatalog } from '../adapters/files-repository';
import type { MultipartUploads } from '../adapters/multipart-uploads';
import type { ObjectStore } from '../adapters/object-store';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { requireRole, type Principal } from '../http/principal';
import { FileExists } from './errors';

/** How long a session outlives its URL: a PUT started just before expiry may take a while. */
export const SESSION_GRACE_SECONDS = 24 * 3600;
const UPLOAD_ID_METADATA = 'upload-id';
/** Object metadata (`x-amz-meta-sha256`) carrying the whole-file SHA-256 the client declared. */
const SHA256_METADATA = 'sha256';
/**
 * How long a multipart session accepts part signing and completion. The bucket lifecycle
 * aborts what is left after `abort_incomplete_multipart_days` (7 by default) anyway.
 */
export const MULTIPART_SESSION_SECONDS = 7 * 24 * 3600;
const FIELDS = new Set(['folder', 'fileName', 'contentType', 'size', 'tags', 'description', 'sha256', 'checksumAlgorithm', 'overwrite']);

export interface UploadLimits {
  readonly allowedContentTypes: readonly string[];
  readonly maxUploadBytes: number;
}

/** What the client asks for: the session's file fields (sha256 as S3's `x-amz-checksum-sha256`, base64). */
export type UploadRequest = Pick<UploadSession, 'folder' | 'name' | 'key' | 'contentType' | 'size' | 'tags' | 'description' | 'sha256'> & {
  /** Multipart: every part URL will require and sign the part's checksum in this algorithm (S3's x-amz-checksum-*). */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /** Replace a file of the same folder and name. @default false */
  readonly overwrite?: boolean;
};

export function parseUploadRequest(body: unknown, limits: UploadLimits): UploadRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((f) => !FIELDS.has(f));
  if (unknown.length > 0) throw new ValidationError(unknown[0] as string, `is not a known field (expected ${[...FIELDS].join(', ')})`);

  if (fields.folder === undefined) throw new ValidationError('folder', 'is required');
  if (fields.fileName === undefined) throw new ValidationError('fileName', 'is required');
  const location = fileLocation(fields.folder, fields.fileName);

  if (typeof fields.contentType !== 'string') throw new ValidationError('contentType', 'is required and must be a string like image/jpeg');
  const contentType = canonicalContentType(fields.contentType);
  if (contentType === undefined) throw new ValidationError('contentType', `"${fields.contentType.slice(0, 100)}" is not a media type like image/jpeg`);
  if (!isContentTypeAllowed(contentType, limits.allowedContentTypes)) {
    throw new UnsupportedMediaType(`contentType: ${contentType} is not allowed (allowed: ${limits.allowedContentTypes.join(', ')})`);
  }

  const size = fields.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) throw new ValidationError('size', 'is required and must be a whole number of bytes, at least 1');
  if (size > limits.maxUploadBytes) throw new PayloadTooLarge(`size: ${size} bytes is more than the ${limits.maxUploadBytes} bytes allowed`);

  const tags = fields.tags === undefined ? [] : parseTags(fields.tags);
  const description = fields.description === undefined || fields.description === null ? undefined : parseDescription(fields.description);
  if (fields.sha256 !== undefined && !isBase64Sha256(fields.sha256)) {
    throw new ValidationError('sha256', 'must be the SHA-256 of the whole file in base64 with padding (44 characters, 32 bytes)');
  }
  if (fields.checksumAlgorithm !== undefined && !isPartChecksumAlgorithm(fields.checksumAlgorithm)) {
    throw new ValidationError('checksumAlgorithm', `must be one of ${PART_CHECKSUM_ALGORITHMS.map((a) => `"${a}"`).join(', ')} (or left out for parts without checksums)`);
  }
  if (fields.overwrite !== undefined && typeof fields.overwrite !== 'boolean') throw new ValidationError('overwrite', 'must be true or false');
  return {
    ...location,
    contentType,
    size,
    tags,
    ...(description !== undefined ? { description } : {}),
    ...(fields.sha256 !== undefined ? { sha256: fields.sha256 as string } : {}),
    ...(fields.checksumAlgorithm !== undefined ? { checksumAlgorithm: fields.checksumAlgorithm } : {}),
    ...(fields.overwrite === true ? { overwrite: true } : {}),
  };
}

export interface CreateUploadDeps {
  readonly uploads: Pick<UploadSessionStore, 'create'>;
  /** The catalog row of the key: an existing file is a 409 unless the request overwrites. */
  readonly files: Pick<FileCatalog, 'getRow'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly multipart: Pick<MultipartUploads, 'create'>;
  readonly urlTtlSeconds: number;
  /** Files of at least this many bytes go multipart. */
  readonly multipartThresholdBytes: number;
  /** @default the clock */
  readonly now?: () => Date;
  /** The new upload's id, when the caller had to know it first (a drop link's reservation). @default 128 random bits */
  readonly newUploadId?: () => string;
}

/** What the handler answers: the wire's upload, a single PUT always with its method. */
export type CreateUploadResponse = (SingleUpload & { readonly method: 'PUT' }) | MultipartUpload;

export const newUploadId = (): string => randomBytes(16).toString('base64url');

export async function createUpload(request: UploadRequest, caller: Principal, deps: CreateUploadDeps): Promise<CreateUploadResponse> {
  requireRole(caller, canUpload, 'upload files');
  assertFolderAllowed(caller, request.folder, 'upload to');
  if (request.overwrite !== true && (await deps.files.getRow(request.folder, request.name)).file !== undefined) {
    throw new FileExists(`A file named "${request.name}" already exists in ${request.folder}; send "overwrite": true to replace it`);
  }
  if (request.size >= deps.multipartThresholdBytes) return createMultipartUpload(request, caller, deps);
  const now = (deps.now ?? (() => new Date()))();
  const uploadId = (deps.newUploadId ?? newUploadId)();
  const expiresAt = new Date(now.getTime() + deps.urlTtlSeconds * 1000).toISOString();
  const session: UploadSession = {
    ...sessionFields(request, caller, uploadId, now),
    expiresAt,
    mode: 'single',
  };
  const ttl = Math.floor(now.getTime() / 1000) + deps.urlTtlSeconds + SESSION_GRACE_SECONDS;
  await deps.uploads.create(session, ttl);

  const headers: Record<string, string> = {
    'content-type': request.contentType,
    'content-length': String(request.size),
    [`x-amz-meta-${UPLOAD_ID_METADATA}`]: uploadId,
  };
  // Signed, so S3 refuses (412 PreconditionFailed) a PUT onto an existing key.
  if (request.overwrite !== true) headers['if-none-match'] = '*';
  if (request.sha256 !== undefined) {
    // S3 computes the body's SHA-256 and refuses the PUT (BadDigest) when it differs.
    headers['x-amz-checksum-sha256'] = request.sha256;
    headers[`x-amz-meta-${SHA256_METADATA}`] = request.sha256;
  }
  const url = (await deps.objects.urlSigner()).put({ key: request.key, expiresIn: deps.urlTtlSeconds, headers, now });
  return { uploadId, fileId: fileIdOf(request.key), mode: 'single', method: 'PUT', url, headers, expiresAt };
}

async function createMultipartUpload(request: UploadRequest, caller: Principal, deps: CreateUploadDeps): Promise<MultipartUpload> {
  const now = (deps.now ?? (() => new Date()))();
  const uploadId = (deps.newUploadId ?? newUploadId)();
  const plan = planParts(request.size);
  const expiresAt = new Date(now.getTime() + MULTIPART_SESSION_SECONDS * 1000).toISOString();
  const s3UploadId = await deps.multipart.create({
    key: request.key,
    contentType: request.contentType,
    metadata: { [UPLOAD_ID_METADATA]: uploadId, ...(request.sha256 !== undefined ? { [SHA256_METADATA]: request.sha256 } : {}) },
    ...(request.checksumAlgorithm !== undefined ? { checksumAlgorithm: request.checksumAlgorithm } : {}),
  });
  const multipart: MultipartState = {
    s3UploadId,
    partSize: plan.partSize,
    partCount: plan.partCount,
    ...(request.checksumAlgorithm !== undefined ? { checksumAlgorithm: request.checksumAlgorithm } : {}),
    ...(request.overwrite === true ? { overwrite: true } : {}),
  };
  const session: UploadSession = { ...sessionFields(request, caller, uploadId, now), expiresAt, mode: 'multipart', multipart, status: 'pending' };
  await deps.uploads.create(session, Math.floor(now.getTime() / 1000) + MULTIPART_SESSION_SECONDS + SESSION_GRACE_SECONDS);
  return {
    uploadId,
    fileId: fileIdOf(request.key),
    mode: 'multipart',
    partSize: plan.partSize,
    partCount: plan.partCount,
    expiresAt,
    ...(request.checksumAlgorithm !== undefined ? { checksumAlgorithm: request.checksumAlgorithm } : {}),
  };
}

function sessionFields(request: UploadRequest, caller: Principal, uploadId: string, now: Date): Omit<UploadSession, 'expiresAt'> {
  return {
    uploadId,
    owner: caller.username,
    ...(caller.userId !== undefined ? { ownerId: caller.userId } : {}),
    folder: request.folder,
    name: request.name,
    key: request.key,
    contentType: request.contentType,
    size: request.size,
    tags: request.tags,
    ...(request.description !== undefined ? { description: request.description } : {}),
    ...(request.sha256 !== undefined ? { sha256: request.sha256 } : {}),
    createdAt: now.toISOString(),
  };
}
