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
 *   its own (adapters/drop-reservations.ts), for a short time: two URL lifetimes
 *   (core/shares.ts `dropReleaseAt`), renewed each time the guest signs parts or completes.
 *   A hold that lapsed is given back when a new upload needs the room (or by the sweep), and
 *   taken again, if it still fits, when its guest carries on. It is given back at once when
 *   the guest aborts a multipart upload (`DELETE …/uploads/{uploadId}`). A file that arrived
 *   stays counted at its real size.
 * - A guest never overwrites, and a name they cannot see never fails their upload (no 409 to
 *   probe the folder with): a name already taken (by a file, or another guest's upload in
 *   progress) gives their file the first free `name (1).jpg`, `name (2).jpg`…, and the answer
 *   says so (`storedAs`).
 * - Files are attributed to the link: the session's uploader is `share:<label>` (or
 *   `share:<id>` without a label), which the catalog's `uploadedBy` carries; the sync function
 *   announces each arrival once as `share.files-arrived` (handlers/shares/drop-arrivals.ts).
 */
import type { GuestUploadView } from '../../contract/wire';
import { Conflict, HttpError, ValidationError } from '../core/errors';
import { objectKey } from '../core/paths';
import { DROP_UPLOADER_PREFIX, dropNameCandidates, dropReleaseAt, hashShareToken, isGuestKey, newGuestKey, truncateIp } from '../core/shares';
import type { Caller } from '../core/roles';
import type { Logger } from '../core/logger';
import type { FileCatalog } from '../adapters/files-repository';
import type { DropGuests } from '../adapters/drop-guests';
import { ShareQuotaExceededError, type DropReservations } from '../adapters/drop-reservations';
import type { ShareAccessLog } from '../adapters/share-access-log';
import type { Share } from '../adapters/shares-repository';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import { headerValue } from '../http/headers';
import type { ApiEvent } from '../http/types';
import { clientAddress } from '../http/source-address';
import { openShare, requireShareSession, ShareNotFound, SHARE_GUEST_HEADER, type OpenedShare, type OpenShareDeps } from '../shares/open-share';
import { completeUpload, parseCompleteRequest, type CompleteUploadDeps } from './complete-upload';
import { abortUpload, type AbortUploadDeps } from './abort-upload';
import { createUpload, MULTIPART_SESSION_SECONDS, newUploadId, parseUploadRequest, SESSION_GRACE_SECONDS, type CreateUploadDeps, type CreateUploadResponse, type UploadLimits, type UploadRequest } from './create-upload';
import { parseSignPartsRequest, signParts, type SignPartsDeps } from './sign-parts';
import { uploadStatus, type UploadStatusDeps } from './upload-status';
import { FileExists, UploadNotFound } from './errors';

class ShareQuotaExceeded extends HttpError {
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
    readonly reservations: Pick<DropReservations, 'reserve' | 'renew' | 'release' | 'releaseLapsed'>;
    readonly guests: Pick<DropGuests, 'add' | 'isGuestUpload' | 'uploadsOf' | 'linkUploads' | 'claimName' | 'releaseName'>;
    readonly accessLog: Pick<ShareAccessLog, 'record'>;
    readonly files: Pick<FileCatalog, 'getRow'>;
    readonly uploads: Pick<UploadSessionStore, 'get' | 'create' | 'isCatalogued' | 'markCompleted' | 'remove'>;
  };

const GUEST_FIELDS = new Set(['fileName', 'contentType', 'size', 'sha256', 'checksumAlgorithm']);

/** The identity the upload machinery sees for a drop link: an editor limited to the shared folder. */
function dropUploader(share: Share): Caller {
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

const quotaOf = (share: Share) => ({ maxBytes: share.maxBytes ?? 0, maxFiles: share.maxFiles ?? 0 });
const quotaRefusal = () => new ShareQuotaExceeded('This drop link takes no more files: its byte or file quota is used up');

/** Reserves the upload's size and file; when it does not fit, gives back the link's lapsed holds and tries once more. */
async function reserve(share: Share, uploadId: string, size: number, deps: DropUploadsDeps, now: Date): Promise<void> {
  const reservation = { uploadId, shareId: share.id, owner: share.owner, ...(share.label !== undefined ? { label: share.label } : {}), size, releaseAt: dropReleaseAt(now, deps.urlTtlSeconds) };
  for (let attempt = 0; ; attempt += 1) {
    try {
      await deps.reservations.reserve(reservation, quotaOf(share));
      return;
    } catch (error) {
      if (!(error instanceof ShareQuotaExceededError)) throw error;
      if (attempt > 0 || (await deps.reservations.releaseLapsed(await deps.guests.linkUploads(share.id), now)) === 0) throw quotaRefusal();
    }
  }
}

/**
 * Starts the upload under the first free name of `dropNameCandidates`: not a file of the
 * folder, not claimed by another guest's upload in progress. The claim lasts as long as the
 * upload can still arrive.
 */
async function createUnderFreeName(request: UploadRequest, share: Share, uploadId: string, deps: DropUploadsDeps, now: Date): Promise<{ created: CreateUploadResponse; storedAs: string }> {
  const sessionSeconds = request.size >= deps.multipartThresholdBytes ? MULTIPART_SESSION_SECONDS : deps.urlTtlSeconds;
  const until = Math.ceil(now.getTime() / 1000) + sessionSeconds + deps.urlTtlSeconds;
  for (const name of dropNameCandidates(request.folder, request.name)) {
    if ((await deps.files.getRow(request.folder, name)).file !== undefined) continue;
    if (!(await deps.guests.claimName({ folder: request.folder, name, uploadId, until }, now))) continue;
    try {
      const created = await createUpload({ ...request, name, key: objectKey({ folder: request.folder, name }) }, dropUploader(share), { ...deps, newUploadId: () => uploadId });
      return { created, storedAs: name };
    } catch (error) {
      await deps.guests.releaseName(request.folder, name, uploadId).catch(() => undefined);
      // A file catalogued since the check above: the next name.
      if (!(error instanceof FileExists)) throw error;
    }
  }
  throw new Conflict('No free name was found for this file: send it again');
}

export async function createDropUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<CreateUploadResponse & { guestKey: string; storedAs: string }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const body = event.parsedBody;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"fileName", "contentType", "size"}');
  const unknown = Object.keys(body).find((f) => !GUEST_FIELDS.has(f));
  if (unknown !== undefined) throw new ValidationError(unknown, `is not a known field (expected ${[...GUEST_FIELDS].join(', ')})`);
  const request = parseUploadRequest({ ...body, folder: opened.folder }, deps);
  const guestKey = guestKeyOf(event) ?? newGuestKey();
  const { share } = opened;
  const uploadId = newUploadId();
  await reserve(share, uploadId, request.size, deps, now);
  let started: { created: CreateUploadResponse; storedAs: string };
  try {
    started = await createUnderFreeName(request, share, uploadId, deps, now);
  } catch (error) {
    // Nothing was signed: give the reservation back now (failing that, the sweep does at its release time).
    await deps.reservations.release(uploadId, now).catch(() => undefined);
    throw error;
  }
  const { created, storedAs } = started;
  const ttl = Math.floor(now.getTime() / 1000) + MULTIPART_SESSION_SECONDS + SESSION_GRACE_SECONDS;
  await deps.guests.add(share.id, hashShareToken(guestKey), { uploadId: created.uploadId, size: request.size }, ttl);
  await deps.accessLog.record(share.id, { at: now.toISOString(), event: 'upload', fileId: created.fileId, name: storedAs, bytes: request.size, ip: truncateIp(clientAddress(event)) });
  return { ...created, guestKey, storedAs };
}

export async function listGuestUploads(event: ApiEvent, deps: DropUploadsDeps): Promise<{ uploads: GuestUploadView[] }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const guestKey = guestKeyOf(event);
  if (guestKey === undefined) return { uploads: [] };
  const ids = await deps.guests.uploadsOf(opened.share.id, hashShareToken(guestKey));
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
async function guestUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<{ uploadId: string; caller: Caller; share: Share }> {
  const now = clock(deps);
  const opened = await openDrop(event, deps, now);
  const guestKey = guestKeyOf(event);
  const uploadId = event.pathParameters?.uploadId;
  const notFound = new UploadNotFound(`No upload ${JSON.stringify(uploadId ?? '')} of yours`);
  if (guestKey === undefined || uploadId === undefined || !/^[A-Za-z0-9_-]{22}$/.test(uploadId)) throw notFound;
  if (!(await deps.guests.isGuestUpload(opened.share.id, hashShareToken(guestKey), uploadId))) throw notFound;
  return { uploadId, caller: dropUploader(opened.share), share: opened.share };
}

/** The guest is sending: their hold lasts two more URL lifetimes, or is taken again if it lapsed (413 when it no longer fits). */
async function renewHold(uploadId: string, share: Share, deps: DropUploadsDeps): Promise<void> {
  try {
    await deps.reservations.renew(uploadId, dropReleaseAt(clock(deps), deps.urlTtlSeconds), quotaOf(share));
  } catch (error) {
    if (error instanceof ShareQuotaExceededError) throw new ShareQuotaExceeded('This upload waited too long and the drop link has no room for it any more: its quota is used up');
    throw error;
  }
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
  const { uploadId, caller, share } = await guestUpload(event, deps);
  const request = parseSignPartsRequest(event.parsedBody);
  await renewHold(uploadId, share, deps);
  return signParts(uploadId, request, caller, deps);
}

/**
 * The guest gives up a multipart upload: S3 drops its parts, and its reservation goes back to
 * the link's quota. A single PUT cannot be aborted (S3 cannot revoke its URL): its reservation
 * is given back by the sweep once the URL has expired, unless the file arrived.
 */
export async function abortGuestUpload(event: ApiEvent, deps: DropUploadsDeps): Promise<void> {
  const { uploadId, caller } = await guestUpload(event, deps);
  const session = await deps.uploads.get(uploadId);
  await abortUpload(uploadId, caller, deps);
  await deps.reservations.release(uploadId, clock(deps));
  if (session !== undefined) await deps.guests.releaseName(session.folder, session.name, uploadId);
}

export async function completeGuestUpload(event: ApiEvent, deps: DropUploadsDeps, logger: Logger) {
  const { uploadId, caller, share } = await guestUpload(event, deps);
  const request = parseCompleteRequest(event.parsedBody);
  await renewHold(uploadId, share, deps);
  const result = await completeUpload(uploadId, request, caller, { ...deps, logger });
  return { file: withoutFolder(result.file) };
}
