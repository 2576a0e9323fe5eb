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
      {/* On a phone the bar stays one row: the count shows its number, the clear button its ✕ (both keep their words for screen readers). */}
      <span class="count" aria-live="polite">{n}<span class="count-word"> selected</span></span>
      <button type="button" onClick={p.onDownload}>{n === 1 ? 'Download' : 'Download ZIP'}</button>
      {p.canWrite && n === 1 && <button type="button" onClick={p.onShareFile}>Share</button>}
      {p.canWrite && <button type="button" onClick={p.onMove}>Move</button>}
      {p.canWrite && <button type="button" class="danger" onClick={p.onDelete}>Delete</button>}
      <button type="button" class="clear" aria-label="Clear selection" onClick={p.onClearSelection}><span class="clear-icon" aria-hidden="true">✕</span><span class="clear-label">Clear selection</span></button>
    </div>
  );
}
