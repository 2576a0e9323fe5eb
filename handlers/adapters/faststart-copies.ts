/**
 * The remux's fast path in S3 (core/mp4-faststart.ts decides and plans it): the original's box
 * headers and `moov` by ranged GETs, then the copy written as `ftyp` + new `moov` + the media
 * data, the data copied server side (UploadPartCopy with `x-amz-copy-source-range`) so the
 * function never downloads or uploads it. Every read and part copy is pinned to the original's
 * ETag: an original replaced meanwhile is never half copied.
 *
 * IAM (modules/media-store/video-workflow.ts): GetObject on the original (the ranged reads, and
 * UploadPartCopy reads its source with it); PutObject on `derived/` (PutObject, the multipart
 * upload and each part); AbortMultipartUpload on `derived/`.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { CopyPart } from '../core/copy-parts';
import { planFaststartWrite, readMp4Layout, rewriteMoov, type RewrittenHead } from '../core/mp4-faststart';
import { defaultS3Client } from './aws-clients';
import { readObjectRange } from './object-store';

export interface FaststartRequest {
  readonly sourceKey: string;
  /** The original's version (its ETag): reads and part copies refuse any other. */
  readonly sourceEtag: string;
  readonly destinationKey: string;
  readonly contentType: string;
  /** The remux decision's audio: `copy` keeps the one audio track, `none` wants none. */
  readonly audio: 'copy' | 'none';
}

export type FaststartResult = { readonly ok: true; readonly bytes: number; readonly parts: number } | { readonly ok: false; readonly reason: string };

export interface FaststartCopies {
  /**
   * Writes the faststart copy of the original at `destinationKey`, or answers why this file is
   * not one for the fast path (ffmpeg then remuxes it). S3 errors are thrown.
   */
  copy(request: FaststartRequest): Promise<FaststartResult>;
}

/** The original changed (its ETag is not the one asked for): left to the ffmpeg path, whose copy the row's version check discards. */
class OriginalChanged extends Error {
  constructor() {
    super('the original changed');
    this.name = 'OriginalChanged';
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** `x-amz-copy-source` is URL-encoded: each key segment like a path segment (RFC 3986). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class S3FaststartCopies implements FaststartCopies {
  private readonly client: S3Client;

  constructor(private readonly options: { readonly bucket: string; readonly client?: S3Client; /** @default 512 MiB */ readonly copyPartBytes?: number; /** @default 4 */ readonly copyConcurrency?: number }) {
    this.client = options.client ?? defaultS3Client();
  }

  async copy(request: FaststartRequest): Promise<FaststartResult> {
    try {
      return await this.copyPinned(request);
    } catch (error) {
      if (error instanceof OriginalChanged) return { ok: false, reason: error.message };
      throw error;
    }
  }

  private async copyPinned(request: FaststartRequest): Promise<FaststartResult> {
    const ifMatch = `"${request.sourceEtag.replace(/"/g, '')}"`;
    const head = await this.pinned(() => this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: request.sourceKey, IfMatch: ifMatch })));
    const size = head.ContentLength ?? 0;
    const readAt = (offset: number, length: number): Promise<Buffer> => this.range(request.sourceKey, ifMatch, offset, Math.min(length, size - offset));
    const walked = await readMp4Layout(readAt, size);
    if (!walked.ok) return walked;
    const { layout } = walked;
    const [ftyp, moov] = await Promise.all([readAt(layout.ftyp.start, layout.ftyp.end - layout.ftyp.start), readAt(layout.moov.start, layout.moov.end - layout.moov.start)]);
    const made = rewriteMoov(ftyp, moov, layout, request.audio);
    if (!made.ok) return made;
    const { rewritten } = made;
    const plan = planFaststartWrite(rewritten, this.options.copyPartBytes);
    if (plan.kind === 'single') {
      const data = await readAt(rewritten.data.start, rewritten.data.end - rewritten.data.start);
      await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: request.destinationKey, Body: Buffer.concat([rewritten.head, data]), ContentType: request.contentType }));
      return { ok: true, bytes: rewritten.size, parts: 1 };
    }
    await this.multipart(request, ifMatch, rewritten, plan.firstPartDataBytes, plan.copies, readAt);
    return { ok: true, bytes: rewritten.size, parts: plan.copies.length + 1 };
  }

  private async multipart(request: FaststartRequest, ifMatch: string, rewritten: RewrittenHead, firstPartDataBytes: number, copies: readonly CopyPart[], readAt: (offset: number, length: number) => Promise<Buffer>): Promise<void> {
    const bucket = this.options.bucket;
    const key = request.destinationKey;
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: request.contentType }));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no upload id');
    const copySource = `${encodeSegment(bucket)}/${request.sourceKey.split('/').map(encodeSegment).join('/')}`;
    try {
      const etags = new Array<string>(copies.length + 1);
      const firstData = await readAt(rewritten.data.start, firstPartDataBytes);
      const uploaded = await this.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: Buffer.concat([rewritten.head, firstData]) }));
      if (uploaded.ETag === undefined) throw new Error('UploadPart of part 1 returned no ETag');
      etags[0] = uploaded.ETag;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < copies.length) {
          const part = copies[next++] as CopyPart;
          const out = await this.pinned(() => this.client.send(new UploadPartCopyCommand({
            Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber,
            CopySource: copySource, CopySourceRange: `bytes=${part.first}-${part.last}`, CopySourceIfMatch: ifMatch,
          })));
          const etag = out.CopyPartResult?.ETag;
          if (etag === undefined) throw new Error(`UploadPartCopy of part ${part.partNumber} returned no ETag`);
          etags[part.partNumber - 1] = etag;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.options.copyConcurrency ?? 4, copies.length) }, worker));
      await this.client.send(new CompleteMultipartUploadCommand({
        Bucket: bucket, Key: key, UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((etag, i) => ({ PartNumber: i + 1, ETag: etag })) },
      }));
    } catch (error) {
      // Parts of an unfinished upload are billed until aborted; the copy never appeared.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  /** Bytes `offset` … `offset + length - 1` of the original at its version. */
  private range(key: string, ifMatch: string, offset: number, length: number): Promise<Buffer> {
    return this.pinned(() => readObjectRange(this.client, this.options.bucket, key, { offset, length, ifMatch }));
  }

  /** A 412 (another ETag) or 404 (gone) means the original changed. */
  private async pinned<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) throw new OriginalChanged();
      throw error;
    }
  }
}
