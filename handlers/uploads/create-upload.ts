/**
 * `POST /uploads`: validate the request field by field, store an upload session, and return
 * a presigned single PUT whose signed headers (`content-type`, `content-length`,
 * `x-amz-meta-upload-id`) make S3 itself refuse any other type, size or session.
 */
import { randomBytes } from 'node:crypto';
import type { UploadSession } from '../core/catalog';
import { canonicalContentType, isContentTypeAllowed } from '../core/content-types';
import { PayloadTooLarge, UnsupportedMediaType, ValidationError } from '../core/errors';
import { fileIdOf, fileLocation } from '../core/paths';
import { canUpload } from '../core/roles';
import type { ObjectStore } from '../adapters/object-store';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { requireRole, type Principal } from '../http/principal';

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 2000;
/** How long a session outlives its URL: a PUT started just before expiry may take a while. */
export const SESSION_GRACE_SECONDS = 24 * 3600;
export const UPLOAD_ID_METADATA = 'upload-id';
const FIELDS = new Set(['folder', 'fileName', 'contentType', 'size', 'tags', 'description']);
const CONTROL = /[\p{Cc}\p{Cs}]/u;
const CONTROL_EXCEPT_WHITESPACE = /[\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

export interface UploadLimits {
  readonly allowedContentTypes: readonly string[];
  readonly maxUploadBytes: number;
}

export interface UploadRequest {
  readonly folder: string;
  readonly name: string;
  readonly key: string;
  readonly contentType: string;
  readonly size: number;
  readonly tags: readonly string[];
  readonly description?: string;
}

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

  const tags = parseTags(fields.tags);
  const description = parseDescription(fields.description);
  return { ...location, contentType, size, tags, ...(description !== undefined ? { description } : {}) };
}

function parseTags(input: unknown): readonly string[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw new ValidationError('tags', 'must be an array of strings');
  if (input.length > MAX_TAGS) throw new ValidationError('tags', `must hold at most ${MAX_TAGS} tags`);
  const tags: string[] = [];
  input.forEach((tag: unknown, i) => {
    if (typeof tag !== 'string') throw new ValidationError(`tags[${i}]`, 'must be a string');
    const value = tag.normalize('NFC').trim();
    if (value === '' || value.length > MAX_TAG_LENGTH) throw new ValidationError(`tags[${i}]`, `must be 1 to ${MAX_TAG_LENGTH} characters`);
    if (CONTROL.test(value)) throw new ValidationError(`tags[${i}]`, 'must not contain control characters');
    if (!tags.includes(value)) tags.push(value);
  });
  return tags;
}

function parseDescription(input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'string') throw new ValidationError('description', 'must be a string');
  const value = input.normalize('NFC');
  if (value.length > MAX_DESCRIPTION_LENGTH) throw new ValidationError('description', `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  if (CONTROL_EXCEPT_WHITESPACE.test(value)) throw new ValidationError('description', 'must not contain control characters other than tab and newline');
  return value === '' ? undefined : value;
}

export interface CreateUploadDeps {
  readonly uploads: Pick<UploadSessionStore, 'create'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly urlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

export interface CreateUploadResponse {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: 'single';
  readonly method: 'PUT';
  readonly url: string;
  /** Headers the client must send with exactly these values: they are signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** ISO 8601: when the URL stops working. */
  readonly expiresAt: string;
}

export const newUploadId = (): string => randomBytes(16).toString('base64url');

export async function createUpload(request: UploadRequest, caller: Principal, deps: CreateUploadDeps): Promise<CreateUploadResponse> {
  requireRole(caller, canUpload, 'upload files');
  const now = (deps.now ?? (() => new Date()))();
  const uploadId = newUploadId();
  const expiresAt = new Date(now.getTime() + deps.urlTtlSeconds * 1000).toISOString();
  const session: UploadSession = {
    uploadId,
    owner: caller.username,
    folder: request.folder,
    name: request.name,
    key: request.key,
    contentType: request.contentType,
    size: request.size,
    tags: request.tags,
    ...(request.description !== undefined ? { description: request.description } : {}),
    createdAt: now.toISOString(),
    expiresAt,
  };
  const ttl = Math.floor(now.getTime() / 1000) + deps.urlTtlSeconds + SESSION_GRACE_SECONDS;
  await deps.uploads.create(session, ttl);

  const headers = {
    'content-type': request.contentType,
    'content-length': String(request.size),
    [`x-amz-meta-${UPLOAD_ID_METADATA}`]: uploadId,
  };
  const sign = await deps.objects.urlSigner();
  const url = sign({ operation: 'PutObject', key: request.key, expiresIn: deps.urlTtlSeconds, headers, now });
  return { uploadId, fileId: fileIdOf(request.key), mode: 'single', method: 'PUT', url, headers, expiresAt };
}
