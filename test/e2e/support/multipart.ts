/** Multipart uploads over HTTP the way a client does it: fetch only, parts in parallel. */
import { createHash, randomBytes } from 'node:crypto';
import { createCRC32 } from 'hash-wasm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { UsersRepository } from '../../../handlers/adapters/users-repository';
import { uploadItemKey } from '../../../contract/table';
import { hashPassword } from '../../../handlers/core/password';
import type { E2eContext, E2eUser } from './context';
import { api } from './http';
import { localS3Client } from './local-s3';

export interface MultipartCreated {
  uploadId: string;
  fileId: string;
  mode: 'multipart';
  partSize: number;
  partCount: number;
  expiresAt: string;
  checksumAlgorithm?: 'SHA256' | 'CRC32C';
}

export interface SignedPart {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

export interface HeldPart {
  partNumber: number;
  etag: string;
  size: number;
  checksum?: string;
  sha256?: string;
}

export const sha256Base64 = (data: Uint8Array): string => createHash('sha256').update(data).digest('base64');

/** CRC-32C in S3's form (`x-amz-checksum-crc32c`), by hash-wasm's WebAssembly: not the code under test (contract/crc32c.ts). */
export async function crc32cBase64(data: Uint8Array): Promise<string> {
  const hasher = await createCRC32(0x82f63b78);
  hasher.init();
  hasher.update(data);
  return Buffer.from(hasher.digest('hex'), 'hex').toString('base64');
}

/** Bytes of part `n` (1-based) of `data` cut into `partSize` parts: a view, no copy. */
export const partOf = (data: Buffer, partSize: number, n: number): Buffer => data.subarray((n - 1) * partSize, Math.min(n * partSize, data.length));

/** Signs `partNumbers`, with each part's SHA-256 when `checksumsOf` is given. */
export async function signParts(token: string, uploadId: string, partNumbers: number[], checksumsOf?: (n: number) => string) {
  const json = { partNumbers, ...(checksumsOf ? { checksums: Object.fromEntries(partNumbers.map((n) => [String(n), checksumsOf(n)])) } : {}) };
  return api<{ parts: SignedPart[]; expiresAt: string; error?: { code: string } }>(`/uploads/${uploadId}/parts`, { token, json });
}

/** PUTs a part to its presigned URL with exactly the signed headers; the status and S3's ETag. */
export async function putPart(part: SignedPart, body: Uint8Array): Promise<{ status: number; etag: string | null; text: string }> {
  const headers = { ...part.headers };
  delete headers['content-length']; // fetch sets it from the body; a mismatch is exactly what S3 must refuse
  const response = await fetch(part.url, { method: 'PUT', headers, body });
  return { status: response.status, etag: response.headers.get('etag'), text: await response.text() };
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** SHA-256 (hex) of a URL's body, streamed: the bytes are never held whole. */
export async function sha256OfUrl(url: string): Promise<{ status: number; sha256: string; bytes: number }> {
  const response = await fetch(url);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { status: response.status, sha256: hash.digest('hex'), bytes };
}

export function localS3(context: E2eContext): S3Client {
  return localS3Client(context.s3Endpoint, context.credentials, context.region);
}

export function documents(context: E2eContext): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials }));
}

/** The session item as stored (the test looks behind the API: S3's own UploadId). */
export async function storedSession(context: E2eContext, uploadId: string): Promise<Record<string, unknown> | undefined> {
  const client = documents(context);
  try {
    return (await client.send(new GetCommand({ TableName: context.tableName, Key: uploadItemKey(uploadId) }))).Item;
  } finally {
    client.destroy();
  }
}

/** Moves a session's expiry into the past, as time would (the session's data is the fixture). */
export async function expireSession(context: E2eContext, uploadId: string): Promise<void> {
  const client = documents(context);
  try {
    await client.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: uploadItemKey(uploadId),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Whether S3 still knows the multipart upload (ListParts answers rather than NoSuchUpload). */
export async function s3KnowsUpload(context: E2eContext, key: string, s3UploadId: string): Promise<boolean> {
  const s3 = localS3(context);
  try {
    await s3.send(new ListPartsCommand({ Bucket: context.bucketName, Key: key, UploadId: s3UploadId }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchUpload') return false;
    throw error;
  } finally {
    s3.destroy();
  }
}

/** A fresh editor of this test file's own (the global ones are shared). */
export async function addEditor(context: E2eContext, prefix: string): Promise<E2eUser> {
  const client = documents(context);
  const user = { username: `${prefix}-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
  try {
    await new UsersRepository({ tableName: context.tableName, client }).create({ username: user.username, role: 'editor', passwordHash: await hashPassword(user.password) });
  } finally {
    client.destroy();
  }
  return user;
}
