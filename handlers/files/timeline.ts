/**
 * `GET /timeline/buckets` and `GET /timeline?month=YYYY-MM&limit=&cursor=`: the library as a
 * timeline, newest taken first (upload time when there is no date taken), over the folders
 * the caller may see. Buckets come from the timeline counters alone (O(folder-months), never a
 * file); a month's page from the counters (which folders hold files that month) and each of
 * those folders' `byTaken` index, merged (core/timeline.ts). Bad month, limit or cursor is a
 * 400 naming the parameter.
 */
import { PAGE_LIMITS } from '../../contract/listing';
import type { ListCursors } from '../core/cursor';
import { parsePageLimit } from '../core/page-limit';
import { isFolderAllowed, type Caller } from '../core/roles';
import { monthFolders, parseMonth, sumBuckets, type TimelineBucket, type TimelinePosition } from '../core/timeline';
import type { FileCatalog } from '../adapters/files-repository';
import type { TimelineCounterStore } from '../adapters/timeline-counters';
import { filePage, type FilePageDeps, type FileViewPage } from './file-view';

interface TimelineQuery {
  readonly month: string;
  readonly limit: number;
  readonly after?: TimelinePosition;
}

export interface TimelineDeps extends FilePageDeps {
  readonly timeline: Pick<TimelineCounterStore, 'readAll' | 'readMonth'>;
  readonly files: Pick<FileCatalog, 'listMonth'>;
}

export function parseTimelineQuery(params: Readonly<Record<string, string | undefined>> | undefined, cursors: ListCursors, caller: Pick<Caller, 'username'>): TimelineQuery {
  const month = parseMonth(params?.month);
  const limit = parsePageLimit(params?.limit, PAGE_LIMITS.timeline);
  const after = params?.cursor === undefined ? undefined : cursors.readTimelineCursor(params.cursor, caller.username, month);
  return { month, limit, ...(after !== undefined ? { after } : {}) };
}

/** The months the caller may see files of, newest first, with their counts. */
export async function timelineBuckets(caller: Caller, deps: Pick<TimelineDeps, 'timeline'>): Promise<{ buckets: TimelineBucket[] }> {
  return { buckets: sumBuckets(await deps.timeline.readAll(), (folder) => isFolderAllowed(caller, folder)) };
}

/** One page of a month. */
export async function timelinePage(query: TimelineQuery, cursors: ListCursors, caller: Caller, deps: TimelineDeps): Promise<FileViewPage> {
  const folders = monthFolders(await deps.timeline.readMonth(query.month), query.month, (folder) => isFolderAllowed(caller, folder));
  if (folders.size === 0) return { files: [], nextCursor: null };
  const page = await deps.files.listMonth(query.month, folders, { limit: query.limit, ...(query.after !== undefined ? { after: query.after } : {}) });
  return filePage(page.files, page.last === undefined ? null : cursors.timelineCursor(caller.username, query.month, page.last), deps);
}
