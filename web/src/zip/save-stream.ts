/**
 * Saves a stream as a download without holding it in memory: through the download Service
 * Worker (a normal browser download, streamed), else the File System Access API's save
 * picker, else — old browsers only — a Blob.
 */
const WORKER_URL = '/sw.js';
const PREFIX = '/_download/';

async function readyWorker(): Promise<ServiceWorker | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  try {
    const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: '/' });
    const worker = registration.active ?? registration.installing ?? registration.waiting;
    if (!worker) return undefined;
    if (worker.state !== 'activated') {
      await new Promise<void>((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
    return worker;
  } catch {
    return undefined;
  }
}

function clickLink(href: string, name?: string): void {
  const a = document.createElement('a');
  a.href = href;
  if (name !== undefined) a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export async function saveStream(stream: ReadableStream<Uint8Array>, name: string, type = 'application/zip'): Promise<void> {
  const worker = await readyWorker();
  if (worker) {
    const id = crypto.randomUUID();
    const channel = new MessageChannel();
    const accepted = new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve();
    });
    worker.postMessage({ type: 'download', id, name, contentType: type, stream }, [channel.port2, stream as unknown as Transferable]);
    await accepted;
    clickLink(`${PREFIX}${id}`);
    return;
  }
  const picker = (window as unknown as { showSaveFilePicker?: (o: unknown) => Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }> }).showSaveFilePicker;
  if (picker) {
    const handle = await picker({ suggestedName: name });
    await stream.pipeTo(await handle.createWritable());
    return;
  }
  const blob = await new Response(stream).blob();
  const url = URL.createObjectURL(blob);
  clickLink(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
