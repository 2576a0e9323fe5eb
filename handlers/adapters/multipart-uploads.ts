/**
 * S3 multipart uploads of the media bucket: create, list the parts held, complete, abort.
 * Part bodies never pass through here: clients PUT them to presigned UploadPart URLs.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { normalizeEtag, type HeldPart, type PartChecksumAlgorithm } from '../../contract/multipart';
import { defaultS3Client } from './aws-clients';

export interface NewMultipartUpload {
  readonly key: string;
  readonly contentType: string;
  /** User metadata, names without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every part must carry its checksum (`x-amz-checksum-crc32c`, `-sha256`), which S3 verifies; the object's is COMPOSITE. */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
}

/** S3 refused a completion for a reason of the parts themselves (InvalidPart, EntityTooSmall, …). */
export class PartsRejected extends Error {
  constructor(
    readonly s3Code: string,
    options?: { cause?: unknown },
  ) {
    super(`S3 refused the parts: ${s3Code}`, options);
    this.name = 'PartsRejected';
  }
}

/** `If-None-Match: *` did not hold: the key holds an object (S3 answered 412 PreconditionFailed). */
export class ObjectExists extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`${key} already exists`, options);
    this.name = 'ObjectExists';
  }
}

export interface MultipartUploads {
  /** Starts a multipart upload; returns S3's UploadId. */
  create(upload: NewMultipartUpload): Promise<string>;
  /** Every part S3 holds, in part-number order; `undefined` when the upload no longer exists. */
  listParts(key: string, s3UploadId: string): Promise<HeldPart[] | undefined>;
  /**
   * Assembles the object from `parts` (as ListParts returned them, checksums included, each in
   * `options.checksumAlgorithm`, the upload's).
   * Returns its ETag, `undefined` when the upload no longer exists; throws `PartsRejected`,
   * and `ObjectExists` when the key holds an object and `overwrite` is not set (S3 checks
   * `If-None-Match: *` atomically).
   */
  complete(key: string, s3UploadId: string, parts: readonly HeldPart[], options?: CompleteOptions): Promise<{ etag?: string } | undefined>;
  /** Discards the upload and its parts; no error when it is already gone. */
  abort(key: string, s3UploadId: string): Promise<void>;
}

export interface CompleteOptions {
  /** Replace an existing object (else `If-None-Match: *`). @default false */
  readonly overwrite?: boolean;
  /** The upload's part checksum algorithm: the parts' checksums are sent under its name. */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
}

export interface S3MultipartUploadsOptions {
  readonly bucket: string;
  readonly client?: S3Client;
  /** Parts per ListParts page. @default 1000, S3's maximum */
  readonly listPageSize?: number;
}

/** ListParts returns at most 1,000 parts a page. */
const PAGE_SIZE = 1000;
const PART_ERRORS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'InvalidRequest', 'MalformedXML']);

export class S3MultipartUploads implements MultipartUploads {
  private readonly bucket: string;
  private readonly client: S3Client;
  private readonly pageSize: number;

  constructor(options: S3MultipartUploadsOptions) {
    this.bucket = options.bucket;
    this.client = options.client ?? defaultS3Client();
    this.pageSize = options.listPageSize ?? PAGE_SIZE;
  }

  async create(upload: NewMultipartUpload): Promise<string> {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: upload.key,
        ContentType: upload.contentType,
        Metadata: { ...upload.metadata },
        // COMPOSITE (S3's default for CRC32C and SHA256): the object's checksum is that of its parts' checksums.
        ...(upload.checksumAlgorithm !== undefined ? { ChecksumAlgorithm: upload.checksumAlgorithm, ChecksumType: 'COMPOSITE' as const } : {}),
      }),
    );
    if (out.UploadId === undefined || out.UploadId === '') throw new Error('CreateMultipartUpload returned no UploadId');
    return out.UploadId;
  }

  async listParts(key: string, s3UploadId: string): Promise<HeldPart[] | undefined> {
    const parts: HeldPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const out = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: s3UploadId, MaxParts: this.pageSize, ...(marker !== undefined ? { PartNumberMarker: marker } : {}) }),
        );
        for (const part of out.Parts ?? []) {
          if (part.PartNumber === undefined || part.ETag === undefined || part.Size === undefined) continue;
          parts.push({
            partNumber: part.PartNumber,
            etag: normalizeEtag(part.ETag),
            size: part.Size,
            ...((part.ChecksumCRC32C ?? part.ChecksumSHA256) !== undefined ? { checksum: (part.ChecksumCRC32C ?? part.ChecksumSHA256) as string } : {}),
          });
        }
        if (out.IsTruncated !== true || out.NextPartNumberMarker === undefined || out.NextPartNumberMarker === marker) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (error) {
      if (isNoSuchUpload(error)) return undefined;
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async complete(key: string, s3UploadId: string, parts: readonly HeldPart[], options: CompleteOptions = {}): Promise<{ etag?: string } | undefined> {
    const checksumField = options.checksumAlgorithm === 'CRC32C' ? 'ChecksumCRC32C' : 'ChecksumSHA256';
    try {
      const out = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: s3UploadId,
          // S3 itself refuses to replace an existing object unless the upload asked to.
          ...(options.overwrite === true ? {} : { IfNoneMatch: '*' }),
          MultipartUpload: {
            Parts: parts.map((p) => ({
              PartNumber: p.partNumber,
              ETag: `"${p.etag}"`,
              ...(p.checksum !== undefined ? { [checksumField]: p.checksum } : {}),
            })),
          },
        }),
      );
      return out.ETag !== undefined && out.ETag !== '' ? { etag: normalizeEtag(out.ETag) } : {};
    } catch (error) {
      if (isNoSuchUpload(error)) return undefined;
      const code = (error as { name?: string }).name ?? '';
      if (code === 'PreconditionFailed' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) throw new ObjectExists(key, { cause: error });
      if (PART_ERRORS.has(code)) throw new PartsRejected(code, { cause: error });
      throw error;
    }
  }

  async abort(key: string, s3UploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: s3UploadId }));
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
  }
}

function isNoSuchUpload(error: unknown): boolean {
  return (error as { name?: string })?.name === 'NoSuchUpload' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}
