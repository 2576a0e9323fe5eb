/**
 * Drop links: guests upload into a shared folder through the same machinery as users (single
 * PUT or multipart with parts signed on demand, resume, completion), and see nothing but their
 * own uploads in progress.
 *
 * - A guest is known by a key (`X-Share-Guest`) that their first upload returns; only its hash
 *   is stored, beside the ids of the uploads it started (`SHAREUP#<share>`). Without the key a
 *   guest's list is empty and their uploads are 404s, like anyone else's.
 * - Each upload reserves its declared size and one file of the link's quota atomically before
 *   anything is signed (413 `ShareQuotaExceeded` when it does not fit), in a reservation row of
 *   its own (adapters/shares-repository.ts). The reservation is given back, exactly once, when
 *   the guest aborts a multipart upload (`DELETE …/uploads/{uploadId}`) or, by the sweep
 *   function, once the upload can no longer arrive: its session ended and one URL lifetime
 *   more passed (a PUT started at the last moment). A file that arrived stays counted.
 * - A name already taken in the folder is refused (409 `FileExists`): a guest never overwrites.
 * - Files are attributed to the link: the session's uploader is `share:<label>` (or
 *   `share:<id>` without a label), which the catalog's `uploadedBy` carries; the sync function
 *   announces each arrival once as `share.files-arrived` (handlers/shares/drop-arrivals.ts).
 */
import type { GuestUploadView } from '../../contract/wire';
import { HttpError, ValidationError } from '../core/errors';
import { DROP_UPLOADER_PREFIX, hashShareToken, isGuestKey, newGuestKey, truncateIp } from '../core/shares';
import type { Caller } from '../core/roles';
import type { Logger } from '../core/logger';
import type { FileCatalog } from '../adapters/files-repository';
import { ShareQuotaExceededError, type Share, type SharesRepository } from '../adapters/shares-repository';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { headerValue } from '../http/headers';
import type { ApiEvent } from '../http/types';
import { openShare, requireShareSession, ShareNotFound, SHARE_GUEST_HEADER, sourceIpOf, type OpenedShare, type OpenShareDeps } from '../shares/open-share';
import { completeUpload, parseCompleteRequest, type CompleteUploadDeps } from './complete-upload';
import { abortUpload, type AbortUploadDeps } from './abort-upload';
import { createUpload, MULTIPART_SESSION_SECONDS, newUploadId, parseUploadRequest, SESSION_GRACE_SECONDS, type CreateUploadDeps, type CreateUploadResponse, type UploadLimits } from './create-upload';
import { parseSignPartsRequest, signParts, type SignPartsDeps } from './sign-parts';
import { uploadStatus, type UploadStatusDeps } from './upload-status';
import { FileExists, UploadNotFound } from './errors';

export class ShareQuotaExceeded extends HttpError {
  readonly statusCode = 413;
  readonly code = 'ShareQuotaExceeded';
}

export type DropUploadsDeps = OpenShareDeps &
  CreateUploadDeps &
  UploadLimits &
  SignPartsDeps &
  UploadStatusDeps &
  CompleteUploadDeps &
  AbortUploadDeps & {
    readonly shares: Pick<SharesRepository, 'byTokenHash' | 'reserveDrop' | 'releaseDrop' | 'addGuestUpload' | 'isGuestUpload' | 'guestUploads' | 'recordAccess'>;
    readonly files: Pick<FileCatalog, 'getRow'>;
    readonly uploads: Pick<UploadSessionStore, 'get' | 'create' | 'isCatalogued' | 'markCompleted' | 'remove'>;
  };

const GUEST_FIELDS = new Set(['fileName', 'contentType', 'size', 'sha256', 'checksumAlgorithm']);

/** The identity the upload machinery sees for a drop link: an editor limited to the shared folder. */
export function dropUploader(share: Share): Caller {
  return { username: `${DROP_UPLOADER_PREFIX}${share.label ?? share.id}`, role: 'editor', folders: [share.target.folder] };
}

const clock = (deps: { now?: () => Date }): Date => (deps.now ?? (() => new Date()))();

async function openDrop(event: ApiEvent, deps: DropUploadsDeps, now: Date): Promise<OpenedShare> {
  const opened = await openShare(event.pathParameters?.token, deps, now);
  if (opened.share.mode !== 'drop') throw new ShareNotFound();
  requireShareSession(opened, event, now);
  return opened;
}

function guestKeyOf(event: ApiEvent): string | undefined {
  const key = headerValue(event.headers, SHARE_GUEST_HEADER);
  if (key === undefined || key === '') return undefined;
  if (!isGuestKey(key)) throw new ValidationError('X-Share-Guest', 'is not a guest key returned by this drop link');
  return key;
}

export async function createDropUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<CreateUploadResponse & { guestKey: string }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const body = event.parsedBody;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"fileName", "contentType", "size"}');
  const unknown = Object.keys(body).find((f) => !GUEST_FIELDS.has(f));
  if (unknown !== undefined) throw new ValidationError(unknown, `is not a known field (expected ${[...GUEST_FIELDS].join(', ')})`);
  const request = parseUploadRequest({ ...body, folder: opened.folder }, deps);
  const guestKey = guestKeyOf(event) ?? newGuestKey();
  if ((await deps.files.getRow(request.folder, request.name)).file !== undefined) throw new FileExists(`A file named ${request.name} is already there: rename yours`);
  const { share } = opened;
  const uploadId = newUploadId();
  const sessionSeconds = request.size >= deps.multipartThresholdBytes ? MULTIPART_SESSION_SECONDS : deps.urlTtlSeconds;
  // Given back if nothing arrived once the session ended and a PUT started at its last moment had a URL lifetime to finish.
  const releaseAt = Math.ceil(now.getTime() / 1000) + sessionSeconds + deps.urlTtlSeconds;
  try {
    await deps.shares.reserveDrop({ uploadId, shareId: share.id, owner: share.owner, ...(share.label !== undefined ? { label: share.label } : {}), size: request.size, releaseAt }, { maxBytes: share.maxBytes ?? 0, maxFiles: share.maxFiles ?? 0 });
  } catch (error) {
    if (error instanceof ShareQuotaExceededError) throw new ShareQuotaExceeded('This drop link takes no more files: its byte or file quota is used up');
    throw error;
  }
  let created: CreateUploadResponse;
  try {
    created = await createUpload(request, dropUploader(share), { ...deps, newUploadId: () => uploadId });
  } catch (error) {
    // Nothing was signed: give the reservation back now (failing that, the sweep does at releaseAt).
    await deps.shares.releaseDrop(uploadId, now).catch(() => undefined);
    throw error;
  }
  const ttl = Math.floor(now.getTime() / 1000) + MULTIPART_SESSION_SECONDS + SESSION_GRACE_SECONDS;
  await deps.shares.addGuestUpload(share.id, hashShareToken(guestKey), { uploadId: created.uploadId, size: request.size }, ttl);
  await deps.shares.recordAccess(share.id, { at: now.toISOString(), event: 'upload', fileId: created.fileId, name: request.name, bytes: request.size, ip: truncateIp(sourceIpOf(event)) });
  return { ...created, guestKey };
}

export async function listGuestUploads(event: ApiEvent, deps: DropUploadsDeps): Promise<{ uploads: GuestUploadView[] }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const guestKey = guestKeyOf(event);
  if (guestKey === undefined) return { uploads: [] };
  const ids = await deps.shares.guestUploads(opened.share.id, hashShareToken(guestKey));
  const sessions = await Promise.all(ids.map((id) => deps.uploads.get(id)));
  const uploads = sessions
    .filter((s) => s !== undefined && (s.status ?? 'pending') === 'pending' && Date.parse(s.expiresAt) > now.getTime() && s.folder === opened.folder)
    .map((s) => s!)
    .map((s): GuestUploadView => ({
      uploadId: s.uploadId,
      fileName: s.name,
      size: s.size,
      mode: s.mode ?? 'single',
      ...(s.multipart !== undefined ? { partSize: s.multipart.partSize, partCount: s.multipart.partCount } : {}),
      expiresAt: s.expiresAt,
    }));
  return { uploads };
}

/** The guest's own upload, for status, parts and completion: anyone else's is a 404. */
async function guestUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<{ uploadId: string; caller: Caller }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const guestKey = guestKeyOf(event);
  const uploadId = event.pathParameters?.uploadId;
  const notFound = new UploadNotFound(`No upload ${JSON.stringify(uploadId ?? '')} of yours`);
  if (guestKey === undefined || uploadId === undefined || !/^[A-Za-z0-9_-]{22}$/.test(uploadId)) throw notFound;
  if (!(await deps.shares.isGuestUpload(opened.share.id, hashShareToken(guestKey), uploadId))) throw notFound;
  return { uploadId, caller: dropUploader(opened.share) };
}

function withoutFolder<T extends object>(value: T): Omit<T, 'folder'> {
  const { folder: _folder, ...rest } = value as T & { folder?: unknown };
  return rest;
}

export async function guestUploadStatus(event: ApiEvent, deps: DropUploadsDeps) {
  const { uploadId, caller } = await guestUpload(event, deps);
  return withoutFolder(await uploadStatus(uploadId, caller, deps));
}

export async function signGuestParts(event: ApiEvent, deps: DropUploadsDeps) {
  const { uploadId, caller } = await guestUpload(event, deps);
  return signParts(uploadId, parseSignPartsRequest(event.parsedBody), caller, deps);
}

/**
 * The guest gives up a multipart upload: S3 drops its parts, and its reservation goes back to
 * the link's quota. A single PUT cannot be aborted (S3 cannot revoke its URL): its reservation
 * is given back by the sweep once the URL has expired, unless the file arrived.
 */
export async function abortGuestUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<void> {
  const { uploadId, caller } = await guestUpload(event, deps);
  await abortUpload(uploadId, caller, deps);
  await deps.shares.releaseDrop(uploadId, clock(deps));
}

export async function completeGuestUpload(event: ApiEvent, deps: DropUploadsDeps, logger: Logger) {
  const { uploadId, caller } = await guestUpload(event, deps);
  const result = await completeUpload(uploadId, parseCompleteRequest(event.parsedBody), caller, { ...deps, logger });
  return { file: withoutFolder(result.file) };
}
