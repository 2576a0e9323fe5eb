/**
 * Background jobs: the move of a file too large to copy within an API request. A job is
 * recorded by the files function, run by the move function (invoked asynchronously, so
 * Lambda retries it), and read back with `GET /jobs/{id}`. Pure types and rules.
 */
export const JOB_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** How long a finished or abandoned job stays readable. */
export const JOB_TTL_SECONDS = 7 * 24 * 3600;
/** Runs of one job (Lambda's first try and its two retries): the last failure is final. */
export const MAX_JOB_ATTEMPTS = 3;

export interface JobError {
  readonly code: string;
  readonly message: string;
}

/** What every job has, whatever its kind. */
export interface JobFields<Kind extends string> {
  readonly id: string;
  readonly kind: Kind;
  /** Username of who asked: only they (and admins) may read the job. */
  readonly owner: string;
  readonly status: JobStatus;
  /** Runs started so far. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly error?: JobError;
}

/** Everything the move function needs to run the move again, identically, on a retry. */
export interface MoveJob extends JobFields<'move'> {
  readonly sourceKey: string;
  /** ETag and size of the source when the move was asked for: a changed source is not moved. */
  readonly sourceEtag?: string;
  readonly size: number;
  readonly destination: { readonly folder: string; readonly name: string; readonly key: string };
  /** The move's upload session (written with the job), whose id the copy carries as `x-amz-meta-move-id`. */
  readonly sessionId: string;
  readonly overwrite: boolean;
  readonly tags: readonly string[];
  readonly description?: string;
  /** Id of the moved file, once succeeded. */
  readonly fileId?: string;
}

/** What `GET /jobs/{id}` and a 202 from `PATCH /files/{id}` show. */
export interface JobView {
  readonly id: string;
  readonly kind: 'move';
  readonly status: JobStatus;
  readonly destination: { readonly folder: string; readonly name: string };
  readonly size: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The moved file's id, once succeeded. */
  readonly fileId?: string;
  readonly error?: JobError;
}

export function jobView(job: MoveJob): JobView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    destination: { folder: job.destination.folder, name: job.destination.name },
    size: job.size,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.fileId !== undefined ? { fileId: job.fileId } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

export const isFinished = (status: JobStatus): boolean => status === 'succeeded' || status === 'failed';
