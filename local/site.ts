/**
 * The web app as CloudFront serves it, for the local stack: the built files of `dist/web`
 * at `/`, the SPA fallback to `index.html` for paths without a file, and the headers the
 * distribution's response headers policy sets (contract/site.ts, shared with the module):
 * the CSP without inline scripts, nosniff, no framing, referrer policy; `no-cache` for
 * `index.html`, a year immutable for the hashed assets; text compressed (Brotli or gzip, as
 * the request accepts) as the distribution's `compress` does.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { cacheControlOf, chooseEncoding, contentSecurityPolicy, contentTypeOf, type Encoding, HASHED_ASSETS_DIR, isCompressible, preconnectLinks, SECURITY_HEADERS } from '../contract/site';

export interface SiteOptions {
  /** The built app (`dist/web`). */
  readonly dir: string;
  /** Origins besides the app's own the app may load media from and upload to (the S3 endpoint). */
  readonly mediaOrigins: readonly string[];
}

/**
 * Headers every app response carries, as the CloudFront response headers policy sets them (HSTS
 * aside: this is plain HTTP), with the `Link: <media origin>; rel=preconnect` the policy adds,
 * here only for a media origin other than the page's (`http://<Host>`).
 */
export function securityHeaders(mediaOrigins: readonly string[], host?: string): Record<string, string> {
  const preconnect = preconnectLinks(mediaOrigins, host === undefined ? undefined : `http://${host}`);
  return {
    ...(preconnect !== undefined ? { link: preconnect } : {}),
    'content-security-policy': contentSecurityPolicy(mediaOrigins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': SECURITY_HEADERS.frameOptions,
    'referrer-policy': SECURITY_HEADERS.referrerPolicy,
    'x-xss-protection': SECURITY_HEADERS.xssProtection,
    'permissions-policy': SECURITY_HEADERS.permissionsPolicy,
    'cross-origin-opener-policy': SECURITY_HEADERS.crossOriginOpenerPolicy,
  };
}

/** Compressed files, by path, encoding and modification time: each built file is compressed once. */
const compressed = new Map<string, Buffer>();

function compressedFile(file: string, encoding: Encoding): Buffer {
  const key = `${file}\0${encoding}\0${statSync(file).mtimeMs}`;
  let body = compressed.get(key);
  if (body === undefined) {
    const raw = readFileSync(file);
    body = encoding === 'br' ? brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }) : gzipSync(raw, { level: 9 });
    compressed.set(key, body);
  }
  return body;
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
 * Answers a GET/HEAD for the app: the file, or `index.html` for any other path (SPA routes;
 * share pages, `/s/<token>`, are the API's: local/api-server.ts), except under `/assets/` where a missing file is a 404 (a stale hashed name
 * must not get HTML back as JavaScript). Returns the status sent.
 */
export function serveSite(options: SiteOptions, req: IncomingMessage, res: ServerResponse, urlPath: string): number {
  const dir = path.resolve(options.dir);
  const headers = securityHeaders(options.mediaOrigins, req.headers.host);
  const inAssets = urlPath.startsWith(`/${HASHED_ASSETS_DIR}/`);
  const index = path.join(dir, 'index.html');
  const file = siteFile(dir, urlPath) ?? (inAssets ? undefined : existsSync(index) ? index : undefined);
  if (!file) {
    const body = inAssets ? 'Not Found' : 'The web app is not built: run npm run build';
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 404;
  }
  const key = path.relative(dir, file).split(path.sep).join('/');
  const contentType = contentTypeOf(key);
  const encoding = isCompressible(contentType) ? chooseEncoding(req.headers['accept-encoding']) : undefined;
  const common = { ...headers, 'content-type': contentType, 'cache-control': cacheControlOf(key), ...(isCompressible(contentType) ? { vary: 'accept-encoding' } : {}) };
  if (encoding !== undefined) {
    const body = compressedFile(file, encoding);
    res.writeHead(200, { ...common, 'content-encoding': encoding, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 200;
  }
  res.writeHead(200, { ...common, 'content-length': statSync(file).size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return 200;
}
