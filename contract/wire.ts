/**
 * The API's wire types: the JSON bodies the routes of contract/routes.ts answer, as clients
 * (the CLI, the web app) read them. Pure types, no imports outside contract/, so the browser
 * bundle can use them. The handlers' response types are checked against these at compile
 * time (test/unit/contract/wire.test.ts), so a renamed field breaks the build, not a client.
 */

import type { PartChecksumAlgorithm } from './multipart';

export type Role = 'admin' | 'editor' | 'viewer';
export type FileType = 'image' | 'video' | 'other';

/** Every error the API answers: `{ error: { code, message } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

// --- auth ------------------------------------------------------------------------------

export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  /** `cli`: the refresh token comes back in the body (the browser's travels in an HttpOnly cookie). */
  readonly client?: 'cli';
}

/** `POST /auth/refresh` body: the CLI sends its refresh token; the browser sends `{}` (the cookie carries it). */
export interface RefreshRequest {
  readonly refreshToken?: string;
}

/** Who is logged in (sent by login/refresh once sessions land; else read from the token). */
export interface SessionUser {
  readonly username: string;
  readonly role: Role;
  /** Folder limits; `null` or absent: every folder. */
  readonly folders?: readonly string[] | null;
}

/** `POST /auth/login` and `POST /auth/refresh`. */
export interface LoginResponse {
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  readonly expiresIn?: number;
  readonly user?: SessionUser;
  /** CLI sessions only (`client: 'cli'`, or a refresh with a body token): the rotated refresh token. */
  readonly refreshToken?: string;
  readonly refreshExpiresAt?: string;
}

// --- files -----------------------------------------------------------------------------

/**
 * What the catalog keeps of every file, declared once: the API answers it (`FileItem`), the
 * trash shows part of it (`TrashEntry`) and the catalog's rows extend it (handlers/core/catalog.ts).
 */
export interface FileRecord {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileType: FileType;
  /** ISO 8601. */
  readonly uploadedAt: string;
  readonly uploadedBy: string;
  readonly tags: readonly string[];
  readonly description?: string;
  /**
   * Whole-file SHA-256, base64: the file's content identity (duplicates, exports, the scrub).
   * Both clients compute it for every upload (before sending, or while sending a large file);
   * absent only for files stored without it (older uploads, objects put without the API) until
   * the scrub's first read records one.
   */
  readonly sha256?: string;
  /** When the scrub last read the stored bytes whole and found this SHA-256 (ISO 8601). */
  readonly verifiedAt?: string;
  /**
   * When the scrub found the stored bytes differ from the SHA-256 (ISO 8601): the file is
   * damaged; restore it from a backup or an earlier version (docs/media.md "Scrub").
   */
  readonly corruptAt?: string;
}

/** A file as listings, `GET /files/{id}` and `PATCH /files/{id}` answer it. */
export interface FileItem extends FileRecord {
  /**
   * Presigned GET of the original (active content such as SVG or HTML as an attachment). Always
   * there for signed-in users; a visitor of a share without downloads has none for a photo.
   */
  readonly url?: string;
  readonly urlExpiresAt: string;
  /** Derived previews, once processing has made them. */
  readonly thumbUrl?: string;
  readonly previewUrl?: string;
  readonly posterUrl?: string;
  readonly width?: number;
  readonly height?: number;
  /** ISO 8601, from the file's own metadata (EXIF, container). */
  readonly takenAt?: string;
  readonly durationSeconds?: number;
  /** Whether common browsers play the video as stored (false for HEVC, QuickTime-only codecs). */
  readonly browserPlayable?: boolean;
  /** A processed video: its playable copy and which to play. */
  readonly video?: VideoPlayback;
  /** What processing made of the file: `pending` until it has read it; `failed` when its decoders refused it (`processingReason` says why). */
  readonly processing?: 'pending' | 'ready' | 'failed' | 'unsupported';
  /** Why processing failed, short and safe to show. */
  readonly processingReason?: string;
}

/** A video's playable copy (issue 19): made at ingest when the original does not play everywhere. */
export interface VideoCopyInfo {
  readonly state: 'pending' | 'ready' | 'failed';
  /** Why it failed, short and safe to show. */
  readonly reason?: string;
  readonly bytes?: number;
  /** As displayed. */
  readonly width?: number;
  readonly height?: number;
}

/** What a player needs to pick between a video's original and its copy. */
export interface VideoPlayback {
  /** `mp4`, `mov`, `webm`, `matroska`, `avi`, `mpeg`, `mpegts`. */
  readonly container: string;
  readonly videoCodec?: string;
  readonly audioCodec?: string;
  readonly hdr?: 'pq' | 'hlg';
  readonly bitDepth?: number;
  /** What the original needs to play in every browser: nothing, a remux or a transcode. */
  readonly action: 'none' | 'remux' | 'transcode';
  /** Absent when no copy is made (plays as stored, or copies are off). */
  readonly copy?: VideoCopyInfo;
  /** What to play by default: the copy once ready, else the original when it plays as stored, else nothing yet. */
  readonly playable: 'original' | 'copy' | 'none';
  /** Presigned GET of the copy (`video/mp4`), when `playable` is `copy`. */
  readonly copyUrl?: string;
}

/** `GET /files?folder=…[&type=…]` (in the order asked for, contract/listing.ts) or `?type=…` (across folders, newest first). */
export interface FilePage {
  readonly files: readonly FileItem[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** A month of the timeline (`GET /timeline/buckets`) and how many files of it the caller may see. */
export interface TimelineBucket {
  /** `YYYY-MM` (UTC) of the date taken, or of the upload time when there is none. */
  readonly month: string;
  readonly count: number;
}

/** `GET /timeline/buckets`: the months with files, newest first. */
export interface TimelineBuckets {
  readonly buckets: readonly TimelineBucket[];
}

/** `PATCH /files/{id}`: only the fields to change. */
export interface FileChange {
  readonly name?: string;
  readonly folder?: string;
  readonly tags?: readonly string[];
  readonly description?: string | null;
  readonly overwrite?: boolean;
}

/** `POST /files/links` and `POST /public/shares/{token}/links` body. */
export interface FileLinksRequest {
  readonly ids: readonly string[];
}

/** `POST /files/links`: one link per id, or why not. */
export type FileLink =
  | { readonly id: string; readonly name: string; readonly url: string; readonly urlExpiresAt: string }
  | { readonly id: string; readonly error: { readonly code: 'NotFound' | 'FolderForbidden'; readonly message: string } };

export interface FileLinks {
  readonly links: readonly FileLink[];
}

/** A move job: the 202 answer of a large move (`PATCH /files/{id}`) and `GET /jobs/{id}`. */
export interface MoveJob {
  readonly id: string;
  readonly kind: 'move';
  readonly status: 'pending' | 'running' | 'succeeded' | 'failed';
  readonly destination: { readonly folder: string; readonly name: string };
  readonly size: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The moved file's id, once succeeded. */
  readonly fileId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface MoveJobAnswer {
  readonly job: MoveJob;
}

// --- duplicates ---------------------------------------------------------------------------

/** `POST /files/exists` body: whole-file SHA-256s (base64), 1 to `MAX_EXISTS_HASHES` (contract/dedupe.ts). */
export interface ExistsRequest {
  readonly sha256: readonly string[];
}

/** Where a file with some content is: enough to say "already in your library at …". */
export interface ContentCopy {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  /** ISO 8601. */
  readonly uploadedAt: string;
}

/** `POST /files/exists`: the SHA-256s asked for that some file the caller may see has, with those files; the others are absent. */
export interface ExistsAnswer {
  readonly found: readonly { readonly sha256: string; readonly copies: readonly ContentCopy[] }[];
}

/** Files with the same content (one SHA-256), oldest first. */
export interface DuplicateGroup {
  readonly sha256: string;
  /** Bytes of one copy. */
  readonly size: number;
  /** Bytes the copies after the first take: what removing them would free. */
  readonly extraBytes: number;
  readonly copies: readonly (ContentCopy & { readonly uploadedBy: string })[];
}

/** `GET /files/duplicates` (admins): every content stored more than once, most extra bytes first. */
export interface DuplicateList {
  /** ISO 8601: when the index was read. */
  readonly computedAt: string;
  readonly groups: readonly DuplicateGroup[];
  /** Groups beyond the answer's limit are left out (`truncated`), or the read stopped before the end of the index (`complete: false`). */
  readonly complete: boolean;
  readonly truncated: boolean;
  /** Sum of every group's `extraBytes`. */
  readonly extraBytes: number;
}

// --- trash -----------------------------------------------------------------------------

/** A deleted file waiting in the trash (`GET /trash`). */
export interface TrashEntry extends Pick<FileRecord, 'folder' | 'name' | 'size' | 'contentType' | 'fileType' | 'uploadedBy'> {
  /** The entry's id (`POST /trash/{id}/restore`, `DELETE /trash/{id}`); `folder` and `name` say where a restore puts the file back (beside it under a free name when taken). */
  readonly id: string;
  readonly deletedBy: string;
  /** ISO 8601. */
  readonly deletedAt: string;
  /** ISO 8601: when the lifecycle deletes it for good. */
  readonly expiresAt: string;
  /** The folder whose deletion took it, when it went with a folder. */
  readonly deletedWithFolder?: string;
}

/** `GET /trash?cursor=&limit=`: newest deletions first, the caller's own (admins: everyone's). */
export interface TrashPage {
  readonly entries: readonly TrashEntry[];
  readonly nextCursor?: string;
  /** Days an entry stays restorable. */
  readonly retentionDays: number;
}

/** `POST /trash/{id}/restore`: the file as restored (its place, or the free name beside it). */
export interface TrashRestored {
  readonly file: { readonly id: string; readonly folder: string; readonly name: string };
  /** True when the place was taken and the file came back under another name. */
  readonly renamed: boolean;
}

/** `POST /trash/jobs`: restore or delete forever many entries (`ids`), or all the caller may (`all`). */
export interface TrashJobRequest {
  readonly action: 'restore' | 'purge';
  readonly ids?: readonly string[];
  readonly all?: boolean;
}

/**
 * A bulk trash job (`POST /trash/jobs`, `DELETE /folders?recursive=true`): 202 with it, then
 * `GET /jobs/{id}` until it ends; `done` counts items handled, `failed` those that could not be.
 */
export interface TrashJob {
  readonly id: string;
  readonly kind: 'trash';
  readonly action: 'delete-folder' | 'restore' | 'purge';
  readonly status: 'pending' | 'running' | 'succeeded' | 'failed';
  /** The folder deleted (`delete-folder`). */
  readonly folder?: string;
  readonly done: number;
  readonly failed: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface TrashJobAnswer {
  readonly job: TrashJob;
}

// --- folders ---------------------------------------------------------------------------

export interface FolderRef {
  /** Normalized path, e.g. `/trips/2024`. */
  readonly path: string;
  readonly parent: string;
  readonly name: string;
}

/** `GET /folders?parent=…`. */
export interface FolderList {
  readonly parent: string;
  readonly folders: readonly FolderRef[];
}

/** `POST /folders` (201 created, 200 when it existed). */
export interface FolderCreated {
  readonly folder: FolderRef;
  readonly created: boolean;
}

// --- uploads ---------------------------------------------------------------------------

export interface UploadRequest {
  readonly folder: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly tags?: readonly string[];
  readonly description?: string;
  /** Whole-file SHA-256, base64. */
  readonly sha256?: string;
  /** Multipart only: every part carries its checksum in this algorithm, which S3 verifies (clients: `PART_CHECKSUM_ALGORITHM`, CRC32C). */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /** Replace a file of the same name in the folder (otherwise 409). */
  readonly overwrite?: boolean;
}

export interface SingleUpload {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: 'single';
  readonly method?: 'PUT';
  readonly url: string;
  /** Headers to send with exactly these values: they are signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** ISO 8601: when the URL stops working. */
  readonly expiresAt: string;
}

export interface MultipartUpload {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: 'multipart';
  /** Bytes of every part but the last. */
  readonly partSize: number;
  readonly partCount: number;
  /** ISO 8601: when the session stops accepting parts and completion. */
  readonly expiresAt: string;
  /** Present when every part must carry its checksum (in this algorithm) in `POST /uploads/{id}/parts`. */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
}

export type CreatedUpload = SingleUpload | MultipartUpload;

/** `POST /uploads/{id}/parts` body. */
export interface PartsRequest {
  /** At most 100 per request. */
  readonly partNumbers: readonly number[];
  /** Base64 checksum (in the upload's checksumAlgorithm) by part number; required for uploads created with one. */
  readonly checksums?: Readonly<Record<string, string>>;
}

export interface SignedPart {
  readonly partNumber: number;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SignedParts {
  readonly parts: readonly SignedPart[];
  readonly expiresAt: string;
}

export interface HeldPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  /** Base64 checksum S3 verified, in the upload's checksumAlgorithm, for uploads created with one. */
  readonly checksum?: string;
  /** The same, for uploads created with checksumAlgorithm SHA256 only (what clients before CRC32C read). */
  readonly sha256?: string;
}

/** `GET /uploads/{id}`: what resuming needs. */
export interface UploadStatus {
  readonly uploadId: string;
  readonly fileId?: string;
  readonly mode?: 'single' | 'multipart';
  readonly status: string;
  readonly folder?: string;
  readonly fileName?: string;
  readonly contentType?: string;
  readonly size?: number;
  readonly partSize?: number;
  readonly partCount?: number;
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /** The whole-file SHA-256 declared at creation, if any (else a client hashes it while sending). */
  readonly sha256?: string;
  readonly expiresAt?: string;
  readonly parts?: readonly HeldPart[];
}

/** `POST /uploads/{id}/complete` body. */
export interface CompleteRequest {
  readonly parts: readonly { readonly partNumber: number; readonly etag: string }[];
  /** Whole-file SHA-256 (base64) hashed while sending, when the upload was created without one. */
  readonly sha256?: string;
}

// --- sign-in options ---------------------------------------------------------------------

/** `GET /auth/options`: how users sign in here. */
export interface AuthOptions {
  /** Password login (`local_login_enabled`). */
  readonly localLogin: boolean;
  /** The organisation's identity provider, when there is one. */
  readonly provider: {
    /** For "Sign in with …": the provider's host name. */
    readonly name: string;
    /** API path the browser goes to (with `?origin=<app origin>`) to sign in through the provider. */
    readonly signInPath: string;
    /** The provider's end-session URL, offered after logout (ends the session at the provider too). */
    readonly endSessionUrl: string | null;
  } | null;
}

/** `POST /auth/oidc/device`: the CLI's sign-in through the provider. */
export interface DeviceSignIn {
  /** What the CLI polls `POST /auth/oidc/device/token` with (useless without the service's client secret). */
  readonly deviceCode: string;
  /** The code the person enters at the provider. */
  readonly userCode: string;
  readonly verificationUri: string;
  /** The same with the code filled in. */
  readonly verificationUriComplete?: string;
  /** Seconds the code lives. */
  readonly expiresIn: number;
  /** Seconds between polls. */
  readonly interval: number;
}

// --- users -----------------------------------------------------------------------------

export interface UserView {
  readonly username: string;
  readonly role: Role;
  /** Folder limits; `null`: every folder. */
  readonly folders: readonly string[] | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface UserList {
  readonly users: readonly UserView[];
}

export interface CreateUserRequest {
  readonly username: string;
  readonly role: Role;
  readonly password?: string;
  readonly folders?: readonly string[];
}

export interface ChangeUserRequest {
  readonly role?: Role;
  readonly password?: string;
  readonly folders?: readonly string[] | null;
}

// --- storage ---------------------------------------------------------------------------

/** How many files and how many bytes. */
export interface StorageFigures {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Everything the bucket holds for the library, each kind apart (`files` counts the originals
 * that have some of that kind, or the trash's entries).
 */
export interface StoredFigures {
  /** The files themselves: the same as `total`. */
  readonly originals: StorageFigures;
  /** Thumbnails, previews and posters. */
  readonly derivedImages: StorageFigures;
  /** Videos' playable copies. */
  readonly videoCopies: StorageFigures;
  /** Deleted files kept for restore until the retention ends. */
  readonly trash: StorageFigures;
  /** The sum of the four bytes (`files`: the originals and the trash's entries). */
  readonly total: StorageFigures;
}

/** `GET /stats/storage` (admins): what the catalog holds, in total, by type and by uploader. */
export interface StorageStats {
  /** ISO 8601: when these figures were read from the catalog. */
  readonly computedAt: string;
  /** The originals (the files listed): `byType`, `byContentType` and `byUser` split these. */
  readonly total: StorageFigures;
  /** What is stored besides them, for honest totals. */
  readonly stored: StoredFigures;
  /** Every file type, largest first (types without files count zero). */
  readonly byType: readonly (StorageFigures & { readonly fileType: FileType })[];
  /** Content types (`image/jpeg`, `video/mp4`, …), largest first. */
  readonly byContentType: readonly (StorageFigures & { readonly contentType: string })[];
  /** Uploaders, largest first: usernames, `share:<label>` for drop-link guests, `unknown` for objects put without an upload. */
  readonly byUser: readonly (StorageFigures & { readonly uploadedBy: string })[];
}

// --- shares ----------------------------------------------------------------------------

/** `POST /shares`: exactly one of `fileId` (a file share) or `folder` (an album or drop link). */
export interface CreateShareRequest {
  readonly fileId?: string;
  readonly folder?: string;
  /** Seconds from now (default 7 days), or `"never"` when the module allows it. */
  readonly expires?: number | 'never';
  readonly password?: string;
  /** @default false */
  readonly allowDownload?: boolean;
  readonly label?: string;
  /** @default 'view' */
  readonly mode?: 'view' | 'drop';
  readonly maxBytes?: number;
  readonly maxFiles?: number;
}

export type ShareTarget =
  | { readonly kind: 'file'; readonly fileId: string; readonly folder: string; readonly name: string; readonly uploadedAt: string }
  | { readonly kind: 'folder'; readonly folder: string };

/** A share as its owner made it: what it points at and what it allows (the stored share adds its secrets). */
export interface ShareSettings {
  readonly id: string;
  readonly owner: string;
  readonly target: ShareTarget;
  readonly mode: 'view' | 'drop';
  readonly allowDownload: boolean;
  readonly label?: string;
  /** ISO 8601; null: never. */
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly maxBytes?: number;
  readonly maxFiles?: number;
}

/** A share as its owner sees it (`GET /shares`, `POST /shares`): no secrets, with counters. */
export interface ShareSummary extends ShareSettings {
  readonly hasPassword: boolean;
  readonly views: number;
  readonly lastAccessAt?: string;
  readonly usedBytes: number;
  readonly usedFiles: number;
  readonly revokedAt?: string;
}

/** `POST /shares` (201): the token is shown this once. */
export interface CreatedShare {
  readonly share: ShareSummary;
  readonly token: string;
  /** The web app's path of the link, `/s/<token>`. */
  readonly path: string;
}

/** What the module allows a share's expiry to be (module variables `share_max_days`, `share_allow_never`). */
export interface ShareLimits {
  /** Longest lifetime, days. */
  readonly maxDays: number;
  /** Whether `expires: "never"` is accepted. */
  readonly allowNever: boolean;
}

export interface ShareList {
  readonly shares: readonly ShareSummary[];
  /** The limits a new share's expiry must respect, so the app offers only what the API accepts. */
  readonly limits: ShareLimits;
}

export type ShareEvent = 'open' | 'view' | 'download' | 'unlock' | 'upload';

/** One line of a share's access log. */
export interface ShareLogEntry {
  /** ISO 8601. */
  readonly at: string;
  readonly event: ShareEvent;
  readonly fileId?: string;
  readonly name?: string;
  /** Bytes of the files whose URLs the API signed for this request. */
  readonly bytes: number;
  /** The visitor's address cut to /24 (IPv4) or /48 (IPv6). */
  readonly ip: string;
}

/** `GET /shares/{id}/log`: newest first. */
export interface ShareLog {
  readonly shareId: string;
  readonly entries: readonly ShareLogEntry[];
}

/** What a visitor sees of a share: never its owner, folder path, password or id. */
export interface PublicShareInfo {
  readonly kind: 'file' | 'folder';
  readonly mode: 'view' | 'drop';
  readonly label?: string;
  readonly allowDownload: boolean;
  readonly expiresAt: string | null;
  readonly maxBytes?: number;
  readonly maxFiles?: number;
  readonly usedBytes?: number;
  readonly usedFiles?: number;
}

/** A file as a visitor sees it: no folder, uploader, tags or key. */
export interface PublicFile {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileType: string;
  readonly uploadedAt: string;
  /**
   * The original (active content such as SVG or HTML as an attachment) when the share allows
   * downloads; without downloads only a video's, to stream, through a URL living just long
   * enough to watch it (a stream can still be saved). A photo then has only its previews.
   */
  readonly url?: string;
  /** When `url` (or, without one, the previews) stop working. */
  readonly urlExpiresAt: string;
  /** A file share that allows downloads: a presigned attachment. */
  readonly downloadUrl?: string;
  /** Derived WebP images once processing made them, presigned like `url` (never past the share's end). */
  readonly thumbUrl?: string;
  readonly previewUrl?: string;
  readonly posterUrl?: string;
  /** As displayed, once processed. */
  readonly width?: number;
  readonly height?: number;
  readonly durationSeconds?: number;
  readonly browserPlayable?: boolean;
  /** A processed video: its playable copy (streamed even without downloads) and which to play. */
  readonly video?: VideoPlayback;
}

/** `GET /public/shares/{token}`: a file share's file, or a page of an album. */
export interface PublicShare {
  readonly share: PublicShareInfo;
  readonly file?: PublicFile;
  readonly files?: readonly PublicFile[];
  readonly nextCursor?: string | null;
}

/** `POST /public/shares/{token}/uploads`: what a drop link's guest says of a file (the folder is the link's). */
export type GuestUploadRequest = Pick<UploadRequest, 'fileName' | 'contentType' | 'size' | 'sha256' | 'checksumAlgorithm'>;

/**
 * The guest's upload (201) and their key, to send as `X-Share-Guest` from then on (the one they
 * sent, if any), and the name their file is stored under: their `fileName`, or, when that name
 * is taken (the guest never learns by what), the first free `name (1).jpg`, `name (2).jpg`….
 */
export type CreatedGuestUpload = CreatedUpload & { readonly guestKey: string; readonly storedAs: string };

/** One of a guest's uploads in progress: never anyone else's, never a file of the folder. */
export interface GuestUploadView {
  readonly uploadId: string;
  readonly fileName: string;
  readonly size: number;
  readonly mode: 'single' | 'multipart';
  readonly partSize?: number;
  readonly partCount?: number;
  readonly expiresAt: string;
}

/** `GET /public/shares/{token}/uploads`: the guest's own uploads in progress. */
export interface GuestUploadList {
  readonly uploads: readonly GuestUploadView[];
}

/** `POST /public/shares/{token}/unlock`: send `session` as `X-Share-Session`. */
export interface ShareUnlocked {
  readonly session: string;
  readonly expiresAt: string;
}

/** `GET /public/shares/{token}/files/{id}/download`. */
export interface ShareDownload {
  readonly name: string;
  readonly url: string;
  readonly urlExpiresAt: string;
}
