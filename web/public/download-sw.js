/*
 * Streams downloads the page builds (a ZIP of several files) to the browser's download manager:
 * the page hands over a ReadableStream, then navigates to /_download/<id>, answered here with it.
 */
const streams = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'download') return;
  streams.set(data.id, data);
  // Unclaimed downloads are dropped after a minute.
  setTimeout(() => streams.delete(data.id), 60000);
  event.ports[0].postMessage('ready');
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/_download/')) return;
  const entry = streams.get(url.pathname.slice('/_download/'.length));
  if (!entry) {
    event.respondWith(new Response('This download has expired.', { status: 404 }));
    return;
  }
  streams.delete(entry.id);
  const ascii = entry.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  event.respondWith(
    new Response(entry.stream, {
      headers: {
        'content-type': entry.contentType,
        'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
        'x-content-type-options': 'nosniff',
      },
    }),
  );
});
