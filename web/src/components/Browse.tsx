/** The browsing screen: tree, breadcrumbs, toolbar, grid, drop zone, lightbox and uploads. */
import { useCallback, useRef, useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';
import * as actions from '../actions';
import { canWrite, store, useStore, visibleFiles } from '../store';
import { addFiles, cancel, clearFinished, pause, resume } from '../upload/uploader';
import { fromDrop, fromInput } from '../upload/pick';
import { Dialogs } from './Dialogs';
import { FolderTree, Breadcrumbs } from './FolderTree';
import { Grid } from './Grid';
import { Icon } from './Icon';
import { Lightbox } from './Lightbox';
import { Toolbar } from './Toolbar';
import { UploadPanel } from './UploadPanel';

export function Browse() {
  const state = useStore((s) => s);
  const writer = canWrite(state.user);
  const files = visibleFiles(state);
  const subfolders = state.folders[state.folder] ?? [];
  const selection = state.files.filter((f) => state.selected.includes(f.id));
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const viewingIndex = files.findIndex((f) => f.id === state.viewing);
  const viewing = viewingIndex >= 0 ? files[viewingIndex] : undefined;
  const onNearEnd = useCallback(() => void actions.loadMore(), []);
  const open = (file: FileItem): void => store.update({ viewing: file.id });
  const step = (delta: number): void => {
    const next = files[viewingIndex + delta];
    if (next) store.update({ viewing: next.id });
    if (delta > 0 && viewingIndex + delta >= files.length - 5) void actions.loadMore();
  };

  return (
    <div
      class={`browse${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        if (!writer) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        if (!writer || !e.dataTransfer) return;
        e.preventDefault();
        setDragging(false);
        void fromDrop(e.dataTransfer, state.folder).then(addFiles);
      }}
    >
      <FolderTree folders={state.folders} expanded={state.expanded} current={state.folder} onOpen={(p) => void actions.openFolder(p)} onToggle={actions.toggleFolder} />
      <main class="content" aria-label={`Folder ${state.folder}`}>
        <Breadcrumbs path={state.folder} onOpen={(p) => void actions.openFolder(p)} />
        <Toolbar
          filter={state.filter}
          sort={state.sort}
          onFilter={(filter) => store.update({ filter })}
          onSort={(sort) => store.update({ sort })}
          selection={selection}
          canWrite={writer}
          isRoot={state.folder === '/'}
          onUploadFiles={() => filesInput.current?.click()}
          onUploadFolder={() => folderInput.current?.click()}
          onNewFolder={() => actions.openDialog({ kind: 'new-folder' })}
          onDeleteFolder={() => actions.openDialog({ kind: 'delete-folder', path: state.folder })}
          onShareFolder={() => actions.openDialog({ kind: 'share', target: { folder: state.folder } })}
          onShareFile={() => selection[0] && actions.openDialog({ kind: 'share', target: { fileId: selection[0].id, name: selection[0].name } })}
          onDownload={() => void actions.downloadFiles(selection)}
          onMove={() => actions.openDialog({ kind: 'move', files: selection })}
          onDelete={() => actions.openDialog({ kind: 'delete', files: selection })}
          onClearSelection={() => store.update({ selected: [] })}
        />
        {writer && (
          <>
            <input ref={filesInput} class="hidden-input" type="file" multiple aria-label="Choose files to upload" onChange={(e) => { addFiles(fromInput(e.currentTarget.files, state.folder)); e.currentTarget.value = ''; }} />
            <input ref={folderInput} class="hidden-input" type="file" {...{ webkitdirectory: '' }} aria-label="Choose a folder to upload" onChange={(e) => { addFiles(fromInput(e.currentTarget.files, state.folder)); e.currentTarget.value = ''; }} />
          </>
        )}
        {subfolders.length > 0 && (
          <ul class="subfolders" aria-label="Subfolders">
            {subfolders.map((f) => (
              <li key={f.path}><button type="button" onClick={() => void actions.openFolder(f.path)}><Icon type="folder" size={20} />{f.name}</button></li>
            ))}
          </ul>
        )}
        {files.length === 0 && !state.loadingFiles && state.nextCursor === null ? (
          <p class="empty">{writer ? 'No files here yet. Drop files or folders here, or use Upload files.' : 'No files here.'}</p>
        ) : (
          <Grid files={files} selected={state.selected} selectable onOpen={open} onToggle={(f) => actions.toggleSelected(f.id)} onNearEnd={onNearEnd} hasMore={state.nextCursor !== null} />
        )}
        {state.loadingFiles && <p class="loading" role="status">Loading…</p>}
        <UploadPanel uploads={state.uploads} onPause={pause} onResume={resume} onCancel={cancel} onClear={clearFinished} />
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
      <Dialogs dialog={state.dialog} />
    </div>
  );
}
