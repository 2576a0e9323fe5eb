/**
 * One run of a bulk trash job (`{jobId, kind: 'trash'}`, invoked asynchronously by the files
 * function; handlers/files/trash-jobs.ts). Each run reads what is still to do — the folder's
 * remaining files, the entries still in the trash — so when Lambda retries a run that timed
 * out or failed (twice), the retry carries on where it stopped; items done are never redone.
 * Items are handled a few at a time; progress (`done`, `failed`) is written after each page,
 * so `GET /jobs/{id}` shows it moving. An item that fails is counted and skipped; the job ends
 * `failed` (with how many) when any did, else `succeeded`.
 *
 * A job longer than one run (10,000 items where each takes a fraction of a second, or a slow
 * machine) is handed over: a run stops starting pages `HAND_OVER_MARGIN_MS` before its timeout
 * and invokes the next run itself, with its attempts counted afresh — so Lambda's two retries
 * stay for failures, instead of a long job ending `failed` after its third timeout. Each run
 * re-reads what is left, so the last run sees (and counts) every item still failing.
 */
import { childPath } from '../core/folders';
import { MAX_JOB_ATTEMPTS } from '../core/jobs';
import type { Logger } from '../core/logger';
import type { Caller } from '../core/roles';
import { mayHandleEntry, type TrashEntry, type TrashJobRecord } from '../core/trash';
import type { FileCatalog } from '../adapters/files-repository';
import type { FolderCatalog } from '../adapters/folders-repository';
import type { TrashJobStore } from '../adapters/trash-jobs-repository';
import { moveToTrash, purgeEntry, restoreEntry, type TrashDeps } from '../files/trash';

export interface RunTrashJobDeps extends TrashDeps {
  readonly files: TrashDeps['files'] & Pick<FileCatalog, 'listFolder'>;
  readonly folders: Pick<FolderCatalog, 'listChildren' | 'hasContent' | 'remove'>;
  readonly trashJobs: Pick<TrashJobStore, 'startAttempt' | 'addProgress' | 'finish' | 'handOver'>;
  readonly logger: Logger;
  /** Items handled at once. @default 8 */
  readonly concurrency?: number;
  /** The run's remaining time (Lambda's `getRemainingTimeInMillis`); without it a run never hands over. */
  readonly remainingMs?: () => number;
  /** Starts the job's next run (an asynchronous invocation of this function); without it a run never hands over. */
  readonly startNextRun?: (jobId: string) => Promise<void>;
}

export type TrashRunOutcome = 'succeeded' | 'failed' | 'skipped' | 'handed-over';

/** Items per page: read, handled `concurrency` at a time, then progress written. */
const PAGE = 100;

/**
 * A run starts no page with less than this left: a page of 100 items at 8 at once takes a few
 * seconds on AWS and up to ~30 s on a busy local stack, then the hand-over's two calls.
 */
export const HAND_OVER_MARGIN_MS = 120_000;

/** What a run did: items that failed, and whether it stopped for the next run to go on. */
interface RunResult {
  failed: number;
  handled: number;
  handOver: boolean;
}

export async function runTrashJob(jobId: string, deps: RunTrashJobDeps): Promise<TrashRunOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const job = await deps.trashJobs.startAttempt(jobId, now);
  if (job === undefined) {
    deps.logger.info('trash job already finished or unknown: nothing to do', { jobId });
    return 'skipped';
  }
  try {
    const run: RunResult = { failed: 0, handled: 0, handOver: false };
    await runOnce(job, run, deps);
    const when = (deps.now ?? (() => new Date()))();
    if (run.handOver && deps.startNextRun) {
      // Counted afresh by the next run; if starting it fails, Lambda retries this run, which carries on the same.
      await deps.trashJobs.handOver(job.id, when);
      await deps.startNextRun(job.id);
      deps.logger.info('trash job handed over to its next run', { jobId, action: job.action, handled: run.handled });
      return 'handed-over';
    }
    const { failed } = run;
    if (failed > 0) {
      await deps.trashJobs.finish(job.id, { status: 'failed', error: { code: 'SomeItemsFailed', message: `${failed} item(s) could not be handled; they are where they were` } }, when);
      return 'failed';
    }
    await deps.trashJobs.finish(job.id, { status: 'succeeded' }, when);
    deps.logger.info('trash job succeeded', { jobId, action: job.action, attempt: job.attempts });
    return 'succeeded';
  } catch (error) {
    if (job.attempts < MAX_JOB_ATTEMPTS) {
      deps.logger.warn('trash job run failed; Lambda retries it', { jobId, attempt: job.attempts, error });
      throw error;
    }
    await deps.trashJobs.finish(job.id, { status: 'failed', error: { code: 'TrashJobFailed', message: 'The job stopped; what it did so far stays done' } }, new Date());
    deps.logger.warn('trash job failed', { jobId, attempt: job.attempts, error });
    return 'failed';
  }
}

/** Whether this run should stop starting pages and hand over: time is short, and it did something (so runs make progress). */
const timeToHandOver = (run: RunResult, deps: RunTrashJobDeps): boolean => {
  if (run.handOver) return true;
  run.handOver = deps.startNextRun !== undefined && deps.remainingMs !== undefined && run.handled > 0 && deps.remainingMs() < HAND_OVER_MARGIN_MS;
  return run.handOver;
};

/** Does the job's work, or as much of it as this run has time for, into `run`. */
async function runOnce(job: TrashJobRecord, run: RunResult, deps: RunTrashJobDeps): Promise<void> {
  const caller: Caller = { username: job.owner, role: job.ownerIsAdmin ? 'admin' : 'editor' };
  if (job.action === 'delete-folder') return deleteFolderTree(job, job.folder as string, run, deps);
  const handle = async (entry: TrashEntry): Promise<void> => {
    if (job.action === 'restore') await restoreEntry(entry, caller, deps);
    else await purgeEntry(entry, deps);
  };
  if (job.ids !== undefined) {
    for (let start = 0; start < job.ids.length; start += PAGE) {
      if (timeToHandOver(run, deps)) return;
      const page = job.ids.slice(start, start + PAGE);
      const entries = (await Promise.all(page.map((id) => deps.trash.get(id)))).filter((e): e is TrashEntry => e !== undefined && mayHandleEntry(caller, e));
      await handlePage(job, entries, handle, run, deps);
    }
    return;
  }
  // Every entry the owner may handle, newest first; handled ones leave the trash, failed ones are stepped over.
  let afterId: string | undefined;
  for (;;) {
    if (timeToHandOver(run, deps)) return;
    const page = await deps.trash.list({ limit: PAGE, ...(afterId !== undefined ? { afterId } : {}), keep: (entry) => mayHandleEntry(caller, entry) });
    await handlePage(job, page.entries, handle, run, deps);
    if (page.lastId === undefined) return;
    afterId = page.lastId;
  }
}

/** The folder's files to the trash, its subfolders' first (depth first), then the emptied folders' markers. */
async function deleteFolderTree(job: TrashJobRecord, folder: string, run: RunResult, deps: RunTrashJobDeps): Promise<void> {
  for (const child of await deps.folders.listChildren(folder)) {
    await deleteFolderTree(job, childPath(folder, child), run, deps);
    if (run.handOver) return;
  }
  let afterName: string | undefined;
  for (;;) {
    if (timeToHandOver(run, deps)) return;
    const page = await deps.files.listFolder(folder, { limit: PAGE, ...(afterName !== undefined ? { afterName } : {}) });
    await handlePage(
      job,
      page.files,
      async (file) => {
        await moveToTrash({ folder: file.folder, name: file.name, key: file.key }, job.owner, deps, { deletedWithFolder: job.folder as string });
      },
      run,
      deps,
    );
    if (page.lastName === undefined) break;
    afterName = page.lastName;
  }
  if (!(await deps.folders.hasContent(folder))) await deps.folders.remove(folder);
}

/** Handles a page `concurrency` at a time and records the progress, counting into `run`. */
async function handlePage<T>(job: TrashJobRecord, items: readonly T[], handle: (item: T) => Promise<void>, run: RunResult, deps: RunTrashJobDeps): Promise<void> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await handle(item);
        done += 1;
      } catch (error) {
        failed += 1;
        deps.logger.warn('trash job item failed', { jobId: job.id, action: job.action, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 8, items.length) }, worker));
  await deps.trashJobs.addProgress(job.id, done, failed, new Date());
  run.failed += failed;
  run.handled += done + failed;
}
