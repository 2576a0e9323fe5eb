/**
 * Tags and description of a file: what a caller may send when uploading or changing a file.
 * Tags are trimmed, NFC, 1–64 characters without control characters, de-duplicated, at most
 * 20; a description is NFC, at most 2,000 characters, tab and newline allowed.
 */
import { ValidationError } from './errors';

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 2000;
const CONTROL = /[\p{Cc}\p{Cs}]/u;
const CONTROL_EXCEPT_WHITESPACE = /[\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

export function parseTags(input: unknown, field = 'tags'): readonly string[] {
  if (!Array.isArray(input)) throw new ValidationError(field, 'must be an array of strings');
  if (input.length > MAX_TAGS) throw new ValidationError(field, `must hold at most ${MAX_TAGS} tags`);
  const tags: string[] = [];
  input.forEach((tag: unknown, i) => {
    if (typeof tag !== 'string') throw new ValidationError(`${field}[${i}]`, 'must be a string');
    const value = tag.normalize('NFC').trim();
    if (value === '' || value.length > MAX_TAG_LENGTH) throw new ValidationError(`${field}[${i}]`, `must be 1 to ${MAX_TAG_LENGTH} characters`);
    if (CONTROL.test(value)) throw new ValidationError(`${field}[${i}]`, 'must not contain control characters');
    if (!tags.includes(value)) tags.push(value);
  });
  return tags;
}

/** The description, or `undefined` for an empty one. */
export function parseDescription(input: unknown, field = 'description'): string | undefined {
  if (typeof input !== 'string') throw new ValidationError(field, 'must be a string');
  const value = input.normalize('NFC');
  if (value.length > MAX_DESCRIPTION_LENGTH) throw new ValidationError(field, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  if (CONTROL_EXCEPT_WHITESPACE.test(value)) throw new ValidationError(field, 'must not contain control characters other than tab and newline');
  return value === '' ? undefined : value;
}
