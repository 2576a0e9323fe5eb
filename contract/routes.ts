/**
 * The one declaration of the HTTP API. The API Gateway construct creates a route (and
 * attaches the authorizer) for each entry; the local API server matches requests against
 * the same list; each function's bundle dispatches on the same route keys.
 *
 * Pure data: no imports from modules/ or handlers/.
 */
import type { ApiFunctionName } from './functions';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** API Gateway path syntax, e.g. `/uploads/{uploadId}/parts`. */
  readonly path: string;
  /** The function whose bundle serves this route. */
  readonly function: ApiFunctionName;
  /** Whether the JWT authorizer guards this route. Only login, refresh, logout, the sign-in options and provider sign-in, health, the public share routes (`/public/…`) and share pages (`/s/…`) are open. */
  readonly auth: boolean;
  readonly summary: string;
}

export const ROUTES: readonly RouteDeclaration[] = [
  { method: 'POST', path: '/auth/login', function: 'auth', auth: false, summary: 'Exchange username and password for a token' },
  { method: 'POST', path: '/auth/refresh', function: 'auth', auth: false, summary: 'Rotate the refresh token (cookie, or body for the CLI) for a new access token' },
  { method: 'POST', path: '/auth/logout', function: 'auth', auth: false, summary: 'End the session: revoke the refresh token\'s family, clear the cookie' },
  { method: 'GET', path: '/auth/options', function: 'auth', auth: false, summary: 'How users sign in: password login on or off, the identity provider\'s sign-in path and end-session URL' },
  { method: 'GET', path: '/auth/oidc/start', function: 'auth', auth: false, summary: 'Sign in through the identity provider: 302 to its authorization endpoint (code flow with PKCE; ?origin= the web app\'s origin)' },
  { method: 'GET', path: '/auth/oidc/callback', function: 'auth', auth: false, summary: 'The provider\'s return: code exchanged and ID token verified here, then the service\'s session cookie and a 302 to the app (a page saying why when refused)' },
  { method: 'POST', path: '/auth/oidc/device', function: 'auth', auth: false, summary: 'The CLI\'s sign-in through the identity provider (device authorization): the code to enter at the provider, and the device code to poll with' },
  { method: 'POST', path: '/auth/oidc/device/token', function: 'auth', auth: false, summary: 'Poll a device sign-in: 428 AuthorizationPending until approved, then a session as for a CLI login' },
  { method: 'GET', path: '/auth/me', function: 'auth', auth: true, summary: 'The caller: username, role and folder limits as stored now' },
  { method: 'GET', path: '/health', function: 'auth', auth: false, summary: 'Liveness probe' },
  { method: 'GET', path: '/users', function: 'auth', auth: true, summary: 'Admins: list the users, their roles and folder limits' },
  { method: 'POST', path: '/users', function: 'auth', auth: true, summary: 'Admins: add a user (a password is generated when none is given)' },
  { method: 'PATCH', path: '/users/{username}', function: 'auth', auth: true, summary: 'Admins: change a user\'s role, password or folder limits' },
  { method: 'DELETE', path: '/users/{username}', function: 'auth', auth: true, summary: 'Admins: remove a user (never the last admin)' },
  { method: 'POST', path: '/uploads', function: 'uploads', auth: true, summary: 'Start an upload: presigned PUT URL, or a multipart upload from the size threshold on' },
  { method: 'POST', path: '/uploads/batch', function: 'uploads', auth: true, summary: 'Start up to 100 uploads at once; each item answered like POST /uploads, failures per item' },
  { method: 'GET', path: '/uploads/{uploadId}', function: 'uploads', auth: true, summary: 'An upload\'s status and the parts S3 already holds (resume)' },
  { method: 'DELETE', path: '/uploads/{uploadId}', function: 'uploads', auth: true, summary: 'Abort a multipart upload and delete its parts' },
  { method: 'POST', path: '/uploads/{uploadId}/parts', function: 'uploads', auth: true, summary: 'Presigned URLs for parts of a multipart upload, signed on demand' },
  { method: 'POST', path: '/uploads/{uploadId}/complete', function: 'uploads', auth: true, summary: 'Complete a multipart upload after checking its parts against S3' },
  { method: 'POST', path: '/folders', function: 'files', auth: true, summary: 'Create a folder (and its ancestors); it lists even while empty' },
  { method: 'GET', path: '/folders', function: 'files', auth: true, summary: 'List the subfolders of ?parent= (default /)' },
  { method: 'DELETE', path: '/folders', function: 'files', auth: true, summary: 'Delete the folder ?path=: an empty one at once (204); with &recursive=true one with files too, to the trash, as a job (202; else 409 FolderNotEmpty)' },
  { method: 'GET', path: '/files', function: 'files', auth: true, summary: 'List the files of a folder (by name, date taken or upload time: ?sort=name|taken|uploaded&order=asc|desc; only one ?type=image|video|other) or of a type across folders (newest first) with view and thumbnail URLs' },
  { method: 'POST', path: '/files/links', function: 'files', auth: true, summary: 'Download links for many files; unknown ids reported per item' },
  { method: 'POST', path: '/files/exists', function: 'files', auth: true, summary: 'Before uploading: which of up to 100 whole-file SHA-256s are already in the library, and where, among the files the caller may see' },
  { method: 'GET', path: '/files/duplicates', function: 'files', auth: true, summary: 'Admins: the files stored more than once (same SHA-256), most bytes to free first' },
  { method: 'GET', path: '/files/{id}', function: 'files', auth: true, summary: 'A file\'s metadata (size as displayed, date taken, camera, duration…), view URL and thumbnail URLs' },
  { method: 'GET', path: '/files/{id}/download', function: 'files', auth: true, summary: '302 to a presigned download (Content-Disposition: attachment with the file name)' },
  { method: 'PATCH', path: '/files/{id}', function: 'files', auth: true, summary: 'Change tags or description; rename or move (copy, verify, delete; 409 on a name clash unless overwrite); 202 with a job for large files' },
  { method: 'DELETE', path: '/files/{id}', function: 'files', auth: true, summary: 'Delete a file: it goes to the trash, restorable for trash_retention_days' },
  { method: 'GET', path: '/jobs/{id}', function: 'files', auth: true, summary: 'A job\'s status: pending, running, succeeded or failed; a move names the moved file, a trash job counts what it did' },
  { method: 'GET', path: '/trash', function: 'files', auth: true, summary: 'The trash: deleted files newest first, the caller\'s own (uploaded or deleted by them; admins: all), with where they were and when they expire' },
  { method: 'POST', path: '/trash/{id}/restore', function: 'files', auth: true, summary: 'Restore a file to its place (beside it under a free name when taken): same bytes, tags, description, date taken' },
  { method: 'DELETE', path: '/trash/{id}', function: 'files', auth: true, summary: 'Delete a file in the trash forever' },
  { method: 'POST', path: '/trash/jobs', function: 'files', auth: true, summary: 'Restore or delete forever many trash entries (ids, or all the caller may; emptying everyone\'s trash: admins) as a job (202)' },
  { method: 'GET', path: '/timeline/buckets', function: 'files', auth: true, summary: 'The timeline\'s months (date taken, else upload time) with how many files of each the caller may see, newest first; read from counters, never the files' },
  { method: 'GET', path: '/timeline', function: 'files', auth: true, summary: 'One page of a month\'s files (?month=YYYY-MM&limit=&cursor=) across the folders the caller may see, newest taken first, with view and thumbnail URLs' },
  { method: 'GET', path: '/stats/storage', function: 'files', auth: true, summary: 'Admins: files and bytes stored, in total, by type, by content type and by uploader' },
  { method: 'POST', path: '/shares', function: 'files', auth: true, summary: 'Editors/admins: share a file or folder (view) or open a folder to uploads (drop); the token is shown once' },
  { method: 'GET', path: '/shares', function: 'files', auth: true, summary: 'The caller\'s shares (admins: all) with views, last access and drop usage' },
  { method: 'DELETE', path: '/shares/{id}', function: 'files', auth: true, summary: 'Revoke a share at once' },
  { method: 'GET', path: '/shares/{id}/log', function: 'files', auth: true, summary: 'A share\'s access log: opens, views, downloads, uploads, bytes signed, /24 or /48 of the visitor' },
  { method: 'GET', path: '/s/{token}', function: 'shares', auth: false, summary: 'A share\'s page: the web app with Open Graph tags (title, description, a preview picture: only what the share shows) for chat apps\' link previews; the site sends /s/* here' },
  { method: 'GET', path: '/s/{token}/preview', function: 'shares', auth: false, summary: 'A share page\'s picture (its og:image): 302 to the derived image presigned now, within the share\'s life; 404 when the page shows none (drop link, password, nothing processed)' },
  { method: 'GET', path: '/public/shares/{token}', function: 'shares', auth: false, summary: 'Open a share: the file, a page of the album, or the drop link\'s quota' },
  { method: 'POST', path: '/public/shares/{token}/unlock', function: 'shares', auth: false, summary: 'A password-protected share\'s session (X-Share-Session); attempts counted before the check, login_max_failures per source (then 429); the share as a whole only slows down (at most 5 s), never closes' },
  { method: 'GET', path: '/public/shares/{token}/files/{id}/download', function: 'shares', auth: false, summary: 'A download URL for one file of the share, when it allows downloads' },
  { method: 'POST', path: '/public/shares/{token}/links', function: 'shares', auth: false, summary: 'Download links for up to 200 files of the share at once (an album\'s ZIP), when it allows downloads; ids outside the share reported per item' },
  { method: 'POST', path: '/public/shares/{token}/uploads', function: 'uploads', auth: false, summary: 'Drop link: start an upload into the shared folder within its quota (X-Share-Guest)' },
  { method: 'GET', path: '/public/shares/{token}/uploads', function: 'uploads', auth: false, summary: 'Drop link: the guest\'s own uploads in progress' },
  { method: 'GET', path: '/public/shares/{token}/uploads/{uploadId}', function: 'uploads', auth: false, summary: 'Drop link: one of the guest\'s uploads and the parts S3 holds (resume)' },
  { method: 'POST', path: '/public/shares/{token}/uploads/{uploadId}/parts', function: 'uploads', auth: false, summary: 'Drop link: presigned URLs for parts of the guest\'s multipart upload' },
  { method: 'POST', path: '/public/shares/{token}/uploads/{uploadId}/complete', function: 'uploads', auth: false, summary: 'Drop link: complete the guest\'s multipart upload' },
  { method: 'DELETE', path: '/public/shares/{token}/uploads/{uploadId}', function: 'uploads', auth: false, summary: 'Drop link: abort the guest\'s multipart upload; its bytes and file go back to the quota' },
];

/** API Gateway's route key, e.g. `POST /uploads`. */
export function routeKey(route: Pick<RouteDeclaration, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function routesOf(fn: ApiFunctionName): readonly RouteDeclaration[] {
  return ROUTES.filter((r) => r.function === fn);
}
