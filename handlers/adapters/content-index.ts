/**
 * The `byContent` index (contract/table.ts): the available files with a given whole-file
 * SHA-256, and every file with one (the duplicates view). The index is sparse (only file rows
 * with a SHA-256 carry its keys) and projects only `CONTENT_INDEX_ATTRIBUTES`: where a copy is,
 * never tags, descriptions or anything else of the row.
 */
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONTENT_INDEX_PREFIX, TABLE_SCHEMA, contentIndexKeys } from '../../contract/table';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';
import type { ContentCopy as WireContentCopy } from '../../contract/wire';

/** A file as the index knows it: the wire's copy, with who uploaded it and its content. */
export interface ContentCopy extends WireContentCopy {
  readonly uploadedBy: string;
  readonly sha256: string;
}

/** Queries run at once for one batch of hashes. */
const QUERIES_AT_ONCE = 16;

export interface ContentLookup {
  /** The available files of each SHA-256 (those without any are absent from the map). */
  copiesOf(sha256s: readonly string[]): Promise<ReadonlyMap<string, readonly ContentCopy[]>>;
  /** Every available file with a SHA-256, in index order (files with the same content together); stops at `deadline` (epoch ms) with `complete: false`. */
  all(deadline: number): Promise<{ readonly copies: readonly ContentCopy[]; readonly complete: boolean }>;
}

export class ContentIndex implements ContentLookup {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly clock: () => number;

  constructor(options: RepositoryOptions & { readonly clock?: () => number }) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
    this.clock = options.clock ?? Date.now;
  }

  async copiesOf(sha256s: readonly string[]): Promise<ReadonlyMap<string, readonly ContentCopy[]>> {
    const found = new Map<string, ContentCopy[]>();
    const pending = [...new Set(sha256s)];
    const worker = async (): Promise<void> => {
      for (let sha256 = pending.pop(); sha256 !== undefined; sha256 = pending.pop()) {
        const copies = await this.query(sha256);
        if (copies.length > 0) found.set(sha256, copies);
      }
    };
    await Promise.all(Array.from({ length: Math.min(QUERIES_AT_ONCE, pending.length) }, worker));
    return found;
  }

  private async query(sha256: string): Promise<ContentCopy[]> {
    const index = TABLE_SCHEMA.contentIndex;
    const copies: ContentCopy[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': contentIndexKeys(sha256, '').gsi4pk },
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const copy = copyOf(item);
        if (copy !== undefined) copies.push(copy);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return copies;
  }

  async all(deadline: number): Promise<{ readonly copies: readonly ContentCopy[]; readonly complete: boolean }> {
    const copies: ContentCopy[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      if (this.clock() > deadline) return { copies, complete: false };
      const out = await this.client.send(
        new ScanCommand({ TableName: this.tableName, IndexName: TABLE_SCHEMA.contentIndex.name, ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const item of out.Items ?? []) {
        const copy = copyOf(item);
        if (copy !== undefined) copies.push(copy);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { copies, complete: true };
  }
}

/** An available file of the index, or `undefined` (another status, or a row missing a field). */
function copyOf(item: Record<string, unknown>): ContentCopy | undefined {
  const { id, folder, name, size, uploadedAt, uploadedBy, status } = item;
  const partition = item[TABLE_SCHEMA.contentIndex.partitionKey];
  if (status !== 'available' || typeof partition !== 'string' || !partition.startsWith(CONTENT_INDEX_PREFIX)) return undefined;
  if (typeof id !== 'string' || typeof folder !== 'string' || typeof name !== 'string' || typeof size !== 'number' || typeof uploadedAt !== 'string') return undefined;
  return { id, folder, name, size, uploadedAt, uploadedBy: typeof uploadedBy === 'string' ? uploadedBy : 'unknown', sha256: partition.slice(CONTENT_INDEX_PREFIX.length) };
}
