/**
 * The orders a folder listing (`GET /files?folder=`) can be read in, shared by the files
 * handler, which pages each one from its own index, and the clients that ask for one.
 * Pure values, no imports, so the browser bundle can use them.
 *
 * | sort       | read from                                   | default order               |
 * |------------|---------------------------------------------|-----------------------------|
 * | `name`     | the table (`FOLDER#` / `FILE#<name>`)       | `asc`: A to Z               |
 * | `taken`    | `byTaken` (date taken, else upload time)    | `asc`: oldest first         |
 * | `uploaded` | `byUploaded` (upload time)                  | `desc`: newest first        |
 *
 * `type=image|video|other` beside `folder` narrows any of these orders to that file type
 * (wire.ts `FileType`): pages hold that type only; in a large folder with few of them a page
 * may stop short (even empty) with a cursor, and the client pages on. `type` without
 * `folder` lists the type across folders, newest first. Cursors are bound to the order and
 * the type filter.
 *
 * Names break ties in the two date orders. A file whose date taken is unknown (not processed
 * yet, or no such metadata) sorts by date taken at its upload time.
 */
export const FOLDER_SORTS = ['name', 'taken', 'uploaded'] as const;
export type FolderSort = (typeof FOLDER_SORTS)[number];

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** The order a sort reads in when `order` is not given. */
export const DEFAULT_ORDER: Readonly<Record<FolderSort, SortOrder>> = { name: 'asc', taken: 'asc', uploaded: 'desc' };


/** A listing's page size (`limit`): what a request gets without one, and the most it may ask for. */
export interface PageLimits {
  readonly default: number;
  readonly max: number;
}

/** The page sizes of every paged listing. */
export const PAGE_LIMITS = {
  /** `GET /files` */
  files: { default: 100, max: 1000 },
  /** `GET /timeline` */
  timeline: { default: 100, max: 500 },
  /** `GET /trash` */
  trash: { default: 100, max: 500 },
  /** `GET /public/shares/{token}`: a page of an album share */
  publicShare: { default: 60, max: 200 },
} as const satisfies Readonly<Record<string, PageLimits>>;
