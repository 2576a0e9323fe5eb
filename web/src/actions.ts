/** What the user does, as plain functions over the store and the API client. */
import { folderVisibility } from '../../contract/folder-limits';
import type { FolderSort, SortOrder } from '../../contract/listing';
import type { FileItem, FileLink, MoveJob } from '../../contract/wire';
import * as api from './api';
import { createLiveTiles, GIVE_UP_MS } from './live';
import { loadTimelineChunk, prefetchTimelineBuckets } from './timeline/load';
import { listingKey, store, type AppState, type Dialog, type Filter, type Notice } from './store';
import { addFiles } from './upload/uploader';
import { saveStream } from './zip/save-stream';
import { uniqueNames, zipStream } from './zip/zip-writer';

const PAGE_SIZE = 200;

export const parentOf = (path: string): string => (path.lastIndexOf('/') <= 0 ? '/' : path.slice(0, path.lastIndexOf('/')));
export const joinPath = (folder: string, name: string): string => (folder === '/' ? `/${name}` : `${folder}/${name}`);
export const ancestorsOf = (path: string): string[] => {
  const chain = ['/'];
  for (const segment of path.split('/').filter(Boolean)) chain.push(joinPath(chain[chain.length - 1] as string, segment));
  return chain;
};

/** A message for any failure; a 403 says plainly that the user may not do it. */
export function showError(error: unknown, doing: string): void {
  let text = `Could not ${doing}: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof api.ApiError) {
    if (error.status === 403) text = `You are not allowed to ${doing}. ${error.message}`;
    else if (error.status === 401) text = error.code === api.SESSION_ENDED ? error.message : 'Your session has ended. Please log in again.';
  }
  store.update({ notice: { kind: 'error', text } });
  if (error instanceof api.ApiError && error.status === 401) store.update({ user: null });
}

/** How long a confirmation ("Created folder …") stays: long enough to read, gone before it misleads. */
export const INFO_NOTICE_MS = 6000;
let infoTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * A confirmation: it goes by itself after `INFO_NOTICE_MS` (later while the keyboard is on its
 * dismiss button) and when the user goes to another page or folder. Errors (`showError`) stay
 * until dismissed: they may need reading twice.
 */
export function notify(text: string): void {
  const notice: Notice = { kind: 'info', text };
  store.update({ notice });
  clearTimeout(infoTimer);
  const expire = (): void => {
    if (store.get().notice !== notice) return;
    if (document.activeElement?.closest('.notice')) infoTimer = setTimeout(expire, INFO_NOTICE_MS);
    else store.update({ notice: undefined });
  };
  infoTimer = setTimeout(expire, INFO_NOTICE_MS);
}
export const dismissNotice = (): void => store.update({ notice: undefined });
/** What leaving a page or folder does to the message shown: a confirmation is about the place left. */
export const noticeAfterLeaving = (state: Pick<AppState, 'notice'>): Pick<AppState, 'notice'> => (state.notice?.kind === 'info' ? { notice: undefined } : {});
/** The header's pages: files, shares, users (admin). */
export const showView = (view: AppState['view']): void => store.update((s) => ({ view, ...noticeAfterLeaving(s) }));
export const openDialog = (dialog: Dialog): void => store.update({ dialog });
export const closeDialog = (): void => store.update({ dialog: undefined });

export async function startSession(): Promise<void> {
  // A session lands on the timeline: fetch its code while the session is renewed.
  if (api.signedInHint() && folderFromLocation() === undefined) loadTimelineChunk().catch(() => undefined);
  try {
    const session = await api.refresh();
    store.update({ user: session?.user ?? null });
    if (session) await openLanding();
  } catch {
    store.update({ user: null });
  }
}

export async function logIn(username: string, password: string): Promise<void> {
  const session = await api.login(username, password);
  store.update({ user: session.user, notice: undefined });
  await openLanding();
}

/** After login: the folder the address names (a bookmark), else the timeline. */
async function openLanding(): Promise<void> {
  const folder = folderFromLocation();
  if (folder !== undefined) await openFolder(folder);
  else {
    // Its first request goes out now, not once its code has loaded and rendered.
    prefetchTimelineBuckets();
    showView('timeline');
  }
}

/** The timeline (landing view): forgets the folder in the address, so a reload lands there again. */
export function openTimeline(): void {
  if (location.hash !== '') history.replaceState(null, '', location.pathname + location.search);
  showView('timeline');
}

let loggedOut = false;
/** Whether this page logged out (the login page then offers to end the provider's session too). */
export const loggedOutHere = (): boolean => loggedOut;

export async function logOut(): Promise<void> {
  await api.logout().catch(() => undefined);
  loggedOut = true;
  store.update({ user: null, files: [], folders: {}, nextCursor: undefined, selected: [], viewing: undefined, dialog: undefined, view: 'timeline' });
}

/** The folder the address names (`#/trips`), if any. */
function folderFromLocation(): string | undefined {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ''));
  return hash.startsWith('/') ? hash : undefined;
}

export async function loadFolders(parent: string): Promise<void> {
  try {
    const { folders } = await api.listFolders(parent);
    store.update((s) => ({ folders: { ...s.folders, [parent]: folders } }));
  } catch (error) {
    if (!(error instanceof api.ApiError && (error.status === 404 || error.status === 403))) showError(error, `list the folders of ${parent}`);
  }
}

/**
 * Which listing the loaded pages belong to: bumped whenever the folder or the order changes,
 * so a page still on its way for the previous one is dropped rather than appended.
 */
let listing = 0;

/** Starts the listing again from its first page (another folder, another order). */
function restartListing(change: Partial<AppState>): void {
  listing += 1;
  store.update({ ...change, files: [], nextCursor: undefined, loadingFiles: false, selected: [], viewing: undefined });
}

export async function openFolder(path: string): Promise<void> {
  const expanded = [...new Set([...store.get().expanded, ...ancestorsOf(path)])];
  const leaving = store.get();
  restartListing({ folder: path, view: 'browse', expanded, ...(leaving.folder !== path || leaving.view !== 'browse' ? noticeAfterLeaving(leaving) : {}) });
  if (location.hash !== `#${path}`) history.replaceState(null, '', `#${encodeURI(path)}`);
  await Promise.all([loadMore(), ...ancestorsOf(path).map(loadFolders)]);
}

export const toggleFolder = (path: string): void => {
  const { expanded, folders } = store.get();
  if (expanded.includes(path)) {
    store.update({ expanded: expanded.filter((p) => p !== path) });
  } else {
    store.update({ expanded: [...expanded, path] });
    if (!folders[path]) void loadFolders(path);
  }
};

/** The folder listed with another type filter, from its first page (the API filters: the whole folder, not the pages loaded). */
export async function filterBy(filter: Filter): Promise<void> {
  restartListing({ filter });
  await loadMore();
}

/** The folder listed in another order, from its first page (the API sorts: the whole folder, not the pages loaded). */
export async function sortBy(sort: FolderSort, order: SortOrder): Promise<void> {
  restartListing({ sort, order });
  await loadMore();
}

/** The next page of the current folder in the chosen order and filter, unless one is loading or none is left, or the folder only leads to the user's folders. */
export async function loadMore(): Promise<void> {
  const state = store.get();
  if (state.loadingFiles || state.nextCursor === null) return;
  const { folder, sort, order, filter } = state;
  // An ancestor of the user's folders only leads to them: its files are not theirs to list (the server would refuse).
  if (state.user && folderVisibility(state.user, folder) === 'path') {
    store.update({ nextCursor: null });
    return;
  }
  const mine = listing;
  store.update({ loadingFiles: true });
  try {
    const page = await api.listFiles(folder, state.nextCursor ?? undefined, PAGE_SIZE, sort, order, filter === 'all' ? undefined : filter);
    if (mine !== listing) return;
    // One store update per page: every update re-renders what subscribes.
    store.update((s) => ({ files: s.files.concat(page.files), nextCursor: page.nextCursor, loadingFiles: false }));
    followRecent(page.files);
  } catch (error) {
    if (mine !== listing) return;
    store.update({ nextCursor: null, loadingFiles: false });
    showError(error, `list ${folder}`);
  }
}

/** Files shared to the app (share-target.ts) are uploaded into `folder`, which opens to show them arrive. */
export async function uploadShared(files: readonly File[], folder: string): Promise<void> {
  addFiles(files.map((file) => ({ file, folder })));
  store.update({ dialog: undefined });
  await openFolder(folder);
}

export const reloadFolder = (): Promise<void> => openFolder(store.get().folder);

/** An uploaded file joins the listing of its folder, in the order shown, when that folder is open. */
export function showUploaded(file: FileItem): void {
  store.update((s) => {
    if (s.folder !== file.folder || (s.filter !== 'all' && s.filter !== file.fileType)) return {};
    const others = s.files.filter((f) => f.id !== file.id);
    const key = listingKey(file, s.sort);
    const at = others.findIndex((f) => (s.order === 'asc' ? listingKey(f, s.sort) > key : listingKey(f, s.sort) < key));
    // Past the last loaded page, the file comes with a later page.
    if (at < 0 && s.nextCursor) return { files: others };
    return { files: at < 0 ? [...others, file] : [...others.slice(0, at), file, ...others.slice(at)] };
  });
  liveTiles.track(file);
  void loadFolders(parentOf(file.folder));
}

/** Tiles whose thumbnail or poster processing is still making follow it (live.ts): the file is read again until it has one. */
const liveTiles = createLiveTiles({
  get: api.getFile,
  apply: (file) => {
    if (!store.get().files.some((f) => f.id === file.id)) return false;
    replaceFile(file.id, file);
    return true;
  },
});

/** Files of a page uploaded moments ago may still be processing: their tiles follow it too. */
function followRecent(files: readonly FileItem[]): void {
  const recent = Date.now() - GIVE_UP_MS;
  for (const file of files) if (Date.parse(file.uploadedAt) > recent) liveTiles.track(file);
}

export function toggleSelected(id: string): void {
  store.update((s) => ({ selected: s.selected.includes(id) ? s.selected.filter((x) => x !== id) : [...s.selected, id] }));
}

/** A changed file in place of its old self; a rename gives it a new id (ids derive from the path). */
const replaceFile = (oldId: string, file: FileItem): void =>
  store.update((s) => ({
    files: s.files.map((f) => (f.id === oldId ? file : f)),
    selected: s.selected.map((id) => (id === oldId ? file.id : id)),
    viewing: s.viewing === oldId ? file.id : s.viewing,
  }));
const dropFiles = (ids: readonly string[]): void =>
  store.update((s) => ({ files: s.files.filter((f) => !ids.includes(f.id)), selected: s.selected.filter((x) => !ids.includes(x)) }));

/** PATCH answers the file, or 202 with a job when a large move continues in the background (`undefined` then). */
async function change(file: FileItem, changes: Parameters<typeof api.updateFile>[1], doing: string): Promise<FileItem | undefined> {
  try {
    const answer = await api.updateFile(file.id, changes);
    return 'job' in answer ? undefined : answer;
  } catch (error) {
    showError(error, doing);
    throw error;
  }
}

/** How often a move job is asked about, and for how long at most. */
const JOB_POLL_MS = 1000;
const JOB_WAIT_MS = 30 * 60_000;

/** Asks `GET /jobs/{id}` until the job has succeeded or failed (or the wait is over: the job as last seen). */
export async function followMoveJob(job: MoveJob, pollMs = JOB_POLL_MS): Promise<MoveJob> {
  const until = Date.now() + JOB_WAIT_MS;
  let current = job;
  while ((current.status === 'pending' || current.status === 'running') && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const { job: seen } = await api.getJob(current.id);
    if (seen.kind !== 'move') break;
    current = seen;
  }
  return current;
}

/** Follows the jobs of one move to their end and says how it ended; the destination, if open, lists them. */
async function reportMoveJobs(jobs: readonly MoveJob[], folder: string): Promise<void> {
  try {
    const ended = await Promise.all(jobs.map((job) => followMoveJob(job)));
    const failed = ended.filter((job) => job.status === 'failed');
    const running = ended.filter((job) => job.status !== 'succeeded' && job.status !== 'failed');
    if (failed.length > 0) {
      store.update({ notice: { kind: 'error', text: failed.map((job) => `${job.destination.name} was not moved to ${folder}: ${job.error?.message ?? 'the move failed'}`).join(' ') } });
    } else if (running.length === 0) {
      notify(`Finished moving ${ended.map((job) => job.destination.name).join(', ')} to ${folder}`);
    }
    if (store.get().folder === folder) void reloadFolder();
  } catch (error) {
    showError(error, `follow the move to ${folder}`);
  }
}

/** Moves one file; a name clash says so plainly. The job when a large file moves in the background. */
async function moveOne(file: FileItem, folder: string): Promise<MoveJob | undefined> {
  try {
    const answer = await api.updateFile(file.id, { folder });
    return 'job' in answer ? answer.job : undefined;
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 409) {
      store.update({ notice: { kind: 'error', text: `${file.name} was not moved: ${folder} already has a file named ${file.name}. Rename one of them, then move it again.` } });
    } else {
      showError(error, `move ${file.name}`);
    }
    throw error;
  }
}

export async function renameFile(file: FileItem, name: string): Promise<void> {
  const updated = await change(file, { name }, `rename ${file.name}`);
  if (updated) replaceFile(file.id, updated);
  closeDialog();
}

export async function moveFiles(files: readonly FileItem[], folder: string): Promise<void> {
  // A new destination is made first, so that it lists at once (a moved file's own folder marker comes later, from sync).
  if (folder !== '/') {
    try {
      await api.createFolder(folder);
    } catch (error) {
      showError(error, `create ${folder}`);
      throw error;
    }
  }
  const jobs: MoveJob[] = [];
  for (const file of files) {
    const job = await moveOne(file, folder);
    if (job) jobs.push(job);
    dropFiles([file.id]);
  }
  closeDialog();
  notify(
    `Moved ${files.length} file${files.length === 1 ? '' : 's'} to ${folder}` +
      (jobs.length ? ` (${jobs.length} still moving in the background: they appear there when done)` : ''),
  );
  await loadFolders(parentOf(folder));
  if (jobs.length > 0) void reportMoveJobs(jobs, folder);
}

/** Files a drag carries: the tile dragged, or the whole selection when that tile is part of it. */
export function draggedFiles(file: FileItem): readonly FileItem[] {
  const { selected, files } = store.get();
  return selected.includes(file.id) ? files.filter((f) => selected.includes(f.id)) : [file];
}

/** Files dropped on a folder move there, as the Move dialog moves them; those already there stay. */
export async function dropOnFolder(files: readonly FileItem[], folder: string): Promise<void> {
  const moving = files.filter((f) => f.folder !== folder);
  if (moving.length === 0) return;
  await moveFiles(moving, folder).catch(() => undefined);
}

export async function saveDetails(file: FileItem, tags: readonly string[], description: string): Promise<void> {
  const updated = await change(file, { tags, description: description.trim() === '' ? null : description }, `change ${file.name}`);
  if (updated) replaceFile(file.id, updated);
  closeDialog();
}

export async function deleteFiles(files: readonly FileItem[]): Promise<void> {
  for (const file of files) {
    try {
      await api.deleteFile(file.id);
      dropFiles([file.id]);
    } catch (error) {
      showError(error, `delete ${file.name}`);
      return;
    }
  }
  closeDialog();
  notify(`Moved ${files.length} file${files.length === 1 ? '' : 's'} to the trash`);
}

export async function createFolder(name: string): Promise<void> {
  const path = joinPath(store.get().folder, name.trim());
  try {
    await api.createFolder(path);
    closeDialog();
    await loadFolders(store.get().folder);
    notify(`Created folder ${path}`);
  } catch (error) {
    showError(error, `create ${path}`);
  }
}

export async function deleteFolder(path: string): Promise<void> {
  try {
    // An empty folder goes at once; one with files goes to the trash as a job, followed to its end.
    const answer = await api.deleteFolder(path, true);
    closeDialog();
    let moved: number | undefined;
    if (answer !== undefined) {
      notify(`Moving folder ${path} to the trash…`);
      let job = answer.job;
      while (job.status === 'pending' || job.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
        const { job: seen } = await api.getJob(job.id);
        if (seen.kind !== 'trash') break;
        job = seen;
      }
      if (job.status === 'failed') throw new Error(job.error?.message ?? 'the folder could not be deleted');
      moved = job.done;
    }
    await openFolder(parentOf(path));
    notify(moved === undefined ? `Deleted folder ${path}` : `Moved folder ${path} and its ${moved} file${moved === 1 ? '' : 's'} to the trash`);
  } catch (error) {
    showError(error, `delete folder ${path}`);
  }
}

/** One file: its presigned link (Content-Disposition: attachment with its name). Several: one ZIP streamed from their links. */
/** Opens a presigned download (an attachment: the page stays). */
export function followLink(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export async function downloadFiles(files: readonly FileItem[]): Promise<void> {
  try {
    const { links } = await api.fileLinks(files.map((f) => f.id));
    const usable = links.flatMap((link) => ('url' in link ? [link] : []));
    if (usable.length < links.length) notify(`${links.length - usable.length} file(s) could not be included.`);
    if (usable.length === 1) {
      followLink((usable[0] as { url: string }).url);
      return;
    }
    const folderName = store.get().folder.split('/').filter(Boolean).pop() ?? 'media';
    await saveZipOfLinks(usable, files, `${folderName}.zip`);
  } catch (error) {
    showError(error, 'download');
  }
}

export type UsableLink = Extract<FileLink, { url: string }>;

/** A link is renewed before its turn in a ZIP when it expires within this margin. */
export const LINK_RENEW_MARGIN_MS = 60_000;

/**
 * One ZIP (streamed, never held in memory) of the files behind `links`, saved as `zipName`; names
 * made unique, dates from `files`. A long ZIP outlives its first links: with `renew`, a link about
 * to expire is signed again when its turn comes.
 */
export async function saveZipOfLinks(
  links: readonly UsableLink[],
  files: readonly Pick<FileItem, 'id' | 'uploadedAt'>[],
  zipName: string,
  renew?: (link: UsableLink) => Promise<UsableLink>,
): Promise<void> {
  const names = uniqueNames(links.map((l) => l.name));
  const modified = new Map(files.map((f) => [f.id, new Date(f.uploadedAt)]));
  const zip = zipStream(
    links.map((signed, i) => ({
      name: names[i] as string,
      modified: modified.get(signed.id) ?? new Date(),
      open: async () => {
        const link = renew && Date.parse(signed.urlExpiresAt) - Date.now() < LINK_RENEW_MARGIN_MS ? await renew(signed) : signed;
        const response = await fetch(link.url);
        if (!response.ok || !response.body) throw new Error(`${link.name}: storage answered HTTP ${response.status}`);
        return response.body;
      },
    })),
  );
  await saveStream(zip, zipName);
}
