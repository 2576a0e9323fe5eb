/**
 * Pagination cursors for folder listings (by name, date taken or upload time, either way,
 * all files or one type) and type listings. A cursor is opaque and authenticated: AES-256-GCM under a key derived
 * from the JWT signing secret (HKDF-SHA256, info `media-store cursor v1`), holding only the
 * last file name (name order) or index sort key (date orders, type listing) a page reached.
 * What it belongs to — the kind of listing, its order and type filter, the folder or type, and the
 * caller it was issued to — is authenticated data, not content: a cursor of another folder,
 * type, order or user, a tampered one or garbage is a 400 `InvalidCursor`,
 * never a 500 from DynamoDB, and a caller learns nothing from decoding one.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DEFAULT_ORDER, type FolderSort, type SortOrder } from '../../contract/listing';
import type { FileType } from './content-types';
import { ValidationError } from './errors';
import { keyOfFileId, normalizeFileName, parseObjectKey } from './paths';
import type { TimelinePosition } from './timeline';

/** The `cursor` query parameter is not one this listing handed to this caller. */
export class InvalidCursor extends ValidationError {
  override readonly code = 'InvalidCursor';
  constructor() {
    super('cursor', 'is not a cursor returned by this listing');
  }
}

const CURSOR_KEY_INFO = 'media-store cursor v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_CURSOR_LENGTH = 2048;
const INDEX_SORT_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#([A-Za-z0-9_-]+)$/;
const DATE_SORT_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#(.+)$/s;

/** The cursor key: HKDF-SHA256 of the JWT signing secret (no salt), so no second secret is needed. */
export function cursorKeyFromSecret(secret: string | Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret, Buffer.alloc(0), CURSOR_KEY_INFO, KEY_BYTES));
}

/** Where a type listing resumes: the last index sort key and that file's S3 key. */
interface TypeCursorPosition {
  readonly sortKey: string;
  readonly key: string;
}

/** Seals and opens the cursors of one key. `caller` is the username the cursor is issued to. */
export class ListCursors {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`ListCursors: the key must be ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  static fromSecret(secret: string | Buffer): ListCursors {
    return new ListCursors(cursorKeyFromSecret(secret));
  }

  folderCursor(caller: string, folder: string, lastName: string, order: SortOrder = DEFAULT_ORDER.name): string {
    return this.seal(lastName, scope(orderedKind('name', order), caller, folder));
  }

  /** The last file name of the previous page of `folder` in name order (`order`, A to Z by default). */
  readFolderCursor(cursor: string, caller: string, folder: string, order: SortOrder = DEFAULT_ORDER.name): string {
    const name = this.open(cursor, scope(orderedKind('name', order), caller, folder));
    if (isCleanName(name)) return name;
    throw new InvalidCursor();
  }

  /**
   * A cursor of a folder listing in `sort` order, of one `fileType` when given: `last` is a
   * name (name order) or the index sort key (date orders).
   */
  sortCursor(caller: string, folder: string, sort: FolderSort, order: SortOrder, last: string, fileType?: FileType): string {
    if (fileType === undefined && sort === 'name') return this.folderCursor(caller, folder, last, order);
    return this.seal(last, scope(orderedKind(sort, order, fileType), caller, folder));
  }

  /** Opens a cursor of `folder` listed in `sort` order, and only that order, direction and type filter (none when `fileType` is undefined). */
  readSortCursor(cursor: string, caller: string, folder: string, sort: FolderSort, order: SortOrder, fileType?: FileType): string {
    if (fileType === undefined && sort === 'name') return this.readFolderCursor(cursor, caller, folder, order);
    const last = this.open(cursor, scope(orderedKind(sort, order, fileType), caller, folder));
    if (sort !== 'name') return dateSortKeyOrThrow(last);
    if (isCleanName(last)) return last;
    throw new InvalidCursor();
  }

  typeCursor(caller: string, fileType: FileType, lastSortKey: string): string {
    return this.seal(lastSortKey, scope('type', caller, fileType));
  }

  /** The index sort key and S3 key of the last file of the previous page of `fileType`. */
  readTypeCursor(cursor: string, caller: string, fileType: FileType): TypeCursorPosition {
    const sortKey = this.open(cursor, scope('type', caller, fileType));
    const match = INDEX_SORT_KEY.exec(sortKey);
    const key = match === null ? undefined : keyOfFileId(match[2] as string);
    if (match === null || Number.isNaN(Date.parse(match[1] as string)) || key === undefined || parseObjectKey(key) === undefined) throw new InvalidCursor();
    return { sortKey, key };
  }

  /** A cursor of the timeline's `month` (`GET /timeline`): where the last page ended. */
  timelineCursor(caller: string, month: string, position: TimelinePosition): string {
    return this.seal(JSON.stringify([position.sortKey, position.folder]), scope('timeline', caller, month));
  }

  /** Where the previous page of the timeline's `month` ended. */
  readTimelineCursor(cursor: string, caller: string, month: string): TimelinePosition {
    let value: unknown;
    try {
      value = JSON.parse(this.open(cursor, scope('timeline', caller, month)));
    } catch (error) {
      if (error instanceof InvalidCursor) throw error;
      throw new InvalidCursor();
    }
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string') throw new InvalidCursor();
    const [sortKey, folder] = value as [string, string];
    if (!sortKey.startsWith(month) || !folder.startsWith('/')) throw new InvalidCursor();
    return { sortKey: dateSortKeyOrThrow(sortKey), folder };
  }

  takenCursor(caller: string, folder: string, lastSortKey: string): string {
    return this.sortCursor(caller, folder, 'taken', DEFAULT_ORDER.taken, lastSortKey);
  }

  /** The `byTaken` sort key (`<taken ISO>#<file name>`) of the last file of the previous date-taken page of `folder`. */
  readTakenCursor(cursor: string, caller: string, folder: string): string {
    return this.readSortCursor(cursor, caller, folder, 'taken', DEFAULT_ORDER.taken);
  }

  private seal(value: string, aad: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  private open(cursor: string, aad: Buffer): string {
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursor();
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 1) throw new InvalidCursor();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      throw new InvalidCursor();
    }
  }
}

/** A sealed cursor always holds a clean name: anything else is not one of ours. */
function isCleanName(name: string): boolean {
  try {
    return normalizeFileName(name, 'fileName', 'stored') === name;
  } catch {
    return false;
  }
}

/** A date order's index sort key (`<ISO time>#<file name>`, `byTaken` or `byUploaded`), or InvalidCursor. */
function dateSortKeyOrThrow(sortKey: string): string {
  const match = DATE_SORT_KEY.exec(sortKey);
  if (match === null || Number.isNaN(Date.parse(match[1] as string)) || !isCleanName(match[2] as string)) throw new InvalidCursor();
  return sortKey;
}

/**
 * The scope kind of a folder listing's cursor: `folder` (name), `taken`, `uploaded` in their
 * default direction — the kinds cursors had before directions existed — and `<kind>-<order>`
 * otherwise; `<that>:<fileType>` when the listing is of one type.
 */
function orderedKind(sort: FolderSort, order: SortOrder, fileType?: FileType): string {
  const kind = sort === 'name' ? 'folder' : sort;
  const ordered = order === DEFAULT_ORDER[sort] ? kind : `${kind}-${order}`;
  return fileType === undefined ? ordered : `${ordered}:${fileType}`;
}

/** Authenticated data: version, kind, caller and folder/type, NUL-separated (none may hold a NUL). */
function scope(kind: string, caller: string, listing: string): Buffer {
  return Buffer.from(['v1', kind, caller, listing].join('\u0000'), 'utf8');
}

/**
 * The cursors of the key derived from the current signing secret, derived again when the
 * secret changes (a rotation: cursors sealed before it are then refused as InvalidCursor).
 */
export function currentListCursors(currentSecret: () => Promise<string | Buffer>): () => Promise<ListCursors> {
  let derived: { readonly secret: Buffer; readonly cursors: ListCursors } | undefined;
  return async () => {
    const value = await currentSecret();
    const secret = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (derived === undefined || !derived.secret.equals(secret)) derived = { secret: Buffer.from(secret), cursors: ListCursors.fromSecret(secret) };
    return derived.cursors;
  };
}
