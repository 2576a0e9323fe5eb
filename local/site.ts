/**
 * The web app as CloudFront serves it, for the local stack: the built files of `dist/web`
 * at `/`, the SPA fallback to `index.html` for paths without a file, and the same strict
 * security headers (CSP without inline scripts, nosniff, frame-ancestors none, referrer
 * policy), `no-cache` for `index.html` and long immutable caching for hashed assets.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

export interface SiteOptions {
  /** The built app (`dist/web`). */
  readonly dir: string;
  /** Origins besides the app's own the app may load media from and upload to (the S3 endpoint). */
  readonly mediaOrigins: readonly string[];
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** The Content-Security-Policy of the app: scripts and styles only from its own origin. */
export function contentSecurityPolicy(mediaOrigins: readonly string[]): string {
  const media = mediaOrigins.join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${media}`,
    `media-src 'self' blob: ${media}`,
    `connect-src 'self' ${media}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every app response carries, as the CloudFront response headers policy sets them. */
export function securityHeaders(mediaOrigins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(mediaOrigins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The file under `dir` a URL path names, or undefined (never outside `dir`). */
export function siteFile(dir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const resolved = path.resolve(dir, `.${path.posix.normalize(`/${decoded}`)}`);
  if (resolved !== dir && !resolved.startsWith(`${dir}${path.sep}`)) return undefined;
  return existsSync(resolved) && statSync(resolved).isFile() ? resolved : undefined;
}

/**
 * Answers a GET/HEAD for the app: the file, or `index.html` for any other path (SPA routes such
 * as `/s/<token>`), except under `/assets/` where a missing file is a 404 (a stale hashed name
 * must not get HTML back as JavaScript).
 */
export function serveSite(options: SiteOptions, req: IncomingMessage, res: ServerResponse, urlPath: string): number {
  const dir = path.resolve(options.dir);
  const headers = securityHeaders(options.mediaOrigins);
  const index = path.join(dir, 'index.html');
  const file = siteFile(dir, urlPath) ?? (urlPath.startsWith('/assets/') ? undefined : existsSync(index) ? index : undefined);
  if (!file) {
    const body = urlPath.startsWith('/assets/') ? 'Not Found' : 'The web app is not built: run npm run build';
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 404;
  }
  const immutable = file.startsWith(path.join(dir, 'assets') + path.sep);
  res.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
  } else {
    createReadStream(file).pipe(res);
  }
  return 200;
}
