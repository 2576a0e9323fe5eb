/**
 * The trash, decided without I/O (docs/api.md "Trash"). A deleted file's bytes are copied to
 * `trash/<entry id>` before the original is deleted, and its row is kept whole in a trash
 * entry, so a restore copies the very bytes back (same SHA-256) with the very row (tags,
 * description, uploader, upload time; processing finds the date taken again and remakes the
 * derived images and video copies). The bucket's lifecycle deletes `trash/` objects after
 * `trash_retention_days`; the entry's `ttl` ends with it.
 */
import { randomBytes } from 'node:crypto';
import { TRASH_PREFIX } from '../../contract/bucket';
import type { TrashEntry as TrashEntryView, TrashJob as TrashJobView } from '../../contract/wire';
import type { CatalogFile } from './catalog';
import type { JobFields } from './jobs';
import { objectKey } from './paths';
import type { Caller } from './roles';

/** A trash entry as stored: the file's row when it was deleted, and where its bytes wait. */
export interface TrashEntry extends Pick<TrashEntryView, 'id' | 'deletedBy' | 'deletedAt' | 'expiresAt' | 'deletedWithFolder'> {
  /** The row as it was (without its sequencer): what a restore brings back. */
  readonly file: Omit<CatalogFile, 'sequencer'>;
  /** `trash/<id>`. */
  readonly trashKey: string;
}

/** Entry ids: the deletion time (base 36 milliseconds, fixed width) then 12 random characters, so ids sort by time. */
const ENTRY_ID = /^[0-9a-z]{9}[A-Za-z0-9_-]{12}$/;

function newTrashEntryId(now: Date, random: () => string = () => randomBytes(9).toString('base64url')): string {
  return `${now.getTime().toString(36).padStart(9, '0')}${random()}`;
}

export const isTrashEntryId = (id: unknown): id is string => typeof id === 'string' && ENTRY_ID.test(id);

const trashKeyOf = (entryId: string): string => `${TRASH_PREFIX}${entryId}`;

export function trashEntryOf(file: CatalogFile, deletedBy: string, now: Date, retentionDays: number, options: { id?: string; deletedWithFolder?: string } = {}): TrashEntry {
  const id = options.id ?? newTrashEntryId(now);
  const { sequencer: _sequencer, ...row } = file;
  return {
    id,
    file: row,
    trashKey: trashKeyOf(id),
    deletedBy,
    deletedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionDays * 24 * 3600 * 1000).toISOString(),
    ...(options.deletedWithFolder !== undefined ? { deletedWithFolder: options.deletedWithFolder } : {}),
  };
}

/** Whose entry it is: its uploader, who deleted it, and admins may see, restore and delete it forever. */
export const mayHandleEntry = (caller: Caller, entry: Pick<TrashEntry, 'file' | 'deletedBy'>): boolean =>
  caller.role === 'admin' || entry.file.uploadedBy === caller.username || entry.deletedBy === caller.username;

export function trashEntryView(entry: TrashEntry): TrashEntryView {
  return {
    id: entry.id,
    folder: entry.file.folder,
    name: entry.file.name,
    size: entry.file.size,
    contentType: entry.file.contentType,
    fileType: entry.file.fileType,
    uploadedBy: entry.file.uploadedBy,
    deletedBy: entry.deletedBy,
    deletedAt: entry.deletedAt,
    expiresAt: entry.expiresAt,
    ...(entry.deletedWithFolder !== undefined ? { deletedWithFolder: entry.deletedWithFolder } : {}),
  };
}

/** Names tried beside a taken place before giving up: `a (restored).jpg`, `a (restored 2).jpg`, … */
export const MAX_RESTORE_NAME_TRIES = 50;

/** The `attempt`-th name for a restore (0: the file's own name). */
function restoreName(name: string, attempt: number): string {
  if (attempt === 0) return name;
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${stem} (restored${attempt === 1 ? '' : ` ${attempt}`})${extension}`;
}

/** Where the `attempt`-th restore name puts the file, or `undefined` when that name is not a valid key. */
export function restorePlace(entry: TrashEntry, attempt: number): { folder: string; name: string; key: string } | undefined {
  const name = restoreName(entry.file.name, attempt);
  try {
    return { folder: entry.file.folder, name, key: objectKey({ folder: entry.file.folder, name }) };
  } catch {
    return undefined;
  }
}

// --- bulk jobs ---------------------------------------------------------------------------

export type TrashJobAction = TrashJobView['action'];

/**
 * A bulk trash job as stored (`JOB#<id>`, kind `trash`), run by the move function. Each run
 * reads what is still to do (the folder's remaining files, the remaining entries), so a run
 * that Lambda retries after a timeout or a failure carries on where the last one stopped.
 */
export interface TrashJobRecord extends JobFields<'trash'> {
  readonly action: TrashJobAction;
  /** Whether who asked was an admin then: their `all` covers everyone's entries. */
  readonly ownerIsAdmin: boolean;
  /** `delete-folder`: the folder (with everything in it). */
  readonly folder?: string;
  /** `restore`/`purge` of chosen entries; absent: every entry the owner may handle. */
  readonly ids?: readonly string[];
  readonly done: number;
  readonly failed: number;
}

export function trashJobView(job: TrashJobRecord): TrashJobView {
  return {
    id: job.id,
    kind: 'trash',
    action: job.action,
    status: job.status,
    ...(job.folder !== undefined ? { folder: job.folder } : {}),
    done: job.done,
    failed: job.failed,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

/** Most ids one `POST /trash/jobs` may name (the rest: `all`). */
export const MAX_TRASH_JOB_IDS = 1000;
