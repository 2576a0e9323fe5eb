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

/** What a browser is told to do with a file opened from its view URL. */
export const ACTIVE_CONTENT_RESPONSE_TYPE = 'application/octet-stream';

/**
 * Whether a file may render inline from its view URL: only passive media families (image,
 * video, audio) whose subtype is not a document format that can carry script (SVG and every
 * `+xml`, HTML). Everything else — `image/svg+xml`, `text/html`, XML, JavaScript, PDF, … — is
 * active or unknown content and is served as an attachment, so it never runs in the origin
 * that serves the media (which may one day be the web app's).
 */
export function rendersInline(contentType: string): boolean {
  const [type, subtype = ''] = contentType.trim().toLowerCase().split('/');
  if (type !== 'image' && type !== 'video' && type !== 'audio') return false;
  return !/svg|xml|html|script/.test(subtype);
}
