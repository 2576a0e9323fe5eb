/**
 * The browsing screen: tree, breadcrumbs, toolbar, grid, drop zone (files from the desktop
 * upload here), lightbox and uploads (the dialogs are the Shell's). Tiles dragged onto a tree entry, breadcrumb or
 * subfolder move there (writers only; the Move dialog is the keyboard's way). Write controls
 * show only where the user may write: a writer's role, and the folder (for a move, also the
 * destination) inside their folder limits.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { folderVisibility } from '../../../contract/folder-limits';
import type { FileItem, FolderRef } from '../../../contract/wire';
import * as actions from '../actions';
import { canWriteIn, outsideLimits, store, useStore, visibleFiles } from '../store';
import { addFiles } from '../upload/uploader';
import { fromDrop, fromInput } from '../upload/pick';
import { useFolderDrop } from './drag';
import { FolderTree, Breadcrumbs, type CanDropOn, type DropFiles } from './FolderTree';
import { Grid } from './Grid';
import { Icon } from './Icon';
import { Lightbox } from './Lightbox';
import { SelectionBar } from './SelectionBar';
import { Shell, useNarrow } from './Shell';
import { Toolbar } from './Toolbar';

const NONE: readonly FileItem[] = [];
const dropFiles: DropFiles = (files, folder) => void actions.dropOnFolder(files, folder);

/** A subfolder's button, which is also where dragged files can be dropped. */
function Subfolder({ folder, onDropFiles }: { readonly folder: FolderRef; readonly onDropFiles: DropFiles | undefined }) {
  const drop = useFolderDrop(folder.path, onDropFiles);
  return (
    <li>
      <button type="button" class={drop.over ? 'drop-target' : undefined} onClick={() => void actions.openFolder(folder.path)} {...drop.props}>
        <Icon type="folder" size={20} />{folder.name}
      </button>
    </li>
  );
}

/** A drag of files from the desktop (an upload), not of tiles. */
const fromDesktop = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');

export function Browse() {
  const state = useStore((s) => s);
  const writer = canWriteIn(state.user, state.folder);
  const files = visibleFiles(state);
  const subfolders = state.folders[state.folder] ?? [];
  const selection = state.selected.length === 0 ? NONE : state.files.filter((f) => state.selected.includes(f.id));
  // Files are dragged from the folder shown (writers there only), to folders they may move files to.
  const onDropFiles = writer ? dropFiles : undefined;
  const canDropOn: CanDropOn = (path) => canWriteIn(state.user, path);
  const outside = outsideLimits(state.user, state.folder);
  const leadsToMine = outside !== undefined && state.user && folderVisibility(state.user, state.folder) === 'path';
  const emptyText = outside !== undefined ? `${outside}${leadsToMine ? ' Open the way to them below.' : ''}`
    : writer ? 'No files here yet. Drop files or folders here, or use Upload files.' : 'No files here.';
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const narrow = useNarrow();
  const viewingIndex = files.findIndex((f) => f.id === state.viewing);
  const viewing = viewingIndex >= 0 ? files[viewingIndex] : undefined;
  const onNearEnd = useCallback(() => void actions.loadMore(), []);
  const open = (file: FileItem): void => store.update({ viewing: file.id });
  const step = (delta: number): void => {
    const next = files[viewingIndex + delta];
    if (next) store.update({ viewing: next.id });
    if (delta > 0 && viewingIndex + delta >= files.length - 5) void actions.loadMore();
  };

  const openFolder = (path: string): void => {
    setDrawer(false);
    void actions.openFolder(path);
  };
  const user = state.user;
  if (!user) return null;
  // On a phone in the bar's menu; wider, at the top of the folder (the bar stays as on every screen).
  const toolbar = (
    <Toolbar
      filter={state.filter}
      sort={state.sort}
      order={state.order}
      onFilter={(filter) => void actions.filterBy(filter)}
      onSort={(sort, order) => void actions.sortBy(sort, order)}
      canWrite={writer}
      isRoot={state.folder === '/'}
      onUploadFiles={() => filesInput.current?.click()}
      onUploadFolder={() => folderInput.current?.click()}
      onNewFolder={() => actions.openDialog({ kind: 'new-folder' })}
      onDeleteFolder={() => actions.openDialog({ kind: 'delete-folder', path: state.folder })}
      onShareFolder={() => actions.openDialog({ kind: 'share', target: { folder: state.folder } })}
    />
  );

  return (
    <Shell
      user={user}
      view="browse"
      drawer={{ open: drawer, toggle: () => setDrawer(!drawer) }}
      title={<Breadcrumbs path={state.folder} onOpen={openFolder} onDropFiles={onDropFiles} canDropOn={canDropOn} />}
      primary={writer && (
        <button type="button" class="icon-button upload-button" aria-label="Upload" onClick={() => filesInput.current?.click()}>
          <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 16V4M6 10l6-6 6 6M4 20h16" fill="none" stroke="currentColor" stroke-width="2" /></svg>
        </button>
      )}
      menu={narrow ? toolbar : undefined}
    >
    <div
      class={`browse${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        if (!writer || !fromDesktop(e)) return;
        e.preventDefault();
        if (!dragging) setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        if (!writer || !e.dataTransfer || !fromDesktop(e)) return;
        e.preventDefault();
        setDragging(false);
        void fromDrop(e.dataTransfer, state.folder).then(addFiles);
      }}
    >
      {/* A phone shows the tree as a drawer over the grid, closed by a tap beside it or by opening a folder. */}
      <div id="folder-drawer" class={`drawer${drawer ? ' open' : ''}`}>
        <FolderTree folders={state.folders} expanded={state.expanded} current={state.folder} onOpen={openFolder} onToggle={actions.toggleFolder} {...(onDropFiles ? { onDropFiles, canDropOn } : {})} />
      </div>
      {drawer && <div class="scrim" aria-hidden="true" onClick={() => setDrawer(false)} />}
      <main class="content" aria-label={`Folder ${state.folder}`}>
        {!narrow && toolbar}
        {writer && (
          <>
            <input ref={filesInput} class="hidden-input" type="file" multiple aria-label="Choose files to upload" onChange={(e) => { addFiles(fromInput(e.currentTarget.files, state.folder)); e.currentTarget.value = ''; }} />
            <input ref={folderInput} class="hidden-input" type="file" {...{ webkitdirectory: '' }} aria-label="Choose a folder to upload" onChange={(e) => { addFiles(fromInput(e.currentTarget.files, state.folder)); e.currentTarget.value = ''; }} />
          </>
        )}
        {subfolders.length > 0 && (
          <ul class="subfolders" aria-label="Subfolders">
            {subfolders.map((f) => <Subfolder key={f.path} folder={f} onDropFiles={onDropFiles && canDropOn(f.path) ? onDropFiles : undefined} />)}
          </ul>
        )}
        {files.length === 0 && !state.loadingFiles && state.nextCursor === null ? (
          <p class="empty">{emptyText}</p>
        ) : (
          <Grid files={files} selected={state.selected} selectable onOpen={open} onToggle={(f) => actions.toggleSelected(f.id)} onNearEnd={onNearEnd} hasMore={state.nextCursor !== null} pageKey={state.nextCursor} {...(writer ? { dragFiles: actions.draggedFiles } : {})} />
        )}
        {/* Always there, so a page loading does not resize the grid (a layout and a re-render of every tile). */}
        <p class="page-status" role="status">{state.loadingFiles ? 'Loading…' : ''}</p>
        <SelectionBar
          selection={selection}
          canWrite={writer}
          onShareFile={() => selection[0] && actions.openDialog({ kind: 'share', target: { fileId: selection[0].id, name: selection[0].name } })}
          onDownload={() => void actions.downloadFiles(selection)}
          onMove={() => actions.openDialog({ kind: 'move', files: selection })}
          onDelete={() => actions.openDialog({ kind: 'delete', files: selection })}
          onClearSelection={() => store.update({ selected: [] })}
        />
      </main>
      {viewing && (
        <Lightbox
          file={viewing}
          hasPrevious={viewingIndex > 0}
          hasNext={viewingIndex < files.length - 1}
          onPrevious={() => step(-1)}
          onNext={() => step(1)}
          onClose={() => store.update({ viewing: undefined })}
          onDownload={(f) => void actions.downloadFiles([f])}
          {...(writer ? { actions: { rename: () => actions.openDialog({ kind: 'rename', file: viewing }), details: () => actions.openDialog({ kind: 'details', file: viewing }), share: () => actions.openDialog({ kind: 'share', target: { fileId: viewing.id, name: viewing.name } }) } } : {})}
        />
      )}
    </div>
    </Shell>
  );
}
