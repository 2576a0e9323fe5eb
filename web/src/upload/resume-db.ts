/**
 * Unfinished multipart uploads, kept in IndexedDB so that a reload or a crash loses nothing:
 * the user selects the file again, it is matched by name, size and date (the key), and only
 * the parts S3 lacks are sent.
 */
export interface SavedUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly fileId: string;
  readonly name: string;
  readonly folder: string;
  readonly size: number;
  readonly contentType: string;
  readonly partSize: number;
  readonly partCount: number;
  readonly savedAt: string;
}

const DB = 'media-store-uploads';
const STORE = 'uploads';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result as T);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

export const saveUpload = (upload: SavedUpload): Promise<void> => run('readwrite', (s) => s.put(upload));
export const forgetUpload = (key: string): Promise<void> => run('readwrite', (s) => s.delete(key));
export const savedUploads = (): Promise<SavedUpload[]> => run('readonly', (s) => s.getAll());
