/**
 * The app's one store: a plain state object, replaced (never mutated) by small update
 * functions; components read slices of it with `useStore`.
 */
import { useEffect, useState } from 'preact/hooks';
import { folderLimitsOf, isFolderAllowed } from '../../contract/folder-limits';
import type { FolderSort, SortOrder } from '../../contract/listing';
import type { FileItem, FolderRef, SessionUser } from '../../contract/wire';
import type { UploadItem } from './upload/machine';

export type Filter = 'all' | 'image' | 'video';
export type SortKey = FolderSort;

export type Dialog =
  | { readonly kind: 'rename'; readonly file: FileItem }
  | { readonly kind: 'move'; readonly files: readonly FileItem[] }
  | { readonly kind: 'delete'; readonly files: readonly FileItem[] }
  | { readonly kind: 'details'; readonly file: FileItem }
  | { readonly kind: 'new-folder' }
  | { readonly kind: 'delete-folder'; readonly path: string }
  | { readonly kind: 'share'; readonly target: ShareTarget }
  /** Files another app shared to this one (the manifest's share target), to upload into a folder. */
  | { readonly kind: 'shared-files'; readonly files: readonly File[] };

/** What a share dialog shares: one file, or a folder (an album). */
export type ShareTarget = { readonly fileId: string; readonly name: string } | { readonly folder: string };

export interface Notice {
  readonly kind: 'error' | 'info';
  readonly text: string;
}

export interface AppState {
  /** undefined: not known yet (refreshing); null: logged out. */
  readonly user: SessionUser | null | undefined;
  /** `timeline`: the landing view (every file by date); `browse`: the folders; `trash`: deleted files. */
  readonly view: 'timeline' | 'browse' | 'users' | 'shares' | 'trash';
  readonly folder: string;
  /** Subfolders by parent path, as loaded. */
  readonly folders: Readonly<Record<string, readonly FolderRef[]>>;
  readonly expanded: readonly string[];
  readonly files: readonly FileItem[];
  /** undefined: first page not loaded; null: no more pages. */
  readonly nextCursor: string | null | undefined;
  readonly loadingFiles: boolean;
  readonly filter: Filter;
  /** The order the API lists the folder in (the whole folder, page by page). */
  readonly sort: SortKey;
  readonly order: SortOrder;
  readonly selected: readonly string[];
  /** Id of the file open in the lightbox. */
  readonly viewing?: string;
  readonly dialog?: Dialog;
  readonly notice?: Notice;
  readonly uploads: readonly UploadItem[];
}

export const initialState: AppState = {
  user: undefined,
  view: 'timeline',
  folder: '/',
  folders: {},
  expanded: ['/'],
  files: [],
  nextCursor: undefined,
  loadingFiles: false,
  filter: 'all',
  sort: 'name',
  order: 'asc',
  selected: [],
  uploads: [],
};

type Listener = (state: AppState) => void;

interface Store {
  get(): AppState;
  update(change: Partial<AppState> | ((state: AppState) => Partial<AppState>)): void;
  subscribe(listener: Listener): () => void;
}

function createStore(initial: AppState = initialState): Store {
  let state = initial;
  const listeners = new Set<Listener>();
  return {
    get: () => state,
    update(change) {
      const patch = typeof change === 'function' ? change(state) : change;
      state = { ...state, ...patch };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const store = createStore();

/** A slice of the store; the component re-renders when the slice changes (by identity). */
export function useStore<T>(select: (state: AppState) => T, from: Store = store): T {
  const [value, setValue] = useState(() => select(from.get()));
  useEffect(() => {
    setValue(() => select(from.get()));
    return from.subscribe((state) => setValue(() => select(state)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [from]);
  return value;
}

/** Whether the user's role writes at all (editors, admins): the Shares page. Write controls ask `canWriteIn`. */
export const canWrite = (user: SessionUser | null | undefined): boolean => user?.role === 'admin' || user?.role === 'editor';

/**
 * Whether the user may upload to, change and delete in `folder`: a writer's role, and the
 * folder inside their folder limits — the server's own rule (contract/folder-limits.ts), so
 * no control is shown that would only meet a 403.
 */
export const canWriteIn = (user: SessionUser | null | undefined, folder: string): boolean => !!user && canWrite(user) && isFolderAllowed(user, folder);

/** Why files cannot be written to `folder` for a writer whose folder limits leave it out; `undefined` when they can. */
export function outsideLimits(user: SessionUser | null | undefined, folder: string): string | undefined {
  const limits = user ? folderLimitsOf(user) : undefined;
  if (!user || limits === undefined || isFolderAllowed(user, folder)) return undefined;
  return `${folder} is outside your folders (${limits.join(', ')}).`;
}

/**
 * The files shown: the pages loaded, which the API already sorted and filtered by type
 * (actions.filterBy restarts the listing); the filter here only guards against a file of
 * another type that joined the listing otherwise.
 */
export function visibleFiles(state: Pick<AppState, 'files' | 'filter'>): readonly FileItem[] {
  return state.filter === 'all' ? state.files : state.files.filter((f) => f.fileType === state.filter);
}

/**
 * Where a file stands in a folder's `sort` order, as the API's indexes order it (ascending;
 * contract/listing.ts): the name, or the date then the name. Places a new upload among the pages loaded.
 */
export function listingKey(file: Pick<FileItem, 'name' | 'uploadedAt' | 'takenAt'>, sort: SortKey): string {
  if (sort === 'name') return file.name;
  const when = sort === 'uploaded' ? file.uploadedAt : (file.takenAt ?? file.uploadedAt);
  return `${new Date(when).toISOString()}#${file.name}`;
}
