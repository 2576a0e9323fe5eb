/**
 * The thumbnail grid, virtualized: only the rows in view (and one screen around them) exist
 * in the DOM, so only their thumbnails are requested; nearing the end asks for the next page.
 * Photos sit in justified rows at their own aspect ratio (layout/justified.ts, the timeline's
 * layout), each with its name and checkbox under it; a file of unknown size counts as square.
 *
 * Scrolling costs little per frame (bench:web measures it): tiles are keyed by their slot in
 * the window (row modulo the window's rows, place in the row), so a row scrolling in reuses the elements of
 * the row that scrolled out — attributes and text change, nothing is created or removed; a
 * tile re-renders only when its own file, place or selection changes (not when a page is
 * appended); each tile is sized and `contain: strict`, so laying one out never lays out the rest.
 * Writers can drag a tile — or the selection it belongs to — onto a folder.
 */
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';
import { justify, type JustifiedRow } from '../layout/justified';
import { endFileDrag, startFileDrag } from './drag';
import { Icon } from './Icon';

export interface GridProps {
  readonly files: readonly FileItem[];
  readonly selected: readonly string[];
  readonly selectable: boolean;
  readonly onOpen: (file: FileItem) => void;
  readonly onToggle: (file: FileItem) => void;
  /** Called when the last rows come into view. */
  readonly onNearEnd: () => void;
  readonly hasMore: boolean;
  /**
   * Changes whenever a page arrives (the listing's cursor), so the grid asks for the next one
   * while the view is not filled even when a page added no tile (a filtered page may be empty).
   * @default the grid asks again only when its rows change
   */
  readonly pageKey?: string | null;
  /** Row height aimed at, px (the picture, the caption under it aside). @default 180, 120 below 600 px wide */
  readonly targetHeight?: number;
  /** What a drag of this tile carries (it, or the selection it is part of). @default tiles cannot be dragged */
  readonly dragFiles?: (file: FileItem) => readonly FileItem[];
}

const CAPTION = 36;
/** Images up to this size stand in for their own thumbnail until processing has made one. */
const SMALL_ORIGINAL_BYTES = 512 * 1024;

const smallOriginal = (file: FileItem): string | undefined =>
  file.fileType === 'image' && file.size <= SMALL_ORIGINAL_BYTES ? file.url : undefined;
const GAP = 8;

interface GridLayout {
  /** Rows of pictures; each row's `top` counts the captions of the rows above. */
  readonly rows: readonly JustifiedRow[];
  /** A row's height with its caption and the gap under it is `row.height + ROW_EXTRA`. */
  readonly height: number;
  /** The lowest row's height with its caption and gap, px. */
  readonly lowest: number;
}

/** Rows under a caption each: the picture's height plus this, plus the gap. */
export const ROW_EXTRA = CAPTION;

/** The folder's files in justified rows `width` px wide (layout/justified.ts), captions added. */
export function gridLayout(files: readonly Pick<FileItem, 'width' | 'height'>[], width: number, targetHeight: number): GridLayout {
  const justified = justify(files, { width, targetHeight, gap: GAP, minHeight: targetHeight * 0.7 });
  let lowest = targetHeight;
  const rows = justified.rows.map((row, i) => {
    lowest = Math.min(lowest, row.height);
    return { ...row, top: row.top + i * CAPTION };
  });
  return { rows, height: justified.height + rows.length * CAPTION, lowest: Math.max(1, lowest) + CAPTION + GAP };
}

/** The index of the row at `y` (the last one starting at or above it). */
function rowAt(rows: readonly JustifiedRow[], y: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((rows[mid] as JustifiedRow).top <= y) low = mid;
    else high = mid - 1;
  }
  return Math.max(0, low);
}

/** The grid's callbacks, read through a ref so tiles get the same functions on every render. */
interface TileActions {
  open(file: FileItem): void;
  toggle(file: FileItem): void;
  dragStart(event: DragEvent, file: FileItem): void;
}

interface TileProps {
  readonly file: FileItem;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly selected: boolean;
  readonly selectable: boolean;
  readonly draggable: boolean;
  readonly actions: TileActions;
}

/** One tile; skips rendering unless one of its props changed (Preact core has no memo). */
class Tile extends Component<TileProps> {
  override shouldComponentUpdate(next: TileProps): boolean {
    const p = this.props;
    return p.file !== next.file || p.x !== next.x || p.y !== next.y || p.width !== next.width || p.height !== next.height || p.selected !== next.selected || p.selectable !== next.selectable || p.draggable !== next.draggable;
  }

  override render() {
    const { file, x, y, width, height, selected, selectable, draggable, actions } = this.props;
    const thumb = file.thumbUrl ?? (file.fileType === 'video' ? file.posterUrl : smallOriginal(file));
    return (
      <li
        class={`tile${selected ? ' selected' : ''}`}
        style={{ transform: `translate(${x}px, ${y}px)`, width: `${width}px`, height: `${height + CAPTION}px` }}
        draggable={draggable}
        onDragStart={draggable ? (e) => actions.dragStart(e, file) : undefined}
        onDragEnd={draggable ? endFileDrag : undefined}
      >
        <button type="button" class="thumb" onClick={() => actions.open(file)} aria-label={`Open ${file.name}`} style={{ height: `${height}px` }}>
          {thumb ? (
            // Keyed by file: a reused tile gets a new image element, never the previous file's picture while the next one loads.
            // The box has the picture's own shape (justified rows): it fills it, letterboxed only while its size is unknown.
            <img key={file.id} class={file.width && file.height ? 'fill' : undefined} src={thumb} alt="" width={width} height={height} loading="lazy" decoding="async" draggable={false} />
          ) : (
            <Icon type={file.fileType} size={Math.min(64, height / 2, width / 2)} />
          )}
        </button>
        {file.fileType === 'video' && <span class="badge" style={{ top: `${height - 26}px` }}>video</span>}
        <div class="caption">
          {selectable && <input type="checkbox" checked={selected} onChange={() => actions.toggle(file)} aria-label={`Select ${file.name}`} />}
          <span class="name" title={file.name}>{file.name}</span>
        </div>
      </li>
    );
  }
}

export function Grid({ files, selected, selectable, onOpen, onToggle, onNearEnd, hasMore, pageKey, targetHeight, dragFiles }: GridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  const latest = useRef({ onOpen, onToggle, dragFiles });
  latest.current = { onOpen, onToggle, dragFiles };
  const actions = useMemo<TileActions>(
    () => ({
      open: (file) => latest.current.onOpen(file),
      toggle: (file) => latest.current.onToggle(file),
      dragStart: (event, file) => startFileDrag(event, latest.current.dragFiles?.(file) ?? [file]),
    }),
    [],
  );
  const selectedIds = useMemo(() => new Set(selected), [selected]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    // Not laid out yet (hidden, or no layout engine): keep the last size rather than collapse to nothing.
    const measure = (): void => {
      if (element.clientWidth > 0) {
        const next = { width: element.clientWidth, height: element.clientHeight };
        setSize((last) => (last.width === next.width && last.height === next.height ? last : next));
      }
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const target = targetHeight ?? (size.width < 600 ? 120 : 180);
  const { rows, height, lowest } = useMemo(() => gridLayout(files, size.width, target), [files, size.width, target]);
  // A window of a fixed number of rows, enough for the screen in view and one more on each
  // side however low the rows are. Its tiles are keyed by slot (row modulo the window's rows,
  // and place in the row), so the row entering takes the leaving row's keys.
  const windowRows = Math.ceil((size.height * 3) / lowest) + 2;
  const firstRow = Math.max(0, Math.min(rowAt(rows, scrollTop - size.height), rows.length - windowRows));
  const lastRow = Math.min(rows.length - 1, firstRow + windowRows - 1);
  const step = Math.max(1, Math.round(size.height / 4));

  useEffect(() => {
    if (hasMore && lastRow >= rows.length - 3) onNearEnd();
  }, [hasMore, lastRow, rows.length, onNearEnd, pageKey]);

  const onScroll = (): void => {
    const top = scroller.current?.scrollTop ?? 0;
    // One state change per quarter screen crossed, not per pixel.
    if (Math.floor(top / step) !== Math.floor(scrollTop / step)) setScrollTop(top);
  };

  const tiles = [];
  for (let r = firstRow; r <= lastRow && r < rows.length; r += 1) {
    const row = rows[r] as JustifiedRow;
    for (const box of row.boxes) {
      const file = files[box.index] as FileItem;
      tiles.push(
        <Tile
          key={`${r % windowRows}:${box.index - (row.boxes[0] as JustifiedRow['boxes'][number]).index}`}
          file={file}
          x={box.x}
          y={row.top}
          width={box.width}
          height={row.height}
          selected={selectedIds.has(file.id)}
          selectable={selectable}
          draggable={dragFiles !== undefined}
          actions={actions}
        />,
      );
    }
  }

  return (
    <div class="grid-scroller" ref={scroller} onScroll={onScroll} tabIndex={-1}>
      <ul class="grid" aria-label="Files" style={{ height: `${height}px` }}>
        {tiles}
      </ul>
    </div>
  );
}
