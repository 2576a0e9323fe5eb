import { render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DuplicateList } from '../../contract/wire';
import { Duplicates } from '../src/components/Duplicates';
import { UploadPanel } from '../src/components/UploadPanel';
import { newUpload, transition } from '../src/upload/machine';
import { answer } from './support';

const list: DuplicateList = {
  computedAt: '2026-12-01T10:00:00.000Z',
  complete: true,
  truncated: false,
  extraBytes: 3 * 1024 * 1024,
  groups: [
    {
      sha256: 'A'.repeat(43) + '=',
      size: 1024 * 1024,
      extraBytes: 3 * 1024 * 1024,
      copies: [
        { id: '1', folder: '/trips', name: 'beach.jpg', size: 1024 * 1024, uploadedAt: '2026-01-01T00:00:00.000Z', uploadedBy: 'ann' },
        { id: '2', folder: '/', name: 'beach.jpg', size: 1024 * 1024, uploadedAt: '2026-01-02T00:00:00.000Z', uploadedBy: 'share:Party' },
        { id: '3', folder: '/old', name: 'IMG_1.jpg', size: 1024 * 1024, uploadedAt: '2026-01-03T00:00:00.000Z', uploadedBy: 'bob' },
        { id: '4', folder: '/old', name: 'IMG_2.jpg', size: 1024 * 1024, uploadedAt: '2026-01-04T00:00:00.000Z', uploadedBy: 'bob' },
      ],
    },
  ],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Duplicates', () => {
  it('lists each content stored more than once with every copy, from GET /files/duplicates', async () => {
    const fetch = vi.fn(async () => answer(200, list));
    vi.stubGlobal('fetch', fetch);

    render(<Duplicates />);

    const table = await screen.findByRole('table', { name: '4 copies of beach.jpg' });
    expect(fetch).toHaveBeenCalledWith('/api/files/duplicates', expect.objectContaining({ method: 'GET' }));
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['/trips/beach.jpg', '/beach.jpg', '/old/IMG_1.jpg', '/old/IMG_2.jpg']);
    expect(within(table).getByText('Party (drop link)')).toBeTruthy();
    expect(screen.getByText(/stored more than once/).textContent).toContain('3.0 MiB in extra copies');
  });

  it('says plainly when nothing is stored twice', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(200, { ...list, groups: [], extraBytes: 0 })));
    render(<Duplicates />);
    expect(await screen.findByText('No file is stored more than once.')).toBeTruthy();
  });
});

describe('UploadPanel with files already in the library', () => {
  it('says how many are already there and where each copy is, with a button to upload each anyway', () => {
    const file = { name: 'a.jpg', size: 100, lastModified: 1, type: 'image/jpeg' };
    const dup = (name: string) => transition(newUpload({ ...file, name }, '/new'), { type: 'duplicate', copy: { id: name, folder: '/trips', name } });
    const anyway = vi.fn();

    render(<UploadPanel uploads={[dup('a.jpg'), dup('b.jpg'), dup('c.jpg')]} onPause={vi.fn()} onResume={vi.fn()} onCancel={vi.fn()} onClear={vi.fn()} onUploadAnyway={anyway} />);

    expect(screen.getByRole('status').textContent).toContain('3 already in your library');
    expect(screen.getAllByText('/trips/b.jpg')).toHaveLength(1);
    screen.getByRole('button', { name: 'Upload anyway: b.jpg' }).click();
    expect(anyway).toHaveBeenCalledWith('b.jpg|100|1');
    screen.getByRole('button', { name: 'Upload all anyway' }).click();
    expect(anyway).toHaveBeenCalledTimes(4);
  });
});
