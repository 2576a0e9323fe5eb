/**
 * Trash entries (`TRASH#` / `ENTRY#<entry id>`, handlers/core/trash.ts) in the catalog table:
 * one partition, read newest first in pages; each entry expires with its retention (`ttl`).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TRASH_ENTRY_PREFIX, TRASH_PARTITION, trashEntryKey } from '../../contract/table';
import type { CatalogFile } from '../core/catalog';
import { isTrashEntryId, type TrashEntry } from '../core/trash';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

interface TrashPageRead {
  readonly entries: readonly TrashEntry[];
  /** Id of the last entry read when more may follow. */
  readonly lastId?: string;
}

export interface TrashStore {
  put(entry: TrashEntry): Promise<void>;
  get(id: string): Promise<TrashEntry | undefined>;
  remove(id: string): Promise<void>;
  /** Entries newest first after `afterId`, those `keep` accepts, up to `limit` (reading on until a page fills or the trash ends). */
  list(options: { limit: number; afterId?: string; keep?: (entry: TrashEntry) => boolean }): Promise<TrashPageRead>;
}

/** Rows read per query while filling a page of the caller's own entries. */
const QUERY_LIMIT = 200;

export class TrashRepository implements TrashStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async put(entry: TrashEntry): Promise<void> {
    const ttl = Math.floor(Date.parse(entry.expiresAt) / 1000);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...trashEntryKey(entry.id), ...entry, ttl } }));
  }

  async get(id: string): Promise<TrashEntry | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: trashEntryKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toEntry(out.Item);
  }

  async remove(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: trashEntryKey(id) }));
  }

  async list(options: { limit: number; afterId?: string; keep?: (entry: TrashEntry) => boolean }): Promise<TrashPageRead> {
    const keep = options.keep ?? (() => true);
    const entries: TrashEntry[] = [];
    let start: Record<string, unknown> | undefined = options.afterId === undefined ? undefined : { ...trashEntryKey(options.afterId) };
    for (;;) {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
          ExpressionAttributeValues: { ':pk': TRASH_PARTITION, ':entry': TRASH_ENTRY_PREFIX },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: Math.max(QUERY_LIMIT, options.limit + 1),
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const entry = toEntry(item);
        // An entry past its retention may linger until DynamoDB's TTL removes it: its bytes are gone.
        if (entry === undefined || Date.parse(entry.expiresAt) <= Date.now() || !keep(entry)) continue;
        if (entries.length === options.limit) return { entries, lastId: entries[entries.length - 1]?.id as string };
        entries.push(entry);
      }
      start = out.LastEvaluatedKey;
      if (start === undefined) return { entries };
    }
  }
}

function toEntry(item: Record<string, unknown>): TrashEntry | undefined {
  const { id, file, trashKey, deletedBy, deletedAt, expiresAt, deletedWithFolder } = item;
  const row = file as Record<string, unknown> | undefined;
  if (
    !isTrashEntryId(id) ||
    typeof trashKey !== 'string' ||
    typeof deletedBy !== 'string' ||
    typeof deletedAt !== 'string' ||
    typeof expiresAt !== 'string' ||
    typeof row?.key !== 'string' ||
    typeof row.folder !== 'string' ||
    typeof row.name !== 'string' ||
    typeof row.size !== 'number' ||
    typeof row.uploadedBy !== 'string'
  ) {
    return undefined;
  }
  return {
    id,
    file: row as unknown as Omit<CatalogFile, 'sequencer'>,
    trashKey,
    deletedBy,
    deletedAt,
    expiresAt,
    ...(typeof deletedWithFolder === 'string' ? { deletedWithFolder } : {}),
  };
}
