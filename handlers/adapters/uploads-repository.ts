/** Upload sessions (`UPLOAD#<id>` / `SESSION`), written by the uploads function, read by sync. */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MultipartState, UploadSession } from '../core/catalog';
import type { CarriedProcessing } from '../core/carried-media';
import { processingFieldsOf } from './files-repository';
import { isPartChecksumAlgorithm } from '../../contract/multipart';
import { fileItemKey, uploadItemKey } from '../../contract/table';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface UploadSessionStore {
  /** Stores a new session; `ttl` (epoch seconds) lets the table expire it. */
  create(session: UploadSession, ttl: number): Promise<void>;
  get(uploadId: string): Promise<UploadSession | undefined>;
  /** Marks a pending session completed; false when it was not pending (completed or gone). */
  markCompleted(uploadId: string): Promise<boolean>;
  /**
   * Records the whole-file SHA-256 a client declares when completing (it hashed the file while
   * sending it); false when the session is gone or already holds another one.
   */
  declareSha256(uploadId: string, sha256: string): Promise<boolean>;
  /** Deletes the session (no error when it is already gone). */
  remove(uploadId: string): Promise<void>;
  /**
   * Whether the catalog row of `folder`/`name` is the file this upload stored (the sync
   * function wrote it): how a completion whose answer was lost is recognised.
   */
  isCatalogued(session: Pick<UploadSession, 'uploadId' | 'folder' | 'name'>): Promise<boolean>;
}

/** The sessions of moves (handlers/files/move-file.ts). */
export interface MoveSessionStore {
  /**
   * Records what a move carries to its new key (`undefined` clears it), before the move copies
   * the original: the sync function reads it with the new key's first event.
   */
  carry(uploadId: string, carried: CarriedProcessing | undefined): Promise<void>;
}

export class UploadsRepository implements UploadSessionStore, MoveSessionStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async create(session: UploadSession, ttl: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...uploadItemKey(session.uploadId), ...session, ttl },
        // Upload ids are 128 random bits; a collision is a bug, not something to overwrite.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(uploadId: string): Promise<UploadSession | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: uploadItemKey(uploadId), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toSession(out.Item);
  }

  async markCompleted(uploadId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: uploadItemKey(uploadId),
          UpdateExpression: 'SET #status = :completed',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#status) OR #status = :pending)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': 'completed', ':pending': 'pending' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async declareSha256(uploadId: string, sha256: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: uploadItemKey(uploadId),
          UpdateExpression: 'SET sha256 = :sha256',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(sha256) OR sha256 = :sha256)',
          ExpressionAttributeValues: { ':sha256': sha256 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async isCatalogued(session: Pick<UploadSession, 'uploadId' | 'folder' | 'name'>): Promise<boolean> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: fileItemKey(session.folder, session.name), ProjectionExpression: 'uploadId, #status', ExpressionAttributeNames: { '#status': 'status' } }),
    );
    return out.Item?.uploadId === session.uploadId && out.Item?.status === 'available';
  }

  async carry(uploadId: string, carried: CarriedProcessing | undefined): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: uploadItemKey(uploadId),
        UpdateExpression: carried === undefined ? 'REMOVE carried' : 'SET carried = :carried',
        ConditionExpression: 'attribute_exists(pk)',
        ...(carried !== undefined ? { ExpressionAttributeValues: { ':carried': carried } } : {}),
      }),
    );
  }

  async remove(uploadId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: uploadItemKey(uploadId) }));
  }
}

function toSession(item: Record<string, unknown>): UploadSession | undefined {
  const { uploadId, owner, ownerId, folder, name, key, contentType, size, tags, description, createdAt, expiresAt, mode, sha256, multipart, status, uploadedAt, movedFrom, carried } = item;
  if (
    typeof uploadId !== 'string' ||
    typeof owner !== 'string' ||
    typeof folder !== 'string' ||
    typeof name !== 'string' ||
    typeof key !== 'string' ||
    typeof contentType !== 'string' ||
    typeof size !== 'number'
  ) {
    return undefined;
  }
  return {
    uploadId,
    owner,
    ...(typeof ownerId === 'string' && ownerId !== '' ? { ownerId } : {}),
    folder,
    name,
    key,
    contentType,
    size,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof description === 'string' ? { description } : {}),
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    expiresAt: typeof expiresAt === 'string' ? expiresAt : '',
    ...(mode === 'multipart' || mode === 'single' ? { mode } : {}),
    ...(typeof sha256 === 'string' ? { sha256 } : {}),
    ...(toMultipart(multipart) ?? {}),
    ...(status === 'completed' || status === 'pending' ? { status } : {}),
    ...(typeof uploadedAt === 'string' ? { uploadedAt } : {}),
    ...(typeof movedFrom === 'string' ? { movedFrom } : {}),
    ...(toCarried(carried) ?? {}),
  };
}

/** The carried results as stored, each field with its expected type; `undefined` when they are not whole. */
function toCarried(value: unknown): { carried: CarriedProcessing } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const item = value as Record<string, unknown>;
  const fields = processingFieldsOf(item);
  if (typeof item.etag !== 'string' || fields.processing !== 'ready' || fields.derived === undefined) return undefined;
  return { carried: { ...fields, etag: item.etag, processing: 'ready' } };
}

function toMultipart(value: unknown): { multipart: MultipartState } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { s3UploadId, partSize, partCount, checksumAlgorithm, overwrite } = value as Record<string, unknown>;
  if (typeof s3UploadId !== 'string' || typeof partSize !== 'number' || typeof partCount !== 'number') return undefined;
  return { multipart: { s3UploadId, partSize, partCount, ...(isPartChecksumAlgorithm(checksumAlgorithm) ? { checksumAlgorithm } : {}), ...(overwrite === true ? { overwrite } : {}) } };
}
