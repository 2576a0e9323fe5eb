/** Move jobs in the catalog table (`JOB#<id>` / `JOB`, kind `move`): job-records.ts with the move's fields. */
import type { JobError, JobFields, MoveJob } from '../core/jobs';
import { JobRecords } from './job-records';
import type { RepositoryOptions } from './users-repository';

export interface JobStore {
  create(job: MoveJob): Promise<void>;
  get(id: string): Promise<MoveJob | undefined>;
  /** Counts a run and marks the job running, unless it has finished; the job as it now is, or `undefined`. */
  startAttempt(id: string, now: Date): Promise<MoveJob | undefined>;
  /** Finishes a job that has not finished yet (a duplicate delivery changes nothing). */
  finish(id: string, outcome: { status: 'succeeded'; fileId: string } | { status: 'failed'; error: JobError }, now: Date): Promise<void>;
}

export class JobsRepository extends JobRecords<'move', MoveJob> implements JobStore {
  constructor(options: RepositoryOptions) {
    super(options, 'move');
  }

  finish(id: string, outcome: { status: 'succeeded'; fileId: string } | { status: 'failed'; error: JobError }, now: Date): Promise<void> {
    return this.settle(id, outcome.status, outcome.status === 'succeeded' ? { fileId: outcome.fileId } : { error: outcome.error }, now);
  }

  protected read(item: Record<string, unknown>, fields: JobFields<'move'>): MoveJob | undefined {
    const { sourceKey, sourceEtag, size, destination, sessionId, overwrite, tags, description, fileId } = item;
    const dest = destination as Record<string, unknown> | undefined;
    if (
      typeof sourceKey !== 'string' ||
      typeof size !== 'number' ||
      typeof dest?.folder !== 'string' ||
      typeof dest.name !== 'string' ||
      typeof dest.key !== 'string' ||
      typeof sessionId !== 'string'
    ) {
      return undefined;
    }
    const { error, ...common } = fields;
    return {
      ...common,
      sourceKey,
      ...(typeof sourceEtag === 'string' ? { sourceEtag } : {}),
      size,
      destination: { folder: dest.folder, name: dest.name, key: dest.key },
      sessionId,
      overwrite: overwrite === true,
      tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof fileId === 'string' ? { fileId } : {}),
      ...(error !== undefined ? { error } : {}),
    };
  }
}
