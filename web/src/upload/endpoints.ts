/**
 * The API calls an upload makes. An account's uploads go to `/uploads`; a drop link's guest
 * uploads go to the share's public routes. The uploader only ever talks to one of these.
 */
import type * as W from '../../../contract/wire';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from '../../../client/retry';
import * as api from '../api';
import { formatDuration } from '../format';
import { guestKeyFor, linkDigest, rememberGuestKey } from './guest-key';

export interface UploadEndpoints {
  /** Names the target in saved resume records, so a reload resumes against the same one ('account', or `share:<digest>` of a drop link). */
  readonly target: string;
  /** `storedAs`: a drop link's name for the file when its own was taken. */
  createUpload(upload: W.UploadRequest): Promise<W.CreatedUpload & { readonly storedAs?: string }>;
  signParts(uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts>;
  uploadStatus(uploadId: string): Promise<W.UploadStatus>;
  completeUpload(uploadId: string, parts: W.CompleteRequest): Promise<{ file?: W.FileItem }>;
  abortUpload(uploadId: string): Promise<void>;
  /** The catalogued file, once sync has written it (404 until then); undefined where the caller may not see it. */
  getFile?(fileId: string): Promise<W.FileItem>;
  /**
   * Which contents are already in the library (`POST /files/exists`): the account's only. A drop
   * link has none: a guest must not learn what the folder holds.
   */
  filesExist?(sha256s: readonly string[]): Promise<W.ExistsAnswer>;
}

/** The signed-in user's uploads. */
export const accountEndpoints: UploadEndpoints = {
  target: 'account',
  createUpload: api.createUpload,
  signParts: api.signParts,
  uploadStatus: api.uploadStatus,
  completeUpload: api.completeUpload,
  abortUpload: api.abortUpload,
  getFile: api.getFile,
  filesExist: api.filesExist,
};

/** Why a drop link refused a call, in the words the guest sees. */
type RefusalReason = 'quota' | 'gone' | 'throttled' | 'expired-upload' | 'exists' | 'other';

export class DropRefused extends Error {
  constructor(readonly reason: RefusalReason, message: string, readonly status: number) {
    super(message);
    this.name = 'DropRefused';
  }
}

/** A throttled call is tried again this many times, waiting the server's Retry-After or a backoff. */
const THROTTLE_RETRIES = 4;
/** Longer waits than this are not sat through: the guest is told how long instead. */
const LONGEST_WAIT_MS = 20_000;

const waitFor = (seconds: number | undefined): string => (seconds ? `wait ${formatDuration(seconds)}` : 'wait a minute');

/** The refusal an API error means for a guest; other errors (network) pass unchanged. */
function refusalOf(error: unknown): unknown {
  if (!(error instanceof api.ApiError)) return error;
  switch (error.status) {
    case 413:
      return new DropRefused('quota', 'Refused: this link takes no more files or bytes (its quota is used up). Ask the person who sent it for more room.', 413);
    case 404:
      return error.code === 'UploadNotFound'
        ? new DropRefused('expired-upload', 'This upload is no longer on the server (it expired): cancel it and send the file again.', 404)
        : new DropRefused('gone', 'This link has expired or was revoked: uploads to it have stopped.', 404);
    case 429:
      return new DropRefused('throttled', `Too many uploads on this link right now: ${waitFor(error.retryAfterSeconds)}, then press Resume.`, 429);
    case 409:
      return new DropRefused('exists', error.message, 409);
    default:
      return new DropRefused('other', `The upload was refused: ${error.message}`, error.status);
  }
}

export interface DropLinkOptions {
  /** A password-protected link's session (X-Share-Session). */
  readonly shareSession?: string;
  /** Where the guest key lives. @default localStorage */
  readonly storage?: Storage;
  /** Waits before a throttled call is tried again. @default setTimeout */
  readonly wait?: (ms: number) => Promise<void>;
  /** Told of every refusal the guest will see (the page shows it and re-checks the link). */
  readonly onRefused?: (refusal: DropRefused) => void;
}

/** This browser's guest on the link, and the link's digest (its name in storage and in resume records). */
async function guestOf(token: string, options: Pick<DropLinkOptions, 'shareSession' | 'storage'>): Promise<{ digest: string; guest: api.ShareGuest }> {
  const digest = await linkDigest(token);
  return { digest, guest: { guestKey: guestKeyFor(digest, options.storage), ...(options.shareSession ? { shareSession: options.shareSession } : {}) } };
}

/**
 * A drop link's guest uploads: the link's public routes with this browser's guest key, no
 * account. The folder is the link's (the API takes none from a guest), so picked folders
 * arrive as their files. Cancelling aborts the upload, and its reservation goes back to the
 * link's quota.
 */
export async function dropLinkEndpoints(token: string, options: DropLinkOptions = {}): Promise<UploadEndpoints> {
  const { digest, guest: first } = await guestOf(token, options);
  let guest = first;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const call = async <T>(send: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        const delay = Math.max(backoffDelayMs(attempt, DEFAULT_RETRY_POLICY), (error instanceof api.ApiError ? error.retryAfterSeconds ?? 0 : 0) * 1000);
        if (error instanceof api.ApiError && error.status === 429 && attempt < THROTTLE_RETRIES && delay <= LONGEST_WAIT_MS) {
          await wait(delay);
          continue;
        }
        const refusal = refusalOf(error);
        if (refusal instanceof DropRefused) options.onRefused?.(refusal);
        throw refusal;
      }
    }
  };
  return {
    target: `share:${digest}`,
    createUpload: ({ fileName, contentType, size, sha256, checksumAlgorithm }) =>
      call(async () => {
        const created = await api.createGuestUpload(token, guest, { fileName, contentType, size, ...(sha256 ? { sha256 } : {}), ...(checksumAlgorithm ? { checksumAlgorithm } : {}) });
        if (created.guestKey !== guest.guestKey) {
          guest = { ...guest, guestKey: created.guestKey };
          rememberGuestKey(digest, created.guestKey, options.storage);
        }
        return created;
      }),
    signParts: (uploadId, parts) => call(() => api.signGuestParts(token, guest, uploadId, parts)),
    uploadStatus: (uploadId) => call(() => api.guestUploadStatus(token, guest, uploadId)),
    completeUpload: async (uploadId, parts) => {
      await call(() => api.completeGuestUpload(token, guest, uploadId, parts));
      return {};
    },
    abortUpload: (uploadId) => call(() => api.abortGuestUpload(token, guest, uploadId)),
  };
}

/** The guest's own uploads in progress on the link (never anyone else's, never the folder's files). */
export async function guestUploadsOf(token: string, options: Pick<DropLinkOptions, 'shareSession' | 'storage'> = {}): Promise<W.GuestUploadList> {
  return api.listGuestUploads(token, (await guestOf(token, options)).guest);
}
