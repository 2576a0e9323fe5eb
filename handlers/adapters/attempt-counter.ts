/**
 * The one store of password-attempt limiters (logins and share unlocks; their keys are in
 * contract/table.ts). It applies the rule of handlers/core/login-throttle.ts
 * (`reserveAttempt`) as conditional `UpdateItem`s, so counting an attempt and checking the
 * budget are one atomic step: however many requests arrive together, DynamoDB grants no more
 * attempts than the budget, and refuses the others while the budget is spent.
 *
 * Two conditional updates, tried in turn: one that counts in the current window (`ADD attempts
 * 1` if the budget allows and the window is live) and one that starts a window (if the record is
 * missing or no longer matters). When both are refused, the record decides: spent (refused) or
 * changed in between (try again).
 */
import { DeleteCommand, GetCommand, paginateQuery, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from '../../contract/table';
import { attemptRecordExpiresAt, reserveAttempt, type AttemptRecord, type Reservation, type ThrottlePolicy } from '../core/login-throttle';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';

export interface AttemptCounter {
  /** Counts one attempt at `key` before its password is checked, or refuses it (nothing counted). */
  reserve(key: ItemKey, policy: ThrottlePolicy, now: number): Promise<Reservation>;
  /** Gives back the attempt of a right password, reserved in the window that began at `windowStartedAt`. */
  refund(key: ItemKey, windowStartedAt: number): Promise<void>;
  /** Forgets the limiter at `key` (a success of that (user, source), an admin's reset). */
  clear(key: ItemKey): Promise<void>;
}

export interface AttemptCounterOptions {
  readonly tableName: string;
  /** @default the process-wide document client (AWS_ENDPOINT_URL_DYNAMODB honoured) */
  readonly client?: DynamoDBDocumentClient;
}

/** Rounds of (count, start afresh) before a contended limiter refuses for a second. */
const MAX_ROUNDS = 4;

export class DynamoAttemptCounter implements AttemptCounter {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: AttemptCounterOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async reserve(key: ItemKey, policy: ThrottlePolicy, now: number): Promise<Reservation> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const counted = (await this.countInWindow(key, policy, now)) ?? (await this.startWindow(key, policy, now));
      if (counted !== undefined) return { granted: true, record: counted };
      const decision = reserveAttempt(await this.read(key), now, policy);
      if (!decision.granted) return decision;
    }
    return { granted: false, retryAfterSeconds: 1 };
  }

  async refund(key: ItemKey, windowStartedAt: number): Promise<void> {
    await this.conditionalUpdate({
      Key: key,
      UpdateExpression: 'ADD attempts :minusOne',
      ConditionExpression: 'windowStartedAt = :window AND attempts > :zero',
      ExpressionAttributeValues: { ':minusOne': -1, ':window': windowStartedAt, ':zero': 0 },
    });
  }

  async clear(key: ItemKey): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  /** Forgets every limiter of partition `pk` whose sort key begins with `skPrefix`. */
  async clearAll(pk: string, skPrefix: string): Promise<void> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) await this.clear({ pk: String(item.pk), sk: String(item.sk) });
    }
  }

  /** One more attempt in the live window, if the budget allows (`startsAfresh` false, attempts below the budget). */
  private countInWindow(key: ItemKey, policy: ThrottlePolicy, now: number): Promise<AttemptRecord | undefined> {
    const budgeted = Number.isFinite(policy.maxFailures);
    return this.conditionalUpdate({
      Key: key,
      UpdateExpression: 'SET lastAttemptAt = :now, #ttl = :ttl ADD attempts :one',
      ConditionExpression: `lastAttemptAt >= :staleBefore AND attempts >= :zero${budgeted ? ' AND attempts < :max' : ''}`,
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':now': now,
        ':one': 1,
        ':zero': 0,
        ':staleBefore': now - policy.lockoutSeconds,
        ':ttl': attemptRecordExpiresAt({ attempts: 0, windowStartedAt: now, lastAttemptAt: now }, policy),
        ...(budgeted ? { ':max': policy.maxFailures } : {}),
      },
    });
  }

  /** A new window with this attempt, if there is no record or it no longer matters (`startsAfresh`). */
  private startWindow(key: ItemKey, policy: ThrottlePolicy, now: number): Promise<AttemptRecord | undefined> {
    const budgeted = Number.isFinite(policy.maxFailures);
    return this.conditionalUpdate({
      Key: key,
      // Records of the rule before this one (failures, lockedUntil, version) are replaced.
      UpdateExpression: 'SET attempts = :one, windowStartedAt = :now, lastAttemptAt = :now, #ttl = :ttl REMOVE failures, lastFailureAt, lockedUntil, version',
      ConditionExpression: `attribute_not_exists(attempts) OR attribute_not_exists(lastAttemptAt) OR lastAttemptAt < :staleBefore${budgeted ? ' OR (attempts >= :max AND lastAttemptAt <= :staleBefore)' : ''}`,
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':now': now,
        ':one': 1,
        ':staleBefore': now - policy.lockoutSeconds,
        ':ttl': attemptRecordExpiresAt({ attempts: 1, windowStartedAt: now, lastAttemptAt: now }, policy),
        ...(budgeted ? { ':max': policy.maxFailures } : {}),
      },
    });
  }

  /** The record after the update, or `undefined` when its condition failed. */
  private async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<AttemptRecord | undefined> {
    try {
      const out = await this.client.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' }));
      return recordOf(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  private async read(key: ItemKey): Promise<AttemptRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return recordOf(out.Item);
  }
}

/** The limiter in a stored item; an item of the rule before this one reads as no record. */
function recordOf(item: Record<string, unknown> | undefined): AttemptRecord | undefined {
  if (item === undefined || typeof item.attempts !== 'number' || typeof item.lastAttemptAt !== 'number') return undefined;
  return { attempts: item.attempts, lastAttemptAt: item.lastAttemptAt, windowStartedAt: typeof item.windowStartedAt === 'number' ? item.windowStartedAt : item.lastAttemptAt };
}
