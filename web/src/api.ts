/**
 * The one client of the API, typed by contract/wire.ts. The app reaches the API on its own
 * origin under `/api`. The access token lives in this module's memory only (never storage a
 * script could read later); the HttpOnly refresh cookie renews it.
 */
import { DEFAULT_ORDER, type FolderSort, type SortOrder } from '../../contract/listing';
import type * as W from '../../contract/wire';
import { ApiError, apiErrorOf } from '../../client/errors';

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

const errorOf = async (response: Response, operation: string): Promise<ApiError> => apiErrorOf(response, await response.text(), operation);

/** The code of the error thrown when a session cannot be renewed (the user must log in again). */
export const SESSION_ENDED = 'SessionEnded';

/**
 * A 403 from API Gateway's authorizer (`{"message":"Forbidden"}`): the token was refused, e.g.
 * revoked by a change to the user. The API's own 403s always carry `{error:{code}}`.
 */
async function isGatewayDenial(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    return body.error === undefined;
  } catch {
    return true;
  }
}

interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Do not renew the session and retry on 401 (auth routes). */
  readonly noRenew?: boolean;
  /** A public share route: no Authorization header, no refresh. */
  readonly anonymous?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) query.set(name, value);
  const url = `${API_BASE}${path}${query.size ? `?${query}` : ''}`;
  const send = (): Promise<Response> =>
    fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(session && !options.anonymous ? { authorization: `Bearer ${session.token}` } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  let response = await send();
  if (session && !options.noRenew && !options.anonymous && (response.status === 401 || (await isGatewayDenial(response)))) {
    // The access token expired, or was revoked because an admin changed this user (role, folders,
    // password): one refresh, then the same request once more. A refresh refused means the
    // session is over: say so, rather than "not allowed" to someone whose page still shows the old rights.
    if (await refresh()) response = await send();
    else throw new ApiError(401, SESSION_ENDED, 'Your session has ended or an administrator changed your access. Please log in again.', `${method} ${path}`);
  }
  if (!response.ok) throw await errorOf(response, `${method} ${path}`);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const seg = encodeURIComponent;

export async function login(username: string, password: string): Promise<Session> {
  const answer = await request<W.LoginResponse>('POST', '/auth/login', { body: { username, password } satisfies W.LoginRequest, noRenew: true });
  session = sessionOf(answer);
  return session;
}

/** A new access token from the refresh cookie; undefined when there is no session to renew. */
export function refresh(): Promise<Session | undefined> {
  // `{}`: the refresh token travels in the HttpOnly cookie, which this code cannot read.
  refreshing ??= request<W.LoginResponse>('POST', '/auth/refresh', { body: {}, noRenew: true })
    .then((answer) => (session = sessionOf(answer)))
    .catch((error: unknown) => {
      if (error instanceof ApiError && [400, 401, 403, 404].includes(error.status)) {
        session = undefined;
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
    await request<void>('POST', '/auth/logout', { body: {}, noRenew: true });
  } catch (error) {
    // Before sessions exist server-side there is nothing to revoke; forgetting the token is logging out.
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
  } finally {
    session = undefined;
  }
}

/** One page of a folder in `sort` order, `order` way (contract/listing.ts); the cursor only continues that order. */
/** A page of `folder` in `sort` order, of one `type` when given (the API fills pages with that type). */
export const listFiles = (folder: string, cursor?: string, limit = 200, sort: FolderSort = 'name', order: SortOrder = DEFAULT_ORDER[sort], type?: W.FileType): Promise<W.FilePage> =>
  request('GET', '/files', { query: { folder, cursor, limit: String(limit), sort, order, type } });
export const getJob = (id: string): Promise<W.MoveJobAnswer> => request('GET', `/jobs/${seg(id)}`);
export const getFile = (id: string): Promise<W.FileItem> => request('GET', `/files/${seg(id)}`);
/** 200 with the file, or 202 with the job when a large move continues in the background. */
export const updateFile = (id: string, change: W.FileChange): Promise<W.FileItem | W.MoveJobAnswer> =>
  request('PATCH', `/files/${seg(id)}`, { body: change });
export const deleteFile = (id: string): Promise<void> => request('DELETE', `/files/${seg(id)}`);
export const fileLinks = (ids: readonly string[]): Promise<W.FileLinks> => request('POST', '/files/links', { body: { ids } satisfies W.FileLinksRequest });

export const listFolders = (parent: string): Promise<W.FolderList> => request('GET', '/folders', { query: { parent } });
export const createFolder = (path: string): Promise<W.FolderCreated> => request('POST', '/folders', { body: { path } });
export const deleteFolder = (path: string): Promise<void> => request('DELETE', '/folders', { query: { path } });

export const createUpload = (upload: W.UploadRequest): Promise<W.CreatedUpload> => request('POST', '/uploads', { body: upload });
export const signParts = (uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts> => request('POST', `/uploads/${seg(uploadId)}/parts`, { body: parts });
export const uploadStatus = (uploadId: string): Promise<W.UploadStatus> => request('GET', `/uploads/${seg(uploadId)}`);
export const completeUpload = (uploadId: string, parts: W.CompleteRequest): Promise<{ file?: W.FileItem }> =>
  request('POST', `/uploads/${seg(uploadId)}/complete`, { body: parts });
export const abortUpload = (uploadId: string): Promise<void> => request('DELETE', `/uploads/${seg(uploadId)}`);

export const listUsers = (): Promise<W.UserList> => request('GET', '/users');
export const createUser = (user: W.CreateUserRequest): Promise<{ user: W.UserView; password?: string }> => request('POST', '/users', { body: user });
export const changeUser = (username: string, change: W.ChangeUserRequest): Promise<{ user: W.UserView; password?: string }> =>
  request('PATCH', `/users/${seg(username)}`, { body: change });
export const deleteUser = (username: string): Promise<void> => request('DELETE', `/users/${seg(username)}`);

/** Admins: files and bytes stored, in total, by type, content type and uploader. */
export const storageStats = (): Promise<W.StorageStats> => request('GET', '/stats/storage');

export const createShare = (share: W.CreateShareRequest): Promise<W.CreatedShare> => request('POST', '/shares', { body: share });
export const listShares = (): Promise<W.ShareList> => request('GET', '/shares');
export const revokeShare = (id: string): Promise<void> => request('DELETE', `/shares/${seg(id)}`);
export const shareLog = (id: string): Promise<W.ShareLog> => request('GET', `/shares/${seg(id)}/log`);

/** The public page's calls: anonymous; a password-protected share's session in X-Share-Session. */
const shareHeaders = (shareSession: string | undefined): Record<string, string> => (shareSession ? { 'x-share-session': shareSession } : {});
export const openShare = (token: string, shareSession?: string, cursor?: string): Promise<W.PublicShare> =>
  request('GET', `/public/shares/${seg(token)}`, { anonymous: true, headers: shareHeaders(shareSession), query: { cursor } });
export const unlockShare = (token: string, password: string): Promise<W.ShareUnlocked> =>
  request('POST', `/public/shares/${seg(token)}/unlock`, { anonymous: true, body: { password } });
export const shareDownload = (token: string, id: string, shareSession?: string): Promise<W.ShareDownload> =>
  request('GET', `/public/shares/${seg(token)}/files/${seg(id)}/download`, { anonymous: true, headers: shareHeaders(shareSession) });
/** Download links for up to 200 files of the share at once. */
export const shareLinks = (token: string, ids: readonly string[], shareSession?: string): Promise<W.FileLinks> =>
  request('POST', `/public/shares/${seg(token)}/links`, { anonymous: true, headers: shareHeaders(shareSession), body: { ids } satisfies W.FileLinksRequest });

/** A drop link's guest: their key (`X-Share-Guest`, see upload/guest-key.ts) and, for a password-protected link, its session. */
export interface ShareGuest {
  readonly guestKey: string;
  readonly shareSession?: string;
}
const guestRequest = (guest: ShareGuest, body?: unknown): RequestOptions => ({
  anonymous: true,
  headers: { 'x-share-guest': guest.guestKey, ...shareHeaders(guest.shareSession) },
  ...(body !== undefined ? { body } : {}),
});
const dropPath = (token: string, rest = ''): string => `/public/shares/${seg(token)}/uploads${rest}`;
export const createGuestUpload = (token: string, guest: ShareGuest, upload: W.GuestUploadRequest): Promise<W.CreatedGuestUpload> =>
  request('POST', dropPath(token), guestRequest(guest, upload));
export const listGuestUploads = (token: string, guest: ShareGuest): Promise<W.GuestUploadList> => request('GET', dropPath(token), guestRequest(guest));
export const guestUploadStatus = (token: string, guest: ShareGuest, uploadId: string): Promise<W.UploadStatus> =>
  request('GET', dropPath(token, `/${seg(uploadId)}`), guestRequest(guest));
export const signGuestParts = (token: string, guest: ShareGuest, uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts> =>
  request('POST', dropPath(token, `/${seg(uploadId)}/parts`), guestRequest(guest, parts));
/** Aborts the guest's multipart upload; its reservation goes back to the link's quota. */
export const abortGuestUpload = (token: string, guest: ShareGuest, uploadId: string): Promise<void> =>
  request('DELETE', dropPath(token, `/${seg(uploadId)}`), guestRequest(guest));
/** The catalogued file comes back without its folder; a guest never sees the folder's files. */
export const completeGuestUpload = (token: string, guest: ShareGuest, uploadId: string, parts: W.CompleteRequest): Promise<unknown> =>
  request('POST', dropPath(token, `/${seg(uploadId)}/complete`), guestRequest(guest, parts));
