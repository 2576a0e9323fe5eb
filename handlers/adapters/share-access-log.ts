/**
 * A share's access log (`SHARELOG#<id>` / `<time>#<random>`, 90 days; keys in contract/table.ts)
 * and the owner row's view count and last access that each access moves.
 */
import type { ShareEvent, ShareLogEntry } from '../../contract/wire';
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shareLogKey, shareLogPartition, shareOwnerKey } from '../../contract/table';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import { epochSeconds } from './shares-repository';
import type { RepositoryOptions } from './users-repository';

const SHARE_LOG_TTL_SECONDS = 90 * 24 * 3600;
/** Log lines written at once by `recordMany`. */
const LOG_WRITES_IN_FLIGHT = 25;

export class ShareAccessLog {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** One access: the owner's counters and a log line. `view` counts a view (an open of the share). */
  async record(id: string, entry: ShareLogEntry): Promise<void> {
    const isView = entry.event === 'open';
    await Promise.all([
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: shareOwnerKey(id),
          UpdateExpression: `SET lastAccessAt = :at${isView ? ' ADD #views :one' : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ...(isView ? { ExpressionAttributeNames: { '#views': 'views' } } : {}),
          ExpressionAttributeValues: { ':at': entry.at, ...(isView ? { ':one': 1 } : {}) },
        }),
      ).catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      }),
      this.putLogLine(id, entry),
    ]);
  }

  /**
   * Several accesses of one request (a batch of download links): one log line each, the owner's
   * last access once. No view is counted.
   */
  async recordMany(id: string, entries: readonly ShareLogEntry[]): Promise<void> {
    const last = entries.reduce<string | undefined>((max, e) => (max === undefined || e.at > max ? e.at : max), undefined);
    if (last === undefined) return;
    await this.client
      .send(new UpdateCommand({ TableName: this.tableName, Key: shareOwnerKey(id), UpdateExpression: 'SET lastAccessAt = :at', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': last } }))
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
    // PutItem, not BatchWriteItem: the functions' roles are granted the single-item writes only.
    for (let i = 0; i < entries.length; i += LOG_WRITES_IN_FLIGHT) {
      await Promise.all(entries.slice(i, i + LOG_WRITES_IN_FLIGHT).map((entry) => this.putLogLine(id, entry)));
    }
  }

  private async putLogLine(id: string, entry: ShareLogEntry): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...shareLogKey(id, entry.at, randomBytes(6).toString('base64url')), ...entry, ttl: epochSeconds(entry.at) + SHARE_LOG_TTL_SECONDS },
      }),
    );
  }

  /** The access log, newest first. */
  async entries(id: string, limit = 1000): Promise<ShareLogEntry[]> {
    const out = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': shareLogPartition(id) }, ScanIndexForward: false, Limit: limit }),
    );
    return (out.Items ?? []).map((item) => ({
      at: String(item.at),
      event: item.event as ShareEvent,
      ...(typeof item.fileId === 'string' ? { fileId: item.fileId } : {}),
      ...(typeof item.name === 'string' ? { name: item.name } : {}),
      bytes: Number(item.bytes ?? 0),
      ip: String(item.ip),
    }));
  }
}
