/**
 * The share dialog's expiry within the module's limits, the owner's access log view, and the
 * visitor's album: thumbnails from the API and "Download all" (links in batches, one ZIP).
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileLinks, PublicFile, PublicShare, ShareLog, ShareSummary } from '../../contract/wire';
import { ShareDialog, SharesList, ShareLogView, logTotals } from '../src/components/Shares';
import { SharePage, asFileItem, downloadAlbum, zipNameOf } from '../src/components/SharePage';
import { initialState, store } from '../src/store';
import { answer } from './support';

const created = { share: { id: 'sh1' }, token: 't', path: '/s/t' };
const postedBody = (fetch: ReturnType<typeof vi.fn>): unknown => JSON.parse(String((fetch.mock.calls.find(([, init]) => (init as RequestInit | undefined)?.method === 'POST') as [string, RequestInit])[1].body));

const publicFile = (i: number, extra: Partial<PublicFile> = {}): PublicFile => ({
  id: `f${i}`, name: `photo-${i}.jpg`, size: 1000 + i, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2026-01-01T00:00:00Z',
  url: `https://s3/original-${i}`, urlExpiresAt: '2999-01-01T00:00:00Z', ...extra,
});

beforeEach(() => {
  store.update(initialState);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ShareDialog expiry limits', () => {
  it('offers "Never expires" when the module allows it, and then sends expires "never"', async () => {
    // Prepare
    const fetch = vi.fn().mockResolvedValue(answer(201, created));
    vi.stubGlobal('fetch', fetch);
    render(<ShareDialog target={{ folder: '/trips' }} loadLimits={async () => ({ maxDays: 365, allowNever: true })} />);
    // Act
    fireEvent.click(await screen.findByLabelText('Never expires'));
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    // Assess
    await screen.findByLabelText('Link');
    expect(postedBody(fetch)).toEqual({ folder: '/trips', expires: 'never', allowDownload: false });
  });

  it('has no "Never expires" when the module does not allow it, and caps the days at share_max_days', async () => {
    const fetch = vi.fn().mockResolvedValue(answer(201, created));
    vi.stubGlobal('fetch', fetch);
    render(<ShareDialog target={{ folder: '/trips' }} loadLimits={async () => ({ maxDays: 3, allowNever: false })} />);
    await screen.findByText('At most 3 days.');
    const days = screen.getByLabelText('Expires after (days)') as HTMLInputElement;
    expect(screen.queryByLabelText('Never expires')).toBeNull();
    expect(days.max).toBe('3');
    // The default week does not fit: the dialog starts at the longest allowed.
    expect(days.value).toBe('3');
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    await screen.findByLabelText('Link');
    expect(postedBody(fetch)).toEqual({ folder: '/trips', expires: 3 * 86_400, allowDownload: false });
  });

  it('reads the limits from GET /shares', async () => {
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => (init?.method === 'POST' ? answer(201, created) : answer(200, { shares: [], limits: { maxDays: 10, allowNever: true } })));
    vi.stubGlobal('fetch', fetch);
    render(<ShareDialog target={{ fileId: 'id-a', name: 'a.jpg' }} />);
    await screen.findByLabelText('Never expires');
    expect(screen.getByText('At most 10 days.')).toBeTruthy();
    expect(fetch.mock.calls[0]?.[0]).toBe('/api/shares');
  });
});

const summary = (extra: Partial<ShareSummary> = {}): ShareSummary => ({
  id: 'sh1', owner: 'ann', target: { kind: 'folder', folder: '/trips' }, mode: 'view', allowDownload: true, expiresAt: '2999-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z', hasPassword: false, views: 1, usedBytes: 0, usedFiles: 0, ...extra,
});

const log: ShareLog = {
  shareId: 'sh1',
  entries: [
    { at: '2026-03-01T10:05:00.000Z', event: 'download', fileId: 'f1', name: 'beach.jpg', bytes: 2 * 1024 * 1024, ip: '203.0.113.0/24' },
    { at: '2026-03-01T10:01:00.000Z', event: 'view', bytes: 4096, ip: '2001:db8:1::/48' },
    { at: '2026-03-01T10:00:00.000Z', event: 'open', bytes: 1024, ip: '203.0.113.0/24' },
  ],
};

describe('the access log', () => {
  it('adds up each kind of event and the bytes', () => {
    expect(logTotals(log.entries)).toEqual({ counts: { open: 1, view: 1, download: 1, unlock: 0, upload: 0 }, bytes: 2 * 1024 * 1024 + 5120 });
  });

  it('opens under a share of the list with its totals and one line per access, truncated addresses only', async () => {
    // Prepare
    const fetch = vi.fn(async (url: string) => (url === '/api/shares/sh1/log' ? answer(200, log) : answer(200, { shares: [summary()], limits: { maxDays: 30, allowNever: false } })));
    vi.stubGlobal('fetch', fetch);
    render(<SharesList />);
    const button = await screen.findByRole('button', { name: 'Access log of /trips' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    // Act
    fireEvent.click(button);
    // Assess
    const section = await screen.findByRole('region', { name: 'Access log of /trips' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const totals = within(section).getAllByRole('definition').map((d) => d.textContent);
    expect(totals).toEqual(['1', '1', '1', '0', '0', '2.0 MiB']);
    const lines = within(section).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Downloadedbeach\.jpg.* · 2\.0 MiB · from 203\.0\.113\.0\/24$/);
    expect(lines[1]).toMatch(/^Viewed more.* · 4\.0 KiB · from 2001:db8:1::\/48$/);
    expect(lines[2]).toMatch(/^Opened/);
    fireEvent.click(button);
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Access log of /trips' })).toBeNull());
  });

  it('says when nobody has opened the link, and when the log cannot be read', async () => {
    const { unmount } = render(<ShareLogView shareId="sh1" what="/trips" load={async () => ({ shareId: 'sh1', entries: [] })} />);
    expect(await screen.findByText('Nobody has opened this link yet.')).toBeTruthy();
    unmount();
    render(<ShareLogView shareId="sh1" what="/trips" load={() => Promise.reject(new Error('No share "sh1" of yours'))} />);
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the log: No share "sh1" of yours');
  });
});

describe('the visitor\'s album', () => {
  it('shows the thumbnails the API signed, not the originals', async () => {
    const album: PublicShare = {
      share: { kind: 'folder', mode: 'view', allowDownload: false, expiresAt: null },
      files: [publicFile(1, { thumbUrl: 'https://s3/thumb-1.webp', width: 640, height: 400 })],
      nextCursor: null,
    };
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(200, album)));
    const { container } = render(<SharePage token="tok" />);
    await screen.findByRole('button', { name: 'Open photo-1.jpg' });
    expect(container.querySelector('.tile img')?.getAttribute('src')).toBe('https://s3/thumb-1.webp');
    expect(screen.queryByRole('button', { name: 'Download all' })).toBeNull();
  });

  it('without downloads, shows a photo\'s preview in the lightbox with no "Show original" and no Download, and says when there is no preview yet', async () => {
    // Prepare: the API gives no original of a photo to visitors of a share without downloads.
    const noOriginal = (i: number, extra: Partial<PublicFile>): PublicFile => {
      const { url: _url, ...file } = publicFile(i, extra);
      return file;
    };
    const album: PublicShare = {
      share: { kind: 'folder', mode: 'view', allowDownload: false, expiresAt: null },
      files: [noOriginal(1, { thumbUrl: 'https://s3/thumb-1.webp', previewUrl: 'https://s3/preview-1.webp', width: 640, height: 400 }), noOriginal(2, {})],
      nextCursor: null,
    };
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(200, album)));
    render(<SharePage token="tok" />);
    // Act
    fireEvent.click(await screen.findByRole('button', { name: 'Open photo-1.jpg' }));
    // Assess
    const dialog = await screen.findByRole('dialog', { name: 'photo-1.jpg' });
    expect(within(dialog).getByRole('img', { name: 'photo-1.jpg' }).getAttribute('src')).toBe('https://s3/preview-1.webp');
    expect(within(dialog).queryByRole('button', { name: 'Show original' })).toBeNull();
    expect(within(dialog).queryByRole('button', { name: 'Download' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Next file' }));
    expect(await within(await screen.findByRole('dialog', { name: 'photo-2.jpg' })).findByText('No preview of photo-2.jpg yet.')).toBeTruthy();
  });

  it('"Download all" loads the pages not yet seen, asks for links 200 at a time, and zips those still there', async () => {
    // Prepare: 250 files loaded, 60 more on a further page; one file removed since.
    const loaded = Array.from({ length: 250 }, (_, i) => asFileItem(publicFile(i)));
    const rest = Array.from({ length: 60 }, (_, i) => publicFile(250 + i));
    const asked: string[][] = [];
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/public/shares/tok?cursor=c2') return answer(200, { share: { kind: 'folder', mode: 'view', allowDownload: true, expiresAt: null }, files: rest, nextCursor: null });
      if (url === '/api/public/shares/tok/links') {
        const { ids } = JSON.parse(String(init?.body)) as { ids: string[] };
        asked.push(ids);
        expect((init?.headers as Record<string, string>)['x-share-session']).toBe('sess');
        const links: FileLinks['links'] = ids.map((id) => (id === 'f7' ? { id, error: { code: 'NotFound', message: 'No such file in this share' } } : { id, name: `photo-${id.slice(1)}.jpg`, url: `https://s3/dl-${id}`, urlExpiresAt: '2999-01-01T00:00:00Z' }));
        return answer(200, { links });
      }
      return answer(500, { error: { code: 'Unexpected', message: url } });
    });
    vi.stubGlobal('fetch', fetch);
    const save = vi.fn().mockResolvedValue(undefined);
    // Act
    const result = await downloadAlbum('tok', 'sess', { files: loaded, nextCursor: 'c2' }, 'Spain.zip', save);
    // Assess
    expect(result).toEqual({ included: 309, missing: 1 });
    expect(asked.map((ids) => ids.length)).toEqual([200, 110]);
    const [links, files, name] = save.mock.calls[0] as [{ id: string; url: string }[], { id: string }[], string];
    expect(name).toBe('Spain.zip');
    expect(links.map((l) => l.id)).toEqual(Array.from({ length: 310 }, (_, i) => `f${i}`).filter((id) => id !== 'f7'));
    expect(files).toHaveLength(310);
  });

  it('signs a link again, with the next batch from it, when it would expire before its turn in the ZIP', async () => {
    // Prepare
    const loaded = Array.from({ length: 3 }, (_, i) => asFileItem(publicFile(i)));
    const asked: string[][] = [];
    let expiresAt = new Date(Date.now() + 30_000).toISOString();
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init?: RequestInit) => {
      const { ids } = JSON.parse(String(init?.body)) as { ids: string[] };
      asked.push(ids);
      return answer(200, { links: ids.map((id) => ({ id, name: `${id}.jpg`, url: `https://s3/${id}?n=${asked.length}`, urlExpiresAt: expiresAt })) });
    }));
    const save = vi.fn().mockResolvedValue(undefined);
    await downloadAlbum('tok', undefined, { files: loaded, nextCursor: null }, 'a.zip', save);
    const [links, , , renew] = save.mock.calls[0] as [{ id: string; url: string }[], unknown, unknown, (l: unknown) => Promise<{ url: string }>];
    expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    // Act
    const second = await renew(links[1]);
    const third = await renew(links[2]);
    // Assess: one request for the rest of the album, then served from it.
    expect(asked).toEqual([['f0', 'f1', 'f2'], ['f1', 'f2']]);
    expect(second.url).toBe('https://s3/f1?n=2');
    expect(third.url).toBe('https://s3/f2?n=2');
  });

  it('names the ZIP after the album without characters file systems refuse', () => {
    expect(zipNameOf('Spain 2024')).toBe('Spain 2024.zip');
    expect(zipNameOf('a/b:c*?')).toBe('a-b-c-.zip');
    expect(zipNameOf('   ')).toBe('album.zip');
  });
});
