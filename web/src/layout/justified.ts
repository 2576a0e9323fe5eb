/**
 * Justified rows: photos at their own aspect ratio (no letterboxing, no cropping), each row
 * scaled to fill the width exactly, like Google Photos and Flickr. Pure and linear in the
 * number of items, so the timeline lays out a page of thousands in a few milliseconds.
 *
 * A row takes items until, at `targetHeight`, they would overflow the width; it is then
 * scaled down to fit (its height ≤ `targetHeight`), unless that would make it shorter than
 * `minHeight` and leaving the last item for the next row strays less from the target. The
 * last row, and a row that cannot fill the width without growing past `targetHeight`, keep
 * that height (left-aligned) rather than blowing a few photos up. An item without a
 * known size (not processed yet, a file with no picture) counts as square.
 */

interface JustifiedItem {
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

interface JustifiedBox {
  /** Index in the input. */
  readonly index: number;
  readonly x: number;
  readonly width: number;
}

export interface JustifiedRow {
  readonly top: number;
  readonly height: number;
  readonly boxes: readonly JustifiedBox[];
}

export interface JustifiedOptions {
  /** The width to fill, px. */
  readonly width: number;
  /** Row height aimed at, px. @default 180 */
  readonly targetHeight?: number;
  /** Space between items and rows, px. @default 4 */
  readonly gap?: number;
  /** Rows are never scaled below this height. @default 0.6 × targetHeight */
  readonly minHeight?: number;
  /** Widest aspect ratio counted (panoramas), so one cannot squash a row. @default 4 */
  readonly maxAspect?: number;
  /** Narrowest aspect ratio counted. @default 0.25 */
  readonly minAspect?: number;
}

interface JustifiedLayout {
  readonly rows: readonly JustifiedRow[];
  /** From the top of the first row to the bottom of the last, px. */
  readonly height: number;
}

/** An item's aspect ratio (width / height) as laid out: 1 when unknown, clamped. */
export function aspectOf(item: JustifiedItem, minAspect = 0.25, maxAspect = 4): number {
  const { width, height } = item;
  if (!width || !height || width <= 0 || height <= 0) return 1;
  return Math.min(maxAspect, Math.max(minAspect, width / height));
}

export function justify(items: readonly JustifiedItem[], options: JustifiedOptions): JustifiedLayout {
  const width = Math.max(1, options.width);
  const target = options.targetHeight ?? 180;
  const gap = options.gap ?? 4;
  const minHeight = options.minHeight ?? target * 0.6;
  const aspects = items.map((item) => aspectOf(item, options.minAspect, options.maxAspect));
  const rows: JustifiedRow[] = [];
  let top = 0;
  let start = 0;
  while (start < items.length) {
    let end = start;
    let aspectSum = 0;
    // Take items while the row at the target height still fits.
    for (; end < items.length; end += 1) {
      const next = aspectSum + (aspects[end] as number);
      const rowWidth = next * target + gap * (end - start);
      if (rowWidth > width && end > start) {
        // Fill exactly: include this one and shrink, unless that shrinks the row too much and
        // leaving it out strays less from the target (then the row grows, at most to the target).
        const shrunk = (width - gap * (end - start)) / next;
        const grown = (width - gap * (end - start - 1)) / aspectSum;
        if (shrunk >= minHeight || shrunk / target > target / grown) {
          aspectSum = next;
          end += 1;
        }
        break;
      }
      aspectSum = next;
    }
    const count = end - start;
    const last = end >= items.length;
    const fitted = (width - gap * (count - 1)) / aspectSum;
    // The last row, and a row too narrow to fill the width at the target (a lone portrait on a
    // phone), keep the target height rather than grow.
    const flush = !last && fitted <= target;
    const height = flush ? fitted : Math.min(target, fitted);
    const boxes: JustifiedBox[] = [];
    let x = 0;
    for (let i = start; i < end; i += 1) {
      // Rounded per box, the row's last box takes what rounding left, so rows end flush.
      const w = flush && i === end - 1 ? Math.max(1, width - x) : Math.max(1, Math.round((aspects[i] as number) * height));
      boxes.push({ index: i, x, width: w });
      x += w + gap;
    }
    const rowHeight = Math.round(height);
    rows.push({ top, height: rowHeight, boxes });
    top += rowHeight + gap;
    start = end;
  }
  return { rows, height: rows.length === 0 ? 0 : top - gap };
}

/**
 * The height `count` items of unknown sizes will take (the average photo is 3:2 landscape
 * or 2:3 portrait; 1.3 is the mean aspect of camera libraries), for a month not loaded yet.
 */
export function estimateHeight(count: number, options: Pick<JustifiedOptions, 'width' | 'targetHeight' | 'gap'>, meanAspect = 1.3): number {
  if (count <= 0) return 0;
  const target = options.targetHeight ?? 180;
  const gap = options.gap ?? 4;
  const perRow = Math.max(1, (options.width + gap) / (meanAspect * target + gap));
  const rows = Math.ceil(count / perRow);
  return rows * target + (rows - 1) * gap;
}
