/**
 * Pagination cursors for folder and type listings: an opaque base64url token naming the folder
 * and the last file name a page reached, or the file type and the last index sort key. Decoding is strict — anything that is not exactly what
 * `encodeListCursor` produced for the same folder is a 400, never a 500 from DynamoDB.
 */
import type { FileType } from './content-types';
import { ValidationError } from './errors';
import { keyOfFileId, normalizeFileName, parseObjectKey } from './paths';

interface CursorBody {
  readonly v: 1;
  /** Folder the cursor belongs to. */
  readonly f: string;
  /** Last file name evaluated. */
  readonly n: string;
}

const MAX_CURSOR_LENGTH = 2048;

export function encodeListCursor(folder: string, lastName: string): string {
  const body: CursorBody = { v: 1, f: folder, n: lastName };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The JSON object inside a cursor; throws `ValidationError` when it is not one. */
function cursorBody(cursor: string, field: string): Record<string, unknown> {
  const invalid = (): ValidationError => new ValidationError(field, 'is not a cursor returned by this listing');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid();
  return body as Record<string, unknown>;
}

/** The last file name of the previous page; throws `ValidationError` on any garbage. */
export function decodeListCursor(cursor: string, folder: string, field = 'cursor'): string {
  const invalid = (): ValidationError => new ValidationError(field, 'is not a cursor returned by this listing');
  const body = cursorBody(cursor, field);
  if ('t' in body && !('f' in body)) throw new ValidationError(field, 'belongs to a listing by type, not by folder');
  const { v, f, n, ...rest } = body;
  if (v !== 1 || typeof f !== 'string' || typeof n !== 'string' || Object.keys(rest).length > 0) throw invalid();
  if (f !== folder) throw new ValidationError(field, 'belongs to a different folder');
  try {
    if (normalizeFileName(n) !== n) throw invalid();
  } catch {
    throw invalid();
  }
  return n;
}

interface TypeCursorBody {
  readonly v: 1;
  /** File type the cursor belongs to. */
  readonly t: FileType;
  /** Index sort key (`<uploadedAt>#<fileId>`) of the last file evaluated. */
  readonly s: string;
}

const INDEX_SORT_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#([A-Za-z0-9_-]+)$/;

export function encodeTypeCursor(fileType: FileType, lastSortKey: string): string {
  const body: TypeCursorBody = { v: 1, t: fileType, s: lastSortKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * The index sort key of the last file of the previous page of a type listing, and that file's
 * S3 key (its table key is part of the index's start key). Throws `ValidationError` on
 * garbage, on a cursor of another type and on a folder listing's cursor.
 */
export function decodeTypeCursor(cursor: string, fileType: FileType, field = 'cursor'): { readonly sortKey: string; readonly key: string } {
  const invalid = (): ValidationError => new ValidationError(field, 'is not a cursor returned by this listing');
  const body = cursorBody(cursor, field);
  if ('f' in body && !('t' in body)) throw new ValidationError(field, 'belongs to a listing by folder, not by type');
  const { v, t, s, ...rest } = body;
  if (v !== 1 || typeof t !== 'string' || typeof s !== 'string' || Object.keys(rest).length > 0) throw invalid();
  if (t !== fileType) throw new ValidationError(field, 'belongs to a listing of a different type');
  const match = INDEX_SORT_KEY.exec(s);
  const key = match === null ? undefined : keyOfFileId(match[2] as string);
  if (match === null || Number.isNaN(Date.parse(match[1] as string)) || key === undefined || parseObjectKey(key) === undefined) throw invalid();
  return { sortKey: s, key };
}

interface TakenCursorBody {
  readonly v: 1;
  /** Folder the cursor belongs to. */
  readonly f: string;
  /** `byTaken` sort key (`<taken ISO>#<file name>`) of the last file evaluated. */
  readonly k: string;
}

const TAKEN_SORT_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#(.+)$/s;

export function encodeTakenCursor(folder: string, lastSortKey: string): string {
  const body: TakenCursorBody = { v: 1, f: folder, k: lastSortKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The `byTaken` sort key a folder's date-taken listing resumes after; `ValidationError` on anything else. */
export function decodeTakenCursor(cursor: string, folder: string, field = 'cursor'): string {
  const invalid = (): ValidationError => new ValidationError(field, 'is not a cursor returned by this listing');
  const body = cursorBody(cursor, field);
  const { v, f, k, ...rest } = body;
  if (v !== 1 || typeof f !== 'string' || typeof k !== 'string' || Object.keys(rest).length > 0) throw invalid();
  if (f !== folder) throw new ValidationError(field, 'belongs to a different folder');
  const match = TAKEN_SORT_KEY.exec(k);
  if (match === null || Number.isNaN(Date.parse(match[1] as string))) throw invalid();
  try {
    if (normalizeFileName(match[2] as string) !== match[2]) throw invalid();
  } catch {
    throw invalid();
  }
  return k;
}
