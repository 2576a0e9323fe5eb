/**
 * Write controls follow the folder shown: an editor limited to some folders sees them only
 * inside those folders (the server's rule, contract/folder-limits.ts), drags files only to
 * folders they may move files to, and the Move dialog does not move outside them.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileItem, SessionUser } from '../../contract/wire';
import { openFolder } from '../src/actions';
import { Browse } from '../src/components/Browse';
import { MoveDialog } from '../src/components/Dialogs';
import { initialState, store } from '../src/store';
import { answer, dataTransfer, drag } from './support';

const file = (name: string, folder: string): FileItem => ({
  id: `id-${name}`, folder, name, size: 2048, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2026-01-01T00:00:00Z',
  uploadedBy: 'ann', tags: [], url: `https://s3/${name}`, urlExpiresAt: '2026-01-02T00:00:00Z',
});

const limited: SessionUser = { username: 'ann', role: 'editor', folders: ['/family'] };
const unlimited: SessionUser = { username: 'bo', role: 'editor', folders: null };
const adminWithStaleLimits: SessionUser = { username: 'root', role: 'admin', folders: ['/family'] };
const limitedViewer: SessionUser = { username: 'cy', role: 'viewer', folders: ['/family'] };

/** The tree as the API lists it to a user limited to /family: the way there, and what is inside. */
const folders = {
  '/': [{ path: '/family', parent: '/', name: 'family' }],
  '/family': [{ path: '/family/beach', parent: '/family', name: 'beach' }],
};

/** The browsing screen as `user` sees `folder`, its files loaded and one selected. */
function browse(user: SessionUser, folder: string, files: readonly FileItem[] = []): void {
  store.update({ ...initialState, user, folder, folders, expanded: ['/', '/family'], files, nextCursor: null, selected: files.slice(0, 1).map((f) => f.id) });
  render(<Browse />);
}

const WRITE_CONTROLS = ['Upload files', 'Upload folder', 'New folder', 'Share folder', 'Share', 'Move', 'Delete'];
const writeControlsShown = (): string[] => WRITE_CONTROLS.filter((name) => screen.queryByRole('button', { name, exact: true }) !== null);

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Browse for an editor with folder limits', () => {
  it('shows no write controls in the root, which only leads to their folder, and says why it lists no files', () => {
    browse(limited, '/');
    expect(writeControlsShown()).toEqual([]);
    expect(screen.getByText('/ is outside your folders (/family). Open the way to them below.')).toBeTruthy();
    expect(screen.queryByLabelText('Choose files to upload')).toBeNull();
  });

  it('shows no write controls in a folder beside theirs (opened by its address), and says it is outside their folders', () => {
    browse(limited, '/other');
    expect(writeControlsShown()).toEqual([]);
    expect(screen.getByText('/other is outside your folders (/family).')).toBeTruthy();
  });

  it('shows every write control in their folder and below it', () => {
    browse(limited, '/family/beach', [file('a.jpg', '/family/beach')]);
    expect(writeControlsShown()).toEqual(WRITE_CONTROLS);
    expect(screen.getByRole('button', { name: 'Delete folder' })).toBeTruthy();
  });

  it('offers the lightbox rename in their folder only', () => {
    browse(limited, '/family', [file('a.jpg', '/family')]);
    fireEvent.click(screen.getByRole('button', { name: 'Open a.jpg' }));
    expect(screen.getByRole('button', { name: 'Rename' })).toBeTruthy();
  });

  it('leaves admins (whatever limits they carry) and unlimited editors their write controls everywhere', () => {
    browse(adminWithStaleLimits, '/');
    expect(writeControlsShown()).toEqual(['Upload files', 'Upload folder', 'New folder', 'Share folder']);
    store.update({ user: unlimited });
    expect(writeControlsShown()).toEqual(['Upload files', 'Upload folder', 'New folder', 'Share folder']);
  });

  it('shows a viewer no write controls, inside their folder too', () => {
    browse(limitedViewer, '/family', [file('a.jpg', '/family')]);
    expect(writeControlsShown()).toEqual([]);
  });

  it('lets tiles be dragged to their folders only: the root and its tree entry take no drop', async () => {
    // Prepare
    const patch = vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === 'POST') return answer(200, { folder: { path: '/family', parent: '/', name: 'family' }, created: false });
      if (init?.method === 'PATCH') return answer(200, { ...file('a.jpg', '/family'), id: 'id-moved' });
      return answer(200, { parent: new URL(url, 'http://app').searchParams.get('parent'), folders: [] });
    });
    vi.stubGlobal('fetch', patch);
    browse(limited, '/family/beach', [file('a.jpg', '/family/beach')]);
    const tile = screen.getByRole('button', { name: 'Open a.jpg' }).closest('li') as HTMLElement;
    const root = screen.getByRole('button', { name: 'All folders' });
    const crumbs = within(screen.getByRole('navigation', { name: 'Breadcrumbs' }));
    const home = crumbs.getByRole('button', { name: 'Home' });
    const family = crumbs.getByRole('button', { name: 'family' });
    const transfer = dataTransfer();
    // Act
    drag('dragStart', tile, transfer);
    drag('dragOver', root, transfer);
    drag('dragOver', home, transfer);
    drag('drop', root, transfer);
    drag('drop', home, transfer);
    const refused = [root, home].map((el) => el.classList.contains('drop-target'));
    drag('dragOver', family, transfer);
    const accepted = family.classList.contains('drop-target');
    // Assess
    expect(refused).toEqual([false, false]);
    expect(patch).not.toHaveBeenCalled();
    expect(accepted).toBe(true);
    drag('drop', family, transfer);
    await waitFor(() => expect(store.get().notice).toEqual({ kind: 'info', text: 'Moved 1 file to /family' }));
    expect(patch.mock.calls.filter(([, init]) => (init as RequestInit | undefined)?.method === 'PATCH').map(([url]) => url)).toEqual(['/api/files/id-a.jpg']);
  });

  it('does not ask the API for the files of a folder that only leads to theirs (no 403 at login)', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return answer(200, { parent: new URL(url, 'http://app').searchParams.get('parent'), folders: folders['/'] });
    }));
    store.update({ user: limited, notice: undefined });
    await openFolder('/');
    expect(asked.filter((url) => url.startsWith('/api/files'))).toEqual([]);
    expect(asked.some((url) => url.startsWith('/api/folders'))).toBe(true);
    expect(store.get()).toMatchObject({ files: [], nextCursor: null });
    expect(store.get().notice).toBeUndefined();
  });
});

describe('MoveDialog for an editor with folder limits', () => {
  const list = vi.fn(async (parent: string) => ({ parent, folders: parent === '/' ? folders['/'] : [] }));

  it('starts in the files\' folder, and refuses a destination outside their folders with the reason', async () => {
    // Prepare
    store.update({ user: limited });
    render(<MoveDialog files={[file('a.jpg', '/family/beach')]} list={list} />);
    const destination = screen.getByLabelText('Destination folder') as HTMLInputElement;
    const move = screen.getByRole('button', { name: 'Move' }) as HTMLButtonElement;
    expect(destination.value).toBe('/family/beach');
    expect(move.disabled).toBe(false);
    // Act
    fireEvent.input(destination, { target: { value: '/' } });
    // Assess
    const reason = 'You may not move files there: / is outside your folders (/family).';
    expect(move.disabled).toBe(true);
    expect(screen.getByRole('status').textContent).toBe(reason);
    expect(move.getAttribute('aria-describedby')).toBe('refusal');
    fireEvent.input(destination, { target: { value: 'family2' } });
    expect(move.disabled).toBe(true);
    fireEvent.input(destination, { target: { value: 'family/new/' } });
    expect(move.disabled).toBe(false);
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('starts at the root and offers every destination to an unlimited editor', () => {
    store.update({ user: unlimited });
    render(<MoveDialog files={[file('a.jpg', '/family/beach')]} list={list} />);
    expect((screen.getByLabelText('Destination folder') as HTMLInputElement).value).toBe('/');
    expect((screen.getByRole('button', { name: 'Move' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
