/** Filter, sort, and the actions on the folder (write actions only for writers); the selection's are in SelectionBar. */
import type { SortOrder } from '../../../contract/listing';
import type { Filter, SortKey } from '../store';

/** The orders offered, each one the API pages through (GET /files?sort=&order=). */
const SORT_CHOICES: readonly { readonly sort: SortKey; readonly order: SortOrder; readonly label: string }[] = [
  { sort: 'name', order: 'asc', label: 'Name, A to Z' },
  { sort: 'name', order: 'desc', label: 'Name, Z to A' },
  { sort: 'uploaded', order: 'desc', label: 'Uploaded, newest first' },
  { sort: 'uploaded', order: 'asc', label: 'Uploaded, oldest first' },
  { sort: 'taken', order: 'desc', label: 'Taken, newest first' },
  { sort: 'taken', order: 'asc', label: 'Taken, oldest first' },
];

export interface ToolbarProps {
  readonly filter: Filter;
  readonly sort: SortKey;
  readonly order: SortOrder;
  readonly onFilter: (filter: Filter) => void;
  readonly onSort: (sort: SortKey, order: SortOrder) => void;
  readonly canWrite: boolean;
  readonly isRoot: boolean;
  readonly onUploadFiles: () => void;
  readonly onUploadFolder: () => void;
  readonly onNewFolder: () => void;
  readonly onDeleteFolder: () => void;
  readonly onShareFolder: () => void;
}

export function Toolbar(p: ToolbarProps) {
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
        <select
          value={`${p.sort} ${p.order}`}
          onChange={(e) => {
            const [sort, order] = e.currentTarget.value.split(' ') as [SortKey, SortOrder];
            p.onSort(sort, order);
          }}
        >
          {SORT_CHOICES.map((c) => <option key={`${c.sort} ${c.order}`} value={`${c.sort} ${c.order}`}>{c.label}</option>)}
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
    </div>
  );
}
