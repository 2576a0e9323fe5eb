import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { Grid, layout } from '../src/components/Grid';

function files(count: number, extra: Partial<FileItem> = {}): FileItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id${i}`, folder: '/', name: `photo-${String(i).padStart(5, '0')}.jpg`, size: 1000, contentType: 'image/jpeg', fileType: 'image' as const,
    uploadedAt: '2026-01-01T00:00:00Z', uploadedBy: 'ann', tags: [], url: `https://s3/o/${i}`, urlExpiresAt: '2026-01-02T00:00:00Z', ...extra,
  }));
}

const noop = (): void => undefined;

describe('Grid', () => {
  it('lays out as many columns as fit, at least one', () => {
    expect(layout(800, 100, 150).columns).toBe(5);
    expect(layout(375 - 24, 100, 150).columns).toBe(2);
    expect(layout(100, 100, 150).columns).toBe(1);
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
    const { rowHeight, columns } = layout(800, 10_000, 150);
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
    expect(names).toContain(`photo-${String(203 * columns).padStart(5, '0')}.jpg`);
    expect(names).not.toContain(`photo-${String(199 * columns).padStart(5, '0')}.jpg`);
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
