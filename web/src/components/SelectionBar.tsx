/** A selection's actions, in a bar at the bottom of the screen (in the thumb's reach on a phone). */
import type { FileItem } from '../../../contract/wire';

export interface SelectionBarProps {
  readonly selection: readonly FileItem[];
  readonly canWrite: boolean;
  readonly onDownload: () => void;
  readonly onShareFile: () => void;
  readonly onMove: () => void;
  readonly onDelete: () => void;
  readonly onClearSelection: () => void;
}

export function SelectionBar(p: SelectionBarProps) {
  const n = p.selection.length;
  if (n === 0) return null;
  return (
    <div class="selection-bar" role="toolbar" aria-label="Selection">
      <span class="count" aria-live="polite">{n} selected</span>
      <button type="button" onClick={p.onDownload}>{n === 1 ? 'Download' : 'Download ZIP'}</button>
      {p.canWrite && n === 1 && <button type="button" onClick={p.onShareFile}>Share</button>}
      {p.canWrite && <button type="button" onClick={p.onMove}>Move</button>}
      {p.canWrite && <button type="button" class="danger" onClick={p.onDelete}>Delete</button>}
      <button type="button" onClick={p.onClearSelection}>Clear selection</button>
    </div>
  );
}
