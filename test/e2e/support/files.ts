/** Helpers of the files e2e tests: upload like a client, wait for the catalog, look into S3 and the table. */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { e2eContext } from './context';
import { api, eventually } from './http';
import { localS3Client } from './local-s3';

export interface FileBody {
  id: string;
  folder: string;
  name: string;
  size: number;
  contentType: string;
  fileType: string;
  uploadedAt: string;
  uploadedBy: string;
  tags: string[];
  description?: string;
  url: string;
  urlExpiresAt: string;
}

export interface FilePage {
  files: FileBody[];
  nextCursor: string | null;
}

/** POST /uploads then PUT the bytes to the presigned URL, as a client does; returns the file id. */
export async function uploadFile(
  token: string,
  folder: string,
  fileName: string,
  bytes: Buffer,
  options: { contentType?: string; tags?: string[]; description?: string } = {},
): Promise<string> {
  const created = await api<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
    token,
    json: { folder, fileName, contentType: options.contentType ?? 'image/jpeg', size: bytes.length, ...(options.tags ? { tags: options.tags } : {}), ...(options.description ? { description: options.description } : {}) },
  });
  if (created.status !== 201) throw new Error(`POST /uploads: ${created.status} ${created.text}`);
  const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
  if (put.status !== 200) throw new Error(`PUT upload: ${put.status} ${await put.text()}`);
  return created.body.fileId;
}

/** GET /files/{id} until it answers 200 and `predicate` holds. */
export async function fileWhen(token: string, id: string, predicate: (file: FileBody) => boolean = () => true, timeoutMs = 3000): Promise<FileBody | undefined> {
  return eventually(async () => {
    const response = await api<FileBody>(`/files/${id}`, { token });
    return response.status === 200 && predicate(response.body) ? response.body : undefined;
  }, timeoutMs);
}

export async function listFolder(token: string, folder: string): Promise<FileBody[]> {
  const response = await api<FilePage>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`, { token });
  if (response.status !== 200) throw new Error(`GET /files: ${response.status} ${response.text}`);
  return response.body.files;
}

export function adminS3(): S3Client {
  const context = e2eContext();
  return localS3Client(context.s3Endpoint, context.credentials, context.region);
}

/** The object's bytes and metadata, or `undefined` when the key is empty. */
export async function objectAt(s3: S3Client, key: string): Promise<{ bytes: Buffer; metadata: Record<string, string>; contentType?: string } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: e2eContext().bucketName, Key: key }));
    const bytes = Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    return { bytes, metadata: out.Metadata ?? {}, ...(out.ContentType !== undefined ? { contentType: out.ContentType } : {}) };
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function objectExists(s3: S3Client, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: e2eContext().bucketName, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** The raw catalog row of an S3 key (test inspection only). */
export async function catalogRow(key: string): Promise<Record<string, unknown> | undefined> {
  const context = e2eContext();
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials }));
  try {
    const rest = key.slice('media'.length);
    const slash = rest.lastIndexOf('/');
    const folder = slash === 0 ? '/' : rest.slice(0, slash);
    const out = await client.send(new GetCommand({ TableName: context.tableName, Key: { pk: `FOLDER#${folder}`, sk: `FILE#${rest.slice(slash + 1)}` }, ConsistentRead: true }));
    return out.Item;
  } finally {
    client.destroy();
  }
}

export const keyOf = (id: string): string => Buffer.from(id, 'base64url').toString('utf8');
