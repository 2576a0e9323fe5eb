/**
 * One run of a bulk trash job (`{jobId, kind: 'trash'}`, invoked asynchronously by the files
 * function; handlers/files/trash-jobs.ts). Each run reads what is still to do — the folder's
 * remaining files, the entries still in the trash — so when Lambda retries a run that timed
 * out or failed (twice), the retry carries on where it stopped; items done are never redone.
 * Items are handled a few at a time; progress (`done`, `failed`) is written after each page,
 * so `GET /jobs/{id}` shows it moving. An item that fails is counted and skipped; the job ends
 * `failed` (with how many) when any did, else `succeeded`.
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
  readonly trashJobs: Pick<TrashJobStore, 'startAttempt' | 'addProgress' | 'finish'>;
  readonly logger: Logger;
  /** Items handled at once. @default 8 */
  readonly concurrency?: number;
}

type TrashRunOutcome = 'succeeded' | 'failed' | 'skipped';

/** Items per page: read, handled `concurrency` at a time, then progress written. */
const PAGE = 100;

export async function runTrashJob(jobId: string, deps: RunTrashJobDeps): Promise<TrashRunOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const job = await deps.trashJobs.startAttempt(jobId, now);
  if (job === undefined) {
    deps.logger.info('trash job already finished or unknown: nothing to do', { jobId });
    return 'skipped';
  }
  try {
    const failed = await runOnce(job, deps);
    const when = (deps.now ?? (() => new Date()))();
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

/** Does the job's work; how many items failed. */
async function runOnce(job: TrashJobRecord, deps: RunTrashJobDeps): Promise<number> {
  const caller: Caller = { username: job.owner, role: job.ownerIsAdmin ? 'admin' : 'editor' };
  if (job.action === 'delete-folder') return deleteFolderTree(job, job.folder as string, deps);
  const handle = async (entry: TrashEntry): Promise<void> => {
    if (job.action === 'restore') await restoreEntry(entry, caller, deps);
    else await purgeEntry(entry, deps);
  };
  let failed = 0;
  if (job.ids !== undefined) {
    for (let start = 0; start < job.ids.length; start += PAGE) {
      const page = job.ids.slice(start, start + PAGE);
      const entries = (await Promise.all(page.map((id) => deps.trash.get(id)))).filter((e): e is TrashEntry => e !== undefined && mayHandleEntry(caller, e));
      failed += await handlePage(job, entries, handle, deps);
    }
    return failed;
  }
  // Every entry the owner may handle, newest first; handled ones leave the trash, failed ones are stepped over.
  let afterId: string | undefined;
  for (;;) {
    const page = await deps.trash.list({ limit: PAGE, ...(afterId !== undefined ? { afterId } : {}), keep: (entry) => mayHandleEntry(caller, entry) });
    failed += await handlePage(job, page.entries, handle, deps);
    if (page.lastId === undefined) return failed;
    afterId = page.lastId;
  }
}

/** The folder's files to the trash, its subfolders' first (depth first), then the emptied folders' markers. */
async function deleteFolderTree(job: TrashJobRecord, folder: string, deps: RunTrashJobDeps): Promise<number> {
  let failed = 0;
  for (const child of await deps.folders.listChildren(folder)) failed += await deleteFolderTree(job, childPath(folder, child), deps);
  let afterName: string | undefined;
  for (;;) {
    const page = await deps.files.listFolder(folder, { limit: PAGE, ...(afterName !== undefined ? { afterName } : {}) });
    failed += await handlePage(
      job,
      page.files,
      async (file) => {
        await moveToTrash({ folder: file.folder, name: file.name, key: file.key }, job.owner, deps, { deletedWithFolder: job.folder as string });
      },
      deps,
    );
    if (page.lastName === undefined) break;
    afterName = page.lastName;
  }
  if (!(await deps.folders.hasContent(folder))) await deps.folders.remove(folder);
  return failed;
}

/** Handles a page `concurrency` at a time and records the progress; how many failed. */
async function handlePage<T>(job: TrashJobRecord, items: readonly T[], handle: (item: T) => Promise<void>, deps: RunTrashJobDeps): Promise<number> {
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
  return failed;
}
