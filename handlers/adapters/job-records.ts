/**
 * Background jobs' rows (`JOB#<id>` / `JOB`), one kind each (`move`, `trash`), expiring with a
 * TTL: written once, each run counted, finished at most once. The move and trash job
 * repositories are this with their own fields.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jobItemKey } from '../../contract/table';
import { JOB_STATUSES, JOB_TTL_SECONDS, type JobFields, type JobStatus } from '../core/jobs';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';
import type { RepositoryOptions } from './users-repository';

/** The rows of one kind of job; each repository adds how its own fields are read (`read`) and how it finishes. */
export abstract class JobRecords<Kind extends string, Job extends JobFields<Kind>> {
  protected readonly tableName: string;
  protected readonly client: DynamoDBDocumentClient;

  protected constructor(
    options: RepositoryOptions,
    private readonly kind: Kind,
  ) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** The job of a row whose common fields are sound, or undefined. */
  protected abstract read(item: Record<string, unknown>, fields: JobFields<Kind>): Job | undefined;

  async create(job: Job): Promise<void> {
    const ttl = Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS;
    // Job ids are 128 random bits; a collision is a bug, not something to overwrite.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...jobItemKey(job.id), ...job, ttl }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(id: string): Promise<Job | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: jobItemKey(id), ConsistentRead: true }));
    return out.Item === undefined ? undefined : this.toJob(out.Item);
  }

  /** Counts a run and marks the job running, unless it has finished (or is of another kind); the job as it now is, or `undefined`. */
  async startAttempt(id: string, now: Date): Promise<Job | undefined> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: 'SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND kind = :kind AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':zero': 0, ':one': 1, ':now': now.toISOString(), ':kind': this.kind },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? undefined : this.toJob(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** Sets the final status and `result` (the moved file's id, the error…) unless the job has finished: a duplicate delivery changes nothing. */
  protected async settle(id: string, status: 'succeeded' | 'failed', result: Readonly<Record<string, unknown>>, now: Date): Promise<void> {
    const fields = Object.keys(result);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobItemKey(id),
          UpdateExpression: ['SET #status = :status', 'updatedAt = :now', ...fields.map((_, i) => `#r${i} = :r${i}`)].join(', '),
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:pending, :running)',
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map((field, i) => [`#r${i}`, field])) },
          ExpressionAttributeValues: {
            ':status': status,
            ':pending': 'pending',
            ':running': 'running',
            ':now': now.toISOString(),
            ...Object.fromEntries(fields.map((field, i) => [`:r${i}`, result[field]])),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private toJob(item: Record<string, unknown>): Job | undefined {
    const { id, kind, owner, status, attempts, createdAt, updatedAt, error } = item;
    if (
      typeof id !== 'string' ||
      kind !== this.kind ||
      typeof owner !== 'string' ||
      !(JOB_STATUSES as readonly unknown[]).includes(status) ||
      typeof createdAt !== 'string' ||
      typeof updatedAt !== 'string'
    ) {
      return undefined;
    }
    const jobError = error as Record<string, unknown> | undefined;
    return this.read(item, {
      id,
      kind: this.kind,
      owner,
      status: status as JobStatus,
      attempts: typeof attempts === 'number' ? attempts : 0,
      createdAt,
      updatedAt,
      ...(typeof jobError?.code === 'string' && typeof jobError.message === 'string' ? { error: { code: jobError.code, message: jobError.message } } : {}),
    });
  }
}
