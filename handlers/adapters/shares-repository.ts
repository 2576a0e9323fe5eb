/**
 * Shares in the catalog table (see contract/table.ts):
 *
 * - `SHARE#<token hash>` / `SHARE`: what a public request needs, in one read (the hash of
 *   the token is the key, the token itself is stored nowhere); `UNLOCK` and
 *   `UNLOCK#<source hash>` beside it: the wrong-password limiters (share-wide, per source).
 * - `SHARES#` / `ID#<id>`: the owner's view (no password hash, no session key) with the
 *   counters: views, last access, a drop link's bytes and files; kept after a revoke, so the
 *   log stays readable.
 * - `SHARELOG#<id>` / `<time>#<random>`: the access log, 90 days.
 * - `SHAREUP#<id>` / `<guest key hash>#<upload id>`: which guest started which drop upload.
 */
import type { ShareEvent, ShareLogEntry, ShareTarget } from '../../contract/wire';
import { randomBytes } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoginLimiterState } from '../core/login-throttle';
import type { ShareMode } from '../core/shares';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export const SHARE_LOG_TTL_SECONDS = 90 * 24 * 3600;
/** Log lines written at once by `recordAccesses`. */
const LOG_WRITES_IN_FLIGHT = 25;
/** How long a revoked or expired share's owner row (and so its log) is kept. */
export const ENDED_SHARE_TTL_SECONDS = 30 * 24 * 3600;

/** What a share points at: stored as the owner sees it (the wire's ShareTarget). */
export type StoredTarget = ShareTarget;

/** A share as the public routes read it. */
export interface Share {
  readonly id: string;
  readonly owner: string;
  readonly target: StoredTarget;
  readonly mode: ShareMode;
  readonly allowDownload: boolean;
  readonly label?: string;
  /** ISO 8601; null: never. */
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly maxBytes?: number;
  readonly maxFiles?: number;
  /** scrypt hash of the password, when there is one. */
  readonly passwordHash?: string;
  /** HMAC key of this share's sessions (base64url). */
  readonly sessionKey: string;
}

/** A share as its owner sees it: no secrets, with counters. */
export interface ShareSummary extends Omit<Share, 'passwordHash' | 'sessionKey'> {
  readonly hasPassword: boolean;
  readonly views: number;
  readonly lastAccessAt?: string;
  readonly usedBytes: number;
  readonly usedFiles: number;
  readonly revokedAt?: string;
}

export type { ShareEvent, ShareLogEntry } from '../../contract/wire';

export interface GuestUpload {
  readonly uploadId: string;
  readonly size: number;
}

const tokenKey = (tokenHash: string) => ({ pk: `SHARE#${tokenHash}`, sk: 'SHARE' });
/** The wrong-password limiter of a share: share-wide (`source` undefined) or of one source (a keyed hash). */
const limiterKey = (tokenHash: string, source?: string) => ({ pk: `SHARE#${tokenHash}`, sk: source === undefined ? 'UNLOCK' : `UNLOCK#${source}` });
const DIRECTORY = 'SHARES#';
const directoryKey = (id: string) => ({ pk: DIRECTORY, sk: `ID#${id}` });
const logPartition = (id: string) => `SHARELOG#${id}`;
const guestPartition = (id: string) => `SHAREUP#${id}`;

const epoch = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export class ShareQuotaExceededError extends Error {}

export class SharesRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async create(share: Share, tokenHash: string): Promise<void> {
    const ttl = share.expiresAt === null ? undefined : epoch(share.expiresAt) + 24 * 3600;
    const { passwordHash, sessionKey, ...visible } = share;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...tokenKey(tokenHash), ...share, ...(ttl !== undefined ? { ttl } : {}) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...directoryKey(share.id),
                ...visible,
                tokenHash,
                hasPassword: passwordHash !== undefined,
                views: 0,
                usedBytes: 0,
                usedFiles: 0,
                ...(ttl !== undefined ? { ttl: ttl + ENDED_SHARE_TTL_SECONDS } : {}),
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
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: tokenKey(tokenHash), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toShare(out.Item);
  }

  async summary(id: string): Promise<(ShareSummary & { readonly tokenHash: string }) | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: directoryKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : { ...toSummary(out.Item), tokenHash: String(out.Item.tokenHash) };
  }

  /** Every share's owner view (one partition: a family-sized service has hundreds, not millions). */
  async list(): Promise<ShareSummary[]> {
    const shares: ShareSummary[] = [];
    const pages = paginateQuery({ client: this.client }, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': DIRECTORY } });
    for await (const page of pages) for (const item of page.Items ?? []) shares.push(toSummary(item));
    return shares.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Ends a share at once: its token row goes, its owner row keeps `revokedAt` (and the log). */
  async revoke(id: string, tokenHash: string, now: Date): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: tokenKey(tokenHash) } },
          {
            Update: {
              TableName: this.tableName,
              Key: directoryKey(id),
              UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now), #ttl = :ttl',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':now': now.toISOString(), ':ttl': Math.floor(now.getTime() / 1000) + ENDED_SHARE_TTL_SECONDS },
            },
          },
        ],
      }),
    );
  }

  /** One access: the owner's counters and a log line. `view` counts a view (an open of the share). */
  async recordAccess(id: string, entry: ShareLogEntry): Promise<void> {
    const isView = entry.event === 'open';
    await Promise.all([
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: directoryKey(id),
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
  async recordAccesses(id: string, entries: readonly ShareLogEntry[]): Promise<void> {
    const last = entries.reduce<string | undefined>((max, e) => (max === undefined || e.at > max ? e.at : max), undefined);
    if (last === undefined) return;
    await this.client
      .send(new UpdateCommand({ TableName: this.tableName, Key: directoryKey(id), UpdateExpression: 'SET lastAccessAt = :at', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': last } }))
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
        Item: { pk: logPartition(id), sk: `${entry.at}#${randomBytes(6).toString('base64url')}`, ...entry, ttl: epoch(entry.at) + SHARE_LOG_TTL_SECONDS },
      }),
    );
  }

  /** The access log, newest first. */
  async log(id: string, limit = 1000): Promise<ShareLogEntry[]> {
    const out = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': logPartition(id) }, ScanIndexForward: false, Limit: limit }),
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

  /**
   * Reserves one file of `size` bytes of a drop link's quota, atomically: the condition is the
   * quota rule of core/shares.ts `fitsQuota`. Throws `ShareQuotaExceededError` when it does not fit.
   */
  async reserveDrop(id: string, size: number, quota: { readonly maxBytes: number; readonly maxFiles: number }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: directoryKey(id),
          UpdateExpression: 'ADD usedBytes :size, usedFiles :one',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND usedFiles <= :filesLeft AND usedBytes <= :bytesLeft',
          ExpressionAttributeValues: { ':size': size, ':one': 1, ':filesLeft': quota.maxFiles - 1, ':bytesLeft': quota.maxBytes - size },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new ShareQuotaExceededError('quota');
      throw error;
    }
  }

  async addGuestUpload(id: string, guestHash: string, upload: GuestUpload, ttl: number): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: guestPartition(id), sk: `${guestHash}#${upload.uploadId}`, ...upload, ttl } }));
  }

  async isGuestUpload(id: string, guestHash: string, uploadId: string): Promise<boolean> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: guestPartition(id), sk: `${guestHash}#${uploadId}` }, ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async guestUploads(id: string, guestHash: string): Promise<string[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :guest)',
        ExpressionAttributeValues: { ':pk': guestPartition(id), ':guest': `${guestHash}#` },
        ConsistentRead: true,
        Limit: 200,
      }),
    );
    return (out.Items ?? []).map((item) => String(item.uploadId));
  }

  async getUnlockLimiter(tokenHash: string, source?: string): Promise<{ state: LoginLimiterState; version: number } | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: limiterKey(tokenHash, source), ConsistentRead: true }));
    if (out.Item === undefined) return undefined;
    const state: LoginLimiterState = {
      failures: Number(out.Item.failures ?? 0),
      lastFailureAt: Number(out.Item.lastFailureAt ?? 0),
      ...(typeof out.Item.lockedUntil === 'number' ? { lockedUntil: out.Item.lockedUntil } : {}),
    };
    return { state, version: Number(out.Item.version ?? 0) };
  }

  /** Writes the limiter if nobody else did since `expectedVersion` was read; false when someone did. */
  async saveUnlockLimiter(tokenHash: string, source: string | undefined, state: LoginLimiterState, expectedVersion: number | undefined, ttl: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...limiterKey(tokenHash, source), ...state, version: (expectedVersion ?? 0) + 1, ttl },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async clearUnlockLimiter(tokenHash: string, source?: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: limiterKey(tokenHash, source) }));
  }

  /** Sessions of uploads, read in batches of 100 (used for a guest's list). */
  async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys.slice(i, i + 100), ConsistentRead: true } } }));
      items.push(...(out.Responses?.[this.tableName] ?? []));
    }
    return items;
  }
}

function toShare(item: Record<string, unknown>): Share {
  return {
    id: String(item.id),
    owner: String(item.owner),
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
  };
}

function toSummary(item: Record<string, unknown>): ShareSummary {
  const { passwordHash: _p, sessionKey: _s, ...share } = toShare({ ...item, sessionKey: '' });
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
