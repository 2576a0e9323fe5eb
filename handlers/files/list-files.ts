/**
 * `GET /files?folder=&sort=&order=&type=&limit=&cursor=` and `GET /files?type=image|video|other&limit=&cursor=`:
 * one page of available files — a folder's by name (the default), date taken (`sort=taken`,
 * the `byTaken` index) or upload time (`sort=uploaded`, the `byUploaded` index), each either
 * way (`order=asc|desc`, defaults in contract/listing.ts), all of them or of one `type`; or,
 * without `folder`, a type's newest first across folders (the `byType` index) — each with a
 * presigned view URL and thumbnail URLs, in one response shape.
 * A type-filtered folder page is filled with that type, but stops after a bounded number of
 * DynamoDB queries with what it found and a cursor (see FilesRepository), so a huge folder
 * with few matches never runs past the function's timeout.
 * Bad folder, type, sort, order or limit is a 400 naming the parameter; a cursor that is not
 * one this listing handed to this caller (another folder, type, type filter, order, kind of
 * listing or user, tampered, garbage) is a 400 `InvalidCursor`.
 */
import { DEFAULT_ORDER, FOLDER_SORTS, PAGE_LIMITS, SORT_ORDERS, type FolderSort, type SortOrder } from '../../contract/listing';
import type { ListCursors } from '../core/cursor';
import { ValidationError } from '../core/errors';
import { parsePageLimit } from '../core/page-limit';
import { FILE_TYPES, type FileType } from '../core/content-types';
import { normalizeFolder, ROOT_FOLDER } from '../core/paths';
import { isFolderAllowed, type Caller } from '../core/roles';
import type { DateSort, FileCatalog, TypePageStart } from '../adapters/files-repository';
import { filePage, type FilePageDeps, type FileViewPage } from './file-view';

/** A folder in name order; `order` only when it is Z to A; `fileType` only when filtered. */
interface FolderListQuery {
  readonly folder: string;
  readonly limit: number;
  readonly afterName?: string;
  readonly order?: 'desc';
  readonly fileType?: FileType;
}

/** A folder by date taken or upload time; `fileType` only when filtered. */
interface DateListQuery {
  readonly folder: string;
  readonly sort: DateSort;
  readonly order: SortOrder;
  readonly limit: number;
  readonly afterSortKey?: string;
  readonly fileType?: FileType;
}

interface TypeListQuery {
  readonly fileType: FileType;
  readonly limit: number;
  readonly after?: TypePageStart;
}

type ListQuery = FolderListQuery | DateListQuery | TypeListQuery;

const isTypeQuery = (query: ListQuery): query is TypeListQuery => !('folder' in query);

/** Reads the query; `cursors` and `caller` open the cursor (issued to that caller only). */
export function parseListQuery(params: Readonly<Record<string, string | undefined>> | undefined, cursors: ListCursors, caller: Pick<Caller, 'username'>): ListQuery {
  const limit = parsePageLimit(params?.limit, PAGE_LIMITS.files);
  const sort = params?.sort;
  if (sort !== undefined && !(FOLDER_SORTS as readonly string[]).includes(sort)) throw new ValidationError('sort', `must be one of ${FOLDER_SORTS.join(', ')}`);
  const order = params?.order;
  if (order !== undefined && !(SORT_ORDERS as readonly string[]).includes(order)) throw new ValidationError('order', `must be one of ${SORT_ORDERS.join(', ')}`);
  const rawType = params?.type;
  if (rawType !== undefined && !(FILE_TYPES as readonly string[]).includes(rawType)) throw new ValidationError('type', `must be one of ${FILE_TYPES.join(', ')}`);
  const fileType = rawType as FileType | undefined;
  if (fileType !== undefined && params?.folder === undefined) {
    if (sort !== undefined) throw new ValidationError('sort', 'applies to folder listings only: a type across folders lists newest first');
    if (order !== undefined) throw new ValidationError('order', 'applies to folder listings only: a type across folders lists newest first');
    const after = params?.cursor === undefined ? undefined : cursors.readTypeCursor(params.cursor, caller.username, fileType);
    return { fileType, limit, ...(after !== undefined ? { after } : {}) };
  }
  const folder = normalizeFolder(params?.folder ?? ROOT_FOLDER, 'folder', 'stored');
  const folderSort = (sort ?? 'name') as FolderSort;
  const direction = (order ?? DEFAULT_ORDER[folderSort]) as SortOrder;
  const after = params?.cursor === undefined ? undefined : cursors.readSortCursor(params.cursor, caller.username, folder, folderSort, direction, fileType);
  const filter = fileType !== undefined ? { fileType } : {};
  if (folderSort !== 'name') return { folder, sort: folderSort, order: direction, limit, ...filter, ...(after !== undefined ? { afterSortKey: after } : {}) };
  return { folder, limit, ...filter, ...(after !== undefined ? { afterName: after } : {}), ...(direction === 'desc' ? { order: direction } : {}) };
}

export interface ListFilesDeps extends FilePageDeps {
  readonly files: Pick<FileCatalog, 'listFolder' | 'listType' | 'listByDate'>;
}

/**
 * One page. A caller limited to folders sees, in a type listing, only the files of its
 * folders: hidden files are skipped while the page is filled, so the cursor always names a
 * file the caller sees, and a next page is offered only when it holds one.
 */
export async function listFiles(query: ListQuery, cursors: ListCursors, caller: Caller, deps: ListFilesDeps): Promise<FileViewPage> {
  if (isTypeQuery(query)) {
    const page = await deps.files.listType(query.fileType, {
      limit: query.limit,
      ...(query.after !== undefined ? { after: query.after } : {}),
      visible: (file) => isFolderAllowed(caller, file.folder),
    });
    return filePage(page.files, page.lastSortKey === undefined ? null : cursors.typeCursor(caller.username, query.fileType, page.lastSortKey), deps);
  }
  if ('sort' in query) {
    const page = await deps.files.listByDate(query.folder, query.sort, {
      limit: query.limit,
      order: query.order,
      ...(query.afterSortKey !== undefined ? { afterSortKey: query.afterSortKey } : {}),
      ...(query.fileType !== undefined ? { fileType: query.fileType } : {}),
    });
    return filePage(page.files, page.lastSortKey === undefined ? null : cursors.sortCursor(caller.username, query.folder, query.sort, query.order, page.lastSortKey, query.fileType), deps);
  }
  const page = await deps.files.listFolder(query.folder, {
    limit: query.limit,
    ...(query.afterName !== undefined ? { afterName: query.afterName } : {}),
    ...(query.order !== undefined ? { order: query.order } : {}),
    ...(query.fileType !== undefined ? { fileType: query.fileType } : {}),
  });
  return filePage(page.files, page.lastName === undefined ? null : cursors.sortCursor(caller.username, query.folder, 'name', query.order ?? DEFAULT_ORDER.name, page.lastName, query.fileType), deps);
}
