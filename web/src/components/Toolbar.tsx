/** Filter, sort, and the actions on the folder and the selection (write actions only for writers). */
import type { FileItem } from '../../../contract/wire';
import type { Filter, SortKey } from '../store';

export interface ToolbarProps {
  readonly filter: Filter;
  readonly sort: SortKey;
  readonly onFilter: (filter: Filter) => void;
  readonly onSort: (sort: SortKey) => void;
  readonly selection: readonly FileItem[];
  readonly canWrite: boolean;
  readonly isRoot: boolean;
  readonly onUploadFiles: () => void;
  readonly onUploadFolder: () => void;
  readonly onNewFolder: () => void;
  readonly onDeleteFolder: () => void;
  readonly onShareFolder: () => void;
  readonly onShareFile: () => void;
  readonly onDownload: () => void;
  readonly onMove: () => void;
  readonly onDelete: () => void;
  readonly onClearSelection: () => void;
}

export function Toolbar(p: ToolbarProps) {
  const n = p.selection.length;
  return (
    <div class="toolbar" role="toolbar" aria-label="Files">
      <label>Show
        <select value={p.filter} onChange={(e) => p.onFilter(e.currentTarget.value as Filter)}>
          <option value="all">All</option>
          <option value="image">Images</option>
          <option value="video">Videos</option>
        </select>
      </label>
      <label>Sort by
        <select value={p.sort} onChange={(e) => p.onSort(e.currentTarget.value as SortKey)}>
          <option value="name">Name</option>
          <option value="uploaded">Uploaded</option>
          <option value="taken">Taken</option>
        </select>
      </label>
      {p.canWrite && (
        <>
          <button type="button" class="primary" onClick={p.onUploadFiles}>Upload files</button>
          <button type="button" onClick={p.onUploadFolder}>Upload folder</button>
          <button type="button" onClick={p.onNewFolder}>New folder</button>
          <button type="button" onClick={p.onShareFolder}>Share folder</button>
          {!p.isRoot && <button type="button" onClick={p.onDeleteFolder}>Delete folder</button>}
        </>
      )}
      {n > 0 && (
        <span class="selection" aria-live="polite">
          {n} selected
          <button type="button" onClick={p.onDownload}>{n === 1 ? 'Download' : 'Download ZIP'}</button>
          {p.canWrite && n === 1 && <button type="button" onClick={p.onShareFile}>Share</button>}
          {p.canWrite && <button type="button" onClick={p.onMove}>Move</button>}
          {p.canWrite && <button type="button" class="danger" onClick={p.onDelete}>Delete</button>}
          <button type="button" onClick={p.onClearSelection}>Clear selection</button>
        </span>
      )}
    </div>
  );
}
