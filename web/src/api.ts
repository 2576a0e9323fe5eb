/**
 * The web app's session over the one typed API client (client/api.ts). The app reaches the API on its own
 * origin under `/api`. The access token lives in this module's memory only (never storage a
 * script could read later); the HttpOnly refresh cookie renews it.
 */
import { DEFAULT_ORDER, type FolderSort, type SortOrder } from '../../contract/listing';
import type { UserAnswer } from '../../contract/endpoints';
import type * as W from '../../contract/wire';
import { SIGNED_IN_COOKIE } from '../../contract/site';
import { createApi } from '../../client/api';
import { ApiError } from '../../client/errors';
import { DEFAULT_RETRY_POLICY } from '../../client/retry';

export const API_BASE = '/api';

export { ApiError };

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: W.SessionUser;
}

let session: Session | undefined;
let refreshing: Promise<Session | undefined> | undefined;

export const currentSession = (): Session | undefined => session;

/** The user a token names, read from its payload (the server verifies it; this only shapes the UI). */
export function userOfToken(token: string): W.SessionUser {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
  const claims = JSON.parse(json) as { sub?: string; role?: W.Role; folders?: string[] };
  return { username: claims.sub ?? '', role: claims.role ?? 'viewer', folders: claims.folders ?? null };
}

function sessionOf(answer: W.LoginResponse): Session {
  return { token: answer.token, expiresAt: answer.expiresAt, user: answer.user ?? userOfToken(answer.token) };
}

/** The code of the error thrown when a session cannot be renewed (the user must log in again). */
export const SESSION_ENDED = 'SessionEnded';

/**
 * The typed client (client/api.ts) over this page's session: the token from memory, a refused
 * one (401, or the authorizer's 403 when an admin changed this user) renewed once from the
 * refresh cookie. A refresh refused means the session is over: say so, rather than "not
 * allowed" to someone whose page still shows the old rights. No retries here: the upload
 * pipeline retries its own calls; a page shows the error.
 */
const client = createApi({
  baseUrl: API_BASE,
  credentials: 'same-origin',
  retry: { ...DEFAULT_RETRY_POLICY, retries: 0 },
  token: () => session?.token,
  renew: async () => (await refresh()) !== undefined,
  sessionEnded: (refusal) =>
    new ApiError(401, SESSION_ENDED, 'Your session has ended or an administrator changed your access. Please log in again.', refusal.operation),
});
const call = client.call;

export async function login(username: string, password: string): Promise<Session> {
  const answer = await call('POST /auth/login', { body: { username, password } });
  session = sessionOf(answer);
  return session;
}

/** Whether the server said this browser holds a session (the script-readable hint set beside the HttpOnly refresh cookie). */
/** Whether this browser holds a session, by the script-readable hint set beside the HttpOnly refresh cookie. */
export const signedInHint = (): boolean => document.cookie.split(';').some((c) => c.trim().startsWith(`${SIGNED_IN_COOKIE}=1`));
const forgetSignedInHint = (): void => {
  document.cookie = `${SIGNED_IN_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`;
};

/**
 * A new access token from the refresh cookie; undefined when there is no session to renew
 * (without asking when the hint says there is none: a signed-out visit sends no request
 * that must fail).
 */
export function refresh(): Promise<Session | undefined> {
  if (!signedInHint()) {
    session = undefined;
    return Promise.resolve(undefined);
  }
  // `{}`: the refresh token travels in the HttpOnly cookie, which this code cannot read.
  refreshing ??= call('POST /auth/refresh', { body: {} })
    .then((answer) => (session = sessionOf(answer)))
    .catch((error: unknown) => {
      if (error instanceof ApiError && [400, 401, 403, 404].includes(error.status)) {
        session = undefined;
        forgetSignedInHint();
        return undefined;
      }
      throw error;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

export async function logout(): Promise<void> {
  try {
    await call('POST /auth/logout', { body: {} });
  } catch (error) {
    // Before sessions exist server-side there is nothing to revoke; forgetting the token is logging out.
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
  } finally {
    session = undefined;
    forgetSignedInHint();
  }
}

/** A page of `folder` in `sort` order, `order` way (contract/listing.ts), of one `type` when given (the API fills pages with that type); the cursor only continues that order. */
export const listFiles = (folder: string, cursor?: string, limit = 200, sort: FolderSort = 'name', order: SortOrder = DEFAULT_ORDER[sort], type?: W.FileType): Promise<W.FilePage> =>
  call('GET /files', { query: { folder, cursor, limit, sort, order, type } });
/** The timeline's months with their counts, newest first. */
export const timelineBuckets = (): Promise<W.TimelineBuckets> => call('GET /timeline/buckets');
/** One page of a month of the timeline (`YYYY-MM`), newest taken first. */
export const timelineMonth = (month: string, cursor?: string, limit = 200): Promise<W.FilePage> => call('GET /timeline', { query: { month, cursor, limit } });
export const getJob = (id: string): Promise<W.MoveJobAnswer | W.TrashJobAnswer> => call('GET /jobs/{id}', { params: { id } });
export const getFile = (id: string): Promise<W.FileItem> => call('GET /files/{id}', { params: { id } });
/** 200 with the file, or 202 with the job when a large move continues in the background. */
export const updateFile = (id: string, change: W.FileChange): Promise<W.FileItem | W.MoveJobAnswer> => call('PATCH /files/{id}', { params: { id }, body: change });
export const deleteFile = (id: string): Promise<void> => call('DELETE /files/{id}', { params: { id } });
export const fileLinks = (ids: readonly string[]): Promise<W.FileLinks> => call('POST /files/links', { body: { ids } });

/** The trash: deleted files the caller may restore, newest first. */
export const listTrash = (cursor?: string, limit = 100): Promise<W.TrashPage> => call('GET /trash', { query: { cursor, limit } });
export const restoreFromTrash = (id: string): Promise<W.TrashRestored> => call('POST /trash/{id}/restore', { params: { id }, body: {} });
export const purgeFromTrash = (id: string): Promise<void> => call('DELETE /trash/{id}', { params: { id } });
/** Restore or delete forever many entries (or all the caller may) as a job: 202, then `getJob`. */
export const startTrashJob = (request: W.TrashJobRequest): Promise<W.TrashJobAnswer> => call('POST /trash/jobs', { body: request });

export const listFolders = (parent: string): Promise<W.FolderList> => call('GET /folders', { query: { parent } });
export const createFolder = (path: string): Promise<W.FolderCreated> => call('POST /folders', { body: { path } });
/** An empty folder at once; with `recursive`, one with files too: 202 and the job moving it to the trash. */
export const deleteFolder = (path: string, recursive = false): Promise<W.TrashJobAnswer | undefined> =>
  call('DELETE /folders', { query: { path, ...(recursive ? { recursive: 'true' as const } : {}) } });

export const createUpload = (upload: W.UploadRequest): Promise<W.CreatedUpload> => call('POST /uploads', { body: upload });
export const signParts = (uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts> => call('POST /uploads/{uploadId}/parts', { params: { uploadId }, body: parts });
export const uploadStatus = (uploadId: string): Promise<W.UploadStatus> => call('GET /uploads/{uploadId}', { params: { uploadId } });
export const completeUpload = (uploadId: string, parts: W.CompleteRequest): Promise<{ file?: W.FileItem }> =>
  call('POST /uploads/{uploadId}/complete', { params: { uploadId }, body: parts });
export const abortUpload = (uploadId: string): Promise<void> => call('DELETE /uploads/{uploadId}', { params: { uploadId } });
/** Which of these whole-file SHA-256s (at most 100) are already in the library, and where (among what the user may see). */
export const filesExist = (sha256: readonly string[]): Promise<W.ExistsAnswer> => call('POST /files/exists', { body: { sha256 } });

/** How users sign in here: password login, the identity provider (`GET /auth/options`). */
export const authOptions = (): Promise<W.AuthOptions> => call('GET /auth/options');
/** Where the browser goes to sign in through the identity provider (a navigation, not a call). */
export const providerSignInUrl = (signInPath: string): string => `${API_BASE}${signInPath}?origin=${encodeURIComponent(location.origin)}`;

export const listUsers = (): Promise<W.UserList> => call('GET /users');
export const createUser = (user: W.CreateUserRequest): Promise<UserAnswer> => call('POST /users', { body: user });
export const changeUser = (username: string, change: W.ChangeUserRequest): Promise<UserAnswer> => call('PATCH /users/{username}', { params: { username }, body: change });
export const deleteUser = (username: string): Promise<void> => call('DELETE /users/{username}', { params: { username } });

/** Admins: files and bytes stored, in total, by type, content type and uploader. */
export const storageStats = (): Promise<W.StorageStats> => call('GET /stats/storage');
/** Admins: the files stored more than once (same content). */
export const duplicates = (): Promise<W.DuplicateList> => call('GET /files/duplicates');

export const createShare = (share: W.CreateShareRequest): Promise<W.CreatedShare> => call('POST /shares', { body: share });
export const listShares = (): Promise<W.ShareList> => call('GET /shares');
export const revokeShare = (id: string): Promise<void> => call('DELETE /shares/{id}', { params: { id } });
export const shareLog = (id: string): Promise<W.ShareLog> => call('GET /shares/{id}/log', { params: { id } });

/** The public page's calls: anonymous; a password-protected share's session in X-Share-Session. */
const shareHeaders = (shareSession: string | undefined): Record<string, string> => (shareSession ? { 'x-share-session': shareSession } : {});
export const openShare = (token: string, shareSession?: string, cursor?: string): Promise<W.PublicShare> =>
  call('GET /public/shares/{token}', { params: { token }, headers: shareHeaders(shareSession), query: { cursor } });
export const unlockShare = (token: string, password: string): Promise<W.ShareUnlocked> => call('POST /public/shares/{token}/unlock', { params: { token }, body: { password } });
export const shareDownload = (token: string, id: string, shareSession?: string): Promise<W.ShareDownload> =>
  call('GET /public/shares/{token}/files/{id}/download', { params: { token, id }, headers: shareHeaders(shareSession) });
/** Download links for up to 200 files of the share at once. */
export const shareLinks = (token: string, ids: readonly string[], shareSession?: string): Promise<W.FileLinks> =>
  call('POST /public/shares/{token}/links', { params: { token }, headers: shareHeaders(shareSession), body: { ids } });

/** A drop link's guest: their key (`X-Share-Guest`, see upload/guest-key.ts) and, for a password-protected link, its session. */
export interface ShareGuest {
  readonly guestKey: string;
  readonly shareSession?: string;
}
const guestHeaders = (guest: ShareGuest): Record<string, string> => ({ 'x-share-guest': guest.guestKey, ...shareHeaders(guest.shareSession) });
export const createGuestUpload = (token: string, guest: ShareGuest, upload: W.GuestUploadRequest): Promise<W.CreatedGuestUpload> =>
  call('POST /public/shares/{token}/uploads', { params: { token }, headers: guestHeaders(guest), body: upload });
export const listGuestUploads = (token: string, guest: ShareGuest): Promise<W.GuestUploadList> =>
  call('GET /public/shares/{token}/uploads', { params: { token }, headers: guestHeaders(guest) });
export const guestUploadStatus = (token: string, guest: ShareGuest, uploadId: string): Promise<W.UploadStatus> =>
  call('GET /public/shares/{token}/uploads/{uploadId}', { params: { token, uploadId }, headers: guestHeaders(guest) });
export const signGuestParts = (token: string, guest: ShareGuest, uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts> =>
  call('POST /public/shares/{token}/uploads/{uploadId}/parts', { params: { token, uploadId }, headers: guestHeaders(guest), body: parts });
/** Aborts the guest's multipart upload; its reservation goes back to the link's quota. */
export const abortGuestUpload = (token: string, guest: ShareGuest, uploadId: string): Promise<void> =>
  call('DELETE /public/shares/{token}/uploads/{uploadId}', { params: { token, uploadId }, headers: guestHeaders(guest) });
/** The catalogued file comes back without its folder; a guest never sees the folder's files. */
export const completeGuestUpload = (token: string, guest: ShareGuest, uploadId: string, parts: W.CompleteRequest): Promise<unknown> =>
  call('POST /public/shares/{token}/uploads/{uploadId}/complete', { params: { token, uploadId }, headers: guestHeaders(guest), body: parts });
