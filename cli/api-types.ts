/** The API's answers the CLI reads (see contract/routes.ts and the handlers for the source). */

export interface SingleUpload {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: 'single';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface MultipartUpload {
  readonly uploadId: string;
  readonly fileId: string;
  readonly mode: 'multipart';
  readonly partSize: number;
  readonly partCount: number;
  readonly expiresAt: string;
  /** Present when every part must carry its SHA-256. */
  readonly checksumAlgorithm?: 'SHA256';
}

export type CreatedUpload = SingleUpload | MultipartUpload;

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
  /** Base64 SHA-256 S3 verified, for uploads with checksumAlgorithm SHA256. */
  readonly sha256?: string;
}

export interface UploadStatus {
  readonly uploadId: string;
  readonly status: string;
  readonly parts?: readonly HeldPart[];
  readonly partSize?: number;
  readonly partCount?: number;
}

export interface FileInfo {
  readonly id: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType?: string;
  readonly fileType?: string;
  readonly uploadedAt?: string;
  readonly uploadedBy?: string;
  readonly url?: string;
}

export interface FilePage {
  readonly files: readonly FileInfo[];
  readonly nextCursor: string | null;
}
