/*
 * The app's one Service Worker (scope /), registered by production builds only:
 * - the app shell: index.html and the files of the build listed in SHELL (filled in by
 *   scripts/build-web.ts) are cached, so the app opens offline and fast; nothing else is ever
 *   cached: not /api, not media, not presigned URLs (other origins), not share pages (/s/…);
 * - the Web Share Target: the manifest's share_target POSTs the shared files to /share-target;
 *   they are kept in the "share-target" cache under an id, and the app opens at /?share-target=<id>
 *   to ask which folder they go to and upload them (web/src/share-target.ts);
 * - streamed downloads: the page hands over a ReadableStream (a ZIP it builds), then navigates to
 *   /_download/<id>, answered here with it.
 */
const SHELL = [];
const VERSION = 'dev';
const SHELL_CACHE = `shell-${VERSION}`;
const SHARE_CACHE = 'share-target';
const streams = new Map();

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('shell-') && key !== SHELL_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'download') return;
  streams.set(data.id, data);
  // Unclaimed downloads are dropped after a minute.
  setTimeout(() => streams.delete(data.id), 60000);
  event.ports[0].postMessage('ready');
});

function download(path) {
  const entry = streams.get(path.slice('/_download/'.length));
  if (!entry) return new Response('This download has expired.', { status: 404 });
  streams.delete(entry.id);
  const ascii = entry.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(entry.stream, {
    headers: {
      'content-type': entry.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
      'x-content-type-options': 'nosniff',
    },
  });
}

async function receiveShare(request) {
  const form = await request.formData();
  const files = form.getAll('media').filter((value) => typeof value !== 'string');
  const id = crypto.randomUUID();
  const cache = await caches.open(SHARE_CACHE);
  await Promise.all(
    files.map((file, i) =>
      cache.put(`/share-target/${id}/${i}`, new Response(file, { headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name), 'x-last-modified': String(file.lastModified) } })),
    ),
  );
  return Response.redirect(`/?share-target=${id}`, 303);
}

/** index.html from the network (a new build shows at once), the cached copy when offline. */
async function appPage(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match('/index.html', { cacheName: SHELL_CACHE });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/_download/')) {
    event.respondWith(download(url.pathname));
    return;
  }
  if (request.method === 'POST' && url.pathname === '/share-target') {
    event.respondWith(receiveShare(request));
    return;
  }
  if (request.method !== 'GET' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/s/') || url.search.includes('X-Amz-')) return;
  if (request.mode === 'navigate') {
    event.respondWith(appPage(request));
    return;
  }
  if (!SHELL.includes(url.pathname)) return;
  event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((cached) => cached ?? fetch(request)));
});
