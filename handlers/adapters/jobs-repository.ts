/** Move jobs in the catalog table (`JOB#<id>` / `JOB`), expiring with a TTL. */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JOB_STATUSES, JOB_TTL_SECONDS, type JobError, type JobStatus, type MoveJob } from '../core/jobs';
import { jobItemKey } from '../../contract/table';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

export interface JobStore {
  create(job: MoveJob): Promise<void>;
  get(id: string): Promise<MoveJob | undefined>;
  /** Counts a run and marks the job running, unless it has finished; the job as it now is, or `undefined`. */
  startAttempt(id: string, now: Date): Promise<MoveJob | undefined>;
  /** Finishes a job that has not finished yet (a duplicate delivery changes nothing). */
  finish(id: string, outcome: { status: 'succeeded'; fileId: string } | { status: 'failed'; error: JobError }, now: Date): Promise<void>;
}

export class JobsRepository implements JobStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async create(job: MoveJob): Promise<void> {
    const ttl = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS;
    await this.client.send(
      // Job ids are 128 random bits; a collision is a bug, not something to overwrite.
      new PutCommand({ TableName: this.tableName, Item: { ...jobItemKey(job.id), ...job, ttl }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async get(id: string): Promise<MoveJob | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: jobItemKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toJob(out.Item);
  }

  async startAttempt(id: string, now: Date): Promise<MoveJob | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: 'SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':zero': 0, ':one': 1, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? undefined : toJob(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async finish(id: string, outcome: { status: 'succeeded'; fileId: string } | { status: 'failed'; error: JobError }, now: Date): Promise<void> {
    const result = outcome.status === 'succeeded' ? { field: 'fileId', value: outcome.fileId } : { field: 'error', value: outcome.error };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: `SET #status = :status, ${result.field} = :result, updatedAt = :now`,
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': outcome.status, ':result': result.value, ':pending': 'pending', ':running': 'running', ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function toJob(item: Record<string, unknown>): MoveJob | undefined {
  const { id, kind, owner, status, attempts, sourceKey, sourceEtag, size, destination, sessionId, overwrite, tags, description, createdAt, updatedAt, fileId, error } = item;
  const dest = destination as Record<string, unknown> | undefined;
  if (
    typeof id !== 'string' ||
    kind !== 'move' ||
    typeof owner !== 'string' ||
    !(JOB_STATUSES as readonly unknown[]).includes(status) ||
    typeof sourceKey !== 'string' ||
    typeof size !== 'number' ||
    typeof dest?.folder !== 'string' ||
    typeof dest.name !== 'string' ||
    typeof dest.key !== 'string' ||
    typeof sessionId !== 'string' ||
    typeof createdAt !== 'string' ||
    typeof updatedAt !== 'string'
  ) {
    return undefined;
  }
  const jobError = error as Record<string, unknown> | undefined;
  return {
    id,
    kind,
    owner,
    status: status as JobStatus,
    attempts: typeof attempts === 'number' ? attempts : 0,
    sourceKey,
    ...(typeof sourceEtag === 'string' ? { sourceEtag } : {}),
    size,
    destination: { folder: dest.folder, name: dest.name, key: dest.key },
    sessionId,
    overwrite: overwrite === true,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof description === 'string' ? { description } : {}),
    createdAt,
    updatedAt,
    ...(typeof fileId === 'string' ? { fileId } : {}),
    ...(typeof jobError?.code === 'string' && typeof jobError.message === 'string' ? { error: { code: jobError.code, message: jobError.message } } : {}),
  };
}
