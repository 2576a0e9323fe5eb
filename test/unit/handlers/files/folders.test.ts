import { ValidationError } from '../../../../handlers/core/errors';
import { childPath, folderChain, folderRef, parseFolderPath } from '../../../../handlers/core/folders';
import type { Caller } from '../../../../handlers/core/roles';
import type { FolderCatalog } from '../../../../handlers/adapters/folders-repository';
import { createFolder, deleteFolder, listFolders, parseCreateFolderRequest, parseFolderListQuery } from '../../../../handlers/files/folders';

/** An in-memory folder catalog: available markers and files per folder. */
function memoryFolders(initial: { folders?: string[]; files?: string[] } = {}) {
  const folders = new Set<string>();
  const files = new Set(initial.files ?? []);
  const catalog: FolderCatalog = {
    createChain: async (path) => {
      const existed = folders.has(path);
      for (const ref of folderChain(path)) folders.add(ref.path);
      return !existed;
    },
    ensureChain: async (path) => {
      for (const ref of folderChain(path)) folders.add(ref.path);
    },
    exists: async (path) => folders.has(path),
    marker: async (path) => (folders.has(path) ? { generation: 'g' } : undefined),
    generation: async (path) => (folders.has(path) ? 'g' : undefined),
    listChildren: async (parent) => [...folders].filter((f) => folderRef(f).parent === parent).map((f) => folderRef(f).name),
    hasContent: async (path) => [...folders].some((f) => folderRef(f).parent === path) || [...files].some((f) => f === path),
    remove: async (path) => folders.delete(path),
  };
  for (const f of initial.folders ?? []) for (const ref of folderChain(f)) folders.add(ref.path);
  return { catalog, folders };
}

const editor: Caller = { username: 'ed', role: 'editor' };
const viewer: Caller = { username: 'vi', role: 'viewer' };
const family: Caller = { username: 'fa', role: 'editor', folders: ['/family', '/trips/2024'] };

describe('folders (core)', () => {
  describe('folderChain', () => {
    it('lists every folder from the top down, none for the root', () => {
      expect(folderChain('/a/b/c').map((f) => f.path)).toEqual(['/a', '/a/b', '/a/b/c']);
      expect(folderChain('/a/b/c')[2]).toEqual({ path: '/a/b/c', parent: '/a/b', name: 'c' });
      expect(folderChain('/')).toEqual([]);
      expect(childPath('/', 'x')).toBe('/x');
      expect(childPath('/a', 'x')).toBe('/a/x');
    });
  });

  describe('parseFolderPath', () => {
    it('normalizes like every folder (NFC, leading slash, no trailing slash)', () => {
      expect(parseFolderPath('trips/Cafe\u0301/')).toBe('/trips/Caf\u00e9');
    });

    it.each([
      ['the root', '/'],
      ['a traversal', '/a/../b'],
      ['an empty segment', '/a//b'],
      ['a non-string', 7],
      ['nothing', undefined],
      ['a path leaving no room for file names', `/${'a'.repeat(200)}/${'b'.repeat(200)}/${'c'.repeat(200)}/${'d'.repeat(200)}/${'e'.repeat(200)}`],
    ])('throws a ValidationError for %s', (_name, input) => {
      expect(() => parseFolderPath(input)).toThrow(ValidationError);
    });
  });
});

describe('folders (use cases)', () => {
  describe('createFolder', () => {
    it('creates the folder and its ancestors: 201-worthy once, then "existed"', async () => {
      // Prepare
      const { catalog, folders } = memoryFolders();
      // Act
      const first = await createFolder('/a/b/c', editor, { folders: catalog });
      const again = await createFolder('/a/b/c', editor, { folders: catalog });
      // Assess
      expect(first).toEqual({ folder: { path: '/a/b/c', parent: '/a/b', name: 'c' }, created: true });
      expect(again.created).toBe(false);
      expect([...folders].sort()).toEqual(['/a', '/a/b', '/a/b/c']);
    });

    it('throws 403 for viewers and outside the folder limits', async () => {
      const { catalog } = memoryFolders();
      await expect(createFolder('/x', viewer, { folders: catalog })).rejects.toMatchObject({ statusCode: 403 });
      await expect(createFolder('/family2', family, { folders: catalog })).rejects.toMatchObject({ statusCode: 403, code: 'FolderForbidden' });
      await expect(createFolder('/family/kids', family, { folders: catalog })).resolves.toMatchObject({ created: true });
    });
  });

  describe('listFolders', () => {
    it('lists direct subfolders sorted by name', async () => {
      const { catalog } = memoryFolders({ folders: ['/b/x', '/a', '/c/y/z'] });
      const result = await listFolders('/', viewer, { folders: catalog });
      expect(result.folders.map((f) => f.path)).toEqual(['/a', '/b', '/c']);
      expect((await listFolders('/c', viewer, { folders: catalog })).folders.map((f) => f.name)).toEqual(['y']);
    });

    it('shows a limited caller only the way to its folders', async () => {
      // Prepare
      const { catalog } = memoryFolders({ folders: ['/family/kids', '/family2', '/trips/2023', '/trips/2024/rome', '/work'] });
      // Act + Assess
      expect((await listFolders('/', family, { folders: catalog })).folders.map((f) => f.path)).toEqual(['/family', '/trips']);
      expect((await listFolders('/trips', family, { folders: catalog })).folders.map((f) => f.path)).toEqual(['/trips/2024']);
      expect((await listFolders('/family', family, { folders: catalog })).folders.map((f) => f.path)).toEqual(['/family/kids']);
      await expect(listFolders('/work', family, { folders: catalog })).rejects.toMatchObject({ statusCode: 403 });
    });

    it('throws 404 for a parent that does not exist', async () => {
      const { catalog } = memoryFolders();
      await expect(listFolders('/nope', editor, { folders: catalog })).rejects.toMatchObject({ statusCode: 404 });
      await expect(listFolders('/', editor, { folders: catalog })).resolves.toEqual({ parent: '/', folders: [] });
    });
  });

  describe('deleteFolder', () => {
    it('deletes an empty folder, refuses one with a subfolder or a file (409 FolderNotEmpty), 404 when missing', async () => {
      // Prepare
      const { catalog, folders } = memoryFolders({ folders: ['/a/b', '/photos'], files: ['/photos'] });
      // Act + Assess
      await expect(deleteFolder('/a', editor, { folders: catalog })).rejects.toMatchObject({ statusCode: 409, code: 'FolderNotEmpty' });
      await expect(deleteFolder('/photos', editor, { folders: catalog })).rejects.toMatchObject({ statusCode: 409, code: 'FolderNotEmpty' });
      await deleteFolder('/a/b', editor, { folders: catalog });
      await deleteFolder('/a', editor, { folders: catalog });
      expect([...folders]).toEqual(['/photos']);
      await expect(deleteFolder('/a', editor, { folders: catalog })).rejects.toMatchObject({ statusCode: 404 });
    });

    it('throws 403 for viewers and outside the folder limits', async () => {
      const { catalog } = memoryFolders({ folders: ['/family2', '/family/old'] });
      await expect(deleteFolder('/family2', viewer, { folders: catalog })).rejects.toMatchObject({ statusCode: 403 });
      await expect(deleteFolder('/family2', family, { folders: catalog })).rejects.toMatchObject({ statusCode: 403, code: 'FolderForbidden' });
      await expect(deleteFolder('/family/old', family, { folders: catalog })).resolves.toBeUndefined();
    });
  });

  describe('request parsing', () => {
    it('reads {path} and ?parent=, naming the field on bad input', () => {
      expect(parseCreateFolderRequest({ path: 'a/b' })).toBe('/a/b');
      expect(parseFolderListQuery(undefined)).toBe('/');
      expect(() => parseCreateFolderRequest({ path: '/a', extra: 1 })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^extra:/) }));
      expect(() => parseCreateFolderRequest([])).toThrow(ValidationError);
      expect(() => parseFolderListQuery({ parent: '/a/../b' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^parent:/) }));
    });
  });
});
