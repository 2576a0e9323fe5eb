/**
 * The thumbnail grid, virtualized: only the rows in view (and one screen around them) exist
 * in the DOM, so only their thumbnails are requested; nearing the end asks for the next page.
 *
 * Scrolling costs little per frame (bench:web measures it): tiles are keyed by their slot in
 * the window (index modulo the window's size), so a row scrolling in reuses the elements of
 * the row that scrolled out — attributes and text change, nothing is created or removed; a
 * tile re-renders only when its own file, place or selection changes (not when a page is
 * appended); each tile is sized and `contain: strict`, so laying one out never lays out the rest.
 * Writers can drag a tile — or the selection it belongs to — onto a folder.
 */
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';
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
  /** Smallest tile width, px. @default 150 */
  readonly minTile?: number;
  /** What a drag of this tile carries (it, or the selection it is part of). @default tiles cannot be dragged */
  readonly dragFiles?: (file: FileItem) => readonly FileItem[];
}

const CAPTION = 36;
/** Images up to this size stand in for their own thumbnail until processing has made one. */
const SMALL_ORIGINAL_BYTES = 512 * 1024;

const smallOriginal = (file: FileItem): string | undefined =>
  file.fileType === 'image' && file.size <= SMALL_ORIGINAL_BYTES ? file.url : undefined;
const GAP = 8;

export function layout(width: number, count: number, minTile: number): { columns: number; tile: number; rowHeight: number; rows: number } {
  const columns = Math.max(1, Math.floor((width + GAP) / (minTile + GAP)));
  const tile = Math.floor((width - GAP * (columns - 1)) / columns);
  const rowHeight = tile + CAPTION + GAP;
  return { columns, tile, rowHeight, rows: Math.ceil(count / columns) };
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
  readonly size: number;
  readonly selected: boolean;
  readonly selectable: boolean;
  readonly draggable: boolean;
  readonly actions: TileActions;
}

/** One tile; skips rendering unless one of its props changed (Preact core has no memo). */
class Tile extends Component<TileProps> {
  override shouldComponentUpdate(next: TileProps): boolean {
    const p = this.props;
    return p.file !== next.file || p.x !== next.x || p.y !== next.y || p.size !== next.size || p.selected !== next.selected || p.selectable !== next.selectable || p.draggable !== next.draggable;
  }

  override render() {
    const { file, x, y, size, selected, selectable, draggable, actions } = this.props;
    const thumb = file.thumbUrl ?? (file.fileType === 'video' ? file.posterUrl : smallOriginal(file));
    const scale = file.width && file.height ? size / Math.max(file.width, file.height) : 0;
    return (
      <li
        class={`tile${selected ? ' selected' : ''}`}
        style={{ transform: `translate(${x}px, ${y}px)`, width: `${size}px`, height: `${size + CAPTION}px` }}
        draggable={draggable}
        onDragStart={draggable ? (e) => actions.dragStart(e, file) : undefined}
        onDragEnd={draggable ? endFileDrag : undefined}
      >
        <button type="button" class="thumb" onClick={() => actions.open(file)} aria-label={`Open ${file.name}`} style={{ height: `${size}px` }}>
          {thumb ? (
            // Keyed by file: a reused tile gets a new image element, never the previous file's picture while the next one loads.
            <img key={file.id} src={thumb} alt="" width={scale ? Math.round(file.width! * scale) : size} height={scale ? Math.round(file.height! * scale) : size} loading="lazy" decoding="async" draggable={false} />
          ) : (
            <Icon type={file.fileType} size={Math.min(64, size / 2)} />
          )}
        </button>
        {file.fileType === 'video' && <span class="badge" style={{ top: `${size - 26}px` }}>video</span>}
        <div class="caption">
          {selectable && <input type="checkbox" checked={selected} onChange={() => actions.toggle(file)} aria-label={`Select ${file.name}`} />}
          <span class="name" title={file.name}>{file.name}</span>
        </div>
      </li>
    );
  }
}

export function Grid({ files, selected, selectable, onOpen, onToggle, onNearEnd, hasMore, pageKey, minTile = 150, dragFiles }: GridProps) {
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

  const { columns, tile, rowHeight, rows } = layout(size.width, files.length, minTile);
  // A window of a fixed number of rows: those in view and one more on each side. Its tiles are
  // keyed by slot (index modulo the window's size), so the row entering takes the leaving row's keys.
  const windowRows = Math.ceil(size.height / rowHeight) + 3;
  const slots = windowRows * columns;
  const firstRow = Math.max(0, Math.min(Math.floor(scrollTop / rowHeight) - 1, rows - windowRows));
  const lastRow = Math.min(rows - 1, firstRow + windowRows - 1);
  const first = firstRow * columns;
  const last = Math.min(files.length, (lastRow + 1) * columns);

  useEffect(() => {
    if (hasMore && lastRow >= rows - 3) onNearEnd();
  }, [hasMore, lastRow, rows, onNearEnd, pageKey]);

  const onScroll = (): void => {
    const top = scroller.current?.scrollTop ?? 0;
    // One state change per row crossed, not per pixel.
    if (Math.floor(top / rowHeight) !== Math.floor(scrollTop / rowHeight)) setScrollTop(top);
  };

  const tiles = [];
  for (let i = first; i < last; i += 1) {
    const file = files[i] as FileItem;
    tiles.push(
      <Tile
        key={i % slots}
        file={file}
        x={(i % columns) * (tile + GAP)}
        y={Math.floor(i / columns) * rowHeight}
        size={tile}
        selected={selectedIds.has(file.id)}
        selectable={selectable}
        draggable={dragFiles !== undefined}
        actions={actions}
      />,
    );
  }

  return (
    <div class="grid-scroller" ref={scroller} onScroll={onScroll} tabIndex={-1}>
      <ul class="grid" aria-label="Files" style={{ height: `${rows * rowHeight}px` }}>
        {tiles}
      </ul>
    </div>
  );
}
