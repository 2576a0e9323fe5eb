/**
 * The files the video workflow moves between the function's /tmp and the bucket (segments under
 * `scratch/`, the copy under `derived/`), streamed: a copy of several GB never sits in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { defaultS3Client } from './aws-clients';
import { downloadObjectTo } from './object-store';

/** Files between /tmp and the bucket. */
export interface FileTransfers {
  /** Uploads a local file (multipart when large); resolves with its size. */
  upload(key: string, file: string, contentType: string): Promise<number>;
  /** Writes an object to a local file, appending when asked (segments joined end to end). */
  download(key: string, file: string, options?: { readonly append?: boolean }): Promise<void>;
}

/** Parts of 16 MiB, 4 at a time: a copy of GBs goes up at S3's pace with 64 MiB in memory. */
const PART_BYTES = 16 * 1024 * 1024;
const PARTS_AT_ONCE = 4;

export class S3FileTransfers implements FileTransfers {
  private readonly client: S3Client;

  constructor(private readonly options: { readonly bucket: string; readonly client?: S3Client }) {
    this.client = options.client ?? defaultS3Client();
  }

  async upload(key: string, file: string, contentType: string): Promise<number> {
    const { size } = await stat(file);
    await new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: key, Body: createReadStream(file), ContentType: contentType, ContentLength: size },
      partSize: PART_BYTES,
      queueSize: PARTS_AT_ONCE,
    }).done();
    return size;
  }

  async download(key: string, file: string, options: { readonly append?: boolean } = {}): Promise<void> {
    await downloadObjectTo(this.client, this.options.bucket, key, file, options.append === true);
  }
}
