/**
 * Drop links' reservations (`UPLOAD#<upload id>` / `RESERVATION`; keys in contract/table.ts):
 * what a drop upload holds of its link's quota, and whether it is `reserved`, `arrived` (the file
 * landed: it counts its real size) or `released` (aborted, or its hold lapsed: given back;
 * signing parts takes it again if it fits). Every change of state is one transaction with the
 * share owner row's counters (`usedBytes`, `usedFiles`), conditional on the state before, so
 * each happens exactly once. A reservation still `reserved` is in the sparse `byDue` index
 * until its `releaseAt`, when the sweep gives it back.
 */
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DUE_KINDS, TABLE_SCHEMA, dropReservationKey, shareOwnerKey } from '../../contract/table';
import { cancelledItems, defaultDocumentClient, isConditionalCheckFailed, transactWrite } from './aws-clients';
import { dueItems } from './due-index';
import type { RepositoryOptions } from './users-repository';

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

/** How long a settled reservation is kept (so a late duplicate S3 event still finds it). */
const RESERVATION_KEPT_SECONDS = 30 * 24 * 3600;
const { dueIndex } = TABLE_SCHEMA;

export class ShareQuotaExceededError extends Error {}

export class DropReservations {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /**
   * Reserves one file of `size` bytes of a drop link's quota for upload `uploadId`, atomically
   * with the reservation row: the condition is the quota rule of core/shares.ts `fitsQuota`.
   * Throws `ShareQuotaExceededError` when it does not fit. `releaseAt` (epoch seconds) is when
   * the sweep gives it back if the upload has not arrived by then.
   */
  async reserve(
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
  async renew(uploadId: string, releaseAt: number, quota: { readonly maxBytes: number; readonly maxFiles: number }): Promise<DropReservation['state'] | undefined> {
    const names = { '#state': 'state', '#dueKind': dueIndex.partitionKey, '#dueAt': dueIndex.sortKey };
    // A concurrent change (the sweep releasing it, an arrival) makes the condition fail: read again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const current = await this.get(uploadId);
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
   * Gives back the holds among `uploadIds` (a link's uploads, drop-guests.ts `linkUploads`) that
   * lapsed by `now` without being renewed, at once rather than at the next sweep: called when a
   * new upload does not fit, so a request that declared the whole quota and sent nothing blocks
   * nobody past its hold. Returns how many were given back.
   */
  async releaseLapsed(uploadIds: readonly string[], now: Date): Promise<number> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const lapsed = (await this.batchGet(uploadIds.map(dropReservationKey))).map(toReservation).filter((r) => r.state === 'reserved' && r.releaseAt <= nowSeconds);
    let released = 0;
    for (const reservation of lapsed) if ((await this.settle(reservation, 'released', -reservation.size, -1, now)) !== undefined) released += 1;
    return released;
  }

  async get(uploadId: string): Promise<DropReservation | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: dropReservationKey(uploadId), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toReservation(out.Item);
  }

  /**
   * Gives a `reserved` upload's bytes and file back to its link (guest abort, abandoned
   * upload). Returns the reservation when this call released it; undefined when there is none
   * or it was already settled (arrived uploads stay counted, a release happens once).
   */
  async release(uploadId: string, now: Date): Promise<DropReservation | undefined> {
    const current = await this.get(uploadId);
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
  async arrive(uploadId: string, now: Date, size?: number): Promise<DropReservation | undefined> {
    const current = await this.get(uploadId);
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
  async due(now: Date, limit = 500): Promise<DropReservation[]> {
    return (await dueItems(this.client, this.tableName, DUE_KINDS.reservation, now, limit)).map(toReservation);
  }

  /** Reservations, read in batches of 100. */
  private async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys.slice(i, i + 100), ConsistentRead: true } } }));
      items.push(...(out.Responses?.[this.tableName] ?? []));
    }
    return items;
  }
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
