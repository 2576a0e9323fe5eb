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

/**
 * Invisible characters that make one name look like another (`invoice\u200B.pdf` beside
 * `invoice.pdf`, a look-alike `/family\u200B`): format characters (`\p{Cf}`: zero-width
 * space, joiners, direction marks, word joiner, byte-order mark, soft hyphen, …) and the line
 * and paragraph separators U+2028/U+2029. Refused in every name that is about to be stored;
 * names already stored keep working (see `NameUse`).
 */
const INVISIBLE_CHARACTER = /[\p{Cf}\p{Zl}\p{Zp}]/u;
/**
 * The one use of a zero-width joiner that draws something: between two pictographs of an emoji
 * sequence (👨‍👩‍👧, 🏳️‍🌈), after an optional emoji presentation selector or skin tone.
 */
const EMOJI_JOINER = /(\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** Unicode names of the invisible characters met in practice; others are named by code point. */
const INVISIBLE_NAMES: Readonly<Record<number, string>> = {
  0xad: 'SOFT HYPHEN',
  0x61c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** `U+200B ZERO WIDTH SPACE`, or `U+E0001` for a character without a listed name. */
export function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  const name = INVISIBLE_NAMES[codePoint];
  return name === undefined ? `U+${hex}` : `U+${hex} ${name}`;
}

/** The first invisible character of `value` (emoji joiners excepted), or undefined when there is none. */
export function invisibleCharacterIn(value: string): string | undefined {
  return INVISIBLE_CHARACTER.exec(value.replace(EMOJI_JOINER, '$1'))?.[0];
}

/**
 * What a name is checked for: `new` (the default) for a name about to be stored (an upload, a
 * folder created, a rename or move target), which must not contain invisible characters;
 * `stored` for a name that refers to what is already there (a folder to list or delete, a
 * share's folder, a catalog key), which may carry one from before the rule, so old files still
 * list, open, move and rename.
 */
export type NameUse = 'new' | 'stored';

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function checkSegment(field: string, segment: string, what: string): void {
  if (segment === '') throw new ValidationError(field, `must not contain an empty ${what}`);
  if (segment === '.' || segment === '..') throw new ValidationError(field, `must not contain "." or ".." as a ${what}`);
  if (segment.trim() !== segment) throw new ValidationError(field, `a ${what} must not start or end with whitespace`);
  if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
    throw new ValidationError(field, `a ${what} must be at most ${MAX_SEGMENT_BYTES} bytes in UTF-8`);
  }
}

function checkCharacters(field: string, value: string, use: NameUse): void {
  if (FORBIDDEN_CHARACTERS.test(value)) {
    throw new ValidationError(field, 'must not contain control or bidirectional-override characters');
  }
  if (value.includes('\\')) throw new ValidationError(field, 'must not contain a backslash');
  const invisible = use === 'new' ? invisibleCharacterIn(value) : undefined;
  if (invisible !== undefined) {
    throw new ValidationError(field, `must not contain ${describeCharacter(invisible)}: invisible characters make a name look like another`);
  }
}

/**
 * Normalizes a folder path: NFC, a leading `/` added and one trailing `/` removed. Rejects
 * empty, `.` and `..` segments rather than resolving them, so what the caller sees is what
 * is stored, and for a `new` path invisible characters.
 */
export function normalizeFolder(input: unknown, field = 'folder', use: NameUse = 'new'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  if (input.length > MAX_KEY_BYTES) throw new ValidationError(field, `must be at most ${MAX_KEY_BYTES} characters`);
  checkCharacters(field, input, use);
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

/**
 * Normalizes a file name: NFC, one segment (no `/`), not `.`/`..`, no control characters, and
 * for a `new` name no invisible characters.
 */
export function normalizeFileName(input: unknown, field = 'fileName', use: NameUse = 'new'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  if (input === '') throw new ValidationError(field, 'must not be empty');
  if (input.length > MAX_KEY_BYTES) throw new ValidationError(field, `must be at most ${MAX_SEGMENT_BYTES} bytes in UTF-8`);
  checkCharacters(field, input, use);
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

/** Validates and normalizes the folder + name of a new file together, including the key length. */
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
    if (normalizeFolder(folder, 'folder', 'stored') !== folder || normalizeFileName(name, 'fileName', 'stored') !== name) return undefined;
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
