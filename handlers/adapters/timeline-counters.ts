/**
 * The timeline counters (`TIMELINE#<shard>` / `<YYYY-MM>#<folder>`, contract/table.ts): added to
 * by every write of a file row (FilesRepository), read whole by `GET /timeline/buckets`, one
 * month's by `GET /timeline`, repaired by `npm run reconcile -- --fix` (an ADD of the difference).
 */
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TIMELINE_SHARDS, timelineCounterKey, timelineShardPartition } from '../../contract/table';
import type { CounterChange, TimelineCounter } from '../core/timeline';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface TimelineCounterStore {
  /** Adds each change's delta to its counter item (created at the delta when absent). */
  apply(changes: readonly CounterChange[]): Promise<void>;
  /** Every counter item (O(folder-months × shards), never a file). */
  readAll(): Promise<TimelineCounter[]>;
  /** The counter items of one month. */
  readMonth(month: string): Promise<TimelineCounter[]>;
}

/** The update that adds a change to its counter item (alone, or in the transaction of the row write that makes it). */
export function counterUpdate(tableName: string, change: CounterChange) {
  return {
    TableName: tableName,
    Key: timelineCounterKey(change.shard, change.month, change.folder),
    UpdateExpression: 'ADD #count :delta SET #month = :month, #folder = :folder',
    ExpressionAttributeNames: { '#count': 'count', '#month': 'month', '#folder': 'folder' },
    ExpressionAttributeValues: { ':delta': change.delta, ':month': change.month, ':folder': change.folder },
  };
}

export class TimelineCounters implements TimelineCounterStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async apply(changes: readonly CounterChange[]): Promise<void> {
    await Promise.all(changes.map((change) => this.client.send(new UpdateCommand(counterUpdate(this.tableName, change)))));
  }

  readAll(): Promise<TimelineCounter[]> {
    return this.readShards();
  }

  readMonth(month: string): Promise<TimelineCounter[]> {
    return this.readShards(`${month}#`);
  }

  /** Every shard's items (of the sort key prefix when given), read in parallel. */
  private async readShards(prefix?: string): Promise<TimelineCounter[]> {
    const shards = await Promise.all(
      Array.from({ length: TIMELINE_SHARDS }, async (_, shard) => {
        const found: TimelineCounter[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeNames: { '#count': 'count', '#month': 'month', '#folder': 'folder' },
              ExpressionAttributeValues: { ':pk': timelineShardPartition(shard), ...(prefix !== undefined ? { ':prefix': prefix } : {}) },
              ProjectionExpression: '#count, #month, #folder',
              ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of out.Items ?? []) {
            if (typeof item.count === 'number' && typeof item.month === 'string' && typeof item.folder === 'string') found.push({ shard, month: item.month, folder: item.folder, count: item.count });
          }
          start = out.LastEvaluatedKey;
        } while (start !== undefined);
        return found;
      }),
    );
    return shards.flat();
  }
}
