/**
 * Unfinished multipart uploads, kept in IndexedDB so that a reload or a crash loses nothing:
 * the user selects the file again, it is matched by name, size and date (the key), and only
 * the parts S3 lacks are sent.
 *
 * Each record names its target (`UploadEndpoints.target`: 'account', or a drop link's), and
 * records are stored under [target, key]: the same file uploaded to the account and to a drop
 * link are two uploads, and a page restores only its own target's.
 */
interface SavedUpload {
  /** Where the upload goes: 'account' or `share:<digest>` (see endpoints.ts). */
  readonly target: string;
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
/** Version 1 keyed records by `key` alone, all of them the account's. */
const VERSION = 2;
const ACCOUNT = 'account';

function upgrade(request: IDBOpenDBRequest, oldVersion: number): void {
  const db = request.result;
  const transaction = request.transaction as IDBTransaction;
  if (oldVersion < 1) {
    db.createObjectStore(STORE, { keyPath: ['target', 'key'] });
    return;
  }
  // From version 1: read the account's records, re-create the store with the compound key, put them back.
  const old = transaction.objectStore(STORE).getAll();
  old.onsuccess = () => {
    db.deleteObjectStore(STORE);
    const store = db.createObjectStore(STORE, { keyPath: ['target', 'key'] });
    for (const record of old.result as Omit<SavedUpload, 'target'>[]) store.put({ ...record, target: ACCOUNT });
  };
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, VERSION);
    request.onupgradeneeded = (event) => upgrade(request, event.oldVersion);
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
export const forgetUpload = (target: string, key: string): Promise<void> => run('readwrite', (s) => s.delete([target, key]));
/** The unfinished uploads of one target. */
export const savedUploads = async (target: string): Promise<SavedUpload[]> =>
  (await run<SavedUpload[]>('readonly', (s) => s.getAll())).filter((record) => record.target === target);
