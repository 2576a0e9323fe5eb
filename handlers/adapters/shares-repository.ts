/**
 * Shares in the catalog table (see contract/table.ts):
 *
 * - `SHARE#<token hash>` / `SHARE`: what a public request needs, in one read (the hash of
 *   the token is the key, the token itself is stored nowhere); `UNLOCK` and
 *   `UNLOCK#<source hash>` beside it are the unlock limiters, kept by the attempt counter
 *   (handlers/adapters/attempt-counter.ts) like the login limiters.
 * - `SHARES#` / `ID#<id>`: the owner's view (no password hash, no session key) with the
 *   counters: views, last access, a drop link's bytes and files; kept after a revoke, so the
 *   log stays readable.
 * - `SHARELOG#<id>` / `<time>#<random>`: the access log, 90 days.
 * - `SHAREUP#<id>` / `<guest key hash>#<upload id>`: which guest started which drop upload.
 * - `UPLOAD#<upload id>` / `RESERVATION`: what a drop upload holds of its link's quota, and
 *   whether it is `reserved`, `arrived` (the file landed: it counts its real size) or
 *   `released` (aborted, or its hold lapsed: given back; signing parts takes it again if it
 *   fits). Every change of state is one transaction with the owner row's counters,
 *   conditional on the state before, so each happens exactly once.
 * - `FOLDER#<folder>` / `CLAIM#<name>`: a guest's upload in progress holds its name, so no
 *   other guest is given the same one; the claim ends with the upload's session.
 *
 * The sparse `byDue` index (contract/table.ts) holds the owner rows whose expiry reminder is
 * still to send and the reservations still `reserved`: the sweep function's whole work.
 */
import type { ShareEvent, ShareLogEntry, ShareTarget } from '../../contract/wire';
import { randomBytes } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DUE_KINDS,
  SHARE_OWNERS_PARTITION,
  TABLE_SCHEMA,
  dropReservationKey,
  nameClaimKey,
  shareGuestPrefix,
  shareGuestUploadKey,
  shareGuestsPartition,
  shareLogKey,
  shareLogPartition,
  shareOwnerKey,
  shareTokenKey,
} from '../../contract/table';
import type { ShareMode } from '../core/shares';
import { cancelledItems, defaultDocumentClient, isConditionalCheckFailed, transactWrite } from './aws-clients';
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
  /** The creator's user id (handlers/core/user-ids.ts); absent on shares stored before ids. */
  readonly ownerId?: string;
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
  /**
   * A folder share's folder generation at creation (core/folders.ts): the share ends when the
   * folder is deleted, even if it is created again. Absent for the root folder (no marker) and
   * on folder shares stored before generations, which keep opening while the folder exists.
   * On the token row only: the owner sees the target, not this.
   */
  readonly folderGeneration?: string;
}

/** A share as its owner sees it: no secrets, with counters. */
export interface ShareSummary extends Omit<Share, 'passwordHash' | 'sessionKey' | 'folderGeneration'> {
  readonly hasPassword: boolean;
  readonly views: number;
  readonly lastAccessAt?: string;
  readonly usedBytes: number;
  readonly usedFiles: number;
  readonly revokedAt?: string;
}

export type { ShareEvent, ShareLogEntry } from '../../contract/wire';

/** A drop upload's hold on its link's quota (see the header). */
export interface DropReservation {
  readonly uploadId: string;
  readonly shareId: string;
  /** The share's owner and label, for the arrival message. */
  readonly owner: string;
  readonly label?: string;
  readonly size: number;
  readonly state: 'reserved' | 'arrived' | 'released';
  /** Epoch seconds: from then on, a reservation still `reserved` is given back. */
  readonly releaseAt: number;
}

/** An owner row whose expiry reminder is due. */
export interface DueReminder {
  readonly id: string;
  readonly owner: string;
  readonly label?: string;
  readonly target: StoredTarget;
  readonly mode: ShareMode;
  readonly expiresAt: string;
}

/** A day before a share ends, its owner is reminded. */
export const REMINDER_LEAD_SECONDS = 24 * 3600;
/** How long a settled reservation is kept (so a late duplicate S3 event still finds it). */
const RESERVATION_KEPT_SECONDS = 30 * 24 * 3600;

export interface GuestUpload {
  readonly uploadId: string;
  readonly size: number;
}

const { dueIndex } = TABLE_SCHEMA;

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
                ...(share.expiresAt !== null ? { [dueIndex.partitionKey]: DUE_KINDS.reminder, [dueIndex.sortKey]: epoch(share.expiresAt) - REMINDER_LEAD_SECONDS } : {}),
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

  /** One access: the owner's counters and a log line. `view` counts a view (an open of the share). */
  async recordAccess(id: string, entry: ShareLogEntry): Promise<void> {
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
  async recordAccesses(id: string, entries: readonly ShareLogEntry[]): Promise<void> {
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
        Item: { ...shareLogKey(id, entry.at, randomBytes(6).toString('base64url')), ...entry, ttl: epoch(entry.at) + SHARE_LOG_TTL_SECONDS },
      }),
    );
  }

  /** The access log, newest first. */
  async log(id: string, limit = 1000): Promise<ShareLogEntry[]> {
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

  /**
   * Reserves one file of `size` bytes of a drop link's quota for upload `uploadId`, atomically
   * with the reservation row: the condition is the quota rule of core/shares.ts `fitsQuota`.
   * Throws `ShareQuotaExceededError` when it does not fit. `releaseAt` (epoch seconds) is when
   * the sweep gives it back if the upload has not arrived by then.
   */
  async reserveDrop(
    reservation: Omit<DropReservation, 'state'>,
    quota: { readonly maxBytes: number; readonly maxFiles: number },
  ): Promise<void> {
    const { uploadId, shareId, size, releaseAt } = reservation;
    try {
      // Concurrent guests of one link conflict on its owner row: retried, never a 5xx.
      await transactWrite(this.client, [
        { Update: this.takeQuota(shareId, size, quota) },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...dropReservationKey(uploadId),
              ...reservation,
              state: 'reserved',
              [dueIndex.partitionKey]: DUE_KINDS.reservation,
              [dueIndex.sortKey]: releaseAt,
              ttl: releaseAt + RESERVATION_KEPT_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    } catch (error) {
      if (cancelledItems(error)?.[0] === true) throw new ShareQuotaExceededError('quota');
      throw error;
    }
  }

  /** The owner-row update that takes one file of `size` bytes, on the condition that it fits (core/shares.ts `fitsQuota`). */
  private takeQuota(shareId: string, size: number, quota: { readonly maxBytes: number; readonly maxFiles: number }) {
    return {
      TableName: this.tableName,
      Key: shareOwnerKey(shareId),
      UpdateExpression: 'ADD usedBytes :size, usedFiles :one',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND usedFiles <= :filesLeft AND usedBytes <= :bytesLeft',
      ExpressionAttributeValues: { ':size': size, ':one': 1, ':filesLeft': quota.maxFiles - 1, ':bytesLeft': quota.maxBytes - size },
    };
  }

  /**
   * Keeps a drop upload's hold until `releaseAt` (epoch seconds; never shortened): while it is
   * `reserved`, its time is moved; once `released` (its hold lapsed, or the sweep gave it back),
   * the quota is taken again if it still fits, else `ShareQuotaExceededError`. Answers the state
   * after the call, or undefined when the upload has no reservation.
   */
  async renewDrop(uploadId: string, releaseAt: number, quota: { readonly maxBytes: number; readonly maxFiles: number }): Promise<DropReservation['state'] | undefined> {
    const names = { '#state': 'state', '#dueKind': dueIndex.partitionKey, '#dueAt': dueIndex.sortKey };
    // A concurrent change (the sweep releasing it, an arrival) makes the condition fail: read again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await this.reservation(uploadId);
      if (current === undefined || current.state === 'arrived') return current?.state;
      if (current.state === 'reserved' && current.releaseAt >= releaseAt) return 'reserved';
      const hold = {
        TableName: this.tableName,
        Key: dropReservationKey(uploadId),
        UpdateExpression: 'SET #state = :reserved, releaseAt = :at, #dueKind = :kind, #dueAt = :at, #ttl = :ttl',
        ConditionExpression: '#state = :from AND releaseAt = :was',
        ExpressionAttributeNames: { ...names, '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':reserved': 'reserved',
          ':from': current.state,
          ':was': current.releaseAt,
          ':at': releaseAt,
          ':kind': DUE_KINDS.reservation,
          ':ttl': releaseAt + RESERVATION_KEPT_SECONDS,
        },
      };
      try {
        if (current.state === 'reserved') await this.client.send(new UpdateCommand(hold));
        else await transactWrite(this.client, [{ Update: this.takeQuota(current.shareId, current.size, quota) }, { Update: hold }]);
        return 'reserved';
      } catch (error) {
        const failed = cancelledItems(error);
        if (failed?.[0] === true) throw new ShareQuotaExceededError('quota');
        if (!isConditionalCheckFailed(error) && failed?.[1] !== true) throw error;
      }
    }
    throw new Error(`the reservation of upload ${uploadId} kept changing while it was renewed`);
  }

  /**
   * Gives back the holds of `shareId`'s uploads that lapsed by `now` without being renewed,
   * at once rather than at the next sweep: called when a new upload does not fit, so a request
   * that declared the whole quota and sent nothing blocks nobody past its hold. Reads the
   * link's uploads (`SHAREUP#<share>`), at most `limit`; returns how many were given back.
   */
  async releaseLapsedDrops(shareId: string, now: Date, limit = 500): Promise<number> {
    const out = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': shareGuestsPartition(shareId) }, ConsistentRead: true, Limit: limit }),
    );
    const keys = (out.Items ?? []).map((item) => dropReservationKey(String(item.uploadId)));
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const lapsed = (await this.batchGet(keys)).map(toReservation).filter((r) => r.state === 'reserved' && r.releaseAt <= nowSeconds);
    let released = 0;
    for (const reservation of lapsed) if ((await this.settle(reservation, 'released', -reservation.size, -1, now)) !== undefined) released += 1;
    return released;
  }

  /**
   * Claims `name` in `folder` for a guest's upload until `until` (epoch seconds): true when it
   * was free of other claims (or theirs had ended). The catalog is checked by the caller.
   */
  async claimDropName(claim: { readonly folder: string; readonly name: string; readonly uploadId: string; readonly until: number }, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...nameClaimKey(claim.folder, claim.name), uploadId: claim.uploadId, until: claim.until, ttl: claim.until + 24 * 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Ends upload `uploadId`'s claim on `name` (an upload given up or never started); anyone else's claim stays. */
  async releaseDropName(folder: string, name: string, uploadId: string): Promise<void> {
    await this.client
      .send(new DeleteCommand({ TableName: this.tableName, Key: nameClaimKey(folder, name), ConditionExpression: 'uploadId = :id', ExpressionAttributeValues: { ':id': uploadId } }))
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  async reservation(uploadId: string): Promise<DropReservation | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: dropReservationKey(uploadId), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toReservation(out.Item);
  }

  /**
   * Gives a `reserved` upload's bytes and file back to its link (guest abort, abandoned
   * upload). Returns the reservation when this call released it; undefined when there is none
   * or it was already settled (arrived uploads stay counted, a release happens once).
   */
  async releaseDrop(uploadId: string, now: Date): Promise<DropReservation | undefined> {
    const current = await this.reservation(uploadId);
    if (current === undefined || current.state !== 'reserved') return undefined;
    return this.settle(current, 'released', -current.size, -1, now);
  }

  /**
   * Records that a drop upload's file of `size` bytes arrived: the link counts its real size
   * from then on, whatever was declared. Returns the reservation when this call recorded it
   * (the one time its arrival is announced); undefined for a duplicate or an upload that
   * reserved nothing. A file that lands after its reservation was released (a late event)
   * is counted again.
   */
  async arriveDrop(uploadId: string, now: Date, size?: number): Promise<DropReservation | undefined> {
    const current = await this.reservation(uploadId);
    if (current === undefined || current.state === 'arrived') return undefined;
    const real = size ?? current.size;
    const settled = current.state === 'released' ? await this.settle(current, 'arrived', real, 1, now) : await this.settle(current, 'arrived', real - current.size, 0, now);
    return settled === undefined ? undefined : { ...settled, size: real };
  }

  /**
   * One state change of a reservation read as `current`, with its share's counters moved by
   * `bytes` and `files` (negative gives back); undefined when someone changed its state since it was read.
   */
  private async settle(current: DropReservation, to: DropReservation['state'], bytes: number, files: number, now: Date): Promise<DropReservation | undefined> {
    const reservationUpdate = {
      TableName: this.tableName,
      Key: dropReservationKey(current.uploadId),
      UpdateExpression: 'SET #state = :to, settledAt = :now REMOVE #dueKind, #dueAt',
      ConditionExpression: '#state = :from',
      ExpressionAttributeNames: { '#state': 'state', '#dueKind': dueIndex.partitionKey, '#dueAt': dueIndex.sortKey },
      ExpressionAttributeValues: { ':to': to, ':from': current.state, ':now': now.toISOString() },
    };
    try {
      if (bytes === 0 && files === 0) {
        await this.client.send(new UpdateCommand(reservationUpdate));
      } else {
        await transactWrite(this.client, [
          { Update: reservationUpdate },
          {
            Update: {
              TableName: this.tableName,
              Key: shareOwnerKey(current.shareId),
              UpdateExpression: 'ADD usedBytes :bytes, usedFiles :files',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':bytes': bytes, ':files': files },
            },
          },
        ]);
      }
    } catch (error) {
      const failed = cancelledItems(error);
      // Someone else settled it first: nothing to do, exactly once.
      if (isConditionalCheckFailed(error) || failed?.[0] === true) return undefined;
      // The share's owner row is gone (its TTL after the end): settle the reservation alone.
      if (failed?.[1] === true) {
        try {
          await this.client.send(new UpdateCommand(reservationUpdate));
        } catch (inner) {
          if (isConditionalCheckFailed(inner)) return undefined;
          throw inner;
        }
      } else {
        throw error;
      }
    }
    return { ...current, state: to };
  }

  /** Reservations still `reserved` whose time to be given back has come (the byDue index). */
  async dueReservations(now: Date, limit = 500): Promise<DropReservation[]> {
    return (await this.due(DUE_KINDS.reservation, now, limit)).map(toReservation);
  }

  /** Owner rows whose expiry reminder is due: the share ends within REMINDER_LEAD_SECONDS. */
  async dueReminders(now: Date, limit = 500): Promise<DueReminder[]> {
    return (await this.due(DUE_KINDS.reminder, now, limit)).map((item) => {
      const { id, owner, label, target, mode, expiresAt } = toShare({ ...item, sessionKey: '' });
      return { id, owner, ...(label !== undefined ? { label } : {}), target, mode, expiresAt: expiresAt ?? '' };
    });
  }

  private async due(kind: string, now: Date, limit: number): Promise<Record<string, unknown>[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: dueIndex.name,
        KeyConditionExpression: '#kind = :kind AND #at <= :now',
        ExpressionAttributeNames: { '#kind': dueIndex.partitionKey, '#at': dueIndex.sortKey },
        ExpressionAttributeValues: { ':kind': kind, ':now': Math.floor(now.getTime() / 1000) },
        Limit: limit,
      }),
    );
    return out.Items ?? [];
  }

  /**
   * Takes a share's reminder out of the byDue index. True when this call took it while the
   * share is live (not revoked, not yet ended): the one caller that sends the reminder.
   */
  async claimReminder(id: string, now: Date): Promise<boolean> {
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

  async addGuestUpload(id: string, guestHash: string, upload: GuestUpload, ttl: number): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...shareGuestUploadKey(id, guestHash, upload.uploadId), ...upload, ttl } }));
  }

  async isGuestUpload(id: string, guestHash: string, uploadId: string): Promise<boolean> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: shareGuestUploadKey(id, guestHash, uploadId), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async guestUploads(id: string, guestHash: string): Promise<string[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :guest)',
        ExpressionAttributeValues: { ':pk': shareGuestsPartition(id), ':guest': shareGuestPrefix(guestHash) },
        ConsistentRead: true,
        Limit: 200,
      }),
    );
    return (out.Items ?? []).map((item) => String(item.uploadId));
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

function toReservation(item: Record<string, unknown>): DropReservation {
  const state = item.state === 'arrived' || item.state === 'released' ? item.state : 'reserved';
  return {
    uploadId: String(item.uploadId),
    shareId: String(item.shareId),
    owner: String(item.owner),
    ...(typeof item.label === 'string' ? { label: item.label } : {}),
    size: Number(item.size ?? 0),
    state,
    releaseAt: Number(item.releaseAt ?? 0),
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
