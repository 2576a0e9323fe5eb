/**
 * The code of the site's CloudFront Functions (runtime cloudfront-js-2.0, viewer request).
 *
 * Why functions and not custom error responses: a distribution's custom error responses apply
 * to every behavior, so mapping S3's 403/404 to `index.html` would also turn the API's own
 * 403/404 JSON into a 200 HTML page. Instead the default behavior rewrites app routes to
 * `/index.html` before S3 is asked, and `/api/*` never goes through it.
 */
import { API_PREFIX, ORIGIN_SECRET_KVS_KEY, ORIGIN_VERIFY_HEADER, VIEWER_HOST_HEADER } from '../../contract/site';

/** CloudFront's limit on a function's code, bytes. */
export const FUNCTION_CODE_LIMIT = 10_240;

/**
 * Default behavior (everything but `/assets/*` and `/api/*`): a path naming one of the build's
 * files is served as is, any other path is an app route and gets `/index.html`.
 * `files` are the keys outside `assets/`, e.g. `index.html`, `favicon.svg`.
 */
export function spaRoutingCode(files: readonly string[]): string {
  const known = Object.fromEntries(files.map((key) => [`/${key}`, 1]));
  return checkedSize(
    'spa-routing',
    [
      '// App routes (any path that names no file of the build) are answered with index.html.',
      `var FILES = ${JSON.stringify(known)};`,
      'function handler(event) {',
      '  var request = event.request;',
      "  if (!FILES[request.uri]) request.uri = '/index.html';",
      '  return request;',
      '}',
      '',
    ].join('\n'),
  );
}

/**
 * `/api/*`: the prefix is removed, so the API sees the routes it declares (`/api/files` → `/files`),
 * and the origin secret is added from the distribution's key value store (`kvsId`), replacing
 * any value the viewer sent: with it the API believes `CloudFront-Viewer-Address`
 * (handlers/http/source-address.ts). Until the store holds the secret, no header is added and
 * the API uses the edge's address, as it would without the site.
 */
export function stripApiPrefixCode(kvsId: string): string {
  return checkedSize(
    'strip-api-prefix',
    [
      "import cf from 'cloudfront';",
      `var originSecrets = cf.kvs('${kvsId}');`,
      `// ${API_PREFIX}/files?x=1 reaches the API as /files?x=1 (the query string is kept apart from the URI).`,
      'async function handler(event) {',
      '  var request = event.request;',
      `  request.uri = request.uri.slice(${API_PREFIX.length}) || '/';`,
      `  delete request.headers['${ORIGIN_VERIFY_HEADER}'];`,
      '  try {',
      `    request.headers['${ORIGIN_VERIFY_HEADER}'] = { value: await originSecrets.get('${ORIGIN_SECRET_KVS_KEY}') };`,
      '  } catch (e) {',
      '    // Not filled yet: the API keeps the edge address.',
      '  }',
      '  return request;',
      '}',
      '',
    ].join('\n'),
  );
}

/**
 * `/s/*` (share pages, sent to the API as they are): the viewer's `Host` passed on in
 * `VIEWER_HOST_HEADER`, since the origin request carries the API's own host, so a share page's
 * `og:image` names the site (handlers/http/page-origin.ts). A value the viewer sent is replaced.
 */
export function shareViewerHostCode(): string {
  return checkedSize(
    'share-viewer-host',
    [
      '// The API builds absolute URLs of share pages on the host the viewer asked for.',
      'function handler(event) {',
      '  var request = event.request;',
      `  delete request.headers['${VIEWER_HOST_HEADER}'];`,
      `  if (request.headers.host) request.headers['${VIEWER_HOST_HEADER}'] = { value: request.headers.host.value };`,
      '  return request;',
      '}',
      '',
    ].join('\n'),
  );
}

function checkedSize(name: string, code: string): string {
  const bytes = Buffer.byteLength(code);
  if (bytes > FUNCTION_CODE_LIMIT) {
    throw new Error(`The ${name} CloudFront Function would be ${bytes} bytes (limit ${FUNCTION_CODE_LIMIT}): the web build has too many files outside assets/.`);
  }
  return code;
}
