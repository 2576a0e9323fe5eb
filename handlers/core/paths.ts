/**
 * Folder paths, file names and the S3 keys and file ids derived from them.
 *
 * A folder `/spain2024` and name `IMG 1.jpg` live at key `media/spain2024/IMG 1.jpg`; the
 * root folder `/` maps to `media/IMG 1.jpg`. The file id is base64url (no padding) of the
 * UTF-8 key. Everything here is pure and throws `ValidationError` naming the field.
 */
import { ROOT_FOLDER } from '../../contract/folder-limits';
import { ValidationError } from './errors';

export { ROOT_FOLDER };

export const KEY_PREFIX = 'media';
/** DynamoDB's limit on a sort key, bytes. */
const DYNAMODB_MAX_SORT_KEY_BYTES = 1024;
/** `2024-05-01T10:00:00.000Z`: the upload time that leads the type index's sort key. */
const ISO_TIMESTAMP_LENGTH = 24;
/**
 * Longest object key this service accepts, in UTF-8 bytes: 749, less than S3's 1,024, because the
 * type index's sort key `<uploadedAt>#<fileId>` (the id is base64url of the key, 4/3 as long)
 * must fit DynamoDB's sort-key limit, or the file could never be catalogued.
 */
export const MAX_KEY_BYTES = Math.floor(((DYNAMODB_MAX_SORT_KEY_BYTES - ISO_TIMESTAMP_LENGTH - 1) * 3) / 4);
/** Longest file name or folder segment, in UTF-8 bytes (common file system limit). */
export const MAX_SEGMENT_BYTES = 255;

export interface FileLocation {
  /** Normalized folder path: leading `/`, no trailing `/` except the root. */
  readonly folder: string;
  readonly name: string;
}

/**
 * C0/C1 control characters and the bidirectional overrides that let a name display as
 * something else (`evil\u202Egpj.exe`). `\p{Cs}` with the `u` flag matches lone surrogates,
 * which have no UTF-8 encoding.
 */
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function checkSegment(field: string, segment: string, what: string): void {
  if (segment === '') throw new ValidationError(field, `must not contain an empty ${what}`);
  if (segment === '.' || segment === '..') throw new ValidationError(field, `must not contain "." or ".." as a ${what}`);
  if (segment.trim() !== segment) throw new ValidationError(field, `a ${what} must not start or end with whitespace`);
  if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
    throw new ValidationError(field, `a ${what} must be at most ${MAX_SEGMENT_BYTES} bytes in UTF-8`);
  }
}

function checkCharacters(field: string, value: string): void {
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new ValidationError(field, 'must not contain control or bidirectional-override characters');
  }
  if (value.includes('\\')) throw new ValidationError(field, 'must not contain a backslash');
}

/**
 * Normalizes a folder path: NFC, a leading `/` added and one trailing `/` removed. Rejects
 * empty, `.` and `..` segments rather than resolving them, so what the caller sees is what
 * is stored.
 */
export function normalizeFolder(input: unknown, field = 'folder'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  if (input.length > MAX_KEY_BYTES) throw new ValidationError(field, `must be at most ${MAX_KEY_BYTES} characters`);
  checkCharacters(field, input);
  const folder = input.normalize('NFC');
  let body = folder.startsWith('/') ? folder.slice(1) : folder;
  if (body === '') return ROOT_FOLDER;
  if (body.endsWith('/')) body = body.slice(0, -1);
  for (const segment of body.split('/')) checkSegment(field, segment, 'folder segment');
  // No file fits in a folder whose key prefix leaves no room for a one-byte name; refusing it
  // here also keeps the catalog's `FOLDER#<folder>` keys within DynamoDB's key size limits.
  if (utf8Length(`${KEY_PREFIX}/${body}/x`) > MAX_KEY_BYTES) {
    throw new ValidationError(field, `is too long: a file key in it would exceed ${MAX_KEY_BYTES} bytes in UTF-8`);
  }
  return `/${body}`;
}

/** Normalizes a file name: NFC, one segment (no `/`), not `.`/`..`, no control characters. */
export function normalizeFileName(input: unknown, field = 'fileName'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  if (input === '') throw new ValidationError(field, 'must not be empty');
  if (input.length > MAX_KEY_BYTES) throw new ValidationError(field, `must be at most ${MAX_SEGMENT_BYTES} bytes in UTF-8`);
  checkCharacters(field, input);
  if (input.includes('/')) throw new ValidationError(field, 'must not contain "/"');
  const name = input.normalize('NFC');
  checkSegment(field, name, 'name');
  return name;
}

/** The S3 key of a file. Throws when the key would exceed `MAX_KEY_BYTES`. */
export function objectKey(location: FileLocation, field = 'fileName'): string {
  const folderPart = location.folder === ROOT_FOLDER ? '' : location.folder;
  const key = `${KEY_PREFIX}${folderPart}/${location.name}`;
  const bytes = utf8Length(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new ValidationError(field, `folder and name are too long: the object key would be ${bytes} bytes, at most ${MAX_KEY_BYTES} allowed`);
  }
  return key;
}

/** Validates and normalizes folder + name together, including the key length. */
export function fileLocation(folder: unknown, name: unknown): FileLocation & { readonly key: string } {
  const location = { folder: normalizeFolder(folder), name: normalizeFileName(name) };
  return { ...location, key: objectKey(location) };
}

/**
 * The folder and name of a catalog key, or `undefined` when the key is not one this service
 * would have produced (outside `media/`, a folder marker, not normalized, too long).
 */
export function parseObjectKey(key: string): FileLocation | undefined {
  if (!key.startsWith(`${KEY_PREFIX}/`) || utf8Length(key) > MAX_KEY_BYTES) return undefined;
  const rest = key.slice(KEY_PREFIX.length);
  const lastSlash = rest.lastIndexOf('/');
  const folder = lastSlash === 0 ? ROOT_FOLDER : rest.slice(0, lastSlash);
  const name = rest.slice(lastSlash + 1);
  try {
    if (normalizeFolder(folder) !== folder || normalizeFileName(name) !== name) return undefined;
  } catch {
    return undefined;
  }
  return { folder, name };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The file id clients see: base64url (no padding) of the UTF-8 key. */
export function fileIdOf(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key of a file id, or `undefined` when the id is not a canonical encoding of a key. */
export function keyOfFileId(id: string): string | undefined {
  if (!BASE64URL.test(id) || id.length > Math.ceil((MAX_KEY_BYTES * 4) / 3)) return undefined;
  const key = Buffer.from(id, 'base64url').toString('utf8');
  return fileIdOf(key) === id ? key : undefined;
}

/**
 * Decodes an S3 event notification key: URL-encoded, with `+` for a space (so a literal `+`
 * arrives as `%2B`). Returns `undefined` for malformed encodings.
 */
export function decodeEventKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
