/**
 * The wire types of every route of contract/routes.ts, by route key: its path parameters
 * (read from the key), query, JSON body and JSON answer. client/api.ts builds the one typed
 * API client of the CLI and the web app on this map, so a field renamed in contract/wire.ts
 * breaks both builds (`npm run typecheck`: root tsconfig and web/). test/unit/endpoints.test.ts
 * checks that every route has an entry here and every entry a route.
 *
 * Pure types (plus the key list): no imports outside contract/.
 */
import type { FolderSort, SortOrder } from './listing';
import type * as W from './wire';

/** `'/files/{id}/download'` → `'id'`. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;
type PathOf<Key extends string> = Key extends `${string} ${infer Path}` ? Path : never;

/** The path parameters of a route key: `{ id: string }` for `GET /files/{id}`. */
export type PathParams<Key extends string> = { readonly [Name in ParamNames<PathOf<Key>>]: string };

interface Endpoint<Query, Body, Response> {
  readonly query: Query;
  readonly body: Body;
  readonly response: Response;
}
type Q<T> = { readonly [K in keyof T]?: T[K] | undefined };
/** No query, no body. */
type Get<Response> = Endpoint<undefined, undefined, Response>;
type Send<Body, Response> = Endpoint<undefined, Body, Response>;

interface FileListQuery {
  readonly folder: string;
  readonly cursor: string;
  readonly limit: number;
  readonly sort: FolderSort;
  readonly order: SortOrder;
  readonly type: W.FileType;
}

/** `GET /timeline`: one month (`YYYY-MM`), paged. */
interface TimelineQuery {
  readonly month: string;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/** A user created or changed; `password` only when the API generated one (shown once). */
export interface UserAnswer {
  readonly user: W.UserView;
  readonly password?: string;
}

export interface Endpoints {
  'POST /auth/login': Send<W.LoginRequest, W.LoginResponse>;
  'POST /auth/refresh': Send<W.RefreshRequest, W.LoginResponse>;
  'POST /auth/logout': Send<W.RefreshRequest, undefined>;
  'GET /auth/options': Get<W.AuthOptions>;
  /** A browser navigation (302 to the provider), not a JSON call. */
  'GET /auth/oidc/start': Endpoint<{ readonly origin: string }, undefined, undefined>;
  /** The provider's redirect back (302 to the app, or a page), not a JSON call. */
  'GET /auth/oidc/callback': Endpoint<Q<{ readonly code: string; readonly state: string; readonly iss: string; readonly error: string }>, undefined, undefined>;
  'POST /auth/oidc/device': Send<Record<string, never>, W.DeviceSignIn>;
  'POST /auth/oidc/device/token': Send<{ readonly deviceCode: string }, W.LoginResponse>;
  'GET /auth/me': Get<{ readonly user: W.SessionUser }>;
  'GET /health': Get<{ readonly status: string }>;
  'GET /users': Get<W.UserList>;
  'POST /users': Send<W.CreateUserRequest, UserAnswer>;
  'PATCH /users/{username}': Send<W.ChangeUserRequest, UserAnswer>;
  'DELETE /users/{username}': Get<undefined>;
  'POST /uploads': Send<W.UploadRequest, W.CreatedUpload>;
  'POST /uploads/batch': Send<{ readonly uploads: readonly W.UploadRequest[] }, unknown>;
  'GET /uploads/{uploadId}': Get<W.UploadStatus>;
  'DELETE /uploads/{uploadId}': Get<undefined>;
  'POST /uploads/{uploadId}/parts': Send<W.PartsRequest, W.SignedParts>;
  'POST /uploads/{uploadId}/complete': Send<W.CompleteRequest, { readonly file?: W.FileItem }>;
  'POST /folders': Send<{ readonly path: string }, W.FolderCreated>;
  'GET /folders': Endpoint<Q<{ parent: string }>, undefined, W.FolderList>;
  /** 204 when empty; with `recursive`, 202 and the job deleting it with its files (to the trash). */
  'DELETE /folders': Endpoint<{ readonly path: string; readonly recursive?: 'true' | undefined }, undefined, W.TrashJobAnswer | undefined>;
  'GET /files': Endpoint<Q<FileListQuery>, undefined, W.FilePage>;
  'POST /files/links': Send<W.FileLinksRequest, W.FileLinks>;
  'POST /files/exists': Send<W.ExistsRequest, W.ExistsAnswer>;
  'GET /files/duplicates': Get<W.DuplicateList>;
  'GET /files/{id}': Get<W.FileItem>;
  /** A 302 to the presigned download: read its `Location` (client option `redirect: 'manual'`). */
  'GET /files/{id}/download': Get<undefined>;
  /** 200 with the file, or 202 with the job when a large move continues in the background. */
  'PATCH /files/{id}': Send<W.FileChange, W.FileItem | W.MoveJobAnswer>;
  'DELETE /files/{id}': Get<undefined>;
  'GET /jobs/{id}': Get<W.MoveJobAnswer | W.TrashJobAnswer>;
  'GET /trash': Endpoint<Q<{ cursor: string; limit: number }>, undefined, W.TrashPage>;
  'POST /trash/{id}/restore': Send<Record<string, never>, W.TrashRestored>;
  'DELETE /trash/{id}': Get<undefined>;
  'POST /trash/jobs': Send<W.TrashJobRequest, W.TrashJobAnswer>;
  'GET /timeline/buckets': Get<W.TimelineBuckets>;
  'GET /timeline': Endpoint<TimelineQuery, undefined, W.FilePage>;
  'GET /stats/storage': Get<W.StorageStats>;
  'POST /shares': Send<W.CreateShareRequest, W.CreatedShare>;
  'GET /shares': Get<W.ShareList>;
  'DELETE /shares/{id}': Get<undefined>;
  'GET /shares/{id}/log': Get<W.ShareLog>;
  /** HTML: the web app with a share's Open Graph tags (for link previews; browsers, not this client). */
  'GET /s/{token}': Get<undefined>;
  'GET /s/{token}/preview': Get<undefined>;
  'GET /public/shares/{token}': Endpoint<Q<{ cursor: string }>, undefined, W.PublicShare>;
  'POST /public/shares/{token}/unlock': Send<{ readonly password: string }, W.ShareUnlocked>;
  'GET /public/shares/{token}/files/{id}/download': Get<W.ShareDownload>;
  'POST /public/shares/{token}/links': Send<W.FileLinksRequest, W.FileLinks>;
  'POST /public/shares/{token}/uploads': Send<W.GuestUploadRequest, W.CreatedGuestUpload>;
  'GET /public/shares/{token}/uploads': Get<W.GuestUploadList>;
  'GET /public/shares/{token}/uploads/{uploadId}': Get<W.UploadStatus>;
  'POST /public/shares/{token}/uploads/{uploadId}/parts': Send<W.PartsRequest, W.SignedParts>;
  /** The catalogued file comes back without its folder; a guest never sees the folder's files. */
  'POST /public/shares/{token}/uploads/{uploadId}/complete': Send<W.CompleteRequest, unknown>;
  'DELETE /public/shares/{token}/uploads/{uploadId}': Get<undefined>;
}

export type EndpointKey = keyof Endpoints;

/**
 * Every key of the map, at run time (for the test against ROUTES). Written as an object so
 * that a key missing here, or one not in `Endpoints`, fails to compile.
 */
const KEYS: { readonly [K in EndpointKey]: true } = {
  'POST /auth/login': true,
  'POST /auth/refresh': true,
  'POST /auth/logout': true,
  'GET /auth/options': true,
  'GET /auth/oidc/start': true,
  'GET /auth/oidc/callback': true,
  'POST /auth/oidc/device': true,
  'POST /auth/oidc/device/token': true,
  'GET /auth/me': true,
  'GET /health': true,
  'GET /users': true,
  'POST /users': true,
  'PATCH /users/{username}': true,
  'DELETE /users/{username}': true,
  'POST /uploads': true,
  'POST /uploads/batch': true,
  'GET /uploads/{uploadId}': true,
  'DELETE /uploads/{uploadId}': true,
  'POST /uploads/{uploadId}/parts': true,
  'POST /uploads/{uploadId}/complete': true,
  'POST /folders': true,
  'GET /folders': true,
  'DELETE /folders': true,
  'GET /files': true,
  'POST /files/links': true,
  'POST /files/exists': true,
  'GET /files/duplicates': true,
  'GET /files/{id}': true,
  'GET /files/{id}/download': true,
  'PATCH /files/{id}': true,
  'DELETE /files/{id}': true,
  'GET /jobs/{id}': true,
  'GET /trash': true,
  'POST /trash/{id}/restore': true,
  'DELETE /trash/{id}': true,
  'POST /trash/jobs': true,
  'GET /timeline/buckets': true,
  'GET /timeline': true,
  'GET /stats/storage': true,
  'POST /shares': true,
  'GET /shares': true,
  'DELETE /shares/{id}': true,
  'GET /shares/{id}/log': true,
  'GET /s/{token}': true,
  'GET /s/{token}/preview': true,
  'GET /public/shares/{token}': true,
  'POST /public/shares/{token}/unlock': true,
  'GET /public/shares/{token}/files/{id}/download': true,
  'POST /public/shares/{token}/links': true,
  'POST /public/shares/{token}/uploads': true,
  'GET /public/shares/{token}/uploads': true,
  'GET /public/shares/{token}/uploads/{uploadId}': true,
  'POST /public/shares/{token}/uploads/{uploadId}/parts': true,
  'POST /public/shares/{token}/uploads/{uploadId}/complete': true,
  'DELETE /public/shares/{token}/uploads/{uploadId}': true,
};

export const ENDPOINT_KEYS = Object.keys(KEYS) as readonly EndpointKey[];
