/**
 * The timeline: every file the user may see, newest taken first, grouped by day under month
 * headers, in justified rows, with a date scrubber at the edge. Loaded after first paint (its
 * own chunk, App.tsx), so the login page and the shell stay within the initial budget.
 *
 * Only what is near the viewport exists in the DOM; a month's files are fetched (a page at a
 * time) when the viewport nears them, and months not loaded yet are as tall as their counts
 * suggest. The geometry is virtual (model.ts): the scroll container shows a window of it that
 * moves as you scroll, so a library of a million files never makes an element taller than
 * the browser allows, and the scrubber reaches every month.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FileItem, FilePage } from '../../../contract/wire';
import * as api from '../api';
import { Lightbox } from '../components/Lightbox';
import { Icon } from '../components/Icon';
import { whenIdle } from '../idle';
import { timelineBuckets } from './load';
import { ScrollWindow, TimelineModel, type Bucket, type Piece } from './model';
import './timeline.css';

const FIRST_PAGE = 120;
const NEXT_PAGE = 500;
const GAP = 4;
/** Months fetched at once. */
const PARALLEL_MONTHS = 2;

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const monthLabel = (month: string): string => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? ''} ${month.slice(0, 4)}`;
// One formatter each, made on first use: toLocaleString with options builds a new one per call.
let dayFormat: Intl.DateTimeFormat | undefined;
const dayLabel = (day: string): string =>
  (dayFormat ??= new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })).format(new Date(`${day}T12:00:00Z`));
let countFormat: Intl.NumberFormat | undefined;
const countLabel = (count: number): string => (countFormat ??= new Intl.NumberFormat()).format(count);

const thumbOf = (file: FileItem): string | undefined => file.thumbUrl ?? file.posterUrl ?? (file.fileType === 'image' && file.size <= 512 * 1024 ? file.url : undefined);

export interface TimelineProps {
  /** Called when the viewer should download a file. */
  readonly onDownload?: (file: FileItem) => void;
}

export default function Timeline({ onDownload }: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const geometry = useMemo(() => ({ width: Math.max(1, size.width - 8), targetHeight: size.width < 600 ? 110 : 180, gap: GAP }), [size.width]);
  const model = useMemo(() => new TimelineModel(geometry), []);
  const windowRef = useRef(new ScrollWindow());
  const [, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  const [virtualTop, setVirtualTop] = useState(0);
  const shownTop = useRef(0);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [viewing, setViewing] = useState<string | undefined>(undefined);
  const loading = useRef(new Set<string>());
  /** The month last jumped to: the scrubber names it until the user scrolls (near the end, the view cannot put it at the top). */
  const [jumped, setJumped] = useState<number | undefined>(undefined);
  const programmatic = useRef(false);
  /** The scrubber is drawn in an idle moment after the first rows: a task of its own, not theirs. */
  const [scrubberShown, setScrubberShown] = useState(false);

  model.setGeometry(geometry);

  useEffect(() => (state === 'ready' && !scrubberShown ? whenIdle(() => setScrubberShown(true)) : undefined), [state, scrubberShown]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    const measure = (): void => {
      if (element.clientWidth > 0) setSize((last) => (last.width === element.clientWidth && last.height === element.clientHeight ? last : { width: element.clientWidth, height: element.clientHeight }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    timelineBuckets().then(
      ({ buckets }) => {
        model.setBuckets(buckets as Bucket[]);
        setState('ready');
      },
      () => setState('failed'),
    );
  }, [model]);

  /** Scrolls the element to `scrollTop` (not a user's scroll) with virtual `shown` at the top of the view. */
  const place = useCallback((element: HTMLElement, scrollTop: number, shown: number) => {
    programmatic.current = true;
    element.scrollTop = scrollTop;
    shownTop.current = shown;
    setVirtualTop(shown);
  }, []);

  /** Shows virtual `y` at the top (scrubber, keyboard). */
  const jumpTo = useCallback(
    (y: number) => {
      const element = scroller.current;
      if (!element) return;
      const top = windowRef.current.scrollFor(y, model.height);
      rerender();
      place(element, top, y);
    },
    [model, rerender, place],
  );

  /** A page arrived: the month grows or shrinks, the files in view stay where they are. */
  const addPage = useCallback(
    (month: string, page: FilePage) => {
      const element = scroller.current;
      const anchorTop = shownTop.current;
      const index = model.indexAt(anchorTop);
      const offset = anchorTop - model.topOf(index);
      model.addPage(month, page.files, page.nextCursor);
      const top = model.topOf(index) + offset;
      if (element && top !== anchorTop) {
        place(element, windowRef.current.scrollFor(top, model.height), top);
      } else if (element) {
        // The timeline got shorter below the view (a month smaller than its estimate): the window
        // must end where the timeline does, and the view show what is there now (at the very
        // bottom the browser clamps the scroll position and sends no scroll event).
        const scrollTo = windowRef.current.fit(element.scrollTop, model.height);
        if (scrollTo !== undefined) place(element, scrollTo, Math.min(anchorTop, Math.max(0, model.height - element.clientHeight)));
      }
      rerender();
    },
    [model, rerender, place],
  );

  // Fetch the months near the viewport that have files still to load there.
  useEffect(() => {
    if (state !== 'ready' || size.height === 0) return;
    const wanted = model.monthsIn(virtualTop - size.height, virtualTop + size.height * 2).filter((m) => m.needsFiles && !loading.current.has(m.month));
    for (const { month } of wanted.slice(0, Math.max(0, PARALLEL_MONTHS - loading.current.size))) {
      loading.current.add(month);
      const { cursor } = model.nextPage(month);
      api
        .timelineMonth(month, cursor, cursor === undefined ? FIRST_PAGE : NEXT_PAGE)
        .then((page) => addPage(month, page))
        .catch(() => undefined)
        .finally(() => {
          loading.current.delete(month);
          rerender();
        });
    }
  });

  const onScroll = (): void => {
    const element = scroller.current;
    if (!element) return;
    if (programmatic.current) programmatic.current = false;
    else if (jumped !== undefined) setJumped(undefined);
    const moved = windowRef.current.onScroll(element.scrollTop, element.clientHeight, model.height);
    if (moved.scrollTo !== undefined) {
      programmatic.current = true;
      element.scrollTop = moved.scrollTo;
    }
    // Re-render when a quarter screen was crossed: rows are drawn one screen beyond each edge.
    if (moved.scrollTo !== undefined || Math.abs(moved.virtualTop - shownTop.current) > size.height / 4) {
      shownTop.current = moved.virtualTop;
      setVirtualTop(moved.virtualTop);
    } else {
      shownTop.current = moved.virtualTop;
    }
  };

  const files = viewing === undefined ? [] : model.loadedFiles();
  const viewingIndex = viewing === undefined ? -1 : files.findIndex((f) => f.id === viewing);
  const viewed = viewingIndex >= 0 ? files[viewingIndex] : undefined;
  const buckets = model.bucketList;
  const base = windowRef.current.base;
  const pieces = state === 'ready' && size.height > 0 ? model.piecesIn(virtualTop - size.height, virtualTop + size.height * 2) : [];
  const current = jumped ?? (buckets.length > 0 ? model.indexAt(virtualTop + 1) : 0);

  return (
    <div class="timeline-view">
      <div class="timeline" ref={scroller} onScroll={onScroll} tabIndex={-1}>
        {state === 'loading' && <p class="timeline-empty" role="status">Loading the timeline…</p>}
        {state === 'failed' && <p class="timeline-empty" role="alert">The timeline could not be loaded.</p>}
        {state === 'ready' && buckets.length === 0 && <p class="timeline-empty">No photos or videos yet. Upload some in Folders.</p>}
        <div class="timeline-space" style={{ height: `${windowRef.current.spacer(model.height)}px` }}>
          {pieces.map((piece) => render(piece, base, setViewing))}
        </div>
      </div>
      {scrubberShown && buckets.length > 0 && <Scrubber buckets={buckets} model={model} current={current} onJump={(index) => { setJumped(index); jumpTo(model.topOf(index)); }} />}
      {viewed && (
        <Lightbox
          file={viewed}
          hasPrevious={viewingIndex > 0}
          hasNext={viewingIndex < files.length - 1}
          onPrevious={() => setViewing(files[viewingIndex - 1]?.id)}
          onNext={() => setViewing(files[viewingIndex + 1]?.id)}
          onClose={() => setViewing(undefined)}
          {...(onDownload ? { onDownload } : {})}
        />
      )}
    </div>
  );
}

function render(piece: Piece, base: number, open: (id: string) => void) {
  const top = piece.top - base;
  switch (piece.kind) {
    case 'month':
      return (
        <h2 key={piece.key} class="tl-month" style={{ top: `${top}px` }}>
          {monthLabel(piece.month)} <span class="tl-count">{countLabel(piece.count)}</span>
        </h2>
      );
    case 'day':
      return <h3 key={piece.key} class="tl-day" style={{ top: `${top}px` }}>{dayLabel(piece.day)}</h3>;
    case 'pending':
      return <div key={piece.key} class="tl-pending" style={{ top: `${top}px`, height: `${piece.height}px` }} aria-hidden="true" />;
    case 'tile': {
      const thumb = thumbOf(piece.file);
      return (
        <button
          key={piece.key}
          type="button"
          class="tl-tile"
          style={{ transform: `translate(${piece.left}px, ${top}px)`, width: `${piece.width}px`, height: `${piece.height}px` }}
          aria-label={`Open ${piece.file.name}`}
          onClick={() => open(piece.file.id)}
        >
          {thumb ? <img src={thumb} alt="" width={piece.width} height={piece.height} decoding="async" draggable={false} /> : <Icon type={piece.file.fileType} size={Math.min(48, piece.height / 2)} />}
          {piece.file.fileType === 'video' && <span class="tl-badge">video</span>}
        </button>
      );
    }
  }
}

interface ScrubberProps {
  readonly buckets: readonly Bucket[];
  readonly model: TimelineModel;
  readonly current: number;
  readonly onJump: (index: number) => void;
}

/**
 * The date scrubber: the whole timeline top to bottom, a label per year; drag or tap anywhere
 * to jump to that month, or use the keys (↑/↓ a month, PgUp/PgDn a year, Home/End).
 */
function Scrubber({ buckets, model, current, onJump }: ScrubberProps) {
  const track = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | undefined>(undefined);
  // Keys pressed faster than a render (key repeat) step from the last target, not a stale `current`.
  const target = useRef<number | undefined>(undefined);
  useEffect(() => {
    target.current = undefined;
  }, [current]);
  const total = Math.max(1, model.height);
  const years: { year: string; index: number; at: number }[] = [];
  let lastAt = -Infinity;
  const trackHeight = track.current?.clientHeight ?? 600;
  for (let i = 0; i < buckets.length; i += 1) {
    const year = (buckets[i] as Bucket).month.slice(0, 4);
    if (i > 0 && (buckets[i - 1] as Bucket).month.startsWith(year)) continue;
    const at = model.topOf(i) / total;
    // Labels at least 18 px apart; the rest are reachable by dragging.
    if ((at - lastAt) * trackHeight < 18) continue;
    years.push({ year, index: i, at });
    lastAt = at;
  }
  const indexAtPointer = (clientY: number): number => {
    const rect = track.current?.getBoundingClientRect();
    if (!rect) return current;
    const fraction = Math.min(1, Math.max(0, (clientY - rect.top) / rect.height));
    return model.indexAt(fraction * total);
  };
  const pointer = (e: PointerEvent): void => {
    if (e.type === 'pointerdown') (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    if (e.type === 'pointermove' && !(e.currentTarget as HTMLElement).hasPointerCapture(e.pointerId)) {
      setHover(indexAtPointer(e.clientY));
      return;
    }
    const index = indexAtPointer(e.clientY);
    setHover(index);
    onJump(index);
  };
  const key = (e: KeyboardEvent): void => {
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 12, PageUp: -12, Home: -Infinity, End: Infinity };
    const delta = step[e.key];
    if (delta === undefined) return;
    e.preventDefault();
    const next = Math.min(buckets.length - 1, Math.max(0, (target.current ?? current) + delta));
    target.current = next;
    onJump(next);
  };
  const shown = hover ?? current;
  return (
    <div
      class="tl-scrubber"
      ref={track}
      role="slider"
      tabIndex={0}
      aria-label="Jump to a date"
      aria-orientation="vertical"
      aria-valuemin={0}
      aria-valuemax={buckets.length - 1}
      aria-valuenow={current}
      aria-valuetext={monthLabel((buckets[current] as Bucket).month)}
      onPointerDown={pointer}
      onPointerMove={pointer}
      onPointerLeave={() => setHover(undefined)}
      onKeyDown={key}
    >
      {years.map((y) => (
        <span key={y.year} class="tl-year" style={{ top: `${y.at * 100}%` }} aria-hidden="true">{y.year}</span>
      ))}
      <span class="tl-thumb" style={{ top: `${(model.topOf(current) / total) * 100}%` }} aria-hidden="true" />
      {hover !== undefined && <span class="tl-bubble" style={{ top: `${(model.topOf(shown) / total) * 100}%` }} aria-hidden="true">{monthLabel((buckets[shown] as Bucket).month)}</span>}
    </div>
  );
}
