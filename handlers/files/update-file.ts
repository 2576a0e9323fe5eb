/**
 * `PATCH /files/{id}` `{name?, folder?, tags?, description?, overwrite?}`.
 *
 * Tags and description change the catalog row only. A new name or folder moves the object:
 * copy to the new key, check the copy, then delete the old key — so a failure at any step
 * leaves the original in place (a failed delete leaves both, never neither). A file already
 * at the new key is a 409 unless `overwrite: true`.
 *
 * How the catalog follows: the copy and the delete reach the sync function as S3 events like
 * any other (see move-file.ts). A file larger than `moveJobThresholdBytes` is not copied in
 * the request (API Gateway gives up after 30 s): the checks run and the session is written
 * here, then a job is recorded and the move function started asynchronously; the answer is
 * 202 `{job}`, followed with `GET /jobs/{id}`.
 */
import { randomBytes } from 'node:crypto';
import { NotFound, ValidationError } from '../core/errors';
import { parseDescription, parseTags } from '../core/file-details';
import { jobView, type JobView, type MoveJob } from '../core/jobs';
import { normalizeFileName, normalizeFolder, objectKey } from '../core/paths';
import { assertFolderAllowed, requirePermission, type Caller } from '../core/roles';
import type { Logger } from '../core/logger';
import type { FileCatalog } from '../adapters/files-repository';
import type { JobInvoker } from '../adapters/job-invoker';
import type { JobStore } from '../adapters/jobs-repository';
import type { ObjectStore } from '../adapters/object-store';
import type { MoveSessionStore, UploadSessionStore } from '../adapters/uploads-repository';
import { locateFile, toFileView, type FileView } from './file-view';
import { performMove, prepareMove, type MoveDeps, type PrepareMoveDeps, type PreparedMove } from './move-file';

export { MOVE_ID_METADATA, MOVE_SESSION_TTL_SECONDS, MoveNotVerified } from './move-file';

const FIELDS = new Set(['name', 'folder', 'tags', 'description', 'overwrite']);

interface UpdateFileRequest {
  readonly name?: string;
  readonly folder?: string;
  readonly tags?: readonly string[];
  /** `null` (or `""`) removes the description. */
  readonly description?: string | null;
  readonly overwrite: boolean;
}

export function parseUpdateRequest(body: unknown): UpdateFileRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((f) => !FIELDS.has(f));
  if (unknown.length > 0) throw new ValidationError(unknown[0] as string, `is not a known field (expected ${[...FIELDS].join(', ')})`);
  if (fields.overwrite !== undefined && typeof fields.overwrite !== 'boolean') throw new ValidationError('overwrite', 'must be true or false');
  const request: UpdateFileRequest = {
    ...(fields.name !== undefined ? { name: normalizeFileName(fields.name, 'name') } : {}),
    ...(fields.folder !== undefined ? { folder: normalizeFolder(fields.folder) } : {}),
    ...(fields.tags !== undefined ? { tags: parseTags(fields.tags) } : {}),
    ...(fields.description !== undefined ? { description: fields.description === null ? null : (parseDescription(fields.description) ?? null) } : {}),
    overwrite: fields.overwrite === true,
  };
  if (request.name === undefined && request.folder === undefined && request.tags === undefined && request.description === undefined) {
    throw new ValidationError('body', 'names nothing to change (expected name, folder, tags or description)');
  }
  return request;
}

export interface UpdateFileDeps extends Omit<MoveDeps, 'uploads'>, Omit<PrepareMoveDeps, 'uploads'> {
  readonly files: Pick<FileCatalog, 'getRow' | 'updateDetails' | 'previewFile' | 'previewTombstone'>;
  readonly objects: Pick<ObjectStore, 'head' | 'copy' | 'delete' | 'urlSigner'>;
  readonly uploads: Pick<UploadSessionStore, 'create' | 'get'> & MoveSessionStore;
  readonly jobs: Pick<JobStore, 'create'>;
  readonly jobInvoker: JobInvoker;
  /** Moves of larger files run as jobs. */
  readonly moveJobThresholdBytes: number;
  readonly viewUrlTtlSeconds: number;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
  /** @default 128 random bits, base64url */
  readonly newJobId?: () => string;
}

/** A change applied at once (the file as it now is), or a move that runs as a job. */
type UpdateFileResult = { readonly file: FileView } | { readonly job: JobView };

export async function updateFile(id: string | undefined, request: UpdateFileRequest, caller: Caller, deps: UpdateFileDeps): Promise<UpdateFileResult> {
  requirePermission(caller, 'write', 'change files');
  const source = locateFile(id);
  assertFolderAllowed(caller, source.folder, 'change files in');
  const now = (deps.now ?? (() => new Date()))();
  const row = await deps.files.getRow(source.folder, source.name);
  if (row.file === undefined) throw new NotFound('No such file');
  const destination = { folder: request.folder ?? source.folder, name: request.name ?? source.name };
  const destinationKey = objectKey(destination, request.name !== undefined ? 'name' : 'folder');
  const signing = async () => ({ sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now });

  if (destinationKey === source.key) {
    const details = { ...(request.tags !== undefined ? { tags: request.tags } : {}), ...(request.description !== undefined ? { description: request.description } : {}) };
    if (Object.keys(details).length > 0 && !(await deps.files.updateDetails(source.folder, source.name, details))) throw new NotFound('No such file');
    const updated = await deps.files.getRow(source.folder, source.name);
    if (updated.file === undefined) throw new NotFound('No such file');
    return { file: toFileView(updated.file, await signing()) };
  }

  assertFolderAllowed(caller, destination.folder, 'move files to');
  const prepared = await prepareMove(row.file, { ...destination, key: destinationKey }, request, deps, now);
  if (prepared.size > deps.moveJobThresholdBytes) return { job: jobView(await startMoveJob(prepared, caller, deps, now)) };
  const moved = await performMove(prepared, deps, now);
  return { file: toFileView(moved, await signing()) };
}

/** Records the job, then starts the move function; a job that could not be started is marked failed. */
async function startMoveJob(move: PreparedMove, caller: Caller, deps: UpdateFileDeps, now: Date): Promise<MoveJob> {
  const job: MoveJob = {
    id: (deps.newJobId ?? (() => randomBytes(16).toString('base64url')))(),
    kind: 'move',
    owner: caller.username,
    status: 'pending',
    attempts: 0,
    sourceKey: move.file.key,
    ...(move.sourceEtag !== undefined ? { sourceEtag: move.sourceEtag } : {}),
    size: move.size,
    destination: move.destination,
    sessionId: move.sessionId,
    overwrite: move.overwrite,
    tags: move.tags,
    ...(move.description !== undefined ? { description: move.description } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.jobs.create(job);
  await deps.jobInvoker.start(job.id);
  deps.logger.info('move job started', { jobId: job.id, size: job.size });
  return job;
}
