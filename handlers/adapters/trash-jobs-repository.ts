/** Bulk trash jobs (`JOB#<id>` / `JOB`, kind `trash`) beside the move jobs, expiring with a TTL. */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jobItemKey } from '../../contract/table';
import { JOB_STATUSES, JOB_TTL_SECONDS, type JobError, type JobStatus } from '../core/jobs';
import type { TrashJobAction, TrashJobRecord } from '../core/trash';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface TrashJobStore {
  create(job: TrashJobRecord): Promise<void>;
  get(id: string): Promise<TrashJobRecord | undefined>;
  /** Counts a run and marks the job running, unless it has finished; the job as it now is, or `undefined`. */
  startAttempt(id: string, now: Date): Promise<TrashJobRecord | undefined>;
  /** Adds to the counts of a running job (progress that `GET /jobs/{id}` shows). */
  addProgress(id: string, done: number, failed: number, now: Date): Promise<void>;
  finish(id: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: JobError }, now: Date): Promise<void>;
}

const ACTIONS: readonly TrashJobAction[] = ['delete-folder', 'restore', 'purge'];

export class TrashJobsRepository implements TrashJobStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async create(job: TrashJobRecord): Promise<void> {
    const ttl = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...jobItemKey(job.id), ...job, ttl }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(id: string): Promise<TrashJobRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: jobItemKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toTrashJob(out.Item);
  }

  async startAttempt(id: string, now: Date): Promise<TrashJobRecord | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: 'SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND kind = :trash AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':zero': 0, ':one': 1, ':now': now.toISOString(), ':trash': 'trash' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? undefined : toTrashJob(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async addProgress(id: string, done: number, failed: number, now: Date): Promise<void> {
    if (done === 0 && failed === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: jobItemKey(id),
        UpdateExpression: 'SET #done = #done + :done, #failed = #failed + :failed, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#done': 'done', '#failed': 'failed' },
        ExpressionAttributeValues: { ':done': done, ':failed': failed, ':now': now.toISOString() },
      }),
    );
  }

  async finish(id: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: JobError }, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: `SET #status = :status, updatedAt = :now${outcome.status === 'failed' ? ', #error = :error' : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status', ...(outcome.status === 'failed' ? { '#error': 'error' } : {}) },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':pending': 'pending',
            ':running': 'running',
            ':now': now.toISOString(),
            ...(outcome.status === 'failed' ? { ':error': outcome.error } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function toTrashJob(item: Record<string, unknown>): TrashJobRecord | undefined {
  const { id, kind, action, owner, ownerIsAdmin, status, attempts, folder, ids, done, failed, createdAt, updatedAt, error } = item;
  if (
    typeof id !== 'string' ||
    kind !== 'trash' ||
    !(ACTIONS as readonly unknown[]).includes(action) ||
    typeof owner !== 'string' ||
    !(JOB_STATUSES as readonly unknown[]).includes(status) ||
    typeof createdAt !== 'string' ||
    typeof updatedAt !== 'string'
  ) {
    return undefined;
  }
  const jobError = error as Record<string, unknown> | undefined;
  return {
    id,
    kind,
    action: action as TrashJobAction,
    owner,
    ownerIsAdmin: ownerIsAdmin === true,
    status: status as JobStatus,
    attempts: typeof attempts === 'number' ? attempts : 0,
    ...(typeof folder === 'string' ? { folder } : {}),
    ...(Array.isArray(ids) ? { ids: ids.filter((i): i is string => typeof i === 'string') } : {}),
    done: typeof done === 'number' ? done : 0,
    failed: typeof failed === 'number' ? failed : 0,
    createdAt,
    updatedAt,
    ...(typeof jobError?.code === 'string' && typeof jobError.message === 'string' ? { error: { code: jobError.code, message: jobError.message } } : {}),
  };
}
