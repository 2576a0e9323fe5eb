/**
 * Shares in the catalog table (keys in contract/table.ts):
 *
 * - `SHARE#<token hash>` / `SHARE`: what a public request needs, in one read (the hash of
 *   the token is the key, the token itself is stored nowhere); `UNLOCK` and
 *   `UNLOCK#<source hash>` beside it are the unlock limiters, kept by the attempt counter
 *   (handlers/adapters/attempt-counter.ts) like the login limiters.
 * - `SHARES#` / `ID#<id>`: the owner's view (no password hash, no session key) with the
 *   counters: views, last access, a drop link's bytes and files; kept after a revoke, so the
 *   log stays readable.
 *
 * The rest of a share lives beside it, each kept by its own store: the access log
 * (share-access-log.ts), a drop link's reservations (drop-reservations.ts) and guests' uploads
 * and name claims (drop-guests.ts), the expiry reminders (share-reminders.ts).
 */
import type { ShareSettings, ShareSummary as WireShareSummary, ShareTarget } from '../../contract/wire';
import { DUE_KINDS, SHARE_OWNERS_PARTITION, TABLE_SCHEMA, shareOwnerKey, shareTokenKey } from '../../contract/table';
import { GetCommand, TransactWriteCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

/** How long a revoked or expired share's owner row (and so its log) is kept. */
const ENDED_SHARE_TTL_SECONDS = 30 * 24 * 3600;
/** A day before a share ends, its owner is reminded (share-reminders.ts). */
const REMINDER_LEAD_SECONDS = 24 * 3600;

/** What a share points at: stored as the owner sees it (the wire's ShareTarget). */
export type StoredTarget = ShareTarget;

/** A share as the public routes read it. */
export interface Share extends ShareSettings {
  /** The creator's user id (handlers/core/user-ids.ts); absent on shares stored before ids. */
  readonly ownerId?: string;
  /** scrypt hash of the password, when there is one. */
  readonly passwordHash?: string;
  /** HMAC key of this share's sessions (base64url). */
  readonly sessionKey: string;
  /**
   * A folder share's folder generation at creation (core/folders.ts): the share ends when the
   * folder is deleted, even if it is created again. Absent for the root folder (no marker) and
   * on folder shares stored before generations, which keep opening while the folder exists.
   * On the token row only: the owner sees the target, not this.
   */
  readonly folderGeneration?: string;
}

/** A share as its owner sees it (the wire's): no secrets, with counters; and its creator's id. */
export type ShareSummary = WireShareSummary & Pick<Share, 'ownerId'>;

const { dueIndex } = TABLE_SCHEMA;

export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export class SharesRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async create(share: Share, tokenHash: string): Promise<void> {
    const ttl = share.expiresAt === null ? undefined : epochSeconds(share.expiresAt) + 24 * 3600;
    const { passwordHash, sessionKey, folderGeneration: _generation, ...visible } = share;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...shareTokenKey(tokenHash), ...share, ...(ttl !== undefined ? { ttl } : {}) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...shareOwnerKey(share.id),
                ...visible,
                tokenHash,
                hasPassword: passwordHash !== undefined,
                views: 0,
                usedBytes: 0,
                usedFiles: 0,
                ...(ttl !== undefined ? { ttl: ttl + ENDED_SHARE_TTL_SECONDS } : {}),
                // In the byDue index until the sweep sends (or skips) its reminder.
                ...(share.expiresAt !== null ? { [dueIndex.partitionKey]: DUE_KINDS.reminder, [dueIndex.sortKey]: epochSeconds(share.expiresAt) - REMINDER_LEAD_SECONDS } : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    void sessionKey;
  }

  /** The share a token hash names; undefined when there is none (revoked shares have none). */
  async byTokenHash(tokenHash: string): Promise<Share | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: shareTokenKey(tokenHash), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toShare(out.Item);
  }

  async summary(id: string): Promise<(ShareSummary & { readonly tokenHash: string }) | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: shareOwnerKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : { ...toSummary(out.Item), tokenHash: String(out.Item.tokenHash) };
  }

  /** Every share's owner view (one partition: a family-sized service has hundreds, not millions). */
  async list(): Promise<ShareSummary[]> {
    const shares: ShareSummary[] = [];
    const pages = paginateQuery({ client: this.client }, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': SHARE_OWNERS_PARTITION } });
    for await (const page of pages) for (const item of page.Items ?? []) shares.push(toSummary(item));
    return shares.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Ends a share at once: its token row goes, its owner row keeps `revokedAt` (and the log). */
  async revoke(id: string, tokenHash: string, now: Date): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: shareTokenKey(tokenHash) } },
          {
            Update: {
              TableName: this.tableName,
              Key: shareOwnerKey(id),
              // A revoked share is reminded of nothing: it leaves the byDue index.
              UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now), #ttl = :ttl REMOVE #dueKind, #dueAt',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#ttl': 'ttl', '#dueKind': dueIndex.partitionKey, '#dueAt': dueIndex.sortKey },
              ExpressionAttributeValues: { ':now': now.toISOString(), ':ttl': Math.floor(now.getTime() / 1000) + ENDED_SHARE_TTL_SECONDS },
            },
          },
        ],
      }),
    );
  }
}

export function toShare(item: Record<string, unknown>): Share {
  return {
    id: String(item.id),
    owner: String(item.owner),
    ...(typeof item.ownerId === 'string' && item.ownerId !== '' ? { ownerId: item.ownerId } : {}),
    target: item.target as StoredTarget,
    mode: item.mode === 'drop' ? 'drop' : 'view',
    allowDownload: item.allowDownload === true,
    ...(typeof item.label === 'string' ? { label: item.label } : {}),
    expiresAt: typeof item.expiresAt === 'string' ? item.expiresAt : null,
    createdAt: String(item.createdAt),
    ...(typeof item.maxBytes === 'number' ? { maxBytes: item.maxBytes } : {}),
    ...(typeof item.maxFiles === 'number' ? { maxFiles: item.maxFiles } : {}),
    ...(typeof item.passwordHash === 'string' ? { passwordHash: item.passwordHash } : {}),
    sessionKey: String(item.sessionKey),
    ...(typeof item.folderGeneration === 'string' ? { folderGeneration: item.folderGeneration } : {}),
  };
}

function toSummary(item: Record<string, unknown>): ShareSummary {
  const { passwordHash: _p, sessionKey: _s, folderGeneration: _g, ...share } = toShare({ ...item, sessionKey: '' });
  return {
    ...share,
    hasPassword: item.hasPassword === true,
    views: Number(item.views ?? 0),
    ...(typeof item.lastAccessAt === 'string' ? { lastAccessAt: item.lastAccessAt } : {}),
    usedBytes: Number(item.usedBytes ?? 0),
    usedFiles: Number(item.usedFiles ?? 0),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}
