/**
 * `GET /files?folder=&limit=&cursor=` and `GET /files?type=image|video|other&limit=&cursor=`:
 * one page of available files — a folder's in name order (or by date taken with
 * `sort=taken`, oldest first: the `byTaken` index), or a type's newest first (the `byType`
 * index) — each with a presigned view URL and thumbnail URLs, in one response shape. Bad folder, type,
 * limit or cursor (also a cursor of the other kind of listing) is a 400 naming the parameter.
 */
import { decodeListCursor, decodeTakenCursor, decodeTypeCursor, encodeListCursor, encodeTakenCursor, encodeTypeCursor } from '../core/cursor';
import { ValidationError } from '../core/errors';
import { FILE_TYPES, type FileType } from '../core/content-types';
import { normalizeFolder, ROOT_FOLDER } from '../core/paths';
import { isFolderAllowed, type Caller } from '../core/roles';
import type { FileCatalog, TypePageStart } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import { toFileView, urlExpiry, type FileView } from './file-view';

export type { FileView } from './file-view';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface FolderListQuery {
  readonly folder: string;
  readonly limit: number;
  readonly afterName?: string;
}

export interface TakenListQuery {
  readonly folder: string;
  readonly sort: 'taken';
  readonly limit: number;
  readonly afterSortKey?: string;
}

export const SORT_ORDERS = ['name', 'taken'] as const;

export interface TypeListQuery {
  readonly fileType: FileType;
  readonly limit: number;
  readonly after?: TypePageStart;
}

export type ListQuery = FolderListQuery | TakenListQuery | TypeListQuery;

export function parseListQuery(params: Readonly<Record<string, string | undefined>> | undefined): ListQuery {
  const rawLimit = params?.limit;
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = Number(rawLimit);
  }
  const sort = params?.sort;
  if (sort !== undefined && !(SORT_ORDERS as readonly string[]).includes(sort)) throw new ValidationError('sort', `must be one of ${SORT_ORDERS.join(', ')}`);
  if (params?.type !== undefined) {
    if (sort !== undefined) throw new ValidationError('sort', 'applies to folder listings only: a type lists newest first');
    if (params.folder !== undefined) throw new ValidationError('type', 'cannot be combined with folder: list by folder or by type');
    const fileType = params.type;
    if (!(FILE_TYPES as readonly string[]).includes(fileType)) throw new ValidationError('type', `must be one of ${FILE_TYPES.join(', ')}`);
    const after = params.cursor === undefined ? undefined : decodeTypeCursor(params.cursor, fileType as FileType);
    return { fileType: fileType as FileType, limit, ...(after !== undefined ? { after } : {}) };
  }
  const folder = normalizeFolder(params?.folder ?? ROOT_FOLDER);
  if (sort === 'taken') {
    const afterSortKey = params?.cursor === undefined ? undefined : decodeTakenCursor(params.cursor, folder);
    return { folder, sort, limit, ...(afterSortKey !== undefined ? { afterSortKey } : {}) };
  }
  const afterName = params?.cursor === undefined ? undefined : decodeListCursor(params.cursor, folder);
  return { folder, limit, ...(afterName !== undefined ? { afterName } : {}) };
}

export interface ListFilesResponse {
  readonly files: readonly FileView[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface ListFilesDeps {
  readonly files: Pick<FileCatalog, 'listFolder' | 'listType' | 'listTaken'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

/**
 * One page. A caller limited to folders sees, in a type listing, only the files of its
 * folders: such a page may hold fewer than `limit` files while `nextCursor` goes on.
 */
export async function listFiles(query: ListQuery, deps: ListFilesDeps, caller?: Caller): Promise<ListFilesResponse> {
  const now = (deps.now ?? (() => new Date()))();
  const signing = { sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now };
  const urlExpiresAt = urlExpiry(signing);
  if ('fileType' in query) {
    const page = await deps.files.listType(query.fileType, { limit: query.limit, ...(query.after !== undefined ? { after: query.after } : {}) });
    const visible = caller === undefined ? page.files : page.files.filter((file) => isFolderAllowed(caller, file.folder));
    return {
      files: visible.map((file) => toFileView(file, signing, urlExpiresAt)),
      nextCursor: page.lastSortKey === undefined ? null : encodeTypeCursor(query.fileType, page.lastSortKey),
    };
  }
  if ('sort' in query) {
    const page = await deps.files.listTaken(query.folder, { limit: query.limit, ...(query.afterSortKey !== undefined ? { afterSortKey: query.afterSortKey } : {}) });
    return {
      files: page.files.map((file) => toFileView(file, signing, urlExpiresAt)),
      nextCursor: page.lastSortKey === undefined ? null : encodeTakenCursor(query.folder, page.lastSortKey),
    };
  }
  const page = await deps.files.listFolder(query.folder, { limit: query.limit, ...(query.afterName !== undefined ? { afterName: query.afterName } : {}) });
  return {
    files: page.files.map((file) => toFileView(file, signing, urlExpiresAt)),
    nextCursor: page.lastName === undefined ? null : encodeListCursor(query.folder, page.lastName),
  };
}
