/** `GET /jobs/{id}`: a move or trash job as its owner (or an admin) sees it; anyone else gets the 404 of an unknown id. */
import { NotFound } from '../core/errors';
import { jobView, type JobView } from '../core/jobs';
import type { Caller } from '../core/roles';
import type { JobStore } from '../adapters/jobs-repository';
import type { TrashJobStore } from '../adapters/trash-jobs-repository';
import { trashJobView } from '../core/trash';
import type { TrashJob } from '../../contract/wire';

/** No such job, or not the caller's: others' jobs are not revealed. */
class JobNotFound extends NotFound {
  override readonly code = 'JobNotFound';
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

export async function getJob(
  id: string | undefined,
  caller: Caller,
  deps: { readonly jobs: Pick<JobStore, 'get'>; readonly trashJobs: Pick<TrashJobStore, 'get'> },
): Promise<{ job: JobView } | { job: TrashJob }> {
  if (id === undefined || !JOB_ID.test(id)) throw new JobNotFound('No such job');
  const mine = (owner: string): boolean => owner === caller.username || caller.role === 'admin';
  const move = await deps.jobs.get(id);
  if (move !== undefined && mine(move.owner)) return { job: jobView(move) };
  const trash = move === undefined ? await deps.trashJobs.get(id) : undefined;
  if (trash !== undefined && mine(trash.owner)) return { job: trashJobView(trash) };
  throw new JobNotFound('No such job');
}
