/**
 * Expiry reminders: a share owner row with an end is in the sparse `byDue` index (`REMINDER`, a
 * day before `expiresAt`) until the sweep claims its reminder (keys in contract/table.ts).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DUE_KINDS, TABLE_SCHEMA, shareOwnerKey } from '../../contract/table';
import type { ShareMode } from '../core/shares';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import { dueItems } from './due-index';
import { toShare, type StoredTarget } from './shares-repository';
import type { RepositoryOptions } from './users-repository';

const { dueIndex } = TABLE_SCHEMA;

/** An owner row whose expiry reminder is due. */
export interface DueReminder {
  readonly id: string;
  readonly owner: string;
  readonly label?: string;
  readonly target: StoredTarget;
  readonly mode: ShareMode;
  readonly expiresAt: string;
}

export class ShareReminders {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** Owner rows whose expiry reminder is due: the share ends within REMINDER_LEAD_SECONDS. */
  async due(now: Date, limit = 500): Promise<DueReminder[]> {
    return (await dueItems(this.client, this.tableName, DUE_KINDS.reminder, now, limit)).map((item) => {
      const { id, owner, label, target, mode, expiresAt } = toShare({ ...item, sessionKey: '' });
      return { id, owner, ...(label !== undefined ? { label } : {}), target, mode, expiresAt: expiresAt ?? '' };
    });
  }

  /**
   * Takes a share's reminder out of the byDue index. True when this call took it while the
   * share is live (not revoked, not yet ended): the one caller that sends the reminder.
   */
  async claim(id: string, now: Date): Promise<boolean> {
    const names = { '#dueKind': dueIndex.partitionKey, '#dueAt': dueIndex.sortKey };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: shareOwnerKey(id),
          UpdateExpression: 'SET remindedAt = :now REMOVE #dueKind, #dueAt',
          ConditionExpression: '#dueKind = :reminder AND attribute_not_exists(revokedAt) AND expiresAt > :now',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':reminder': DUE_KINDS.reminder, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Revoked or already ended: nothing to remind of; it leaves the index all the same.
    await this.client.send(
      new UpdateCommand({ TableName: this.tableName, Key: shareOwnerKey(id), UpdateExpression: 'REMOVE #dueKind, #dueAt', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: names }),
    ).catch((error: unknown) => {
      if (!isConditionalCheckFailed(error)) throw error;
    });
    return false;
  }
}
