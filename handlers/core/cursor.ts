/**
 * Pagination cursors for folder listings: an opaque base64url token naming the folder and the
 * last file name a page reached. Decoding is strict — anything that is not exactly what
 * `encodeListCursor` produced for the same folder is a 400, never a 500 from DynamoDB.
 */
import { ValidationError } from './errors';
import { normalizeFileName } from './paths';

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

/** The last file name of the previous page; throws `ValidationError` on any garbage. */
export function decodeListCursor(cursor: string, folder: string, field = 'cursor'): string {
  const invalid = (): ValidationError => new ValidationError(field, 'is not a cursor returned by this listing');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid();
  const { v, f, n, ...rest } = body as Record<string, unknown>;
  if (v !== 1 || typeof f !== 'string' || typeof n !== 'string' || Object.keys(rest).length > 0) throw invalid();
  if (f !== folder) throw new ValidationError(field, 'belongs to a different folder');
  try {
    if (normalizeFileName(n) !== n) throw invalid();
  } catch {
    throw invalid();
  }
  return n;
}
