/**
 * Everything the catalog and the bucket hold, in a comparable form: every table item (files,
 * tombstones, folders, users) except login limiters and upload sessions, and every object's
 * key, size and ETag.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCredentials } from '../../../local/sigv4';

interface StackEndpoints {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly credentials: LocalCredentials;
}

export interface CatalogSnapshot {
  readonly items: readonly string[];
  readonly objects: readonly string[];
}

/**
 * Items bad requests may legitimately write: login limiters (a failed login counts), upload
 * sessions, and what opening a share records (its access log, views and last access, the
 * wrong-password limiter).
 */
const mayChange = (item: Record<string, unknown>): boolean =>
  item.sk === 'LOGIN' || String(item.sk).startsWith('UNLOCK') || String(item.pk).startsWith('UPLOAD#') || String(item.pk).startsWith('SHARELOG#') || item.pk === 'SHARES#';

export async function catalogSnapshot(stack: StackEndpoints): Promise<CatalogSnapshot> {
  const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: stack.credentials });
  try {
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const items: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: stack.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) {
        if (!mayChange(item)) items.push(stableJson(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);

    const objects: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) objects.push(`${object.Key} ${object.Size} ${object.ETag}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);

    return { items: items.sort(), objects: objects.sort() };
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v instanceof Set
        ? [...v].sort()
        : v,
  );
}
