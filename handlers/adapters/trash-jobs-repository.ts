/** Bulk trash jobs (`JOB#<id>` / `JOB`, kind `trash`) beside the move jobs: job-records.ts with the trash job's fields and progress. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jobItemKey } from '../../contract/table';
import type { JobError, JobFields } from '../core/jobs';
import type { TrashJobAction, TrashJobRecord } from '../core/trash';
import { JobRecords } from './job-records';
import type { RepositoryOptions } from './users-repository';

export interface TrashJobStore {
  create(job: TrashJobRecord): Promise<void>;
  get(id: string): Promise<TrashJobRecord | undefined>;
  /** Counts a run and marks the job running, unless it has finished; the job as it now is, or `undefined`. */
  startAttempt(id: string, now: Date): Promise<TrashJobRecord | undefined>;
  /** Adds to the counts of a running job (progress that `GET /jobs/{id}` shows). */
  addProgress(id: string, done: number, failed: number, now: Date): Promise<void>;
  finish(id: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: JobError }, now: Date): Promise<void>;
  /** A running job goes on in a next run (handlers/move/run-trash-job.ts): its attempts are counted afresh there. */
  handOver(id: string, now: Date): Promise<void>;
}

const ACTIONS: readonly TrashJobAction[] = ['delete-folder', 'restore', 'purge'];

export class TrashJobsRepository extends JobRecords<'trash', TrashJobRecord> implements TrashJobStore {
  constructor(options: RepositoryOptions) {
    super(options, 'trash');
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

  async handOver(id: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: jobItemKey(id),
        UpdateExpression: 'SET attempts = :zero, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':zero': 0, ':running': 'running', ':now': now.toISOString() },
      }),
    );
  }

  finish(id: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: JobError }, now: Date): Promise<void> {
    return this.settle(id, outcome.status, outcome.status === 'failed' ? { error: outcome.error } : {}, now);
  }

  protected read(item: Record<string, unknown>, fields: JobFields<'trash'>): TrashJobRecord | undefined {
    const { action, ownerIsAdmin, folder, ids, done, failed } = item;
    if (!(ACTIONS as readonly unknown[]).includes(action)) return undefined;
    return {
      ...fields,
      action: action as TrashJobAction,
      ownerIsAdmin: ownerIsAdmin === true,
      ...(typeof folder === 'string' ? { folder } : {}),
      ...(Array.isArray(ids) ? { ids: ids.filter((i): i is string => typeof i === 'string') } : {}),
      done: typeof done === 'number' ? done : 0,
      failed: typeof failed === 'number' ? failed : 0,
    };
  }
}
