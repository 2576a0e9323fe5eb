/**
 * Reads the storage figures from the catalog: a parallel, projected Scan of the `byType`
 * index, tallied page by page (handlers/core/storage-stats.ts), within a time budget.
 *
 * Why a scan and not counters kept beside the rows: the figures must be exact after any
 * sequence of uploads, overwrites, moves, deletes and duplicate or late S3 events. The
 * catalog rows already are (the sync applies events by sequencer); counters would need every
 * writer of a file row — sync upserts and tombstones, the files API's previews, reconcile —
 * to read the old row and write row + counters in one transaction, all on one hot counter
 * item that every upload of a bulk import would contend for, plus a back-fill for catalogs
 * that predate them. A scan derives the figures from the rows themselves, so it cannot
 * drift, and it costs only when an admin looks.
 *
 * Why the `byType` index: it is sparse — only available file rows carry its keys (tombstones,
 * folder markers, users, sessions, shares never do), so the scan reads nothing else and its
 * grant (on the index ARN only) can reach no password hash or token. It holds every file
 * once, which is what `GET /files?type=` lists.
 *
 * The bound: a family's 100,000 files are ~100 MB of index (ALL projection, ~1 KB a row),
 * i.e. ~100 pages of 1 MB; `SEGMENTS` workers read ~3 pages each, about a second, well inside
 * the files function's 10 s timeout, for ~12,500 read units (eventually consistent,
 * ~$0.003 on demand). Only the projected attributes travel (~100 B a row), and memory holds
 * the tally, not the rows. Past the deadline the scan stops and the request fails with a
 * clear 503 rather than a Lambda timeout or partial figures.
 *
 * The trash is added up beside it: a Query of its one partition projecting each entry's file
 * size (~50 B an entry, so 10,000 deleted files are one or two pages).
 */
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STORAGE_STATS_PROJECTION, TABLE_SCHEMA, TRASH_ENTRY_PREFIX, TRASH_PARTITION } from '../../contract/table';
import { ServiceUnavailable } from '../core/errors';
import { emptyTally, mergeTallies, tallyRow, tallyTrashEntry, type StorageTally } from '../core/storage-stats';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

/**
 * Parallel scan workers: 100,000 files are ~3 pages each on DynamoDB, about a second; within
 * the SDK's 50 sockets, and the read units are the same whatever the count. (`npm run
 * bench:stats` on DynamoDB Local, which slows down far more than DynamoDB as a segment grows:
 * 20,000 files took 38.6 s in 1 segment, 8.1 s in 8, 2.6 s in 16; 100,000 took 49.3 s in 16,
 * 9.7 s in 32.)
 */
export const SEGMENTS = 32;

export interface StorageUsage {
  /** The tally of every available file and of the trash; throws `StorageStatsTimeout` once `deadline` (epoch ms) passes. */
  tally(deadline: number): Promise<StorageTally>;
}

export class StorageStatsTimeout extends ServiceUnavailable {
  override readonly code = 'StorageStatsTimeout';
}

export interface StorageUsageOptions extends RepositoryOptions {
  /** @default SEGMENTS */
  readonly segments?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

export class CatalogStorageUsage implements StorageUsage {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly segments: number;
  private readonly clock: () => number;

  constructor(options: StorageUsageOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
    this.segments = options.segments ?? SEGMENTS;
    this.clock = options.clock ?? Date.now;
  }

  async tally(deadline: number): Promise<StorageTally> {
    const segments = Array.from({ length: this.segments }, (_, segment) => this.tallySegment(segment, deadline));
    return mergeTallies(await Promise.all([...segments, this.tallyTrash(deadline)]));
  }

  private async tallyTrash(deadline: number): Promise<StorageTally> {
    const tally = emptyTally();
    let startKey: Record<string, unknown> | undefined;
    do {
      if (this.clock() > deadline) throw new StorageStatsTimeout(`The storage figures took too long to add up (${tally.trash.files} trash entries read); try again later`);
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
          ExpressionAttributeValues: { ':pk': TRASH_PARTITION, ':entry': TRASH_ENTRY_PREFIX },
          ProjectionExpression: '#file.#size',
          ExpressionAttributeNames: { '#file': 'file', '#size': 'size' },
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) tallyTrashEntry(tally, (item.file as { size?: unknown } | undefined)?.size);
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return tally;
  }

  private async tallySegment(segment: number, deadline: number): Promise<StorageTally> {
    const tally = emptyTally();
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      if (this.clock() > deadline) {
        throw new StorageStatsTimeout(`The storage figures took too long to add up (${tally.files} files read in one of ${this.segments} parts, ${pages} pages); try again later`);
      }
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          IndexName: TABLE_SCHEMA.typeIndex.name,
          Segment: segment,
          TotalSegments: this.segments,
          // Only these may be read (the grant's dynamodb:Attributes); `size` and `status` are reserved words.
          Select: 'SPECIFIC_ATTRIBUTES',
          ProjectionExpression: STORAGE_STATS_PROJECTION.map((_, i) => `#a${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(STORAGE_STATS_PROJECTION.map((name, i) => [`#a${i}`, name])),
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) tallyRow(tally, item);
      startKey = out.LastEvaluatedKey;
      pages += 1;
    } while (startKey !== undefined);
    return tally;
  }
}
