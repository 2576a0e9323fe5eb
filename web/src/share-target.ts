/**
 * Files shared to the app by another one ("Share → media-store" in a phone's gallery): the
 * manifest's share_target POSTs them to /share-target, the Service Worker (public/sw.js) keeps
 * them in the "share-target" cache and opens the app at /?share-target=<id>; here they are
 * taken out of that cache and offered in a dialog that asks for the folder to upload them to.
 */
import { store } from './store';

const SHARE_TARGET_PARAM = 'share-target';
const CACHE = 'share-target';

/** The shared files kept under `id`, removed from the cache as they are read (in the order shared). */
async function takeSharedFiles(id: string, storage: CacheStorage = caches): Promise<File[]> {
  const cache = await storage.open(CACHE);
  const prefix = `/share-target/${id}/`;
  const requests = (await cache.keys()).filter((request) => new URL(request.url).pathname.startsWith(prefix));
  requests.sort((a, b) => Number(new URL(a.url).pathname.slice(prefix.length)) - Number(new URL(b.url).pathname.slice(prefix.length)));
  const files: File[] = [];
  for (const request of requests) {
    const response = await cache.match(request);
    if (response) {
      const name = decodeURIComponent(response.headers.get('x-file-name') ?? 'shared');
      const lastModified = Number(response.headers.get('x-last-modified')) || Date.now();
      files.push(new File([await response.blob()], name, { type: response.headers.get('content-type') ?? '', lastModified }));
    }
    await cache.delete(request);
  }
  return files;
}

/** When the app was opened by a share: once someone is signed in, asks where the files go. */
export function offerSharedFiles(url: URL = new URL(location.href)): void {
  const id = url.searchParams.get(SHARE_TARGET_PARAM);
  if (!id || typeof caches === 'undefined') return;
  const offer = async (): Promise<void> => {
    const files = await takeSharedFiles(id);
    // The address no longer names the share: a reload does not ask again.
    url.searchParams.delete(SHARE_TARGET_PARAM);
    history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
    store.update(files.length ? { dialog: { kind: 'shared-files', files } } : { notice: { kind: 'error', text: 'The shared files are no longer here: share them again.' } });
  };
  if (store.get().user) {
    void offer();
    return;
  }
  const stop = store.subscribe((state) => {
    if (!state.user) return;
    stop();
    void offer();
  });
}
