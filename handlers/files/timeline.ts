/**
 * `GET /timeline/buckets` and `GET /timeline?month=YYYY-MM&limit=&cursor=`: the library as a
 * timeline, newest taken first (upload time when there is no date taken), over the folders
 * the caller may see. Buckets come from the timeline counters alone (O(folder-months), never a
 * file); a month's page from the counters (which folders hold files that month) and each of
 * those folders' `byTaken` index, merged (core/timeline.ts). Bad month, limit or cursor is a
 * 400 naming the parameter.
 */
import type { ListCursors } from '../core/cursor';
import { ValidationError } from '../core/errors';
import { isFolderAllowed, type Caller } from '../core/roles';
import { monthFolders, parseMonth, sumBuckets, type TimelineBucket, type TimelinePosition } from '../core/timeline';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import type { TimelineCounterStore } from '../adapters/timeline-counters';
import { toFileView, urlExpiry } from './file-view';
import type { ListFilesResponse } from './list-files';

export const TIMELINE_DEFAULT_LIMIT = 100;
export const TIMELINE_MAX_LIMIT = 500;

export interface TimelineQuery {
  readonly month: string;
  readonly limit: number;
  readonly after?: TimelinePosition;
}

export interface TimelineDeps {
  readonly timeline: Pick<TimelineCounterStore, 'readAll' | 'readMonth'>;
  readonly files: Pick<FileCatalog, 'listMonth'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

export function parseTimelineQuery(params: Readonly<Record<string, string | undefined>> | undefined, cursors: ListCursors, caller: Pick<Caller, 'username'>): TimelineQuery {
  const month = parseMonth(params?.month);
  let limit = TIMELINE_DEFAULT_LIMIT;
  const rawLimit = params?.limit;
  if (rawLimit !== undefined) {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > TIMELINE_MAX_LIMIT) throw new ValidationError('limit', `must be a whole number from 1 to ${TIMELINE_MAX_LIMIT}`);
    limit = Number(rawLimit);
  }
  const after = params?.cursor === undefined ? undefined : cursors.readTimelineCursor(params.cursor, caller.username, month);
  return { month, limit, ...(after !== undefined ? { after } : {}) };
}

/** The months the caller may see files of, newest first, with their counts. */
export async function timelineBuckets(caller: Caller, deps: Pick<TimelineDeps, 'timeline'>): Promise<{ buckets: TimelineBucket[] }> {
  return { buckets: sumBuckets(await deps.timeline.readAll(), (folder) => isFolderAllowed(caller, folder)) };
}

/** One page of a month. */
export async function timelinePage(query: TimelineQuery, cursors: ListCursors, caller: Caller, deps: TimelineDeps): Promise<ListFilesResponse> {
  const folders = monthFolders(await deps.timeline.readMonth(query.month), query.month, (folder) => isFolderAllowed(caller, folder));
  if (folders.size === 0) return { files: [], nextCursor: null };
  const page = await deps.files.listMonth(query.month, folders, { limit: query.limit, ...(query.after !== undefined ? { after: query.after } : {}) });
  const now = (deps.now ?? (() => new Date()))();
  const signing = { sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now };
  const urlExpiresAt = urlExpiry(signing);
  return {
    files: page.files.map((file) => toFileView(file, signing, urlExpiresAt)),
    nextCursor: page.last === undefined ? null : cursors.timelineCursor(caller.username, query.month, page.last),
  };
}
