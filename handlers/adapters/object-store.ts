/**
 * The media bucket: HeadObject through the SDK, presigned URLs through the SDK-free
 * `S3UrlSigner` (byte-identical to the SDK's, much cheaper per URL).
 */
import { HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectHead } from '../core/catalog';
import { S3UrlSigner, type PresignInput } from '../core/presign';
import { defaultS3Client, s3EndpointFromEnv } from './aws-clients';

export type ObjectUrlRequest = Omit<PresignInput, 'bucket'>;
/** Signs URLs with credentials fetched once for the current invocation. */
export type ObjectUrlSigner = (request: ObjectUrlRequest) => string;

export interface ObjectStore {
  /** HeadObject; `undefined` when the object does not exist (any more). */
  head(key: string): Promise<ObjectHead | undefined>;
  /** A signer bound to the current credentials. Call once per invocation. */
  urlSigner(): Promise<ObjectUrlSigner>;
}

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  readonly client?: S3Client;
  /** Endpoint and addressing the URLs use. @default from AWS_ENDPOINT_URL_S3 / S3_FORCE_PATH_STYLE */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private signer: S3UrlSigner | undefined;

  constructor(private readonly options: S3ObjectStoreOptions) {
    this.client = options.client ?? defaultS3Client();
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        ...(out.ContentType !== undefined ? { contentType: out.ContentType } : {}),
        ...(out.LastModified !== undefined ? { lastModified: out.LastModified } : {}),
        ...(out.ETag !== undefined ? { etag: out.ETag.replace(/"/g, '') } : {}),
        metadata: lowerCaseKeys(out.Metadata ?? {}),
      };
    } catch (error) {
      if (error instanceof NotFound || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async urlSigner(): Promise<ObjectUrlSigner> {
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
    return (request) => signer.presign({ ...request, bucket }, credentials);
  }
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
