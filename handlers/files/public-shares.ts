/**
 * The public share routes of the files function (no JWT; see handlers/shares/open-share.ts for
 * the checks every request passes):
 *
 * - `GET /public/shares/{token}?cursor=&limit=`: the share and, for a file share, the file; for
 *   an album, one page of the folder's own files (not its subfolders), live; for a drop link, its
 *   quota and usage only. A file comes with its thumbnail and preview once processed, and with a
 *   URL of the original only when the share allows downloads (then a file share's file has a
 *   download URL too) or, to stream it, when it is a video: a share without downloads never
 *   hands out a photo's original.
 * - `POST /public/shares/{token}/unlock {password}`: a share session (`X-Share-Session`). Attempts
 *   are counted before the password is checked, per (share, source) like a login's: after
 *   `maxFailures` that source is refused (429) for the lockout. The share as a whole is never
 *   closed: attempts from every source slow it down, at most 5 s each (`unlockDelayMs`).
 * - `GET /public/shares/{token}/files/{id}/download`: `{url}` to download one file of the share,
 *   when the share allows downloads (403 otherwise); a file outside the share is a 404.
 * - `POST /public/shares/{token}/links {ids}`: download links for up to 200 files of the share at
 *   once (an album's ZIP), refused like the single download; an id that names no file of the
 *   share is reported in its own item, the same for a missing file and one outside the share.
 *
 * Every URL is presigned for at most the share's remaining life, thumbnails and previews too,
 * through `ObjectUrls.get` (core/object-urls.ts): active content is always an attachment.
 * Each request is logged in the share's access log with the bytes of the files it signed URLs
 * for and the viewer's /24 or /48; a batch of links logs one download per file.
 */
import type { FileLinks, PublicFile, PublicShareInfo } from '../../contract/wire';
import type { CatalogFile } from '../core/catalog';
import { Forbidden, NotFound, TooManyRequests, Unauthorized, ValidationError } from '../core/errors';
import { shareUnlockLimiterKey } from '../../contract/table';
import { PAGE_LIMITS } from '../../contract/listing';
import { MAX_UNLOCK_DELAY_MS, shareWidePolicy, sourceHash, unlockDelayMs, type ThrottlePolicy } from '../core/login-throttle';
import type { Logger } from '../core/logger';
import { verifyPassword } from '../core/password';
import { parsePageLimit } from '../core/page-limit';
import { normalizeFileName } from '../core/paths';
import { SHARE_SESSION_SECONDS, signShareSession, truncateIp, urlTtlWithin } from '../core/shares';
import { playableOf } from '../core/video-copies';
import type { AttemptCounter } from '../adapters/attempt-counter';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectUrls } from '../core/object-urls';
import type { ObjectStore } from '../adapters/object-store';
import type { ShareEvent } from '../../contract/wire';
import type { ShareAccessLog } from '../adapters/share-access-log';
import type { SharesRepository } from '../adapters/shares-repository';
import { openShare, requireShareSession, type OpenedShare, type OpenShareDeps } from '../shares/open-share';
import { derivedUrls, locateFile, videoPlayback } from './file-view';
import { parseLinksRequest } from './file-links';

export interface PublicSharesDeps extends OpenShareDeps {
  readonly shares: Pick<SharesRepository, 'byTokenHash' | 'summary'>;
  readonly accessLog: Pick<ShareAccessLog, 'record' | 'recordMany'>;
  readonly files: Pick<FileCatalog, 'getRow' | 'listFolder' | 'getFiles'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  readonly throttle: ThrottlePolicy;
  readonly attempts: AttemptCounter;
  /** @default the clock */
  readonly now?: () => Date;
  /** Waits before a share password is checked (`unlockDelayMs`). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type { PublicFile, PublicShareInfo } from '../../contract/wire';

export interface PublicShareResponse {
  readonly share: PublicShareInfo;
  readonly file?: PublicFile;
  readonly files?: readonly PublicFile[];
  readonly nextCursor?: string | null;
}

interface Visit {
  readonly token: string | undefined;
  readonly ip: string | undefined;
  readonly event: Parameters<typeof requireShareSession>[1];
}

const clock = (deps: { now?: () => Date }): Date => (deps.now ?? (() => new Date()))();

function infoOf(opened: OpenedShare): PublicShareInfo {
  const { share } = opened;
  return {
    kind: share.target.kind,
    mode: share.mode,
    ...(share.label !== undefined ? { label: share.label } : {}),
    allowDownload: share.allowDownload,
    expiresAt: share.expiresAt,
    ...(share.maxBytes !== undefined ? { maxBytes: share.maxBytes } : {}),
    ...(share.maxFiles !== undefined ? { maxFiles: share.maxFiles } : {}),
  };
}

interface Signing {
  readonly sign: ObjectUrls;
  readonly ttl: number;
  readonly now: Date;
  readonly urlExpiresAt: string;
}

/** A presigned download of `file` under its own name. */
const attachmentUrl = (signing: Signing, file: CatalogFile): string => signing.sign.get(file, 'attachment', { expiresIn: signing.ttl, now: signing.now });

/** Shortest life of a video's stream URL in a share without downloads. */
const MIN_STREAM_URL_SECONDS = 15 * 60;

/**
 * How long a video's stream URL lives in a share without downloads: long enough to watch the
 * video twice through (seeking included), at least 15 minutes, never longer than the share's
 * other URLs. The stream is the original: a visitor who wants to can still save it.
 */
export function streamUrlTtl(durationSeconds: number | undefined, ttl: number): number {
  const wanted = durationSeconds === undefined ? MIN_STREAM_URL_SECONDS : Math.max(MIN_STREAM_URL_SECONDS, Math.ceil(durationSeconds * 2));
  return Math.min(ttl, wanted);
}

/**
 * The URL of a file's original a visitor may have, and when it expires: any file when the
 * share allows downloads; otherwise only a video's, to stream (a photo is seen through its
 * preview, anything else not at all).
 */
function originalUrl(file: CatalogFile, signing: Signing, allowDownload: boolean): Pick<PublicFile, 'url' | 'urlExpiresAt'> {
  const { sign, ttl, now, urlExpiresAt } = signing;
  if (allowDownload) return { url: sign.get(file, 'inline', { expiresIn: ttl, now }), urlExpiresAt };
  if (file.fileType !== 'video') return { urlExpiresAt };
  const expiresIn = streamUrlTtl(file.media?.durationSeconds, ttl);
  const streamExpiresAt = new Date(now.getTime() + expiresIn * 1000).toISOString();
  // With a playable copy, that is the stream (`video.copyUrl`): the original stays unshared.
  if (file.video !== undefined && playableOf(file.video) === 'copy') return { urlExpiresAt: streamExpiresAt };
  return { url: sign.get(file, 'inline', { expiresIn, now }), urlExpiresAt: streamExpiresAt };
}

/** A video's playback view; its copy's URL lives as long as the original's would (a stream's life without downloads). */
function publicVideo(file: CatalogFile, signing: Signing, allowDownload: boolean): Pick<PublicFile, 'video'> {
  if (file.video === undefined) return {};
  const ttlSeconds = allowDownload ? signing.ttl : streamUrlTtl(file.media?.durationSeconds, signing.ttl);
  return { video: videoPlayback(file, file.video, { sign: signing.sign, now: signing.now, ttlSeconds }) };
}

/** What processing found that a visitor may see: the shape and length, never the camera, place or date. */
function visibleMedia(file: CatalogFile): Pick<PublicFile, 'width' | 'height' | 'durationSeconds' | 'browserPlayable'> {
  const { width, height, durationSeconds, browserPlayable } = file.media ?? {};
  return {
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(browserPlayable !== undefined ? { browserPlayable } : {}),
  };
}

/** A file as a visitor sees it; `downloadUrl` only for a file share that allows downloads. */
function publicFile(file: CatalogFile, signing: Signing, allowDownload: boolean, withDownloadUrl: boolean): PublicFile {
  const { sign, ttl, now } = signing;
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    fileType: file.fileType,
    uploadedAt: file.uploadedAt,
    ...originalUrl(file, signing, allowDownload),
    ...visibleMedia(file),
    ...publicVideo(file, signing, allowDownload),
    ...(file.processing === 'ready' ? derivedUrls(file.derived ?? {}, { sign, ttlSeconds: ttl, now }) : {}),
    ...(allowDownload && withDownloadUrl ? { downloadUrl: attachmentUrl(signing, file) } : {}),
  };
}

async function signingFor(opened: OpenedShare, deps: PublicSharesDeps, now: Date): Promise<Signing> {
  const ttl = urlTtlWithin(opened.share.expiresAt, deps.viewUrlTtlSeconds, now);
  return { sign: await deps.objects.urlSigner(), ttl, now, urlExpiresAt: new Date(now.getTime() + ttl * 1000).toISOString() };
}

async function record(deps: PublicSharesDeps, opened: OpenedShare, visit: Visit, now: Date, event: ShareEvent, bytes: number, file?: CatalogFile): Promise<void> {
  await deps.accessLog.record(opened.share.id, {
    at: now.toISOString(),
    event,
    ...(file !== undefined ? { fileId: file.id, name: file.name } : {}),
    bytes,
    ip: truncateIp(visit.ip),
  });
}

export function parsePublicListQuery(params: Readonly<Record<string, string | undefined>> | undefined): { limit: number; afterName?: string } {
  const limit = parsePageLimit(params?.limit, PAGE_LIMITS.publicShare);
  if (params?.cursor === undefined) return { limit };
  const invalid = new ValidationError('cursor', 'is not a cursor returned by this share');
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(params.cursor)) throw invalid;
  const name = Buffer.from(params.cursor, 'base64url').toString('utf8');
  try {
    if (normalizeFileName(name, 'fileName', 'stored') !== name) throw invalid;
  } catch {
    throw invalid;
  }
  return { limit, afterName: name };
}

export async function viewShare(visit: Visit, query: { limit: number; afterName?: string }, deps: PublicSharesDeps): Promise<PublicShareResponse> {
  const now = clock(deps);
  const opened = await openShare(visit.token, deps, now);
  requireShareSession(opened, visit.event, now);
  const share = infoOf(opened);
  const event: ShareEvent = query.afterName === undefined ? 'open' : 'view';
  if (opened.share.mode === 'drop') {
    const usage = await deps.shares.summary(opened.share.id);
    await record(deps, opened, visit, now, event, 0);
    return { share: { ...share, usedBytes: usage?.usedBytes ?? 0, usedFiles: usage?.usedFiles ?? 0 } };
  }
  const signing = await signingFor(opened, deps, now);
  if (opened.file !== undefined) {
    const file = publicFile(opened.file, signing, opened.share.allowDownload, true);
    await record(deps, opened, visit, now, event, opened.file.size, opened.file);
    return { share, file };
  }
  const page = await deps.files.listFolder(opened.folder, { limit: query.limit, ...(query.afterName !== undefined ? { afterName: query.afterName } : {}) });
  await record(deps, opened, visit, now, event, page.files.reduce((sum, f) => sum + f.size, 0));
  return {
    share,
    files: page.files.map((file) => publicFile(file, signing, opened.share.allowDownload, false)),
    nextCursor: page.lastName === undefined ? null : Buffer.from(page.lastName, 'utf8').toString('base64url'),
  };
}

class DownloadNotAllowed extends Forbidden {
  override readonly code = 'DownloadNotAllowed';
}

/** The catalog key of `id` when it can name a file of the share at all (the shared file, or one directly in the folder). */
function keyInShare(opened: OpenedShare, id: string | undefined): string | undefined {
  if (opened.file !== undefined) return id === opened.file.id ? opened.file.key : undefined;
  try {
    const location = locateFile(id);
    return location.folder === opened.folder ? location.key : undefined;
  } catch {
    return undefined;
  }
}

/** The file `id` if it is in the share: the shared file itself, or a file directly in the shared folder. */
async function fileInShare(opened: OpenedShare, id: string | undefined, deps: PublicSharesDeps): Promise<CatalogFile> {
  const key = keyInShare(opened, id);
  if (key === undefined) throw new NotFound('No such file in this share');
  if (opened.file !== undefined) return opened.file;
  const location = locateFile(id);
  const row = await deps.files.getRow(location.folder, location.name);
  if (row.file === undefined) throw new NotFound('No such file in this share');
  return row.file;
}

/** The share, opened for downloads: a drop link has no files to give (404), a share without downloads refuses (403). */
async function openForDownloads(visit: Visit, deps: PublicSharesDeps, now: Date): Promise<OpenedShare> {
  const opened = await openShare(visit.token, deps, now);
  requireShareSession(opened, visit.event, now);
  if (opened.share.mode === 'drop') throw new NotFound('No such file in this share');
  if (!opened.share.allowDownload) throw new DownloadNotAllowed('This share does not allow downloads');
  return opened;
}

export async function downloadFromShare(visit: Visit, id: string | undefined, deps: PublicSharesDeps): Promise<{ name: string; url: string; urlExpiresAt: string }> {
  const now = clock(deps);
  const opened = await openForDownloads(visit, deps, now);
  const file = await fileInShare(opened, id, deps);
  const signing = await signingFor(opened, deps, now);
  const url = attachmentUrl(signing, file);
  await record(deps, opened, visit, now, 'download', file.size, file);
  return { name: file.name, url, urlExpiresAt: signing.urlExpiresAt };
}

/** Most ids in one `POST /public/shares/{token}/links`: an album page's worth. */
const MAX_PUBLIC_LINK_IDS = PAGE_LIMITS.publicShare.max;

export const parsePublicLinksRequest = (body: unknown): readonly string[] => parseLinksRequest(body, MAX_PUBLIC_LINK_IDS);

const NOT_IN_SHARE = { code: 'NotFound', message: 'No such file in this share' } as const;

export async function shareLinks(visit: Visit, ids: readonly string[], deps: PublicSharesDeps): Promise<FileLinks> {
  const now = clock(deps);
  const opened = await openForDownloads(visit, deps, now);
  const keys = ids.map((id) => keyInShare(opened, id));
  // A file share's one file was read when the share was opened; an album's are read in one batch.
  const found = opened.file !== undefined ? new Map([[opened.file.key, opened.file]]) : await deps.files.getFiles(keys.filter((k): k is string => k !== undefined));
  const signing = await signingFor(opened, deps, now);
  const signed: CatalogFile[] = [];
  const links = ids.map((id, i) => {
    const key = keys[i];
    const file = key === undefined ? undefined : found.get(key);
    if (file === undefined || file.folder !== opened.folder) return { id, error: NOT_IN_SHARE };
    signed.push(file);
    return { id, name: file.name, url: attachmentUrl(signing, file), urlExpiresAt: signing.urlExpiresAt };
  });
  const at = now.toISOString();
  const ip = truncateIp(visit.ip);
  await deps.accessLog.recordMany(opened.share.id, signed.map((file) => ({ at, event: 'download' as const, fileId: file.id, name: file.name, bytes: file.size, ip })));
  return { links };
}

class WrongSharePassword extends Unauthorized {
  override readonly code = 'InvalidPassword';
}

export function parseUnlockRequest(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"password": "…"}');
  const { password, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected password)');
  if (typeof password !== 'string' || password.length === 0 || password.length > 1024) throw new ValidationError('password', 'is required: a string of 1 to 1024 characters');
  return password;
}

export async function unlockShare(visit: Visit, password: string, deps: PublicSharesDeps & { logger: Logger }): Promise<{ session: string; expiresAt: string }> {
  const now = clock(deps);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const opened = await openShare(visit.token, deps, now);
  if (opened.share.passwordHash === undefined) throw new ValidationError('password', 'this share has no password: open it directly');
  // Counted before the password is checked (core/login-throttle.ts): one source is refused
  // after maxFailures attempts; the share itself only slows down, so nobody can close it to
  // its owner's visitors by guessing wrong from many addresses.
  const source = sourceHash(visit.ip, Buffer.from(opened.share.sessionKey, 'base64url'));
  const mineKey = shareUnlockLimiterKey(opened.tokenHash, source);
  const everyoneKey = shareUnlockLimiterKey(opened.tokenHash);
  const mine = await deps.attempts.reserve(mineKey, deps.throttle, nowSeconds);
  if (!mine.granted) {
    deps.logger.info('share unlock throttled', { shareId: opened.share.id, source, retryAfterSeconds: mine.retryAfterSeconds });
    throw new TooManyRequests('Too many wrong passwords; try again later', mine.retryAfterSeconds);
  }
  const everyone = await deps.attempts.reserve(everyoneKey, shareWidePolicy(deps.throttle), nowSeconds);
  // A share-wide count lost to contention waits the longest, never the shortest.
  const delay = everyone.granted ? unlockDelayMs(everyone.record.attempts - 1, deps.throttle) : MAX_UNLOCK_DELAY_MS;
  if (delay > 0) await (deps.sleep ?? sleep)(delay);
  if (!(await verifyPassword(password, opened.share.passwordHash))) {
    deps.logger.info('share unlock failed', { shareId: opened.share.id, source, delayMs: delay });
    throw new WrongSharePassword('Wrong password');
  }
  await Promise.all([deps.attempts.clear(mineKey), everyone.granted ? deps.attempts.refund(everyoneKey, everyone.record.windowStartedAt) : undefined]);
  const shareEnd = opened.share.expiresAt === null ? Infinity : Math.floor(Date.parse(opened.share.expiresAt) / 1000);
  const expiresAtSeconds = Math.min(nowSeconds + SHARE_SESSION_SECONDS, shareEnd);
  await record(deps, opened, visit, now, 'unlock', 0);
  return { session: signShareSession(opened.share.sessionKey, opened.share.id, expiresAtSeconds), expiresAt: new Date(expiresAtSeconds * 1000).toISOString() };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
