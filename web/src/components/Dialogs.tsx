/** The dialogs of the store's `dialog`: rename, move, delete, details (tags, description), folders, share, files shared to the app. */
import { useEffect, useState } from 'preact/hooks';
import type { FileItem, FolderRef } from '../../../contract/wire';
import * as api from '../api';
import { closeDialog, createFolder, deleteFiles, deleteFolder, moveFiles, renameFile, saveDetails, uploadShared } from '../actions';
import { canWrite, outsideLimits, store, useStore, type Dialog as DialogState } from '../store';
import { Dialog } from './Dialog';
import { ShareDialog } from './Shares';

function Buttons({ label, busy, danger, refusal }: { readonly label: string; readonly busy: boolean; readonly danger?: boolean; readonly refusal?: string | undefined }) {
  return (
    <div class="buttons">
      <button type="button" onClick={closeDialog}>Cancel</button>
      <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy || refusal !== undefined} aria-describedby={refusal ? 'refusal' : undefined}>{label}</button>
    </div>
  );
}

/** Runs `act` on submit, keeping the dialog open (with the store's message) when it fails. */
function useSubmit(act: () => Promise<void>): [boolean, (e: Event) => void] {
  const [busy, setBusy] = useState(false);
  return [busy, (e: Event) => {
    e.preventDefault();
    setBusy(true);
    act().catch(() => undefined).finally(() => setBusy(false));
  }];
}

export function RenameDialog({ file }: { readonly file: FileItem }) {
  const [name, setName] = useState(file.name);
  const [busy, submit] = useSubmit(() => renameFile(file, name));
  return (
    <Dialog title={`Rename ${file.name}`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <label>New name<input value={name} required onInput={(e) => setName(e.currentTarget.value)} /></label>
        <Buttons label="Rename" busy={busy} />
      </form>
    </Dialog>
  );
}

/** A typed destination as a folder path (`trips/` → `/trips`); the server normalizes the rest. */
const asFolder = (input: string): string => `/${input.replace(/^\/+/, '').replace(/\/+$/, '')}`;

/**
 * Picks a destination folder. A user with folder limits starts in the files' own folder when the
 * root is outside them; a destination outside them is not offered: Move is disabled, saying why.
 */
export function MoveDialog({ files, list = api.listFolders }: { readonly files: readonly FileItem[]; readonly list?: typeof api.listFolders }) {
  const user = useStore((s) => s.user);
  const [target, setTarget] = useState(() => (outsideLimits(user, '/') === undefined ? '/' : (files[0]?.folder ?? '/')));
  const outside = outsideLimits(user, asFolder(target));
  const refusal = outside && `You may not move files there: ${outside}`;
  const [busy, submit] = useSubmit(() => moveFiles(files, target));
  return (
    <Dialog title={files.length === 1 ? `Move ${files[0]?.name}` : `Move ${files.length} files`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <FolderField target={target} setTarget={setTarget} list={list} />
        {refusal && <p class="hint" id="refusal" role="status">{refusal}</p>}
        <Buttons label="Move" busy={busy} refusal={refusal} />
      </form>
    </Dialog>
  );
}

/** A destination folder: typed, or picked among the subfolders of the one typed (and its parent). */
function FolderField({ target, setTarget, list }: { readonly target: string; readonly setTarget: (path: string) => void; readonly list: typeof api.listFolders }) {
  const [children, setChildren] = useState<readonly FolderRef[]>([]);
  useEffect(() => {
    list(target).then((answer) => setChildren(answer.folders)).catch(() => setChildren([]));
  }, [target, list]);
  const parent = target === '/' ? undefined : target.slice(0, target.lastIndexOf('/')) || '/';
  return (
    <>
      <label>Destination folder<input value={target} required onInput={(e) => setTarget(e.currentTarget.value)} /></label>
      <ul class="folder-picker" aria-label="Subfolders">
        {parent !== undefined && <li><button type="button" onClick={() => setTarget(parent)}>⬑ {parent}</button></li>}
        {children.map((f) => <li key={f.path}><button type="button" onClick={() => setTarget(f.path)}>{f.name}</button></li>)}
      </ul>
    </>
  );
}

/** Files shared to the app from another one (the manifest's share target): which folder they are uploaded to. */
function SharedFilesDialog({ files, list = api.listFolders }: { readonly files: readonly File[]; readonly list?: typeof api.listFolders }) {
  const user = useStore((s) => s.user);
  const [target, setTarget] = useState(() => store.get().folder);
  const outside = outsideLimits(user, asFolder(target));
  const refusal = outside ? `You may not upload there: ${outside}` : user && !canWrite(user) ? 'Your account may not upload files.' : undefined;
  const [busy, submit] = useSubmit(async () => uploadShared(files, asFolder(target)));
  return (
    <Dialog title={files.length === 1 ? `Upload ${files[0]?.name}` : `Upload ${files.length} shared files`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <FolderField target={target} setTarget={setTarget} list={list} />
        {refusal && <p class="hint" id="refusal" role="status">{refusal}</p>}
        <Buttons label="Upload" busy={busy} refusal={refusal} />
      </form>
    </Dialog>
  );
}

export function DeleteDialog({ files }: { readonly files: readonly FileItem[] }) {
  const [busy, submit] = useSubmit(() => deleteFiles(files));
  return (
    <Dialog title={files.length === 1 ? `Delete ${files[0]?.name}?` : `Delete ${files.length} files?`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <p>{files.length === 1 ? 'It goes' : 'They go'} to the trash, where you can restore {files.length === 1 ? 'it' : 'them'} for a while.</p>
        <Buttons label="Delete" busy={busy} danger />
      </form>
    </Dialog>
  );
}

function DetailsDialog({ file }: { readonly file: FileItem }) {
  const [tags, setTags] = useState(file.tags.join(', '));
  const [description, setDescription] = useState(file.description ?? '');
  const [busy, submit] = useSubmit(() => saveDetails(file, tags.split(',').map((t) => t.trim()).filter(Boolean), description));
  return (
    <Dialog title={`Tags and description of ${file.name}`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <label>Tags (comma-separated)<input value={tags} onInput={(e) => setTags(e.currentTarget.value)} /></label>
        <label>Description<textarea rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
        <Buttons label="Save" busy={busy} />
      </form>
    </Dialog>
  );
}

function NewFolderDialog() {
  const [name, setName] = useState('');
  const [busy, submit] = useSubmit(() => createFolder(name));
  return (
    <Dialog title="New folder" onClose={closeDialog}>
      <form onSubmit={submit}>
        <label>Folder name<input value={name} required pattern="[^\/]+" title="A name without /" onInput={(e) => setName(e.currentTarget.value)} /></label>
        <Buttons label="Create" busy={busy} />
      </form>
    </Dialog>
  );
}

function DeleteFolderDialog({ path }: { readonly path: string }) {
  const [busy, submit] = useSubmit(() => deleteFolder(path));
  return (
    <Dialog title={`Delete folder ${path}?`} onClose={closeDialog}>
      <form onSubmit={submit}>
        <p>The folder goes to the trash with every file and subfolder in it; you can restore its files from the trash for a while.</p>
        <Buttons label="Delete folder" busy={busy} danger />
      </form>
    </Dialog>
  );
}

export function Dialogs({ dialog }: { readonly dialog: DialogState | undefined }) {
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'rename': return <RenameDialog file={dialog.file} />;
    case 'move': return <MoveDialog files={dialog.files} />;
    case 'delete': return <DeleteDialog files={dialog.files} />;
    case 'details': return <DetailsDialog file={dialog.file} />;
    case 'new-folder': return <NewFolderDialog />;
    case 'delete-folder': return <DeleteFolderDialog path={dialog.path} />;
    case 'share': return <ShareDialog target={dialog.target} />;
    case 'shared-files': return <SharedFilesDialog files={dialog.files} />;
  }
}
