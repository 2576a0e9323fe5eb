/**
 * Moving files by dragging: a tile (or the selection it belongs to) is dragged onto a folder —
 * a folder tree entry, a breadcrumb, a subfolder — which is highlighted while the drag is over
 * it and moves the files there on drop. The files travel in this module (a drag's data can
 * only be read on drop, and only as strings); the drag's own type tells targets it carries
 * files, so a drag of files from the desktop (an upload) is left to the upload drop zone.
 */
import { useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';

export const FILES_DRAG_TYPE = 'application/x-media-store-files';

let carried: readonly FileItem[] = [];

export function startFileDrag(event: DragEvent, files: readonly FileItem[]): void {
  carried = files;
  const data = event.dataTransfer;
  if (!data) return;
  data.setData(FILES_DRAG_TYPE, files.map((f) => f.id).join('\n'));
  data.setData('text/plain', files.map((f) => f.name).join('\n'));
  data.effectAllowed = 'move';
}

export function endFileDrag(): void {
  carried = [];
}

/** Whether a drag carries files of this app (not files from the desktop). */
const carriesFiles = (event: DragEvent): boolean => Array.from(event.dataTransfer?.types ?? []).includes(FILES_DRAG_TYPE);

export interface FolderDropProps {
  readonly onDragEnter?: (event: DragEvent) => void;
  readonly onDragOver?: (event: DragEvent) => void;
  readonly onDragLeave?: (event: DragEvent) => void;
  readonly onDrop?: (event: DragEvent) => void;
}

/**
 * Makes an element a drop target for the files dragged from the grid: `over` while a drag
 * of files hovers it (for the highlight), `onDrop(files, path)` when they are dropped.
 * Without `onDrop` (a viewer) it is no target at all.
 */
export function useFolderDrop(path: string, onDrop: ((files: readonly FileItem[], path: string) => void) | undefined): { over: boolean; props: FolderDropProps } {
  const [over, setOver] = useState(false);
  if (!onDrop) return { over: false, props: {} };
  const accept = (event: DragEvent): boolean => {
    if (!carriesFiles(event)) return false;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    return true;
  };
  return {
    over,
    props: {
      onDragEnter: (event) => {
        if (accept(event)) setOver(true);
      },
      onDragOver: (event) => {
        if (accept(event) && !over) setOver(true);
      },
      onDragLeave: () => setOver(false),
      onDrop: (event) => {
        if (!accept(event)) return;
        event.stopPropagation();
        setOver(false);
        const files = carried;
        carried = [];
        if (files.length > 0) onDrop(files, path);
      },
    },
  };
}
