/**
 * Resumable upload state: one small JSON file per (API, file path, size, mtime, folder,
 * name), so a killed `upload` picks up the same multipart upload next time and a changed file
 * (new size or mtime) starts over. It holds only what the API cannot tell us: which upload
 * session belongs to this file. Which parts S3 already holds comes from `GET /uploads/{id}`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from './config';
import type { PartChecksumAlgorithm } from '../contract/multipart';

export interface UploadIdentity {
  readonly apiUrl: string;
  /** Absolute path of the local file. */
  readonly filePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly folder: string;
  readonly name: string;
}

export interface UploadState {
  readonly version: 1;
  readonly identity: UploadIdentity;
  readonly uploadId: string;
  readonly fileId: string;
  readonly partSize: number;
  readonly partCount: number;
  /** Parts this client saw S3 accept (a hint for progress; the API is the truth). */
  readonly completedParts: readonly { readonly partNumber: number; readonly etag: string }[];
  /** Base64 SHA-256 of the whole file, declared when the upload was created. */
  readonly sha256?: string;
  /** Every part URL signs its part's checksum in this algorithm (the upload was created with it; SHA256 before CRC32C). */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /**
   * Base64 checksum of each part in `checksumAlgorithm` (index 0 = part 1), when hashed before the upload started;
   * parts hashed while sending are not kept (hashed again on resume).
   */
  readonly partChecksums?: readonly string[];
  readonly startedAt: string;
}

/** A stable file name for the identity: SHA-256 over its fields in a fixed order. */
export function stateKey(identity: UploadIdentity): string {
  const fields = [identity.apiUrl, path.resolve(identity.filePath), identity.size, Math.trunc(identity.mtimeMs), identity.folder, identity.name];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}

export class UploadStateStore {
  constructor(readonly directory: string) {}

  fileOf(identity: UploadIdentity): string {
    return path.join(this.directory, `${stateKey(identity)}.json`);
  }

  load(identity: UploadIdentity): UploadState | undefined {
    try {
      const state = JSON.parse(readFileSync(this.fileOf(identity), 'utf8')) as UploadState;
      // Guard against a hash collision or a hand-edited file: the identity must match.
      return state.version === 1 && JSON.stringify(state.identity) === JSON.stringify(identity) ? state : undefined;
    } catch {
      return undefined;
    }
  }

  save(state: UploadState): void {
    writePrivateFile(this.fileOf(state.identity), JSON.stringify(state));
  }

  remove(identity: UploadIdentity): void {
    rmSync(this.fileOf(identity), { force: true });
  }
}
