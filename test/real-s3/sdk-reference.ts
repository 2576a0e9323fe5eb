/**
 * The reference our signer must match byte for byte: the AWS SDK's own `getSignedUrl`, driven
 * from the same PresignInput. Shared by the unit equality tests, the real-S3 tests and the bench.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type GetObjectCommandInput,
  type PutObjectCommandInput,
  type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignInput, SignerConfig, SigningCredentials } from '../../handlers/core/presign';

/** The client configuration the project uses everywhere (see the brief). */
export function referenceClient(config: SignerConfig, credentials: SigningCredentials): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

const GET_QUERY: Readonly<Record<string, keyof GetObjectCommandInput>> = {
  'response-content-disposition': 'ResponseContentDisposition',
  'response-content-type': 'ResponseContentType',
  'response-cache-control': 'ResponseCacheControl',
  'response-content-language': 'ResponseContentLanguage',
  'response-content-encoding': 'ResponseContentEncoding',
  'response-expires': 'ResponseExpires',
  versionId: 'VersionId',
};

/** Headers that PutObject/UploadPart can express, and the input member that carries each. */
const PUT_HEADERS: Readonly<Record<string, keyof PutObjectCommandInput & keyof UploadPartCommandInput>> = {
  'content-length': 'ContentLength',
  'content-md5': 'ContentMD5',
  'x-amz-checksum-sha256': 'ChecksumSHA256',
  'x-amz-checksum-crc32': 'ChecksumCRC32',
};
const PUT_OBJECT_HEADERS: Readonly<Record<string, keyof PutObjectCommandInput>> = {
  'content-type': 'ContentType',
  'content-disposition': 'ContentDisposition',
  'cache-control': 'CacheControl',
  'content-encoding': 'ContentEncoding',
};

function unsupported(kind: string, name: string, operation: string): never {
  throw new Error(`sdk-reference: ${kind} ${name} is not mapped for ${operation}`);
}

/** Builds the SDK command equivalent to `input`. */
type PresignableCommand = Parameters<typeof getSignedUrl>[1];

function referenceCommand(input: PresignInput): PresignableCommand {
  const { bucket: Bucket, key: Key, headers = {}, query = {} } = input;
  switch (input.operation) {
    case 'GetObject':
    case 'HeadObject': {
      const members: Record<string, unknown> = { Bucket, Key };
      for (const [name, value] of Object.entries(query)) {
        const member = GET_QUERY[name] ?? unsupported('query', name, input.operation);
        members[member] = member === 'ResponseExpires' ? new Date(value) : value;
      }
      for (const name of Object.keys(headers)) unsupported('header', name, input.operation);
      return input.operation === 'GetObject'
        ? (new GetObjectCommand(members as unknown as GetObjectCommandInput) as unknown as PresignableCommand)
        : (new HeadObjectCommand(members as unknown as GetObjectCommandInput) as unknown as PresignableCommand);
    }
    case 'PutObject':
    case 'UploadPart': {
      const members: Record<string, unknown> = { Bucket, Key };
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
        else if (name in PUT_HEADERS) {
          const member = PUT_HEADERS[name] as string;
          members[member] = member === 'ContentLength' ? Number(value) : value;
        } else if (input.operation === 'PutObject' && name in PUT_OBJECT_HEADERS) {
          members[PUT_OBJECT_HEADERS[name] as string] = value;
        } else unsupported('header', name, input.operation);
      }
      if (Object.keys(metadata).length > 0) {
        if (input.operation !== 'PutObject') unsupported('header', 'x-amz-meta-*', input.operation);
        members.Metadata = metadata;
      }
      for (const [name, value] of Object.entries(query)) {
        if (input.operation === 'UploadPart' && name === 'partNumber') members.PartNumber = Number(value);
        else if (input.operation === 'UploadPart' && name === 'uploadId') members.UploadId = value;
        else unsupported('query', name, input.operation);
      }
      return input.operation === 'PutObject'
        ? (new PutObjectCommand(members as unknown as PutObjectCommandInput) as unknown as PresignableCommand)
        : (new UploadPartCommand(members as unknown as UploadPartCommandInput) as unknown as PresignableCommand);
    }
  }
}

/**
 * `getSignedUrl` for the same input: every header in `input.headers` is signed
 * (`signableHeaders`) and stays a header (`unhoistableHeaders`), like our signer does.
 */
export function referencePresign(client: S3Client, input: PresignInput): Promise<string> {
  const names = Object.keys(input.headers ?? {});
  return getSignedUrl(client, referenceCommand(input), {
    expiresIn: input.expiresIn,
    signingDate: input.now,
    signableHeaders: new Set(names),
    unhoistableHeaders: new Set(names.filter((name) => name.startsWith('x-amz-'))),
  });
}
