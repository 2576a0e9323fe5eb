/**
 * Both sides of `npm run reconcile`, read completely for one key prefix: the bucket's
 * objects (ListObjectsV2, then HeadObject for content type and metadata) and the catalog's
 * file rows, tombstones included (a Scan: an operator's tool, not a request path).
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sessionIdOf, type CatalogFile, type CatalogTombstone, type UploadSession } from '../core/catalog';
import { FILE_TYPES } from '../core/content-types';
import { FILE_PREFIX } from '../../contract/table';
import type { BucketObject, StoredRow } from '../core/reconcile';
import type { ObjectStore } from './object-store';

export interface BucketInventoryOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly objects: Pick<ObjectStore, 'head'>;
  readonly sessions: { get(uploadId: string): Promise<UploadSession | undefined> };
  /** HeadObject requests in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** Every object under `prefix` with its head and upload session. Objects deleted meanwhile are left out. */
export async function listBucketObjects(prefix: string, options: BucketInventoryOptions): Promise<BucketObject[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await options.client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
    for (const object of out.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
  } while (token !== undefined);

  const found: BucketObject[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++];
      const head = await options.objects.head(key);
      if (head === undefined) continue;
      const sessionId = sessionIdOf(head);
      const session = sessionId !== undefined ? await options.sessions.get(sessionId) : undefined;
      found.push({ key, head, ...(session !== undefined ? { session } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, keys.length) }, worker));
  return found.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** Every file row (available or tombstone) whose S3 key starts with `prefix`. */
export async function scanFileRows(prefix: string, options: { client: DynamoDBDocumentClient; tableName: string }): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  const pages = paginateScan(
    { client: options.client },
    {
      TableName: options.tableName,
      FilterExpression: 'begins_with(sk, :file) AND begins_with(#key, :prefix)',
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':file': FILE_PREFIX, ':prefix': prefix },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const row = toStoredRow(item);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}

/** The stored row without the table's own attributes; `undefined` for items that are not file rows. */
function toStoredRow(item: Record<string, unknown>): StoredRow | undefined {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, gsi2pk: _gsi2pk, gsi2sk: _gsi2sk, gsi3pk: _gsi3pk, gsi3sk: _gsi3sk, gsi4pk: _gsi4pk, gsi4sk: _gsi4sk, updatedAt: _updatedAt, ...row } = item;
  if (typeof row.key !== 'string' || typeof row.folder !== 'string' || typeof row.name !== 'string') return undefined;
  if (typeof row.sequencer !== 'string') row.sequencer = '';
  if (row.status === 'available') {
    if (typeof row.size !== 'number' || typeof row.contentType !== 'string') return undefined;
    if (!(FILE_TYPES as readonly unknown[]).includes(row.fileType)) row.fileType = 'other';
    return row as unknown as CatalogFile;
  }
  return { ...(row as unknown as CatalogTombstone), status: 'deleted' };
}
