import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { Grid, gridLayout, ROW_EXTRA } from '../src/components/Grid';

function files(count: number, extra: Partial<FileItem> = {}): FileItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id${i}`, folder: '/', name: `photo-${String(i).padStart(5, '0')}.jpg`, size: 1000, contentType: 'image/jpeg', fileType: 'image' as const,
    uploadedAt: '2026-01-01T00:00:00Z', uploadedBy: 'ann', tags: [], url: `https://s3/o/${i}`, urlExpiresAt: '2026-01-02T00:00:00Z', ...extra,
  }));
}

const noop = (): void => undefined;

describe('Grid', () => {
  it('lays photos out in justified rows at their own aspect ratio: each full row fills the width, no letterboxing', () => {
    // Prepare: landscape, portrait and square photos
    const shapes = [[4000, 3000], [3000, 4000], [1000, 1000], [1920, 1080], [3000, 2000], [2000, 3000], [1200, 900], [900, 1200]] as const;
    const many = files(40).map((f, i) => ({ ...f, width: shapes[i % shapes.length]![0], height: shapes[i % shapes.length]![1], thumbUrl: `https://s3/t${i}.webp` }));
    // Act
    const { container } = render(<Grid files={many} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />);
    // Assess: the grid uses the timeline's layout (800 px wide in happy-dom)
    const { rows } = gridLayout(many, 800, 180);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(0, -1)) {
      const last = row.boxes[row.boxes.length - 1]!;
      expect(last.x + last.width).toBe(800);
    }
    const tiles = [...container.querySelectorAll('.tile')];
    expect(tiles.length).toBe(40);
    for (const [i, tile] of tiles.entries()) {
      const img = tile.querySelector('img')!;
      const [w, h] = [Number(img.getAttribute('width')), Number(img.getAttribute('height'))];
      const [sw, sh] = shapes[i % shapes.length]!;
      // The picture's box has the photo's shape (within rounding), and the image fills it.
      expect(Math.abs(w / h - sw / sh)).toBeLessThan(0.05);
      expect(img.classList.contains('fill')).toBe(true);
    }
  });

  it('renders only the rows in view, so a folder of 10,000 files requests only visible thumbnails', () => {
    // Prepare
    const many = files(10_000, { thumbUrl: 'https://s3/thumb.jpg', width: 400, height: 300 });
    // Act
    render(<Grid files={many} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />);
    // Assess
    const buttons = screen.getAllByRole('button', { name: /^Open photo-/ });
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.length).toBeLessThan(100);
    expect(screen.queryByRole('button', { name: 'Open photo-09999.jpg' })).toBeNull();
  });

  it('reuses the elements of the row scrolled out for the row scrolled in, showing the right files', () => {
    // Prepare: far down a 10,000-file folder
    const { container } = render(<Grid files={files(10_000)} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />);
    const scroller = container.querySelector('.grid-scroller') as HTMLElement;
    const { rows } = gridLayout(files(10_000), 800, 180);
    const columns = rows[0]!.boxes.length;
    const rowHeight = rows[1]!.top - rows[0]!.top;
    expect(rowHeight).toBe(rows[0]!.height + ROW_EXTRA + 8);
    scroller.scrollTop = 200 * rowHeight;
    fireEvent.scroll(scroller);
    const before = new Set(container.querySelectorAll('.tile'));
    // Act: one row further
    scroller.scrollTop = 201 * rowHeight;
    fireEvent.scroll(scroller);
    // Assess
    const after = [...container.querySelectorAll('.tile')];
    const names = after.map((t) => t.querySelector('.name')?.textContent);
    expect(after.length).toBe(before.size);
    expect(after.every((t) => before.has(t))).toBe(true);
    // The window is a screen (600 px in happy-dom) above and below the view: rows 197 to 208 now, 196 scrolled out.
    expect(names).toContain(`photo-${String(208 * columns).padStart(5, '0')}.jpg`);
    expect(names).not.toContain(`photo-${String(196 * columns + columns - 1).padStart(5, '0')}.jpg`);
    expect(new Set(names).size).toBe(names.length);
    const opened = screen.getByRole('button', { name: `Open photo-${String(203 * columns).padStart(5, '0')}.jpg` });
    expect(opened.closest('li')?.querySelector('.name')?.textContent).toBe(`photo-${String(203 * columns).padStart(5, '0')}.jpg`);
  });

  it('gives every thumbnail its width and height, keeping the aspect ratio', () => {
    const { container } = render(<Grid files={files(2, { thumbUrl: 'https://s3/t.jpg', width: 400, height: 200 })} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />);
    for (const img of container.querySelectorAll('img')) {
      const width = Number(img.getAttribute('width'));
      const height = Number(img.getAttribute('height'));
      expect(height).toBeGreaterThan(0);
      expect(Math.abs(width - 2 * height)).toBeLessThanOrEqual(1);
    }
  });

  it('shows a type icon when a file has no thumbnail yet', () => {
    const { container } = render(<Grid files={files(1, { fileType: 'video', contentType: 'video/mp4', name: 'clip.mp4' })} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('svg')).not.toBeNull();
    expect(screen.getByText('video')).toBeTruthy();
  });

  it('opens a file and toggles its selection through labelled controls', () => {
    const onOpen = vi.fn();
    const onToggle = vi.fn();
    render(<Grid files={files(3)} selected={['id1']} selectable onOpen={onOpen} onToggle={onToggle} onNearEnd={noop} hasMore={false} />);
    fireEvent.click(screen.getByRole('button', { name: 'Open photo-00000.jpg' }));
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'id0' }));
    const box = screen.getByRole('checkbox', { name: 'Select photo-00001.jpg' }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select photo-00002.jpg' }));
    expect(onToggle).toHaveBeenCalledWith(expect.objectContaining({ id: 'id2' }));
  });

  it('asks for the next page when the end of the loaded files is in view', () => {
    const onNearEnd = vi.fn();
    render(<Grid files={files(4)} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={onNearEnd} hasMore />);
    expect(onNearEnd).toHaveBeenCalled();
  });

  it('does not ask for more when the last page is loaded', () => {
    const onNearEnd = vi.fn();
    render(<Grid files={files(4)} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={onNearEnd} hasMore={false} />);
    expect(onNearEnd).not.toHaveBeenCalled();
  });
});
