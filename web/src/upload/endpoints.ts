/**
 * The API calls an upload makes. An account's uploads go to `/uploads`; a drop link's guest
 * uploads go to the share's public routes. The uploader only ever talks to one of these.
 */
import type * as W from '../../../contract/wire';
import * as api from '../api';

export interface UploadEndpoints {
  /** Names the target in saved resume records, so a reload resumes against the same one ('account' or a share's id). */
  readonly target: string;
  createUpload(upload: W.UploadRequest): Promise<W.CreatedUpload>;
  signParts(uploadId: string, parts: W.PartsRequest): Promise<W.SignedParts>;
  uploadStatus(uploadId: string): Promise<W.UploadStatus>;
  completeUpload(uploadId: string, parts: W.CompleteRequest): Promise<{ file?: W.FileItem }>;
  abortUpload(uploadId: string): Promise<void>;
  /** The catalogued file, once sync has written it (404 until then); undefined where the caller may not see it. */
  getFile?(fileId: string): Promise<W.FileItem>;
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
};
