/**
 * The catalog's file items (`FOLDER#<folder>` / `FILE#<name>`): folder listings and the
 * sequencer-ordered writes of the sync function.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogFile, CatalogTombstone } from '../core/catalog';
import { FILE_TYPES, type FileType } from '../core/content-types';
import { FILE_PREFIX, fileItemKey, folderPartition, typeIndexKeys } from '../core/keys';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface FolderPage {
  readonly files: readonly CatalogFile[];
  /** Name of the last file evaluated when more may follow; `undefined` at the end. */
  readonly lastName?: string;
}

/** `applied` when written; `stale` when the row already reflects this or a newer event. */
export type WriteOutcome = 'applied' | 'stale';

export interface FileCatalog {
  listFolder(folder: string, options: { limit: number; afterName?: string }): Promise<FolderPage>;
  upsert(file: CatalogFile): Promise<WriteOutcome>;
  tombstone(tombstone: CatalogTombstone): Promise<WriteOutcome>;
}

/** Reads per query while filling a page: large enough to skip tombstones in few round trips. */
const MIN_QUERY_LIMIT = 50;
/** Only write when the row is new or its sequencer is older (both are padded to one width). */
const NEWER_SEQUENCER = 'attribute_not_exists(pk) OR attribute_not_exists(sequencer) OR sequencer < :sequencer';

export class FilesRepository implements FileCatalog {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /**
   * Available files of a folder in name order. Tombstones are filtered out by DynamoDB after
   * the read, so it keeps querying until the page is full or the folder is exhausted.
   */
  async listFolder(folder: string, options: { limit: number; afterName?: string }): Promise<FolderPage> {
    const files: CatalogFile[] = [];
    let startKey: Record<string, unknown> | undefined = options.afterName === undefined ? undefined : { ...fileItemKey(folder, options.afterName) };
    for (;;) {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :file)',
          FilterExpression: '#status = :available',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': folderPartition(folder), ':file': FILE_PREFIX, ':available': 'available' },
          Limit: Math.max(options.limit - files.length, MIN_QUERY_LIMIT),
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const file = toFile(item);
        if (file === undefined) continue;
        files.push(file);
        // Read more than the page needs: cut here and resume after the last file returned.
        if (files.length === options.limit) {
          const isLastRead = item === out.Items?.[out.Items.length - 1];
          return isLastRead && out.LastEvaluatedKey === undefined ? { files } : { files, lastName: file.name };
        }
      }
      startKey = out.LastEvaluatedKey;
      if (startKey === undefined) return { files };
    }
  }

  async upsert(file: CatalogFile): Promise<WriteOutcome> {
    const item = { ...fileItemKey(file.folder, file.name), ...typeIndexKeys(file.fileType, file.uploadedAt, file.id), ...file, updatedAt: new Date().toISOString() };
    return this.putIfNewer(item, file.sequencer);
  }

  /** Replaces the row with a tombstone (no index keys), so a late "created" event cannot resurrect it. */
  async tombstone(tombstone: CatalogTombstone): Promise<WriteOutcome> {
    const item = { ...fileItemKey(tombstone.folder, tombstone.name), ...tombstone, updatedAt: new Date().toISOString() };
    return this.putIfNewer(item, tombstone.sequencer);
  }

  private async putIfNewer(item: Record<string, unknown>, sequencer: string): Promise<WriteOutcome> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: NEWER_SEQUENCER, ExpressionAttributeValues: { ':sequencer': sequencer } }),
      );
      return 'applied';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'stale';
      throw error;
    }
  }
}

function toFile(item: Record<string, unknown>): CatalogFile | undefined {
  const { id, key, folder, name, size, contentType, fileType, uploadedAt, uploadedBy, tags, description, etag, uploadId, sha256, sequencer } = item;
  if (
    typeof id !== 'string' ||
    typeof key !== 'string' ||
    typeof folder !== 'string' ||
    typeof name !== 'string' ||
    typeof size !== 'number' ||
    typeof contentType !== 'string' ||
    typeof uploadedAt !== 'string' ||
    typeof uploadedBy !== 'string' ||
    typeof sequencer !== 'string'
  ) {
    return undefined;
  }
  return {
    id,
    key,
    folder,
    name,
    size,
    contentType,
    fileType: (FILE_TYPES as readonly unknown[]).includes(fileType) ? (fileType as FileType) : 'other',
    uploadedAt,
    uploadedBy,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof etag === 'string' ? { etag } : {}),
    ...(typeof uploadId === 'string' ? { uploadId } : {}),
    ...(typeof sha256 === 'string' ? { sha256 } : {}),
    sequencer,
    status: 'available',
  };
}
