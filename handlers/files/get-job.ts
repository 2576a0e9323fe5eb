/** `GET /jobs/{id}`: a move job as its owner (or an admin) sees it; anyone else gets the 404 of an unknown id. */
import { NotFound } from '../core/errors';
import { jobView, type JobView } from '../core/jobs';
import type { Caller } from '../core/roles';
import type { JobStore } from '../adapters/jobs-repository';

/** No such job, or not the caller's: others' jobs are not revealed. */
export class JobNotFound extends NotFound {
  override readonly code = 'JobNotFound';
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

export async function getJob(id: string | undefined, caller: Caller, deps: { readonly jobs: Pick<JobStore, 'get'> }): Promise<{ job: JobView }> {
  const job = id !== undefined && JOB_ID.test(id) ? await deps.jobs.get(id) : undefined;
  if (job === undefined || (job.owner !== caller.username && caller.role !== 'admin')) throw new JobNotFound('No such job');
  return { job: jobView(job) };
}
