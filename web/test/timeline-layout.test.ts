/**
 * Justified rows (layout/justified.ts) and the timeline's virtual geometry (timeline/model.ts):
 * rows fill the width at each photo's own aspect ratio, every item placed once in order; a
 * million-file library never makes the scroll container taller than the browser allows, and
 * scrolling through the window reaches the last file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { aspectOf, estimateHeight, justify } from '../src/layout/justified';
import { ScrollWindow, TimelineModel, layoutMonth } from '../src/timeline/model';

const BROWSER_MAX_ELEMENT_PX = 16_777_216;

const item = fc.record({ width: fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined }), height: fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined }) });

describe('justify', () => {
  it('places every item once, in order, each row but the last filling the width exactly (or at the target height), none taller than the target', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 80 }), fc.integer({ min: 200, max: 2000 }), fc.integer({ min: 60, max: 300 }), (items, width, target) => {
        const { rows, height } = justify(items, { width, targetHeight: target, gap: 4 });
        expect(rows.flatMap((r) => r.boxes.map((b) => b.index))).toEqual(items.map((_, i) => i));
        rows.forEach((row, r) => {
          const last = row.boxes[row.boxes.length - 1]!;
          if (r < rows.length - 1 && row.height < target) expect(last.x + last.width).toBe(width);
          else expect(last.x + last.width).toBeLessThanOrEqual(width + row.boxes.length);
          expect(row.height).toBeLessThanOrEqual(target + 1);
          for (const box of row.boxes) expect(box.x).toBeGreaterThanOrEqual(0);
        });
        expect(height).toBe(rows.length === 0 ? 0 : rows[rows.length - 1]!.top + rows[rows.length - 1]!.height);
      }),
    );
  });

  it('keeps each photo at its own aspect ratio (no letterboxing), within rounding', () => {
    const items = [{ width: 4000, height: 3000 }, { width: 3000, height: 4000 }, { width: 1920, height: 1080 }, { width: 1000, height: 1000 }, { width: 6000, height: 4000 }];
    const { rows } = justify(items, { width: 1000, targetHeight: 200, gap: 4 });
    for (const row of rows) {
      for (const box of row.boxes.slice(0, -1)) expect(Math.abs(box.width / row.height - aspectOf(items[box.index]!))).toBeLessThan(0.02);
    }
  });

  it('counts a file without a known size as square', () => {
    expect(aspectOf({})).toBe(1);
    expect(justify([{}, {}], { width: 1000, targetHeight: 100, gap: 0 }).rows[0]!.boxes.map((b) => b.width)).toEqual([100, 100]);
  });
});

function files(count: number, month: string): FileItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${month}-${i}`,
    folder: '/f',
    name: `${i}.jpg`,
    size: 1000,
    contentType: 'image/jpeg',
    fileType: 'image',
    uploadedAt: `${month}-01T00:00:00.000Z`,
    takenAt: `${month}-${String(28 - (i % 27)).padStart(2, '0')}T10:00:00`,
    uploadedBy: 'u',
    tags: [],
    processing: 'ready',
    url: 'https://x/y',
    urlExpiresAt: '2030-01-01T00:00:00.000Z',
    width: i % 3 === 0 ? 3000 : 4000,
    height: 3000,
  })) as FileItem[];
}

describe('the timeline geometry', () => {
  const geometry = { width: 390, targetHeight: 110, gap: 4 };
  /** A million files over 20 years, 4,167 a month. */
  const million = Array.from({ length: 240 }, (_, i) => {
    const year = 2025 - Math.floor(i / 12);
    const month = 12 - (i % 12);
    return { month: `${year}-${String(month).padStart(2, '0')}`, count: 4167 };
  });

  it('keeps the scroll container of a million-file library under the browser limit, and reaches its end by scrolling', () => {
    const model = new TimelineModel(geometry);
    model.setBuckets(million);
    expect(model.height).toBeGreaterThan(BROWSER_MAX_ELEMENT_PX);
    const window = new ScrollWindow();
    expect(window.spacer(model.height)).toBeLessThan(BROWSER_MAX_ELEMENT_PX);
    // Scroll down a screen at a time, as a user would, moving the window when told to.
    let scrollTop = 0;
    let virtualTop = 0;
    const viewport = 844;
    for (let steps = 0; virtualTop + viewport < model.height && steps < 1_000_000; steps += 1) {
      scrollTop = Math.min(window.spacer(model.height) - viewport, scrollTop + viewport * 50);
      const moved = window.onScroll(scrollTop, viewport, model.height);
      if (moved.scrollTo !== undefined) scrollTop = moved.scrollTo;
      expect(moved.virtualTop).toBeGreaterThanOrEqual(virtualTop);
      virtualTop = moved.virtualTop;
      expect(scrollTop).toBeGreaterThanOrEqual(0);
      expect(scrollTop + viewport).toBeLessThanOrEqual(window.spacer(model.height));
    }
    expect(virtualTop + viewport).toBeGreaterThanOrEqual(model.height);
    expect(model.indexAt(virtualTop + viewport - 1)).toBe(million.length - 1);
  });

  it('reaches the oldest file of a million-file library when its month turns out shorter than estimated', () => {
    const model = new TimelineModel(geometry);
    model.setBuckets(million);
    const window = new ScrollWindow();
    const viewport = 844;
    const last = million.length - 1;
    const oldest = million[last]!.month;
    // End: the oldest month at the top, then its files arrive a page at a time.
    let scrollTop = window.scrollFor(model.topOf(last), model.height);
    const before = model.height;
    // Newest day first, as the API answers; portraits, narrower than the estimate's mean.
    const loaded = files(4167, oldest)
      .map((f) => ({ ...f, width: 3000, height: 4000 }))
      .sort((a, b) => (b.takenAt ?? '').localeCompare(a.takenAt ?? ''));
    const oldestFile = loaded[loaded.length - 1]!;
    for (let from = 0; from < loaded.length; from += 500) {
      model.addPage(oldest, loaded.slice(from, from + 500), from + 500 < loaded.length ? `c${from}` : null);
      scrollTop = window.fit(scrollTop, model.height) ?? scrollTop;
    }
    // Portraits: the month is shorter than its estimate, and so is the timeline.
    expect(model.height).toBeLessThan(before);
    expect(window.base + window.spacer(model.height)).toBe(model.height);
    // Scrolled to the very bottom of the container, the oldest file is drawn.
    scrollTop = window.spacer(model.height) - viewport;
    const moved = window.onScroll(scrollTop, viewport, model.height);
    const shown = model.piecesIn(moved.virtualTop, moved.virtualTop + viewport);
    expect(shown.some((p) => p.kind === 'tile' && p.file.id === oldestFile.id)).toBe(true);
  });

  it('jumps to a month five years back with the scroll position inside the container', () => {
    const model = new TimelineModel(geometry);
    model.setBuckets(million);
    const window = new ScrollWindow();
    const target = model.topOf(60);
    const scrollTop = window.scrollFor(target, model.height);
    expect(scrollTop).toBeGreaterThanOrEqual(0);
    expect(scrollTop).toBeLessThan(window.spacer(model.height));
    expect(window.base + scrollTop).toBe(target);
    expect(model.indexAt(window.base + scrollTop)).toBe(60);
  });

  it('lays a loaded month out by day under its header, and draws only what overlaps the range asked', () => {
    const model = new TimelineModel(geometry);
    model.setBuckets([{ month: '2024-05', count: 300 }, { month: '2024-04', count: 10 }]);
    const estimated = model.topOf(1);
    model.addPage('2024-05', files(300, '2024-05'), null);
    expect(model.topOf(1)).not.toBe(estimated);
    const pieces = model.piecesIn(0, 844);
    expect(pieces[0]).toMatchObject({ kind: 'month', month: '2024-05' });
    expect(pieces[1]).toMatchObject({ kind: 'day', day: '2024-05-28' });
    const tiles = pieces.filter((p) => p.kind === 'tile');
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles.length).toBeLessThan(100);
    for (const p of pieces) expect(p.top).toBeLessThan(844);
    // The month's files come newest day first, and a day's header precedes its tiles.
    const days = pieces.filter((p) => p.kind === 'day').map((p) => (p.kind === 'day' ? p.day : ''));
    expect(days).toEqual([...days].sort().reverse());
  });

  it('estimates a month not loaded yet from its count, and keeps room for the rest of a partly loaded one', () => {
    const layout = layoutMonth({ month: '2024-05', count: 1000 }, files(100, '2024-05'), true, geometry);
    const pending = layout.pieces.find((p) => p.kind === 'pending');
    expect(pending?.height).toBeGreaterThanOrEqual(estimateHeight(900, geometry));
  });
});
