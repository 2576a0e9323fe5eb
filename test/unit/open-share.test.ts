import type { CatalogFile } from '../../handlers/core/catalog';
import { hashShareToken, newShareToken, signShareSession } from '../../handlers/core/shares';
import type { Share } from '../../handlers/adapters/shares-repository';
import type { UserRecord } from '../../handlers/adapters/users-repository';
import { openShare, requireShareSession, ShareNotFound, SharePasswordRequired, type OpenShareDeps } from '../../handlers/shares/open-share';
import type { ApiEvent } from '../../handlers/http/types';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const FILE = { id: 'id-a', key: 'media/album/a.jpg', folder: '/album', name: 'a.jpg', uploadedAt: '2026-05-01T00:00:00.000Z' } as CatalogFile;

function world(overrides: { share?: Partial<Share>; user?: Partial<UserRecord> | null; file?: CatalogFile | undefined; folderExists?: boolean } = {}) {
  const token = newShareToken();
  const share: Share = {
    id: 'AAAAAAAAAAAAAAAA',
    owner: 'ana',
    target: { kind: 'folder', folder: '/album' },
    mode: 'view',
    allowDownload: false,
    expiresAt: '2026-06-02T00:00:00.000Z',
    createdAt: '2026-05-30T00:00:00.000Z',
    sessionKey: Buffer.alloc(32, 1).toString('base64url'),
    ...overrides.share,
  };
  const user = overrides.user === null ? undefined : ({ username: 'ana', role: 'editor', passwordHash: 'x', createdAt: '', updatedAt: '', ...overrides.user } as UserRecord);
  const deps: OpenShareDeps = {
    shares: { byTokenHash: async (hash) => (hash === hashShareToken(token) ? share : undefined) },
    users: { getAccess: async (name: string) => (name === 'ana' ? user : undefined) },
    files: { getRow: async (folder, name) => ({ file: 'file' in overrides ? overrides.file : folder === FILE.folder && name === FILE.name ? FILE : undefined, version: { exists: true } }) as never },
    folders: { exists: async () => overrides.folderExists ?? true },
  };
  return { token, deps };
}

describe('openShare', () => {
  it('opens a live album share of an editor within their folders', async () => {
    const { token, deps } = world({ user: { folders: ['/album'] } });
    await expect(openShare(token, deps, NOW)).resolves.toMatchObject({ folder: '/album', tokenHash: hashShareToken(token) });
  });

  it.each([
    ['an unknown token', (w: ReturnType<typeof world>) => ({ ...w, token: newShareToken() })],
    ['a malformed token', (w: ReturnType<typeof world>) => ({ ...w, token: '../files' })],
  ])('throws the one 404 for %s', async (_name, change) => {
    const { token, deps } = change(world());
    await expect(openShare(token, deps, NOW)).rejects.toThrow(ShareNotFound);
  });

  it.each([
    ['an expired share', { share: { expiresAt: '2026-06-01T12:00:00.000Z' } }],
    ['a deleted creator', { user: null }],
    ['a creator who lost the folder', { user: { folders: ['/other'] } }],
    ['a drop link of a creator demoted to viewer', { share: { mode: 'drop' as const }, user: { role: 'viewer' as const } }],
    ['a deleted folder', { folderExists: false }],
    ['a file deleted', { share: { target: { kind: 'file' as const, fileId: 'id-a', folder: '/album', name: 'a.jpg', uploadedAt: FILE.uploadedAt } }, file: undefined }],
    ['a file uploaded anew under the shared name', { share: { target: { kind: 'file' as const, fileId: 'id-a', folder: '/album', name: 'a.jpg', uploadedAt: '2020-01-01T00:00:00.000Z' } } }],
  ])('throws the same 404 for %s', async (_name, overrides) => {
    const { token, deps } = world(overrides as Parameters<typeof world>[0]);
    const error = await openShare(token, deps, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareNotFound);
    expect((error as Error).message).toBe('No such share');
  });

  it('keeps a view share of a creator demoted to viewer: viewers may still read', async () => {
    const { token, deps } = world({ user: { role: 'viewer' } });
    await expect(openShare(token, deps, NOW)).resolves.toMatchObject({ folder: '/album' });
  });
});

describe('requireShareSession', () => {
  const event = (session?: string) => ({ headers: session === undefined ? {} : { 'x-share-session': session } }) as unknown as ApiEvent;

  it('throws 401 SharePasswordRequired without a valid session of this share', async () => {
    const { token, deps } = world({ share: { passwordHash: 'scrypt$…' } });
    const opened = await openShare(token, deps, NOW);
    expect(() => requireShareSession(opened, event(), NOW)).toThrow(SharePasswordRequired);
    expect(() => requireShareSession(opened, event('AAAAAAAAAAAAAAAA.9999999999.x'), NOW)).toThrow(SharePasswordRequired);
    const valid = signShareSession(opened.share.sessionKey, opened.share.id, Math.floor(NOW.getTime() / 1000) + 60);
    expect(() => requireShareSession(opened, event(valid), NOW)).not.toThrow();
  });
});
