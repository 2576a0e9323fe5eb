import type { CatalogFile } from '../../../../handlers/core/catalog';
import { hashShareToken, newShareToken, signShareSession } from '../../../../handlers/core/shares';
import type { Share } from '../../../../handlers/adapters/shares-repository';
import type { FolderMarker } from '../../../../handlers/core/folders';
import type { UserRecord } from '../../../../handlers/adapters/users-repository';
import { openShare, requireShareSession, ShareNotFound, SharePasswordRequired, type OpenShareDeps } from '../../../../handlers/shares/open-share';
import type { ApiEvent } from '../../../../handlers/http/types';
import { albumShare } from '../../support';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const FILE = { id: 'id-a', key: 'media/album/a.jpg', folder: '/album', name: 'a.jpg', uploadedAt: '2026-05-01T00:00:00.000Z' } as CatalogFile;

/** The shared folder's generation when the share was made. */
const GENERATION = 'gen-at-creation';

/** `folder`: the marker of /album now (undefined: no such folder); by default the shared one. */
function world(overrides: { share?: Partial<Share>; user?: Partial<UserRecord> | null; file?: CatalogFile | undefined; folder?: FolderMarker | undefined } = {}) {
  const token = newShareToken();
  const share = albumShare({ folderGeneration: GENERATION, ...overrides.share });
  const user = overrides.user === null ? undefined : ({ username: 'ana', role: 'editor', passwordHash: 'x', createdAt: '', updatedAt: '', ...overrides.user } as UserRecord);
  const deps: OpenShareDeps = {
    shares: { byTokenHash: async (hash) => (hash === hashShareToken(token) ? share : undefined) },
    users: { getAccess: async (name: string) => (name === 'ana' ? user : undefined) },
    files: { getRow: async (folder, name) => ({ file: 'file' in overrides ? overrides.file : folder === FILE.folder && name === FILE.name ? FILE : undefined, version: { exists: true } }) as never },
    folders: {
      marker: async (path) => {
        if (path !== '/album') throw new Error(`asked for the marker of ${path}: only /album has one`);
        return 'folder' in overrides ? overrides.folder : { generation: GENERATION };
      },
    },
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
    ['a deleted folder', { folder: undefined }],
    ['a folder deleted and created again (another generation)', { folder: { generation: 'gen-after-recreation' } }],
    ['a drop link of a folder deleted and created again', { share: { mode: 'drop' as const, maxBytes: 10, maxFiles: 1 }, folder: { generation: 'gen-after-recreation' } }],
    ['a folder share stored before generations, its folder deleted', { share: { folderGeneration: undefined }, folder: undefined }],
    ['a file deleted', { share: { target: { kind: 'file' as const, fileId: 'id-a', folder: '/album', name: 'a.jpg', uploadedAt: FILE.uploadedAt } }, file: undefined }],
    ['a file uploaded anew under the shared name', { share: { target: { kind: 'file' as const, fileId: 'id-a', folder: '/album', name: 'a.jpg', uploadedAt: '2020-01-01T00:00:00.000Z' } } }],
  ])('throws the same 404 for %s', async (_name, overrides) => {
    const { token, deps } = world(overrides as Parameters<typeof world>[0]);
    const error = await openShare(token, deps, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareNotFound);
    expect((error as Error).message).toBe('No such share');
  });

  it('opens a drop link of the very folder it was made of', async () => {
    const { token, deps } = world({ share: { mode: 'drop', maxBytes: 10, maxFiles: 1 } });
    await expect(openShare(token, deps, NOW)).resolves.toMatchObject({ folder: '/album' });
  });

  it.each([
    ['a marker with a generation', { generation: 'gen-after-recreation' }],
    ['a marker written before generations', {}],
  ])('keeps opening a folder share stored before generations while the folder exists (%s)', async (_name, marker) => {
    const { token, deps } = world({ share: { folderGeneration: undefined }, folder: marker });
    await expect(openShare(token, deps, NOW)).resolves.toMatchObject({ folder: '/album' });
  });

  it('opens a share of the root folder, which has no marker to ask', async () => {
    const { token, deps } = world({ share: { target: { kind: 'folder', folder: '/' }, folderGeneration: undefined } });
    await expect(openShare(token, deps, NOW)).resolves.toMatchObject({ folder: '/' });
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
