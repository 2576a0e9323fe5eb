/** Runs part hashing in a Worker (one for the app), answering in request order per id. */
type Pending = { resolve: (sha256: string) => void; reject: (error: Error) => void };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function hashWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<{ id: number; sha256?: string; error?: string }>) => {
    const entry = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (event.data.sha256) entry?.resolve(event.data.sha256);
    else entry?.reject(new Error(event.data.error ?? 'hashing failed'));
  };
  return worker;
}

/** Base64 SHA-256 of `blob`. */
export function sha256Of(blob: Blob): Promise<string> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    hashWorker().postMessage({ id, blob });
  });
}
