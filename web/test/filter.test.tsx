import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { filterBy, showUploaded } from '../src/actions';
import { Browse } from '../src/components/Browse';
import { initialState, store } from '../src/store';
import { answer } from './support';

const item = (name: string, fileType: 'image' | 'video', folder = '/trips'): FileItem => ({
  id: `id-${name}`, folder, name, size: 2048, contentType: fileType === 'video' ? 'video/mp4' : 'image/jpeg', fileType, uploadedAt: '2026-01-01T00:00:00Z',
  uploadedBy: 'ann', tags: [], url: `https://s3/${name}`, urlExpiresAt: '2026-01-02T00:00:00Z',
});

/** The query of each GET /files the app sent. */
function filesQueries(asked: readonly string[]): URLSearchParams[] {
  return asked.filter((url) => url.split('?')[0]?.endsWith('/files')).map((url) => new URL(url, 'http://app').searchParams);
}

const editor = { username: 'ann', role: 'editor' as const, folders: [] };

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('filtering by type', () => {
  it('asks the API for type=video in the order shown when Videos is chosen, and restarts paging', async () => {
    // Prepare: a folder listed newest first, two image pages loaded
    store.update({ user: editor, folder: '/trips', sort: 'uploaded', order: 'desc', files: [item('a.jpg', 'image'), item('b.jpg', 'image')], nextCursor: 'cursor-of-all', selected: ['id-a.jpg'] });
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return answer(200, { files: [item('clip.mp4', 'video')], nextCursor: null });
    }));
    render(<Browse />);
    await waitFor(() => expect(store.get().loadingFiles).toBe(false));
    const before = asked.length;
    // Act
    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'video' } });
    // Assess
    await waitFor(() => expect(store.get().files.map((f) => f.name)).toEqual(['clip.mp4']));
    const [query] = filesQueries(asked.slice(before));
    expect([query?.get('folder'), query?.get('type'), query?.get('sort'), query?.get('order'), query?.get('cursor')]).toEqual(['/trips', 'video', 'uploaded', 'desc', null]);
    expect(store.get()).toMatchObject({ filter: 'video', nextCursor: null, selected: [] });
  });

  it('asks for no type when All is chosen again', async () => {
    // Prepare
    store.update({ folder: '/trips', filter: 'video', files: [item('clip.mp4', 'video')], nextCursor: null });
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return answer(200, { files: [item('a.jpg', 'image'), item('clip.mp4', 'video')], nextCursor: null });
    }));
    // Act
    await filterBy('all');
    // Assess
    expect(filesQueries(asked).map((q) => q.has('type'))).toEqual([false]);
    expect(store.get().files.map((f) => f.name)).toEqual(['a.jpg', 'clip.mp4']);
  });

  it('keeps asking for pages while they add nothing to show, until the videos come', async () => {
    // Prepare: the API's filtered pages stop short (empty) in a large folder, with a cursor each
    const pages: Record<string, { files: FileItem[]; nextCursor: string | null }> = {
      first: { files: [], nextCursor: 'c1' },
      c1: { files: [], nextCursor: 'c2' },
      c2: { files: [item('clip.mp4', 'video')], nextCursor: null },
    };
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      if (url.startsWith('/api/folders')) return answer(200, { parent: '/', folders: [] });
      return answer(200, pages[new URL(url, 'http://app').searchParams.get('cursor') ?? 'first']);
    }));
    store.update({ user: editor, folder: '/trips', files: [item('a.jpg', 'image')], nextCursor: null });
    render(<Browse />);
    // Act
    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'video' } });
    // Assess
    await waitFor(() => expect(store.get().files.map((f) => f.name)).toEqual(['clip.mp4']));
    expect(filesQueries(asked).map((q) => [q.get('type'), q.get('cursor')])).toEqual([['video', null], ['video', 'c1'], ['video', 'c2']]);
    expect(await screen.findByText('clip.mp4')).toBeTruthy();
  });

  it('leaves an upload of another type out of a filtered listing', () => {
    // Prepare
    store.update({ folder: '/trips', filter: 'video', files: [item('clip.mp4', 'video')], nextCursor: null });
    vi.stubGlobal('fetch', vi.fn(async () => answer(200, { parent: '/', folders: [] })));
    // Act
    showUploaded(item('new.jpg', 'image'));
    showUploaded(item('new.mp4', 'video'));
    // Assess
    expect(store.get().files.map((f) => f.name)).toEqual(['clip.mp4', 'new.mp4']);
  });
});
