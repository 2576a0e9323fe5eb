import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { ApiError } from '../src/api';
import { DeleteDialog, MoveDialog, RenameDialog } from '../src/components/Dialogs';
import { canPlay, Lightbox } from '../src/components/Lightbox';
import { Login, loginMessage } from '../src/components/Login';
import { store, initialState } from '../src/store';
import { answer } from './support';

const file = (name: string, extra: Partial<FileItem> = {}): FileItem => ({
  id: `id-${name}`, folder: '/trips', name, size: 2048, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2026-01-01T00:00:00Z',
  uploadedBy: 'ann', tags: ['sea'], url: `https://s3/${name}`, urlExpiresAt: '2026-01-02T00:00:00Z', ...extra,
});

/** A fetch answering by method and path (e.g. `PATCH /api/files/x`), recording the calls. */
function api(routes: Record<string, () => Response>) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${url.split('?')[0]}`;
    const route = routes[key];
    if (!route) throw new Error(`unexpected ${key}`);
    return route();
  });
}

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Login', () => {
  it('says the password is wrong on a 401', async () => {
    const submit = vi.fn().mockRejectedValue(new ApiError(401, 'InvalidCredentials', 'Invalid username or password'));
    render(<Login submit={submit} />);
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'ann' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect(submit).toHaveBeenCalledWith('ann', 'nope');
  });

  it('tells a throttled user how long to wait, from Retry-After', () => {
    expect(loginMessage(new ApiError(429, 'TooManyAttempts', 'slow down', 'POST /auth/login', 900))).toBe('Too many failed attempts. Try again in 15 min 0 s.');
    expect(loginMessage(new ApiError(429, 'TooManyAttempts', 'slow down'))).toBe('Too many failed attempts. Try again later.');
  });

  it('says when the server cannot be reached', () => {
    expect(loginMessage(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the server/);
  });
});

describe('RenameDialog', () => {
  it('sends the new name and shows the renamed file, which keeps its place in the lightbox and selection', async () => {
    // Prepare
    const original = file('a.jpg');
    store.update({ files: [original], dialog: { kind: 'rename', file: original }, viewing: original.id, selected: [original.id] });
    const fetch = vi.fn().mockResolvedValue(answer(200, { ...original, id: 'id-b.jpg', name: 'b.jpg' }));
    vi.stubGlobal('fetch', fetch);
    render(<RenameDialog file={original} />);
    // Act
    fireEvent.input(screen.getByLabelText('New name'), { target: { value: 'b.jpg' } });
    fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    // Assess
    await waitFor(() => expect(store.get().files[0]?.name).toBe('b.jpg'));
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/files/id-a.jpg');
    expect(init.method).toBe('PATCH');
    expect(JSON.parse(String(init.body))).toEqual({ name: 'b.jpg' });
    expect(store.get().dialog).toBeUndefined();
    // A renamed file has a new id: the lightbox and the selection follow it.
    expect(store.get().viewing).toBe('id-b.jpg');
    expect(store.get().selected).toEqual(['id-b.jpg']);
  });

  it('keeps the dialog open with a clear message when the API answers 403', async () => {
    const original = file('a.jpg');
    store.update({ files: [original], dialog: { kind: 'rename', file: original } });
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(403, { error: { code: 'FolderForbidden', message: 'You may not change files in /trips' } })));
    render(<RenameDialog file={original} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    await waitFor(() => expect(store.get().notice?.text).toBe('You are not allowed to rename a.jpg. You may not change files in /trips'));
    expect(store.get().dialog?.kind).toBe('rename');
  });
});

describe('DeleteDialog', () => {
  it('asks for confirmation and deletes only when confirmed', async () => {
    const doomed = file('x.jpg');
    store.update({ files: [doomed, file('keep.jpg')], dialog: { kind: 'delete', files: [doomed] } });
    const fetch = vi.fn().mockResolvedValue(new Response(null, { status: 204 }));
    vi.stubGlobal('fetch', fetch);
    render(<DeleteDialog files={[doomed]} />);
    expect(screen.getByText('It goes to the trash, where you can restore it for a while.')).toBeTruthy();
    expect(fetch).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(store.get().files.map((f) => f.name)).toEqual(['keep.jpg']));
    expect((fetch.mock.calls[0] as [string, RequestInit])[1].method).toBe('DELETE');
  });

  it('closes without deleting on Cancel', () => {
    const doomed = file('x.jpg');
    store.update({ dialog: { kind: 'delete', files: [doomed] } });
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    render(<DeleteDialog files={[doomed]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(store.get().dialog).toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('MoveDialog', () => {
  it('browses subfolders and moves the files to the chosen one', async () => {
    const moving = file('m.jpg');
    store.update({ files: [moving], dialog: { kind: 'move', files: [moving] } });
    const list = vi.fn(async (parent: string) => ({ parent, folders: parent === '/' ? [{ path: '/archive', parent: '/', name: 'archive' }] : [] }));
    const fetch = api({
      'POST /api/folders': () => answer(200, { folder: { path: '/archive', parent: '/', name: 'archive' }, created: false }),
      'PATCH /api/files/id-m.jpg': () => answer(200, { ...moving, folder: '/archive' }),
      'GET /api/folders': () => answer(200, { parent: '/', folders: [] }),
    });
    vi.stubGlobal('fetch', fetch);
    render(<MoveDialog files={[moving]} list={list} />);
    fireEvent.click(await screen.findByRole('button', { name: 'archive' }));
    expect((screen.getByLabelText('Destination folder') as HTMLInputElement).value).toBe('/archive');
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(store.get().files).toEqual([]));
    const patch = fetch.mock.calls.find(([, init]) => init?.method === 'PATCH') as [string, RequestInit];
    expect(JSON.parse(String(patch[1].body))).toEqual({ folder: '/archive' });
  });

  it('follows a 202 move job with GET /jobs/{id}: the user is told it continues, then that it finished', async () => {
    const moving = file('big.mov');
    store.update({ files: [moving], dialog: { kind: 'move', files: [moving] } });
    const job = { id: 'job-1', kind: 'move', status: 'pending', destination: { folder: '/later', name: 'big.mov' }, size: 2048, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    let polls = 0;
    vi.stubGlobal('fetch', api({
      'POST /api/folders': () => answer(201, { folder: { path: '/later', parent: '/', name: 'later' }, created: true }),
      'PATCH /api/files/id-big.mov': () => answer(202, { job }),
      'GET /api/jobs/job-1': () => answer(200, { job: { ...job, status: (polls += 1) < 2 ? 'running' : 'succeeded', fileId: 'id-later-big' } }),
      'GET /api/folders': () => answer(200, { parent: '/', folders: [] }),
    }));
    render(<MoveDialog files={[moving]} list={async (parent) => ({ parent, folders: [] })} />);
    fireEvent.input(screen.getByLabelText('Destination folder'), { target: { value: '/later' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(store.get().files).toEqual([]));
    await waitFor(() => expect(store.get().notice?.text).toBe('Moved 1 file to /later (1 still moving in the background: they appear there when done)'));
    await waitFor(() => expect(store.get().notice?.text).toBe('Finished moving big.mov to /later'), { timeout: 5000 });
    expect(polls).toBe(2);
  });

  it('says plainly when the destination already has a file of that name (409), and keeps the file', async () => {
    const moving = file('same.jpg');
    store.update({ files: [moving], dialog: { kind: 'move', files: [moving] } });
    vi.stubGlobal('fetch', api({
      'POST /api/folders': () => answer(200, { folder: { path: '/later', parent: '/', name: 'later' }, created: false }),
      'PATCH /api/files/id-same.jpg': () => answer(409, { error: { code: 'Conflict', message: 'A file named "same.jpg" already exists in /later; send "overwrite": true to replace it' } }),
    }));
    render(<MoveDialog files={[moving]} list={async (parent) => ({ parent, folders: [] })} />);
    fireEvent.input(screen.getByLabelText('Destination folder'), { target: { value: '/later' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(store.get().notice).toEqual({ kind: 'error', text: 'same.jpg was not moved: /later already has a file named same.jpg. Rename one of them, then move it again.' }));
    expect(store.get().files).toEqual([moving]);
  });
});

describe('Lightbox', () => {
  const props = { hasPrevious: true, hasNext: true, onDownload: vi.fn() };

  it('moves with the arrow keys and closes with Escape', () => {
    const onPrevious = vi.fn();
    const onNext = vi.fn();
    const onClose = vi.fn();
    render(<Lightbox {...props} file={file('a.jpg')} onPrevious={onPrevious} onNext={onNext} onClose={onClose} />);
    fireEvent.keyDown(window, { key: 'ArrowRight' });
    fireEvent.keyDown(window, { key: 'ArrowLeft' });
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onNext).toHaveBeenCalledTimes(1);
    expect(onPrevious).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('shows the preview first and the original on demand', () => {
    render(<Lightbox {...props} file={file('a.jpg', { previewUrl: 'https://s3/preview.jpg', width: 4000, height: 3000 })} onPrevious={vi.fn()} onNext={vi.fn()} onClose={vi.fn()} />);
    expect(screen.getByRole('img').getAttribute('src')).toBe('https://s3/preview.jpg');
    fireEvent.click(screen.getByRole('button', { name: 'Show original' }));
    expect(screen.getByRole('img').getAttribute('src')).toBe('https://s3/a.jpg');
  });

  it('says a HEVC/QuickTime video cannot play here and offers the download', () => {
    const onDownload = vi.fn();
    const movie = file('clip.mov', { fileType: 'video', contentType: 'video/quicktime' });
    render(<Lightbox {...props} onDownload={onDownload} file={movie} onPrevious={vi.fn()} onNext={vi.fn()} onClose={vi.fn()} />);
    expect(screen.getByRole('status').textContent).toMatch(/cannot play clip\.mov/);
    fireEvent.click(screen.getByRole('button', { name: 'Download to play it' }));
    expect(onDownload).toHaveBeenCalledWith(movie);
  });

  it('trusts the server on playability, else asks the browser', () => {
    expect(canPlay({ contentType: 'video/mp4', browserPlayable: false }, () => 'probably')).toBe(false);
    expect(canPlay({ contentType: 'video/mp4' }, () => 'maybe')).toBe(true);
    expect(canPlay({ contentType: 'video/x-matroska' }, () => '')).toBe(false);
  });

  it('hides write actions for viewers', () => {
    render(<Lightbox {...props} file={file('a.jpg')} onPrevious={vi.fn()} onNext={vi.fn()} onClose={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Rename' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Download' })).toBeTruthy();
  });
});
