/**
 * A drop link's guests (keys in contract/table.ts):
 *
 * - `SHAREUP#<share id>` / `<guest key hash>#<upload id>`: which guest started which upload, so a
 *   guest sees and continues only their own.
 * - `FOLDER#<folder>` / `CLAIM#<name>`: a guest's upload in progress holds its name, so no other
 *   guest is given the same one; the claim ends with the upload's session.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nameClaimKey, shareGuestPrefix, shareGuestUploadKey, shareGuestsPartition } from '../../contract/table';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

interface GuestUpload {
  readonly uploadId: string;
  readonly size: number;
}

export class DropGuests {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async add(id: string, guestHash: string, upload: GuestUpload, ttl: number): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...shareGuestUploadKey(id, guestHash, upload.uploadId), ...upload, ttl } }));
  }

  async isGuestUpload(id: string, guestHash: string, uploadId: string): Promise<boolean> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: shareGuestUploadKey(id, guestHash, uploadId), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  async uploadsOf(id: string, guestHash: string): Promise<string[]> {
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

  /** Every upload of a drop link (`SHAREUP#<share>`), at most `limit`: the ids whose lapsed holds may be given back. */
  async linkUploads(shareId: string, limit = 500): Promise<string[]> {
    const out = await this.client.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': shareGuestsPartition(shareId) }, ConsistentRead: true, Limit: limit }),
    );
    return (out.Items ?? []).map((item) => String(item.uploadId));
  }

  /**
   * Claims `name` in `folder` for a guest's upload until `until` (epoch seconds): true when it
   * was free of other claims (or theirs had ended). The catalog is checked by the caller.
   */
  async claimName(claim: { readonly folder: string; readonly name: string; readonly uploadId: string; readonly until: number }, now: Date): Promise<boolean> {
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
  async releaseName(folder: string, name: string, uploadId: string): Promise<void> {
    await this.client
      .send(new DeleteCommand({ TableName: this.tableName, Key: nameClaimKey(folder, name), ConditionExpression: 'uploadId = :id', ExpressionAttributeValues: { ':id': uploadId } }))
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
}
