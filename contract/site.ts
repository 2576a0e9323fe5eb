/**
 * How the web app is served, shared by the module (CloudFront, the site bucket's objects) and
 * the local stack (which serves the same built files): where the build is, which paths are
 * the API, content types, caching and the security headers.
 */

/** The built web app, relative to the project root (`npm run build` writes it). */
export const WEB_BUILD_DIR = 'dist/web';

/** Path prefix under which the app reaches the API on its own origin (stripped before the API sees it). */
export const API_PREFIX = '/api';

/**
 * Header the distribution adds to every request it sends to the API, holding the origin
 * secret (Secrets Manager, copied into the distribution's key value store; never in Terraform).
 * Its presence with the right value is what makes the API trust `CloudFront-Viewer-Address`.
 */
export const ORIGIN_VERIFY_HEADER = 'x-media-store-origin-verify';

/** Header CloudFront sets to the viewer's `address:port` (IPv6 unbracketed: `2001:db8::1:443`). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/** Key of the origin secret in the distribution's CloudFront key value store. */
export const ORIGIN_SECRET_KVS_KEY = 'origin-verify';

/**
 * Path prefix of share pages (`/s/<token>`): the distribution sends them to the API (its
 * `GET /s/{token}` route, the shares function) rather than the bucket, so link previews get
 * the share's Open Graph tags; the page is the app's own `index.html` with them.
 */
export const SHARE_PAGE_PREFIX = '/s/';

/**
 * A share page's picture for link previews: `/s/<token>/preview` answers a 302 to a freshly
 * presigned derived image, so the URL in the page's `og:image` lasts as long as the share
 * (a presigned URL in the page would die with the signing credentials, which on Lambda may
 * be before its own expiry, while chat apps' image proxies fetch it again later).
 */
export const SHARE_PREVIEW_SUFFIX = '/preview';

/**
 * Header the site's `/s/*` CloudFront Function sets to the viewer's `Host` (the origin request
 * sends the API's own host): share pages build their absolute `og:image` URL on it.
 */
export const VIEWER_HOST_HEADER = 'x-media-store-viewer-host';

/** Folder of the build holding content-hashed files (Vite's `assets/`), cached for a year. */
export const HASHED_ASSETS_DIR = 'assets';

/**
 * A cookie that only says "this browser holds a session" (value `1`, no secret), set and
 * cleared with the HttpOnly refresh cookie, which scripts cannot see: the app asks
 * `POST /auth/refresh` on load only when it is there, so a signed-out visit makes no request
 * that must fail (a 401 in the console; Lighthouse's best practices count it).
 */
export const SIGNED_IN_COOKIE = 'media-store-signed-in';

/** Cache-Control of content-hashed files: a new build gives them new names. */
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Cache-Control of every other file (`index.html` first): browsers revalidate on each load. */
const REVALIDATE_CACHE_CONTROL = 'no-cache';

/** Content type by file extension (lower case, with the dot). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Served for an extension the table does not know: never sniffed into something executable (nosniff). */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Content type of a build file, by its extension. */
export function contentTypeOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const slash = fileName.lastIndexOf('/');
  if (dot <= slash + 1) return DEFAULT_CONTENT_TYPE;
  return CONTENT_TYPES[fileName.slice(dot).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** Cache-Control of a build file by its key (`index.html`, `assets/index-1a2b3c.js`). */
export function cacheControlOf(key: string): string {
  return key.startsWith(`${HASHED_ASSETS_DIR}/`) ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL;
}

/**
 * The app's Content-Security-Policy. Scripts and styles come only from the app's own origin
 * (no inline script, no eval); the API is on that origin too. `'wasm-unsafe-eval'` lets those
 * scripts compile WebAssembly and nothing else (no `eval`, no `new Function`): the upload
 * Workers' incremental SHA-256 of a whole file (hash-wasm, issue 22), which WebCrypto lacks. `mediaOrigins` are the S3
 * endpoints presigned URLs point at: thumbnails (`img-src`), video (`media-src`), and the
 * XHR part uploads and ZIP downloads (`connect-src`). `blob:` lets the app show a file it
 * holds in memory (a preview of a file being uploaded, a decoded image).
 */
export function contentSecurityPolicy(mediaOrigins: readonly string[]): string {
  const media = mediaOrigins.map((o) => ` ${o}`).join('');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    `img-src 'self' blob: data:${media}`,
    `media-src 'self' blob:${media}`,
    `connect-src 'self'${media}`,
    "worker-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/** The other security headers every response of the site carries. */
export const SECURITY_HEADERS = {
  /** Two years, subdomains included (not preloaded: that is the domain owner's decision). */
  strictTransportSecurity: { maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: false },
  referrerPolicy: 'strict-origin-when-cross-origin',
  frameOptions: 'DENY',
  /** Modern browsers' XSS auditor is gone; the header is sent as 0, as OWASP advises. */
  xssProtection: '0',
  permissionsPolicy: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  crossOriginOpenerPolicy: 'same-origin',
} as const;

/** Content types worth compressing (text, scripts, JSON, SVG, the manifest), as CloudFront's list; images and media are compressed already. */
export const isCompressible = (contentType: string): boolean => /^(text\/|application\/(javascript|json|manifest\+json|xml)|image\/svg\+xml)/i.test(contentType);

export type Encoding = 'br' | 'gzip';

/** The encoding to answer with for `accept-encoding`: Brotli first, as CloudFront prefers it. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Map(
    (acceptEncoding ?? '').split(',').map((part) => {
      const [name = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return [name.trim(), q === undefined ? 1 : Number(q.slice(2))] as const;
    }),
  );
  const allowed = (name: Encoding): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return allowed('br') ? 'br' : allowed('gzip') ? 'gzip' : undefined;
}

/**
 * The `Link` header value that has the browser open its connection to the media bucket
 * while the page's scripts load (thumbnails are presigned URLs there): `<origin>; rel=preconnect`
 * for each media origin other than the page's own, or undefined when none is. No `crossorigin`:
 * the first requests there are `<img>` loads (no-cors), which use the credentialed connection pool.
 */
export function preconnectLinks(mediaOrigins: readonly string[], pageOrigin?: string): string | undefined {
  const others = mediaOrigins.filter((origin) => pageOrigin === undefined || !sameOrigin(origin, pageOrigin));
  return others.length === 0 ? undefined : others.map((origin) => `<${origin}>; rel=preconnect`).join(', ');
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}
