/**
 * `Content-Disposition: attachment` for a file name (RFC 6266 with RFC 8187/5987 encoding).
 *
 * Browsers that read `filename*` get the exact name: UTF-8, percent-encoded except for
 * RFC 8187 attr-chars. Older clients read `filename`, an ASCII fallback in which every
 * character that could end or escape the quoted string or be mis-decoded (`"`, `\`, `%`,
 * controls, non-ASCII) is replaced by `_`. The result is printable ASCII only, so it is safe
 * to sign into a URL and for S3 to send back as a header.
 */

/** RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~". Everything else is percent-encoded. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;
/** Printable ASCII that is safe inside a quoted-string without escaping. */
const FALLBACK_SAFE = /^[\x20-\x7E]$/;
const FALLBACK_UNSAFE = new Set(['"', '\\', '%']);
/** Replacement for characters the fallback cannot carry. */
const REPLACEMENT = '_';
/** Fallback used when nothing printable is left of the name. */
const DEFAULT_FILENAME = 'download';

/** RFC 8187 `value-chars` of a string: its UTF-8 bytes, attr-chars kept, the rest as `%XX`. */
export function encodeExtValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value.normalize('NFC'), 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The ASCII fallback of a name: one `_` per code point it cannot carry; never empty. */
export function asciiFallback(name: string): string {
  let out = '';
  for (const char of name.normalize('NFC')) out += FALLBACK_SAFE.test(char) && !FALLBACK_UNSAFE.has(char) ? char : REPLACEMENT;
  const trimmed = out.trim();
  return trimmed === '' ? DEFAULT_FILENAME : trimmed;
}

/** `attachment; filename="<fallback>"; filename*=UTF-8''<encoded>`. */
export function attachmentDisposition(fileName: string): string {
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}
