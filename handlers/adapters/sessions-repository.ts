/**
 * Session families and their refresh tokens in the catalog table (see contract/table.ts):
 * `SESSION#<familyId>` / `FAMILY` (whose user id, which session version, sliding expiry) and
 * `SESSION#<sha256 of the token>` / `REFRESH` (its family, expiry, `usedAt` once rotated).
 * The token itself is never stored. Revoking a family deletes its item: every refresh token
 * of the family then finds no family and is refused, and so is every access token naming it
 * (`sid`, checked by the authorizer).
 */
import { DeleteCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { refreshTokenKey, sessionFamilyKey } from '../../contract/table';
import { newFamilyId, newRefreshToken, refreshTokenHash } from '../core/session';
import { storedUserId } from '../core/user-ids';
import { cancelledItems, defaultDocumentClient } from './aws-clients';

export interface SessionFamily {
  readonly familyId: string;
  readonly username: string;
  /** The user it was opened for (a family stored before user ids: the legacy id of its username). */
  readonly userId: string;
  /** The user's session version when the family was opened. */
  readonly sessionVersion: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export interface StoredRefreshToken {
  readonly hash: string;
  readonly familyId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** Epoch seconds at which it was rotated; a used token presented again is a replay. */
  readonly usedAt?: number;
}

/** A refresh token handed out: the token itself goes to the client, only its hash is kept. */
export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export type RotateOutcome = { readonly ok: true; readonly issued: IssuedRefreshToken } | { readonly ok: false; readonly reason: 'reused' | 'revoked' };

export interface SessionsRepositoryOptions {
  readonly tableName: string;
  /** @default the process-wide document client */
  readonly client?: DynamoDBDocumentClient;
}

/** Items stay a day past their expiry for DynamoDB's TTL sweep; reads check `expiresAt` themselves. */
const TTL_GRACE_SECONDS = 24 * 3600;

export class SessionsRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: SessionsRepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** A new family with its first refresh token. */
  async open(user: { readonly username: string; readonly userId: string; readonly sessionVersion: string }, now: number, ttlSeconds: number): Promise<IssuedRefreshToken> {
    const { username, userId, sessionVersion } = user;
    const familyId = newFamilyId();
    const token = newRefreshToken();
    const expiresAt = now + ttlSeconds;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...sessionFamilyKey(familyId), username, userId, sessionVersion, createdAt: now, lastUsedAt: now, expiresAt, ttl: expiresAt + TTL_GRACE_SECONDS },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: this.tableName, Item: this.tokenItem(token, familyId, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    return { token, familyId, expiresAt };
  }

  async findToken(token: string): Promise<StoredRefreshToken | undefined> {
    const hash = refreshTokenHash(token);
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: refreshTokenKey(hash), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined || typeof item.familyId !== 'string' || typeof item.expiresAt !== 'number') return undefined;
    return { hash, familyId: item.familyId, expiresAt: item.expiresAt, ...(typeof item.usedAt === 'number' ? { usedAt: item.usedAt } : {}) };
  }

  async findFamily(familyId: string): Promise<SessionFamily | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: sessionFamilyKey(familyId), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined || typeof item.username !== 'string' || typeof item.sessionVersion !== 'string' || typeof item.expiresAt !== 'number') return undefined;
    return { familyId, username: item.username, userId: storedUserId(item.userId, item.username), sessionVersion: item.sessionVersion, expiresAt: item.expiresAt };
  }

  /**
   * Marks `used` as rotated and issues its successor, extending the family's expiry (sliding).
   * Exactly one of two concurrent rotations of the same token wins: the other is a replay.
   */
  async rotate(used: StoredRefreshToken, now: number, ttlSeconds: number): Promise<RotateOutcome> {
    const token = newRefreshToken();
    const expiresAt = now + ttlSeconds;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: refreshTokenKey(used.hash),
                UpdateExpression: 'SET usedAt = :now',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
                ExpressionAttributeValues: { ':now': now },
              },
            },
            { Put: { TableName: this.tableName, Item: this.tokenItem(token, used.familyId, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: sessionFamilyKey(used.familyId),
                UpdateExpression: 'SET lastUsedAt = :now, expiresAt = :expires, #ttl = :ttl',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':now': now, ':expires': expiresAt, ':ttl': expiresAt + TTL_GRACE_SECONDS },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const failed = cancelledItems(error);
      if (failed?.[0] === true) return { ok: false, reason: 'reused' };
      if (failed?.[2] === true) return { ok: false, reason: 'revoked' };
      throw error;
    }
    return { ok: true, issued: { token, familyId: used.familyId, expiresAt } };
  }

  /** Ends the family: none of its refresh tokens is accepted any more. */
  async revokeFamily(familyId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: sessionFamilyKey(familyId) }));
  }

  private tokenItem(token: string, familyId: string, expiresAt: number): Record<string, unknown> {
    return { ...refreshTokenKey(refreshTokenHash(token)), familyId, expiresAt, ttl: expiresAt + TTL_GRACE_SECONDS };
  }
}
