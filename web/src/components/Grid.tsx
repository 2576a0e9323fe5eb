/**
 * The thumbnail grid, virtualized: only the rows in view (and one screen around them) exist
 * in the DOM, so only their thumbnails are requested; nearing the end asks for the next page.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { FileItem } from '../../../contract/wire';
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
  /** Smallest tile width, px. @default 150 */
  readonly minTile?: number;
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

export function Grid({ files, selected, selectable, onOpen, onToggle, onNearEnd, hasMore, minTile = 150 }: GridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    // Not laid out yet (hidden, or no layout engine): keep the last size rather than collapse to nothing.
    const measure = (): void => {
      if (element.clientWidth > 0) setSize({ width: element.clientWidth, height: element.clientHeight });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const { columns, tile, rowHeight, rows } = layout(size.width, files.length, minTile);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - 1);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + size.height) / rowHeight) + 1);
  const first = firstRow * columns;
  const last = Math.min(files.length, (lastRow + 1) * columns);

  useEffect(() => {
    if (hasMore && lastRow >= rows - 3) onNearEnd();
  }, [hasMore, lastRow, rows, onNearEnd]);

  const onScroll = (): void => {
    const top = scroller.current?.scrollTop ?? 0;
    // One state change per row crossed, not per pixel.
    if (Math.floor(top / rowHeight) !== Math.floor(scrollTop / rowHeight)) setScrollTop(top);
  };

  const tiles = [];
  for (let i = first; i < last; i += 1) {
    const file = files[i] as FileItem;
    const row = Math.floor(i / columns);
    const column = i % columns;
    const isSelected = selected.includes(file.id);
    const thumb = file.thumbUrl ?? (file.fileType === 'video' ? file.posterUrl : smallOriginal(file));
    tiles.push(
      <li
        key={file.id}
        class={`tile${isSelected ? ' selected' : ''}`}
        style={{ transform: `translate(${column * (tile + GAP)}px, ${row * rowHeight}px)`, width: `${tile}px` }}
      >
        <button type="button" class="thumb" onClick={() => onOpen(file)} aria-label={`Open ${file.name}`} style={{ height: `${tile}px` }}>
          {thumb ? (
            <img src={thumb} alt="" width={file.width && file.height ? Math.round((tile * file.width) / Math.max(file.width, file.height)) : tile} height={file.width && file.height ? Math.round((tile * file.height) / Math.max(file.width, file.height)) : tile} loading="lazy" decoding="async" />
          ) : (
            <Icon type={file.fileType} size={Math.min(64, tile / 2)} />
          )}
        </button>
        {file.fileType === 'video' && <span class="badge" style={{ top: `${tile - 26}px` }}>video</span>}
        <div class="caption">
          {selectable && <input type="checkbox" checked={isSelected} onChange={() => onToggle(file)} aria-label={`Select ${file.name}`} />}
          <span class="name" title={file.name}>{file.name}</span>
        </div>
      </li>,
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
