/**
 * One run of a move job (`{jobId}`, invoked asynchronously by the files function). Lambda
 * retries a run that throws (twice), and may deliver the same event more than once, so a run:
 *
 * - does nothing for a job that has finished (or does not exist);
 * - performs the move with `resume`: a copy an earlier run made (same move id and size) is
 *   reused, and an original an earlier run already deleted after verifying its copy makes the
 *   job succeed rather than fail;
 * - records a final failure at once for what a retry cannot fix (a name clash, a source that
 *   changed or vanished, a copy that does not verify), and for anything else throws so Lambda
 *   retries, until the last attempt, whose failure is recorded.
 *
 * The original is deleted only after the copy is verified (see handlers/files/move-file.ts).
 */
import { fileIdOf, parseObjectKey } from '../core/paths';
import { HttpError } from '../core/errors';
import { MAX_JOB_ATTEMPTS, type JobError, type MoveJob } from '../core/jobs';
import type { Logger } from '../core/logger';
import type { JobStore } from '../adapters/jobs-repository';
import { MOVE_ID_METADATA, MoveNotVerified, performMove, type MoveDeps } from '../files/move-file';

export interface RunMoveJobDeps extends MoveDeps {
  readonly jobs: Pick<JobStore, 'startAttempt' | 'finish'>;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

export type RunOutcome = 'succeeded' | 'failed' | 'skipped';

export function parseMoveJobEvent(event: unknown): string | undefined {
  const jobId = (event as { jobId?: unknown } | null)?.jobId;
  return typeof jobId === 'string' && /^[A-Za-z0-9_-]{22}$/.test(jobId) ? jobId : undefined;
}

export async function runMoveJob(event: unknown, deps: RunMoveJobDeps): Promise<RunOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const jobId = parseMoveJobEvent(event);
  if (jobId === undefined) {
    deps.logger.error('move job event without a job id: dropped', {});
    return 'skipped';
  }
  const job = await deps.jobs.startAttempt(jobId, now);
  if (job === undefined) {
    deps.logger.info('move job already finished or unknown: nothing to do', { jobId });
    return 'skipped';
  }
  try {
    const fileId = await moveOnce(job, deps, now);
    await deps.jobs.finish(job.id, { status: 'succeeded', fileId }, now);
    deps.logger.info('move job succeeded', { jobId, attempt: job.attempts, size: job.size });
    return 'succeeded';
  } catch (error) {
    const final = finalError(error);
    if (final === undefined && job.attempts < MAX_JOB_ATTEMPTS) {
      deps.logger.warn('move job run failed; Lambda retries it', { jobId, attempt: job.attempts, error });
      throw error;
    }
    await deps.jobs.finish(job.id, { status: 'failed', error: final ?? { code: 'MoveFailed', message: 'The move failed; the original file is unchanged' } }, now);
    deps.logger.warn('move job failed', { jobId, attempt: job.attempts, error });
    return 'failed';
  }
}

/** Performs the move; the id of the moved file. */
async function moveOnce(job: MoveJob, deps: RunMoveJobDeps, now: Date): Promise<string> {
  const source = parseObjectKey(job.sourceKey);
  if (source === undefined) throw new MoveNotVerified(`job ${job.id} names no catalog key`);
  const row = await deps.files.getRow(source.folder, source.name);
  if (row.file === undefined) {
    // The original is gone: done already if an earlier run verified its copy before deleting it.
    const copied = await deps.objects.head(job.destination.key);
    if (copied !== undefined && copied.size === job.size && copied.metadata[MOVE_ID_METADATA] === job.sessionId) return fileIdOf(job.destination.key);
    throw new MoveNotVerified('The file was deleted before it could be moved');
  }
  const moved = await performMove(
    {
      file: row.file,
      destination: job.destination,
      sessionId: job.sessionId,
      size: job.size,
      ...(job.sourceEtag !== undefined ? { sourceEtag: job.sourceEtag } : {}),
      overwrite: job.overwrite,
      tags: job.tags,
      ...(job.description !== undefined ? { description: job.description } : {}),
    },
    deps,
    now,
    { resume: true },
  );
  return moved.id;
}

/** The error to record at once (a retry cannot fix it), or `undefined` for one worth retrying. */
function finalError(error: unknown): JobError | undefined {
  if (error instanceof HttpError && error.statusCode < 500) return { code: error.code, message: error.message };
  if (error instanceof MoveNotVerified) return { code: 'MoveNotVerified', message: 'The copy did not verify; the original file is unchanged' };
  return undefined;
}
