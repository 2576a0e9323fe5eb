import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TrashEntry, TrashJob } from '../../contract/wire';
import { TrashView } from '../src/components/Trash';
import { initialState, store } from '../src/store';
import { answer } from './support';

const entry = (id: string, name: string): TrashEntry => ({
  id, folder: '/trips', name, size: 2048, contentType: 'image/jpeg', fileType: 'image', uploadedBy: 'ann', deletedBy: 'ann',
  deletedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-31T00:00:00.000Z',
});
const job = (extra: Partial<TrashJob>): TrashJob => ({ id: 'j'.repeat(22), kind: 'trash', action: 'restore', status: 'pending', done: 0, failed: 0, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...extra });
const editor = { username: 'ann', role: 'editor' as const };

/** The API as the view calls it: the routes answered in order of the calls. */
function api(routes: Record<string, (init: RequestInit) => Response>) {
  const calls: string[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const path = new URL(url, 'http://x').pathname.replace(/^\/api/, '');
    const key = `${init.method ?? 'GET'} ${path}`;
    calls.push(key);
    const route = routes[key];
    if (route === undefined) throw new Error(`unexpected ${key}`);
    return route(init);
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

beforeEach(() => {
  store.update(initialState);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('TrashView', () => {
  it('lists deleted files with where they were, and restores one to its place', async () => {
    // Prepare
    const calls = api({
      'GET /trash': () => answer(200, { entries: [entry('e1', 'beach.jpg'), entry('e2', 'dune.jpg')], retentionDays: 30 }),
      'POST /trash/e1/restore': () => answer(200, { file: { id: 'f1', folder: '/trips', name: 'beach.jpg' }, renamed: false }),
    });
    render(<TrashView user={editor} />);
    await screen.findByText('beach.jpg');
    expect(screen.getByText(/stay here for 30 days/)).toBeTruthy();
    // Act
    fireEvent.click(screen.getByRole('button', { name: 'Restore beach.jpg' }));
    // Assess
    await waitFor(() => expect(screen.queryByText('beach.jpg')).toBeNull());
    expect(screen.getByText('dune.jpg')).toBeTruthy();
    expect(calls).toContain('POST /trash/e1/restore');
    expect(store.get().notice?.text).toBe('Restored /trips/beach.jpg');
    expect(screen.queryByRole('button', { name: 'Empty trash' })).toBeNull();
  });

  it('restores all as a job, shows its progress, then reads the trash again', async () => {
    // Prepare
    let listed = 0;
    let polled = 0;
    const calls = api({
      'GET /trash': () => answer(200, { entries: listed++ === 0 ? [entry('e1', 'beach.jpg')] : [], retentionDays: 30 }),
      'POST /trash/jobs': (init) => {
        expect(JSON.parse(String(init.body))).toEqual({ action: 'restore', all: true });
        return answer(202, { job: job({}) });
      },
      [`GET /jobs/${'j'.repeat(22)}`]: () => answer(200, { job: job(polled++ === 0 ? { status: 'running', done: 1 } : { status: 'succeeded', done: 1 }) }),
    });
    render(<TrashView user={{ username: 'root', role: 'admin' }} pollMs={1} />);
    await screen.findByText('beach.jpg');
    expect(screen.getByRole('button', { name: 'Empty trash' })).toBeTruthy();
    // Act
    fireEvent.click(screen.getByRole('button', { name: 'Restore all' }));
    // Assess
    await screen.findByText('The trash is empty.');
    expect(calls.filter((c) => c === 'GET /trash')).toHaveLength(2);
    expect(store.get().notice?.text).toBe('Restored 1 file');
  });
});
