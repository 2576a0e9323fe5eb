/**
 * Content types: syntax check, the configurable allow-list (`image/*,video/*`) and the
 * coarse file type the catalog indexes on.
 */
export type FileType = 'image' | 'video' | 'other';
export const FILE_TYPES: readonly FileType[] = ['image', 'video', 'other'];

export const DEFAULT_ALLOWED_CONTENT_TYPES: readonly string[] = ['image/*', 'video/*'];

/** RFC 7230 token characters, for `type/subtype` without parameters. */
const MEDIA_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;
const PATTERN = /^(?:\*\/\*|[a-z0-9!#$%&'+.^_`|~-]+\/(?:\*|[a-z0-9!#$%&'+.^_`|~-]+))$/;

/**
 * The canonical form of a content type (`type/subtype`, lower-case), or `undefined` when it
 * is not one. Parameters such as `; charset=` are refused: the value is signed into the
 * upload URL and must be sent byte for byte.
 */
export function canonicalContentType(input: string): string | undefined {
  const value = input.trim().toLowerCase();
  return value.length <= 255 && MEDIA_TYPE.test(value) && !value.includes('*') ? value : undefined;
}

/** Parses the allow-list; throws on a malformed pattern so misconfiguration fails at cold start. */
export function parseContentTypePatterns(patterns: readonly string[]): readonly string[] {
  return patterns.map((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (!PATTERN.test(pattern)) throw new Error(`"${raw}" is not a content-type pattern like image/* or application/pdf`);
    return pattern;
  });
}

export function isContentTypeAllowed(contentType: string, patterns: readonly string[]): boolean {
  const [type] = contentType.split('/');
  return patterns.some((p) => p === '*/*' || p === contentType || p === `${type}/*`);
}

export function fileTypeOf(contentType: string | undefined): FileType {
  const type = contentType?.trim().toLowerCase().split('/')[0];
  return type === 'image' || type === 'video' ? type : 'other';
}
