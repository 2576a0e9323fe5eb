/**
 * createShare pins what it shares: a folder share records the folder's generation on the
 * stored share (the token row), never in what the owner is shown; the root folder, which has
 * no marker, records none.
 */
import { NotFound } from '../../../../handlers/core/errors';
import { parseShareRequest } from '../../../../handlers/core/shares';
import type { Caller } from '../../../../handlers/core/roles';
import type { Share } from '../../../../handlers/adapters/shares-repository';
import { createShare, type OwnerSharesDeps } from '../../../../handlers/files/shares';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const POLICY = { maxDays: 30, allowNever: false };
const editor: Caller = { username: 'ana', role: 'editor' };

function world(generations: Record<string, string>) {
  const stored: Share[] = [];
  const asked: string[] = [];
  const deps: OwnerSharesDeps = {
    shares: {
      create: async (share) => {
        stored.push(share);
      },
      list: async () => [],
      summary: async () => undefined,
      revoke: async () => undefined,
    },
    accessLog: { entries: async () => [] },
    files: { getRow: async () => ({ version: { exists: false } }) as never },
    folders: {
      generation: async (path) => {
        asked.push(path);
        return generations[path];
      },
    },
    sharePolicy: POLICY,
    now: () => NOW,
  };
  return { deps, stored, asked };
}

describe('createShare', () => {
  it.each([
    ['an album share', {}],
    ['a drop link', { mode: 'drop', maxBytes: 1000, maxFiles: 2 }],
  ])('records the folder generation of %s on the stored share, not in the owner view', async (_name, extra) => {
    // Prepare
    const { deps, stored } = world({ '/trip': 'gen-1' });
    const request = parseShareRequest({ folder: '/trip', ...extra }, POLICY, NOW);
    // Act
    const created = await createShare(request, editor, deps);
    // Assess
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ target: { kind: 'folder', folder: '/trip' }, folderGeneration: 'gen-1' });
    expect(JSON.stringify(created)).not.toContain('gen-1');
  });

  it('records no generation for the root folder and asks for none', async () => {
    const { deps, stored, asked } = world({});
    await createShare(parseShareRequest({ folder: '/' }, POLICY, NOW), editor, deps);
    expect(stored[0]).toMatchObject({ target: { kind: 'folder', folder: '/' } });
    expect(stored[0]!.folderGeneration).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('throws NotFound for a folder that does not exist', async () => {
    const { deps, stored } = world({});
    await expect(createShare(parseShareRequest({ folder: '/gone' }, POLICY, NOW), editor, deps)).rejects.toThrow(NotFound);
    expect(stored).toEqual([]);
  });
});
