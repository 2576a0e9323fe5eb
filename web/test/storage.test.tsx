import { fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StorageStats as Stats } from '../../contract/wire';
import { fileCount, shareOf, StorageStats, uploaderName } from '../src/components/StorageStats';
import { answer } from './support';

const stats: Stats = {
  computedAt: '2026-12-01T10:00:00.000Z',
  total: { files: 5, bytes: 3 * 1024 ** 3 },
  stored: {
    originals: { files: 5, bytes: 3 * 1024 ** 3 },
    derivedImages: { files: 4, bytes: 2 * 1024 ** 2 },
    videoCopies: { files: 1, bytes: 1024 ** 3 - 2 * 1024 ** 2 },
    trash: { files: 2, bytes: 1024 ** 3 },
    total: { files: 7, bytes: 5 * 1024 ** 3 },
  },
  byType: [
    { fileType: 'video', files: 1, bytes: 2 * 1024 ** 3 },
    { fileType: 'image', files: 3, bytes: 1024 ** 3 - 700 },
    { fileType: 'other', files: 1, bytes: 700 },
  ],
  byContentType: [
    { contentType: 'video/mp4', files: 1, bytes: 2 * 1024 ** 3 },
    { contentType: 'image/jpeg', files: 3, bytes: 1024 ** 3 - 700 },
    { contentType: 'application/pdf', files: 1, bytes: 700 },
  ],
  byUser: [
    { uploadedBy: 'ann', files: 3, bytes: 2.5 * 1024 ** 3 },
    { uploadedBy: 'share:Party', files: 2, bytes: 0.5 * 1024 ** 3 },
  ],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('StorageStats', () => {
  it('shows the total, each type and each uploader from GET /stats/storage, sizes formatted like the app', async () => {
    // Prepare
    const fetch = vi.fn(async () => answer(200, stats));
    vi.stubGlobal('fetch', fetch);
    // Act
    render(<StorageStats />);
    // Assess
    const byType = await screen.findByRole('table', { name: 'By type' });
    expect(fetch).toHaveBeenCalledWith('/api/stats/storage', expect.objectContaining({ method: 'GET' }));
    expect(screen.getByText(/in/, { selector: 'p' }).textContent).toContain('3.0 GiB in 5 files');
    const rows = within(byType).getAllByRole('row').slice(1).map((row) => row.textContent);
    expect(rows).toEqual(['Videos12.0 GiB67%', 'Images31024 MiB33%', 'Other files1700 B<1%']);
    const byUser = screen.getByRole('table', { name: 'By uploader' });
    expect(within(byUser).getByRole('rowheader', { name: 'Party (drop link)' })).toBeTruthy();
    expect(within(byUser).getAllByRole('row')[1]?.textContent).toBe('ann32.5 GiB83%');
  });

  it('shows what is stored besides the originals — thumbnails and previews, video copies, the trash — and the sum', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(200, stats)));
    render(<StorageStats />);

    const stored = await screen.findByRole('table', { name: 'Stored' });

    expect(within(stored).getAllByRole('row').slice(1).map((row) => row.textContent)).toEqual([
      'Originals53.0 GiB60%',
      'Thumbnails and previews42.0 MiB<1%',
      'Video copies11022 MiB20%',
      'Trash21.0 GiB20%',
    ]);
    expect(screen.getByText(/in/, { selector: 'p' }).textContent).toContain('3.0 GiB in 5 files · 5.0 GiB stored in all');
  });

  it('keeps content types behind a disclosure a keyboard can open', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(200, stats)));
    render(<StorageStats />);

    const summary = await screen.findByText('By content type (3)');

    expect(summary.tagName).toBe('SUMMARY');
    expect(within(screen.getByRole('table', { name: 'By content type' })).getByRole('rowheader', { name: 'application/pdf' })).toBeTruthy();
  });

  it('says plainly when there are no files', async () => {
    const empty: Stats = { ...stats, total: { files: 0, bytes: 0 }, byType: stats.byType.map((t) => ({ ...t, files: 0, bytes: 0 })), byContentType: [], byUser: [] };
    vi.stubGlobal('fetch', vi.fn(async () => answer(200, empty)));
    render(<StorageStats />);

    expect(await screen.findByText('No files yet.')).toBeTruthy();
    expect(screen.queryByText(/By content type/)).toBeNull();
  });

  it('shows the API\'s message when the figures cannot be had, and reads them again on Refresh', async () => {
    // Prepare
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(503, { error: { code: 'StorageStatsTimeout', message: 'The storage figures took too long to add up; try again later' } }))
      .mockResolvedValueOnce(answer(200, stats));
    vi.stubGlobal('fetch', fetch);
    render(<StorageStats />);
    // Act
    expect((await screen.findByRole('alert')).textContent).toBe('Could not add up the storage: The storage figures took too long to add up; try again later');
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    // Assess
    await screen.findByRole('table', { name: 'By type' });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('names uploaders, counts files and shares as people read them', () => {
    expect(uploaderName('share:Wedding')).toBe('Wedding (drop link)');
    expect(uploaderName('unknown')).toBe('unknown (put without an upload)');
    expect(uploaderName('ann')).toBe('ann');
    expect(fileCount(1)).toBe('1 file');
    expect(fileCount(12345)).toBe('12,345 files');
    expect(shareOf(0, 0)).toBe('0%');
    expect(shareOf(1, 1000)).toBe('<1%');
    expect(shareOf(500, 1000)).toBe('50%');
  });
});

