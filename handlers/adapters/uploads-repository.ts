/** Upload sessions (`UPLOAD#<id>` / `SESSION`), written by the uploads function, read by sync. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UploadSession } from '../core/catalog';
import { uploadItemKey } from '../core/keys';
import { defaultDocumentClient } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface UploadSessionStore {
  /** Stores a new session; `ttl` (epoch seconds) lets the table expire it. */
  create(session: UploadSession, ttl: number): Promise<void>;
  get(uploadId: string): Promise<UploadSession | undefined>;
}

export class UploadsRepository implements UploadSessionStore {
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
}

function toSession(item: Record<string, unknown>): UploadSession | undefined {
  const { uploadId, owner, folder, name, key, contentType, size, tags, description, createdAt, expiresAt } = item;
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
    folder,
    name,
    key,
    contentType,
    size,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof description === 'string' ? { description } : {}),
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    expiresAt: typeof expiresAt === 'string' ? expiresAt : '',
  };
}
