/**
 * Bulk trash work as jobs (`POST /trash/jobs`, `DELETE /folders?recursive=true`): recorded here,
 * run by the move function (handlers/move/run-trash-job.ts), followed with `GET /jobs/{id}`.
 * A request never walks 10,000 files itself: it answers 202 at once.
 */
import { randomBytes } from 'node:crypto';
import { Forbidden, NotFound, ValidationError } from '../core/errors';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import { isTrashEntryId, MAX_TRASH_JOB_IDS, trashJobView, type TrashJobAction, type TrashJobRecord } from '../core/trash';
import type { FolderCatalog } from '../adapters/folders-repository';
import type { JobInvoker } from '../adapters/job-invoker';
import type { TrashJobStore } from '../adapters/trash-jobs-repository';
import type { TrashJob } from '../../contract/wire';

export interface TrashJobsDeps {
  readonly trashJobs: Pick<TrashJobStore, 'create'>;
  readonly jobInvoker: JobInvoker;
  /** @default the clock */
  readonly now?: () => Date;
}

interface TrashJobRequest {
  readonly action: 'restore' | 'purge';
  readonly ids?: readonly string[];
}

export function parseTrashJobRequest(body: unknown): TrashJobRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object like {"action": "restore", "all": true} or {"action": "purge", "ids": ["…"]}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => !['action', 'ids', 'all'].includes(f));
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected action, ids or all)');
  if (fields.action !== 'restore' && fields.action !== 'purge') throw new ValidationError('action', 'must be "restore" or "purge"');
  if (fields.all !== undefined && fields.all !== true) throw new ValidationError('all', 'must be true when given');
  if ((fields.all === true) === (fields.ids !== undefined)) throw new ValidationError('ids', 'give either ids (up to 1000 entry ids) or "all": true');
  if (fields.all === true) return { action: fields.action };
  const ids = fields.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_TRASH_JOB_IDS) throw new ValidationError('ids', `must be a list of 1 to ${MAX_TRASH_JOB_IDS} trash entry ids`);
  const bad = ids.findIndex((id) => !isTrashEntryId(id));
  if (bad >= 0) throw new ValidationError(`ids[${bad}]`, 'is not a trash entry id');
  return { action: fields.action, ids: [...new Set(ids as string[])] };
}

export async function startTrashJob(request: TrashJobRequest, caller: Caller, deps: TrashJobsDeps): Promise<{ job: TrashJob }> {
  requirePermission(caller, 'write', `${request.action} files in the trash`);
  if (request.action === 'purge' && request.ids === undefined && caller.role !== 'admin') throw new Forbidden('Only admins may empty the trash; delete your own files forever by id');
  return { job: trashJobView(await createJob(request.action, caller, deps, { ...(request.ids !== undefined ? { ids: request.ids } : {}) })) };
}

/**
 * `DELETE /folders?path=&recursive=true` of a folder with files or subfolders: a job moving
 * everything in it to the trash, then removing the emptied folders.
 */
export async function startFolderDelete(
  path: string,
  caller: Caller,
  deps: TrashJobsDeps & { readonly folders: Pick<FolderCatalog, 'exists'> },
): Promise<{ job: TrashJob }> {
  requirePermission(caller, 'write', 'delete folders');
  assertFolderAllowed(caller, path, 'delete');
  if (!(await deps.folders.exists(path))) throw new NotFound(`Folder ${path} does not exist`);
  return { job: trashJobView(await createJob('delete-folder', caller, deps, { folder: path })) };
}

async function createJob(action: TrashJobAction, caller: Caller, deps: TrashJobsDeps, scope: { folder?: string; ids?: readonly string[] }): Promise<TrashJobRecord> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const job: TrashJobRecord = {
    id: randomBytes(16).toString('base64url'),
    kind: 'trash',
    action,
    owner: caller.username,
    ownerIsAdmin: caller.role === 'admin',
    status: 'pending',
    attempts: 0,
    ...scope,
    done: 0,
    failed: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.trashJobs.create(job);
  await deps.jobInvoker.start(job.id, 'trash');
  return job;
}
