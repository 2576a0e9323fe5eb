/**
 * The media bucket: HeadObject, copy and delete through the SDK, presigned URLs through the
 * SDK-free `S3UrlSigner` (byte-identical to the SDK's, much cheaper per URL).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  NotFound,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectHead } from '../core/catalog';
import type { ObjectDigest } from '../core/scrub';
import { copyPartRanges, copyPartSize, needsPartCopy, MAX_SINGLE_COPY_BYTES, type CopyPart } from '../core/copy-parts';
import { ObjectUrls } from '../core/object-urls';
import { S3UrlSigner } from '../core/presign';
import { defaultS3Client, s3EndpointFromEnv } from './aws-clients';

export { ObjectUrls };

export interface ObjectStore {
  /** HeadObject; `undefined` when the object does not exist (any more). */
  head(key: string): Promise<ObjectHead | undefined>;
  /**
   * The URLs of the bucket, signed with the current credentials (call once per invocation):
   * every GET through the active-content rule of core/object-urls.ts.
   */
  urlSigner(): Promise<ObjectUrls>;
  /**
   * Copies an object to another key inside the bucket, keeping its content type, other
   * system headers and user metadata, with `addMetadata` laid over the metadata. Copies the
   * source only while its ETag is `sourceEtag` (when given). Objects over 5 GiB are copied
   * part by part; a failed part copy aborts the multipart upload, so nothing is left behind.
   * Throws `SourceObjectMissing` when the source is gone. Answers the copy's ETag.
   */
  copy(request: CopyRequest): Promise<CopyResult>;
  /** Deletes an object; deleting a missing key succeeds (as in S3). */
  delete(key: string): Promise<void>;
}

/** What the process function does with the bucket beyond reading heads. */
export interface MediaObjects {
  /** The whole object, refusing (ObjectTooLarge) one over `maxBytes` before reading it. */
  read(key: string, maxBytes: number): Promise<Buffer>;
  /** Writes a derived image (private, cacheable by the browser for a day). */
  write(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Keys under a prefix (at most 1,000: a file's derived images are a handful). */
  list(prefix: string): Promise<string[]>;
  /** Deletes keys, missing ones included. */
  deleteMany(keys: readonly string[]): Promise<void>;
}

export class ObjectTooLarge extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`object of ${size} bytes exceeds the ${limit}-byte limit`);
    this.name = 'ObjectTooLarge';
  }
}

export interface CopyRequest {
  readonly sourceKey: string;
  readonly destinationKey: string;
  /** User metadata (lower-case names without `x-amz-meta-`) added to or replacing the source's. */
  readonly addMetadata?: Readonly<Record<string, string>>;
  readonly sourceEtag?: string;
}

interface CopyResult {
  /** ETag of the object the copy wrote (without quotes), when S3 answered one. */
  readonly etag?: string;
}

/** The copy source vanished (or changed, when an ETag was required) before it was copied. */
export class SourceObjectMissing extends Error {
  constructor(key: string, options?: { cause?: unknown }) {
    super(`Copy source ${key} does not exist or changed`, options);
    this.name = 'SourceObjectMissing';
  }
}

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  readonly client?: S3Client;
  /** Larger objects are copied part by part. @default 5 GiB, CopyObject's limit */
  readonly singleCopyMaxBytes?: number;
  /** Preferred part size of a part-by-part copy. @default 512 MiB */
  readonly copyPartBytes?: number;
  /** Parts copied at once. @default 4 */
  readonly copyConcurrency?: number;
  /** Endpoint and addressing the URLs use. @default from AWS_ENDPOINT_URL_S3 / S3_FORCE_PATH_STYLE */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
}

export class S3ObjectStore implements ObjectStore, MediaObjects {
  private readonly client: S3Client;
  private signer: S3UrlSigner | undefined;

  constructor(private readonly options: S3ObjectStoreOptions) {
    this.client = options.client ?? defaultS3Client();
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    const out = await this.headRaw(key);
    if (out === undefined) return undefined;
    return {
      size: out.ContentLength ?? 0,
      ...(out.ContentType !== undefined ? { contentType: out.ContentType } : {}),
      ...(out.LastModified !== undefined ? { lastModified: out.LastModified } : {}),
      ...(out.ETag !== undefined ? { etag: out.ETag.replace(/"/g, '') } : {}),
      metadata: lowerCaseKeys(out.Metadata ?? {}),
    };
  }

  private async headRaw(key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (error) {
      if (error instanceof NotFound || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async copy(request: CopyRequest): Promise<CopyResult> {
    const bucket = this.options.bucket;
    const source = await this.headRaw(request.sourceKey);
    if (source === undefined) throw new SourceObjectMissing(request.sourceKey);
    const size = source.ContentLength ?? 0;
    // REPLACE with the source's own headers and metadata: the only way to add metadata while copying.
    const headers = {
      ...(source.ContentType !== undefined ? { ContentType: source.ContentType } : {}),
      ...(source.CacheControl !== undefined ? { CacheControl: source.CacheControl } : {}),
      ...(source.ContentDisposition !== undefined ? { ContentDisposition: source.ContentDisposition } : {}),
      ...(source.ContentEncoding !== undefined ? { ContentEncoding: source.ContentEncoding } : {}),
      ...(source.ContentLanguage !== undefined ? { ContentLanguage: source.ContentLanguage } : {}),
      Metadata: { ...lowerCaseKeys(source.Metadata ?? {}), ...request.addMetadata },
    };
    const copySource = `${encodeCopySourceSegment(bucket)}/${request.sourceKey.split('/').map(encodeCopySourceSegment).join('/')}`;
    const ifMatch = request.sourceEtag === undefined ? {} : { CopySourceIfMatch: `"${request.sourceEtag.replace(/"/g, '')}"` };
    try {
      if (!needsPartCopy(size, this.options.singleCopyMaxBytes ?? MAX_SINGLE_COPY_BYTES)) {
        const out = await this.client.send(
          new CopyObjectCommand({ Bucket: bucket, Key: request.destinationKey, CopySource: copySource, MetadataDirective: 'REPLACE', ...headers, ...ifMatch }),
        );
        return etagResult(out.CopyObjectResult?.ETag);
      }
      const parts = copyPartRanges(size, copyPartSize(size, this.options.copyPartBytes));
      return etagResult(await this.copyInParts(request.destinationKey, copySource, parts, headers, ifMatch));
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 412) throw new SourceObjectMissing(request.sourceKey, { cause: error });
      throw error;
    }
  }

  private async copyInParts(
    key: string,
    copySource: string,
    parts: readonly CopyPart[],
    headers: Omit<ConstructorParameters<typeof CreateMultipartUploadCommand>[0], 'Bucket' | 'Key'>,
    ifMatch: { CopySourceIfMatch?: string },
  ): Promise<string | undefined> {
    const bucket = this.options.bucket;
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...headers }));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no upload id');
    try {
      const etags: string[] = new Array<string>(parts.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < parts.length) {
          const part = parts[next++] as CopyPart;
          const out = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: part.partNumber,
              CopySource: copySource,
              CopySourceRange: `bytes=${part.first}-${part.last}`,
              ...ifMatch,
            }),
          );
          const etag = out.CopyPartResult?.ETag;
          if (etag === undefined) throw new Error(`UploadPartCopy of part ${part.partNumber} returned no ETag`);
          etags[part.partNumber - 1] = etag;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.options.copyConcurrency ?? 4, parts.length) }, worker));
      const completed = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: etags[p.partNumber - 1] as string })) },
        }),
      );
      return completed.ETag;
    } catch (error) {
      // Parts of an unfinished upload are billed until aborted; the destination never appeared.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    const size = out.ContentLength ?? 0;
    if (size > maxBytes) {
      out.Body?.transformToWebStream().cancel().catch(() => undefined);
      throw new ObjectTooLarge(size, maxBytes);
    }
    const bytes = await out.Body?.transformToByteArray();
    return Buffer.from(bytes ?? new Uint8Array());
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: 'private, max-age=86400, immutable' }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, MaxKeys: 1000 }));
    return (out.Contents ?? []).flatMap((o) => (o.Key !== undefined ? [o.Key] : []));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    // One at a time: DeleteObjects needs a Content-MD5/checksum some S3-compatible servers reject, and there are few keys.
    await Promise.all(keys.map((key) => this.delete(key)));
  }

  async urlSigner(): Promise<ObjectUrls> {
    const credentials = await this.client.config.credentials();
    if (this.signer === undefined) {
      const fromEnv = s3EndpointFromEnv();
      const endpoint = this.options.endpoint ?? fromEnv.endpoint;
      this.signer = new S3UrlSigner({
        region: await this.client.config.region(),
        ...(endpoint !== undefined ? { endpoint } : {}),
        forcePathStyle: this.options.forcePathStyle ?? fromEnv.forcePathStyle,
      });
    }
    const signer = this.signer;
    const bucket = this.options.bucket;
    return new ObjectUrls((request) => signer.presign({ ...request, bucket }, credentials));
  }
}

const etagResult = (etag: string | undefined): CopyResult => (etag === undefined || etag === '' ? {} : { etag: etag.replace(/"/g, '') });

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** `x-amz-copy-source` is URL-encoded: each key segment like a path segment (RFC 3986). */
function encodeCopySourceSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Writes an object to a local file, streamed (appending when asked): the video workflow's segments and copies. */
export async function downloadObjectTo(client: S3Client, bucket: string, key: string, file: string, append: boolean): Promise<void> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (response.Body === undefined) throw new Error(`${key} has no body`);
  await pipeline(response.Body as Readable, createWriteStream(file, { flags: append ? 'a' : 'w' }));
}

/**
 * Bytes `offset` … `offset + length - 1` of an object at the version `ifMatch` names (a 412 when
 * it changed): the remux's fast path reads box headers and the `moov` this way. A server that
 * ignored the range would send the whole object: only a range of the asked length is taken.
 */
export async function readObjectRange(client: S3Client, bucket: string, key: string, range: { readonly offset: number; readonly length: number; readonly ifMatch: string }): Promise<Buffer> {
  if (range.length <= 0) return Buffer.alloc(0);
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: range.ifMatch, Range: `bytes=${range.offset}-${range.offset + range.length - 1}` }));
  const array = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
  // A view, not a copy: a moov may be 64 MiB.
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  if (bytes.length !== range.length) throw new Error(`a ranged read of ${range.length} bytes answered ${bytes.length}`);
  return bytes;
}

/** The scrub's read: the object whole through SHA-256, streamed (constant memory); undefined when it is gone or archived. */
export function objectDigest(client: S3Client, bucket: string): (key: string) => Promise<ObjectDigest | undefined> {
  return async (key) => {
    let response;
    try {
      response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      // Gone, or in an archive tier of Intelligent-Tiering (a GET needs a restore first): not read.
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'InvalidObjectState') return undefined;
      throw error;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of response.Body as Readable) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
    }
    return { sha256: hash.digest('base64'), bytes, ...(response.ETag !== undefined ? { etag: response.ETag.replace(/"/g, '') } : {}) };
  };
}
