/**
 * The scrub's reads and writes (handlers/core/scrub.ts): its cursor item, a projected Scan of
 * the sparse `byType` index (file rows only: its IAM grant is on the index, with exactly
 * `SCRUB_ATTRIBUTES`), the marks it writes on file rows (each conditional on the row still
 * being the version read, by ETag). The object is read by `objectDigest` (object-store.ts).
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SCRUB_ATTRIBUTES, TABLE_SCHEMA, contentIndexKeys, scrubCursorKey } from '../../contract/table';
import { fileIdOf } from '../core/paths';
import type { ScrubCatalogStore, ScrubCursor, ScrubFile } from '../core/scrub';
import { defaultDocumentClient } from './aws-clients';

export interface ScrubCatalogOptions {
  readonly tableName: string;
  readonly client?: DynamoDBDocumentClient;
}

const isConditionalCheckFailed = (error: unknown): boolean => (error as { name?: string }).name === 'ConditionalCheckFailedException';

export class ScrubCatalog implements ScrubCatalogStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: ScrubCatalogOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async cursor(): Promise<ScrubCursor | undefined> {
    const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: scrubCursorKey(), ConsistentRead: true }))).Item;
    if (item === undefined || typeof item.passStartedAt !== 'string' || typeof item.doneInPass !== 'number') return undefined;
    return {
      passStartedAt: item.passStartedAt,
      doneInPass: item.doneInPass,
      ...(typeof item.startKey === 'object' && item.startKey !== null ? { startKey: item.startKey as Record<string, unknown> } : {}),
      ...(typeof item.lastPassFiles === 'number' ? { lastPassFiles: item.lastPassFiles } : {}),
    };
  }

  async saveCursor(cursor: ScrubCursor): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...scrubCursorKey(), ...cursor, updatedAt: new Date().toISOString() } }));
  }

  async page(startKey: Readonly<Record<string, unknown>> | undefined, limit: number): Promise<{ files: readonly ScrubFile[]; next?: Readonly<Record<string, unknown>> }> {
    const names = Object.fromEntries(SCRUB_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        IndexName: TABLE_SCHEMA.typeIndex.name,
        Select: 'SPECIFIC_ATTRIBUTES',
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        Limit: Math.max(1, limit),
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey as Record<string, unknown> } : {}),
      }),
    );
    const files = (out.Items ?? []).flatMap((item): ScrubFile[] => {
      const { pk, sk, key, size, etag, sha256, corruptAt } = item;
      if (typeof pk !== 'string' || typeof sk !== 'string' || typeof key !== 'string' || typeof size !== 'number') return [];
      return [{ pk, sk, key, size, ...(typeof etag === 'string' ? { etag } : {}), ...(typeof sha256 === 'string' ? { sha256 } : {}), ...(typeof corruptAt === 'string' ? { corruptAt } : {}), ...indexKeys(item) }];
    });
    return { files, ...(out.LastEvaluatedKey !== undefined ? { next: out.LastEvaluatedKey } : {}) };
  }

  keyAfter(file: ScrubFile): Readonly<Record<string, unknown>> {
    const withIndex = file as ScrubFile & { gsi1pk?: string; gsi1sk?: string };
    return { pk: file.pk, sk: file.sk, gsi1pk: withIndex.gsi1pk, gsi1sk: withIndex.gsi1sk };
  }

  async markVerified(file: ScrubFile, at: string): Promise<void> {
    await this.update(file, 'SET verifiedAt = :at', { ':at': at });
  }

  async recordSha256(file: ScrubFile, sha256: string, at: string): Promise<void> {
    // With its `byContent` keys, as every row with a SHA-256 has them (duplicates are found by them).
    const { gsi4pk, gsi4sk } = contentIndexKeys(sha256, fileIdOf(file.key));
    await this.update(
      file,
      'SET sha256 = :sha256, sha256Source = :source, verifiedAt = :at, gsi4pk = :gsi4pk, gsi4sk = :gsi4sk',
      { ':sha256': sha256, ':source': 'scrub', ':at': at, ':gsi4pk': gsi4pk, ':gsi4sk': gsi4sk },
      'attribute_not_exists(sha256)',
    );
  }

  async markCorrupt(file: ScrubFile, foundSha256: string, at: string): Promise<boolean> {
    return this.update(file, 'SET corruptAt = :at, corruptSha256 = :found', { ':at': at, ':found': foundSha256 }, 'attribute_not_exists(corruptAt)');
  }

  /** An update of the row as read: still there, same ETag (and `extra`); false when it was not. */
  private async update(file: ScrubFile, expression: string, values: Record<string, unknown>, extra?: string): Promise<boolean> {
    const sameVersion = file.etag !== undefined ? 'etag = :etag' : 'attribute_not_exists(etag)';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: file.pk, sk: file.sk },
          UpdateExpression: expression,
          ConditionExpression: ['attribute_exists(pk)', sameVersion, ...(extra !== undefined ? [extra] : [])].join(' AND '),
          ExpressionAttributeValues: { ...values, ...(file.etag !== undefined ? { ':etag': file.etag } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

function indexKeys(item: Record<string, unknown>): { gsi1pk?: string; gsi1sk?: string } {
  return {
    ...(typeof item.gsi1pk === 'string' ? { gsi1pk: item.gsi1pk } : {}),
    ...(typeof item.gsi1sk === 'string' ? { gsi1sk: item.gsi1sk } : {}),
  };
}
