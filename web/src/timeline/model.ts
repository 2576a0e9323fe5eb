/**
 * The timeline's geometry, pure (no DOM): months stacked newest first, each a header and its
 * days (a day header and justified rows of that day's photos). A month not loaded yet is as
 * tall as its count suggests (layout/justified.ts `estimateHeight`); a loaded page replaces
 * the estimate for the files it holds. Positions here are *virtual*: a library of a million
 * files is ~40,000,000 px tall, more than a browser lets an element be (16,777,216 px), so the
 * component shows a window of it (`ScrollWindow`).
 */
import type { FileItem } from '../../../contract/wire';
import { estimateHeight, justify } from '../layout/justified';

const MONTH_HEADER = 48;
const DAY_HEADER = 32;
const MONTH_GAP = 16;

export interface Bucket {
  readonly month: string;
  readonly count: number;
}

interface Geometry {
  readonly width: number;
  readonly targetHeight: number;
  readonly gap: number;
}

/** Something to draw at a virtual position: a month or day header, a tile, or room for files not loaded yet. */
export type Piece =
  | { readonly kind: 'month'; readonly key: string; readonly top: number; readonly height: number; readonly month: string; readonly count: number }
  | { readonly kind: 'day'; readonly key: string; readonly top: number; readonly height: number; readonly day: string }
  | { readonly kind: 'tile'; readonly key: string; readonly top: number; readonly height: number; readonly left: number; readonly width: number; readonly file: FileItem }
  | { readonly kind: 'pending'; readonly key: string; readonly top: number; readonly height: number; readonly month: string };

/** A month's laid-out pieces, tops relative to the month. */
interface MonthLayout {
  readonly pieces: readonly Piece[];
  readonly height: number;
}

interface MonthState {
  files: FileItem[];
  /** undefined: nothing loaded; null: all loaded. */
  cursor: string | null | undefined;
  layout?: MonthLayout;
}

/** The day (`YYYY-MM-DD`) a file shows under: its date taken, else its upload time (as the API orders them). */
const dayOf = (file: Pick<FileItem, 'takenAt' | 'uploadedAt'>): string => (file.takenAt ?? file.uploadedAt).slice(0, 10);

export class TimelineModel {
  private buckets: Bucket[] = [];
  private months = new Map<string, MonthState>();
  private tops: number[] = [];
  private heights: number[] = [];
  private total = 0;

  constructor(private geometry: Geometry) {}

  setBuckets(buckets: readonly Bucket[]): void {
    this.buckets = [...buckets];
    for (const b of buckets) if (!this.months.has(b.month)) this.months.set(b.month, { files: [], cursor: undefined });
    this.relayout();
  }

  setGeometry(geometry: Geometry): void {
    if (geometry.width === this.geometry.width && geometry.targetHeight === this.geometry.targetHeight && geometry.gap === this.geometry.gap) return;
    this.geometry = geometry;
    for (const state of this.months.values()) delete state.layout;
    this.relayout();
  }

  get bucketList(): readonly Bucket[] {
    return this.buckets;
  }

  get height(): number {
    return this.total;
  }

  /** Files loaded so far, in timeline order (the viewer's neighbours). */
  loadedFiles(): FileItem[] {
    return this.buckets.flatMap((b) => this.months.get(b.month)?.files ?? []);
  }

  /** Whether `month` has more to load, and its cursor (`undefined` before the first page). */
  nextPage(month: string): { more: boolean; cursor: string | undefined } {
    const state = this.months.get(month);
    if (state === undefined) return { more: false, cursor: undefined };
    return { more: state.cursor !== null, cursor: state.cursor ?? undefined };
  }

  /** Adds a page of `month` (files newest first) and lays the month out again. */
  addPage(month: string, files: readonly FileItem[], cursor: string | null): void {
    const state = this.months.get(month);
    if (state === undefined) return;
    state.files.push(...files);
    state.cursor = cursor;
    delete state.layout;
    this.relayout();
  }

  /** The index of the month at virtual position `y` (the last one below the end). */
  indexAt(y: number): number {
    let lo = 0;
    let hi = this.tops.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.tops[mid] as number) <= y) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  }

  topOf(index: number): number {
    return this.tops[index] ?? this.total;
  }

  /** The months that overlap `[from, to)`, with whether each still has files to load there. */
  monthsIn(from: number, to: number): { month: string; index: number; needsFiles: boolean }[] {
    const out: { month: string; index: number; needsFiles: boolean }[] = [];
    for (let i = this.indexAt(from); i < this.buckets.length && (this.tops[i] as number) < to; i += 1) {
      const month = (this.buckets[i] as Bucket).month;
      const state = this.months.get(month) as MonthState;
      const layout = this.layoutOf(i);
      // Loaded files end where the pending room starts: the window reaches it.
      const pending = layout.pieces.find((p) => p.kind === 'pending');
      const needsFiles = state.cursor !== null && (pending === undefined || (this.tops[i] as number) + pending.top < to);
      out.push({ month, index: i, needsFiles });
    }
    return out;
  }

  /** The pieces overlapping `[from, to)`, at virtual positions. */
  piecesIn(from: number, to: number): Piece[] {
    const out: Piece[] = [];
    for (let i = this.indexAt(from); i < this.buckets.length && (this.tops[i] as number) < to; i += 1) {
      const top = this.tops[i] as number;
      const pieces = this.layoutOf(i).pieces;
      // Pieces are in top order: skip those above by binary search, stop at the first below.
      let lo = 0;
      let hi = pieces.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const p = pieces[mid] as Piece;
        if (top + p.top + p.height <= from) lo = mid + 1;
        else hi = mid;
      }
      // Bottoms never decrease along the list (tiles of a row share theirs), so the search is exact.
      for (let j = lo; j < pieces.length; j += 1) {
        const p = pieces[j] as Piece;
        if (top + p.top >= to) break;
        if (top + p.top + p.height > from) out.push({ ...p, top: top + p.top } as Piece);
      }
    }
    return out;
  }

  private layoutOf(index: number): MonthLayout {
    const bucket = this.buckets[index] as Bucket;
    const state = this.months.get(bucket.month) as MonthState;
    state.layout ??= layoutMonth(bucket, state.files, state.cursor !== null, this.geometry);
    return state.layout;
  }

  private relayout(): void {
    this.tops = [];
    this.heights = [];
    let y = 0;
    for (let i = 0; i < this.buckets.length; i += 1) {
      this.tops.push(y);
      const height = this.layoutOf(i).height;
      this.heights.push(height);
      y += height + MONTH_GAP;
    }
    this.total = Math.max(0, y - MONTH_GAP);
  }
}

/** A month: its header, then each day's header and justified rows, then room for what is not loaded. */
export function layoutMonth(bucket: Bucket, files: readonly FileItem[], more: boolean, geometry: Geometry): MonthLayout {
  const pieces: Piece[] = [{ kind: 'month', key: `m${bucket.month}`, top: 0, height: MONTH_HEADER, month: bucket.month, count: bucket.count }];
  let y = MONTH_HEADER;
  let start = 0;
  while (start < files.length) {
    const day = dayOf(files[start] as FileItem);
    let end = start + 1;
    while (end < files.length && dayOf(files[end] as FileItem) === day) end += 1;
    pieces.push({ kind: 'day', key: `d${bucket.month}${day}${start}`, top: y, height: DAY_HEADER, day });
    y += DAY_HEADER;
    const dayFiles = files.slice(start, end);
    const rows = justify(dayFiles, { width: geometry.width, targetHeight: geometry.targetHeight, gap: geometry.gap });
    for (const row of rows.rows) {
      for (const box of row.boxes) {
        const file = dayFiles[box.index] as FileItem;
        pieces.push({ kind: 'tile', key: file.id, top: y + row.top, height: row.height, left: box.x, width: box.width, file });
      }
    }
    y += rows.height + geometry.gap;
    start = end;
  }
  const missing = Math.max(0, bucket.count - files.length);
  if (more) {
    const room = Math.max(geometry.targetHeight, estimateHeight(missing, geometry) + DAY_HEADER);
    pieces.push({ kind: 'pending', key: `p${bucket.month}`, top: y, height: room, month: bucket.month });
    y += room;
  }
  return { pieces, height: y };
}

/**
 * Maps the virtual timeline onto a scroll container that stays far below the browser's size
 * limit: the container is at most `maxHeight` tall and shows virtual `[base, base + maxHeight)`.
 * When the scroll position nears either end while more timeline lies beyond, the window moves
 * (`base` by half its height, the scroll position back by as much), so scrolling stays 1:1 and
 * every file is reachable however large the library; the scrubber covers the whole of it.
 */
export class ScrollWindow {
  base = 0;

  constructor(readonly maxHeight = 4_000_000) {}

  /** The container's height for a timeline `total` px tall. */
  spacer(total: number): number {
    return Math.min(total, this.maxHeight);
  }

  /**
   * After a scroll to `scrollTop` (viewport `viewport` px): the virtual top, and the scroll
   * position to set when the window moved (`undefined` when it did not).
   */
  onScroll(scrollTop: number, viewport: number, total: number): { virtualTop: number; scrollTo?: number } {
    const span = this.spacer(total);
    if (total <= span) {
      this.base = 0;
      return { virtualTop: scrollTop };
    }
    const quarter = span / 4;
    let scrollTo: number | undefined;
    if (scrollTop < quarter && this.base > 0) {
      const shift = Math.min(this.base, span / 2 - scrollTop);
      this.base -= shift;
      scrollTo = scrollTop + shift;
    } else if (scrollTop + viewport > span - quarter && this.base < total - span) {
      const shift = Math.min(total - span - this.base, scrollTop - span / 2);
      this.base += shift;
      scrollTo = scrollTop - shift;
    }
    return { virtualTop: this.base + (scrollTo ?? scrollTop), ...(scrollTo !== undefined ? { scrollTo } : {}) };
  }

  /**
   * After the timeline changed height to `total` (a page arrived and replaced an estimate):
   * keeps the window inside it, or its end would show nothing and the last files could not be
   * scrolled to. The scroll position that keeps the same virtual top, or `undefined` when the
   * window did not move.
   */
  fit(scrollTop: number, total: number): number | undefined {
    const highest = Math.max(0, total - this.spacer(total));
    if (this.base <= highest) return undefined;
    const shift = this.base - highest;
    this.base = highest;
    return scrollTop + shift;
  }

  /** The scroll position that shows virtual `y` at the top, moving the window there. */
  scrollFor(y: number, total: number): number {
    const span = this.spacer(total);
    this.base = total <= span ? 0 : Math.max(0, Math.min(total - span, y - span / 2));
    return y - this.base;
  }
}
