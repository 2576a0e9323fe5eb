import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { dropOnFolder, draggedFiles, openFolder, sortBy } from '../src/actions';
import { FILES_DRAG_TYPE } from '../src/components/drag';
import { Breadcrumbs, FolderTree } from '../src/components/FolderTree';
import { Grid } from '../src/components/Grid';
import { Toolbar } from '../src/components/Toolbar';
import { initialState, store } from '../src/store';
import { answer, dataTransfer, drag } from './support';

const file = (name: string, folder = '/trips'): FileItem => ({
  id: `id-${name}`, folder, name, size: 2048, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2026-01-01T00:00:00Z',
  uploadedBy: 'ann', tags: [], url: `https://s3/${name}`, urlExpiresAt: '2026-01-02T00:00:00Z',
});

const noop = (): void => undefined;
const folders = { '/': [{ path: '/archive', parent: '/', name: 'archive' }, { path: '/trips', parent: '/', name: 'trips' }] };

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('dragging tiles onto folders', () => {
  it('highlights a tree entry while files are dragged over it, and drops the dragged files there', () => {
    // Prepare
    const files = [file('a.jpg'), file('b.jpg')];
    const onDropFiles = vi.fn();
    render(
      <>
        <FolderTree folders={folders} expanded={['/']} current="/trips" onOpen={noop} onToggle={noop} onDropFiles={onDropFiles} />
        <Grid files={files} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} dragFiles={(f) => [f]} />
      </>,
    );
    const tile = screen.getByRole('button', { name: 'Open b.jpg' }).closest('li') as HTMLElement;
    const target = screen.getByRole('button', { name: 'archive' });
    const transfer = dataTransfer();
    // Act
    drag('dragStart', tile, transfer);
    drag('dragEnter', target, transfer);
    drag('dragOver', target, transfer);
    const highlighted = target.classList.contains('drop-target');
    drag('drop', target, transfer);
    // Assess
    expect(tile.getAttribute('draggable')).toBe('true');
    expect(transfer.types).toContain(FILES_DRAG_TYPE);
    expect(highlighted).toBe(true);
    expect(target.classList.contains('drop-target')).toBe(false);
    expect(onDropFiles).toHaveBeenCalledWith([files[1]], '/archive');
  });

  it('drops on a breadcrumb, and un-highlights it when the drag leaves', () => {
    const onDropFiles = vi.fn();
    render(
      <>
        <Breadcrumbs path="/trips/2024" onOpen={noop} onDropFiles={onDropFiles} />
        <Grid files={[file('c.jpg', '/trips/2024')]} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} dragFiles={(f) => [f]} />
      </>,
    );
    const transfer = dataTransfer();
    const crumb = screen.getByRole('button', { name: 'trips' });
    drag('dragStart', screen.getByRole('button', { name: 'Open c.jpg' }).closest('li') as HTMLElement, transfer);
    drag('dragOver', crumb, transfer);
    expect(crumb.classList.contains('drop-target')).toBe(true);
    drag('dragLeave', crumb, transfer);
    expect(crumb.classList.contains('drop-target')).toBe(false);
    drag('drop', crumb, transfer);
    expect(onDropFiles).toHaveBeenCalledWith([expect.objectContaining({ name: 'c.jpg' })], '/trips');
  });

  it('ignores files dragged in from the desktop (an upload, not a move)', () => {
    const onDropFiles = vi.fn();
    render(<FolderTree folders={folders} expanded={['/']} current="/trips" onOpen={noop} onToggle={noop} onDropFiles={onDropFiles} />);
    const target = screen.getByRole('button', { name: 'archive' });
    const desktop = dataTransfer();
    desktop.setData('Files', '');
    drag('dragOver', target, desktop);
    drag('drop', target, desktop);
    expect(target.classList.contains('drop-target')).toBe(false);
    expect(onDropFiles).not.toHaveBeenCalled();
  });

  it('gives viewers nothing to drag and no drop targets', () => {
    render(
      <>
        <FolderTree folders={folders} expanded={['/']} current="/trips" onOpen={noop} onToggle={noop} />
        <Grid files={[file('a.jpg')]} selected={[]} selectable onOpen={noop} onToggle={noop} onNearEnd={noop} hasMore={false} />
      </>,
    );
    const tile = screen.getByRole('button', { name: 'Open a.jpg' }).closest('li') as HTMLElement;
    const transfer = dataTransfer();
    drag('dragStart', tile, transfer);
    drag('dragOver', screen.getByRole('button', { name: 'archive' }), transfer);
    expect(tile.getAttribute('draggable')).not.toBe('true');
    expect(transfer.types).toEqual([]);
    expect(screen.getByRole('button', { name: 'archive' }).classList.contains('drop-target')).toBe(false);
  });

  it('drags the whole selection when the dragged tile is part of it, else that tile alone', () => {
    const files = [file('a.jpg'), file('b.jpg'), file('c.jpg')];
    store.update({ files, selected: ['id-a.jpg', 'id-c.jpg'] });
    expect(draggedFiles(files[2] as FileItem).map((f) => f.name)).toEqual(['a.jpg', 'c.jpg']);
    expect(draggedFiles(files[1] as FileItem).map((f) => f.name)).toEqual(['b.jpg']);
  });

  it('moves dropped files with PATCH /files/{id} as the Move dialog does, and they leave the folder shown', async () => {
    // Prepare
    const files = [file('a.jpg'), file('b.jpg')];
    store.update({ folder: '/trips', files });
    const patches: [string, unknown][] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      const path = url.split('?')[0];
      if (init?.method === 'POST' && path === '/api/folders') return answer(200, { folder: { path: '/archive', parent: '/', name: 'archive' }, created: false });
      if (init?.method === 'PATCH') {
        patches.push([path as string, JSON.parse(String(init.body))]);
        const moved = files.find((f) => path === `/api/files/${f.id}`) as FileItem;
        return answer(200, { ...moved, folder: '/archive', id: `${moved.id}-moved` });
      }
      if (path === '/api/folders') return answer(200, { parent: '/', folders: folders['/'] });
      throw new Error(`unexpected ${init?.method ?? 'GET'} ${path}`);
    }));
    // Act
    await dropOnFolder(files, '/archive');
    // Assess
    expect(patches).toEqual([['/api/files/id-a.jpg', { folder: '/archive' }], ['/api/files/id-b.jpg', { folder: '/archive' }]]);
    expect(store.get().files).toEqual([]);
    expect(store.get().notice).toEqual({ kind: 'info', text: 'Moved 2 files to /archive' });
  });

  it('does nothing when files are dropped on the folder they are in', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    await dropOnFolder([file('a.jpg')], '/trips');
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('sorting', () => {
  it('offers each order either way and asks the API for the one chosen, from the first page', async () => {
    // Prepare
    const onSort = vi.fn();
    render(<Toolbar filter="all" sort="name" order="asc" onFilter={noop} onSort={onSort} canWrite={false} isRoot onUploadFiles={noop} onUploadFolder={noop} onNewFolder={noop} onDeleteFolder={noop} onShareFolder={noop} />);
    const select = screen.getByLabelText('Sort by') as HTMLSelectElement;
    // Act
    fireEvent.change(select, { target: { value: 'uploaded desc' } });
    // Assess
    expect([...select.options].map((o) => o.textContent)).toEqual(['Name, A to Z', 'Name, Z to A', 'Uploaded, newest first', 'Uploaded, oldest first', 'Taken, newest first', 'Taken, oldest first']);
    expect(onSort).toHaveBeenCalledWith('uploaded', 'desc');
  });

  it('drops the pages of the previous order and lists the folder again in the new one', async () => {
    // Prepare
    store.update({ folder: '/trips', files: [file('a.jpg'), file('b.jpg')], nextCursor: 'cursor-of-name-order' });
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return answer(200, { files: [file('z.jpg')], nextCursor: null });
    }));
    // Act
    await sortBy('taken', 'desc');
    // Assess
    const query = new URL(asked[0] as string, 'http://app').searchParams;
    expect([query.get('folder'), query.get('sort'), query.get('order'), query.get('cursor')]).toEqual(['/trips', 'taken', 'desc', null]);
    await waitFor(() => expect(store.get().files.map((f) => f.name)).toEqual(['z.jpg']));
    expect(store.get()).toMatchObject({ sort: 'taken', order: 'desc', nextCursor: null });
  });

  it('lists the folder opened while the previous one was still loading, and drops the late page', async () => {
    // Prepare: the first folder's page answers only when released
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      const query = new URL(url, 'http://app').searchParams;
      if (url.startsWith('/api/folders')) return answer(200, { parent: query.get('parent'), folders: [] });
      if (query.get('folder') === '/slow') {
        await held;
        return answer(200, { files: [file('late.jpg', '/slow')], nextCursor: null });
      }
      return answer(200, { files: [file('here.jpg', '/next')], nextCursor: null });
    }));
    // Act
    const first = openFolder('/slow');
    await openFolder('/next');
    release();
    await first;
    // Assess
    expect(store.get().folder).toBe('/next');
    expect(store.get().files.map((f) => f.name)).toEqual(['here.jpg']);
    expect(store.get().loadingFiles).toBe(false);
  });
});
