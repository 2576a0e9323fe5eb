import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicShare, ShareSummary } from '../../contract/wire';
import { ShareDialog, SharesList } from '../src/components/Shares';
import { SharePage } from '../src/components/SharePage';
import { initialState, store } from '../src/store';
import { answer } from './support';

const summary = (extra: Partial<ShareSummary> = {}): ShareSummary => ({
  id: 'sh1', owner: 'ann', target: { kind: 'folder', folder: '/trips' }, mode: 'view', allowDownload: false, expiresAt: '2999-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z', hasPassword: false, views: 3, usedBytes: 0, usedFiles: 0, ...extra,
});

const album: PublicShare = {
  share: { kind: 'folder', mode: 'view', label: 'Spain 2024', allowDownload: false, expiresAt: '2999-01-01T00:00:00.000Z' },
  files: [{ id: 'f1', name: 'beach.jpg', size: 2048, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2026-01-01T00:00:00Z', url: 'https://s3/beach', urlExpiresAt: '2999-01-01T00:00:00Z' }],
  nextCursor: null,
};

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The module's defaults, as GET /shares tells them. */
const defaultLimits = async () => ({ maxDays: 30, allowNever: false });

describe('ShareDialog', () => {
  it('creates a folder share with the expiry in seconds, password, downloads and label, then shows the link to copy', async () => {
    // Prepare
    const fetch = vi.fn().mockResolvedValue(answer(201, { share: summary(), token: 'tok123', path: '/s/tok123' }));
    vi.stubGlobal('fetch', fetch);
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    render(<ShareDialog target={{ folder: '/trips' }} loadLimits={defaultLimits} />);
    // Act
    fireEvent.input(screen.getByLabelText('Expires after (days)'), { target: { value: '3' } });
    fireEvent.input(screen.getByLabelText('Password (optional)'), { target: { value: 'paella' } });
    fireEvent.click(screen.getByLabelText('Allow downloads'));
    fireEvent.input(screen.getByLabelText('Label (optional, shown to visitors)'), { target: { value: ' Grandma ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    // Assess
    const link = (await screen.findByLabelText('Link')) as HTMLInputElement;
    expect(link.value).toBe(`${location.origin}/s/tok123`);
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/shares');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ folder: '/trips', expires: 3 * 86_400, password: 'paella', allowDownload: true, label: 'Grandma' });
    fireEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`${location.origin}/s/tok123`));
    expect(screen.getByRole('status').textContent).toBe('Copied.');
  });

  it('shares a file by id with the defaults: 7 days, no password, no downloads, no label', async () => {
    const fetch = vi.fn().mockResolvedValue(answer(201, { share: summary(), token: 't', path: '/s/t' }));
    vi.stubGlobal('fetch', fetch);
    render(<ShareDialog target={{ fileId: 'id-a', name: 'a.jpg' }} loadLimits={defaultLimits} />);
    expect(screen.getByRole('heading').textContent).toBe('Share a.jpg');
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    await screen.findByLabelText('Link');
    expect(JSON.parse(String((fetch.mock.calls[0] as [string, RequestInit])[1].body))).toEqual({ fileId: 'id-a', expires: 7 * 86_400, allowDownload: false });
  });

  it("keeps the form with the API's message when the share is refused", async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(400, { error: { code: 'ValidationError', message: 'expires: at most 30 days' } })));
    // The limits could not be read: the form still sends, and the API's refusal is shown.
    render(<ShareDialog target={{ folder: '/trips' }} loadLimits={() => Promise.reject(new Error('offline'))} />);
    fireEvent.input(screen.getByLabelText('Expires after (days)'), { target: { value: '90' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Check the form: expires: at most 30 days');
    expect(screen.queryByLabelText('Link')).toBeNull();
  });
});

describe('SharesList', () => {
  it('lists the shares and revokes one, then shows it revoked', async () => {
    let revoked = false;
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === 'DELETE' && url === '/api/shares/sh1') {
        revoked = true;
        return new Response(null, { status: 204 });
      }
      return answer(200, { shares: [summary(revoked ? { revokedAt: '2026-02-01T00:00:00.000Z' } : {})] });
    });
    vi.stubGlobal('fetch', fetch);
    render(<SharesList />);
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the share of /trips' }));
    await waitFor(() => expect(screen.getByText(/^Revoked /)).toBeTruthy());
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });
});

describe('SharePage', () => {
  it('shows the album grid without any Authorization header or refresh call', async () => {
    const fetch = vi.fn().mockResolvedValue(answer(200, album));
    vi.stubGlobal('fetch', fetch);
    render(<SharePage token="tok" />);
    expect((await screen.findByRole('heading')).textContent).toBe('Spain 2024');
    expect(screen.getByRole('button', { name: 'Open beach.jpg' })).toBeTruthy();
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/public/shares/tok');
    expect(init.headers).toEqual({});
  });

  it('says "This link is not available" for the 404 of an unknown, expired or revoked link', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(404, { error: { code: 'NotFound', message: 'No such share' } })));
    render(<SharePage token="tok" />);
    expect((await screen.findByRole('heading')).textContent).toBe('This link is not available');
  });

  it('asks for the password, says when it is wrong or throttled, and opens the share with its session', async () => {
    // Prepare
    const unlocks = [
      () => answer(401, { error: { code: 'InvalidPassword', message: 'Wrong password' } }),
      () => answer(429, { error: { code: 'TooManyRequests', message: 'Too many' } }, { 'retry-after': '120' }),
      () => answer(200, { session: 'sess', expiresAt: '2999-01-01T00:00:00Z' }),
    ];
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/public/shares/tok/unlock') return (unlocks.shift() as () => Response)();
      const headers = (init?.headers ?? {}) as Record<string, string>;
      return headers['x-share-session'] === 'sess' ? answer(200, album) : answer(401, { error: { code: 'SharePasswordRequired', message: 'needs its password' } });
    });
    vi.stubGlobal('fetch', fetch);
    render(<SharePage token="tok" />);
    const password = await screen.findByLabelText('Password');
    // Act + Assess
    fireEvent.input(password, { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong password.');
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Too many wrong passwords. Try again in 2 min 0 s.'));
    fireEvent.input(password, { target: { value: 'paella' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByRole('button', { name: 'Open beach.jpg' })).toBeTruthy();
    expect(JSON.parse(String((fetch.mock.calls.find(([u]) => u.endsWith('/unlock')) as [string, RequestInit])[1].body))).toEqual({ password: 'nope' });
  });
});
