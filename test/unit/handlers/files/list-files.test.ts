import type { FolderPage } from '../../../../handlers/adapters/files-repository';
import type { CatalogFile } from '../../../../handlers/core/catalog';
import { InvalidCursor, ListCursors } from '../../../../handlers/core/cursor';
import { ValidationError } from '../../../../handlers/core/errors';
import { fileIdOf } from '../../../../handlers/core/paths';
import { listFiles, parseListQuery } from '../../../../handlers/files/list-files';
import { ObjectUrls } from '../../../../handlers/core/object-urls';

const NOW = new Date('2024-05-01T10:00:00.000Z');
const cursors = new ListCursors(Buffer.alloc(32, 7));
const ana = { username: 'ana', role: 'editor' as const };

const file = (name: string): CatalogFile => ({
  id: fileIdOf(`media/spain2024/${name}`),
  key: `media/spain2024/${name}`,
  folder: '/spain2024',
  name,
  size: 5,
  contentType: 'image/png',
  fileType: 'image',
  uploadedAt: '2024-04-30T00:00:00.000Z',
  uploadedBy: 'ana',
  tags: ['t'],
  sequencer: '0'.repeat(32),
  status: 'available',
});

describe('files', () => {
  describe('parseListQuery', () => {
    it('defaults to the root folder and 100 files', () => {
      expect(parseListQuery(undefined, cursors, ana)).toEqual({ folder: '/', limit: 100 });
    });

    it('normalizes the folder and reads limit and cursor', () => {
      const cursor = cursors.folderCursor('ana', '/spain2024', 'a.png');
      expect(parseListQuery({ folder: 'spain2024/', limit: '1000', cursor }, cursors, ana)).toEqual({ folder: '/spain2024', limit: 1000, afterName: 'a.png' });
    });

    it('reads sort=uploaded newest first by default, and order=asc', () => {
      expect(parseListQuery({ folder: '/a', sort: 'uploaded' }, cursors, ana)).toEqual({ folder: '/a', sort: 'uploaded', order: 'desc', limit: 100 });
      expect(parseListQuery({ folder: '/a', sort: 'uploaded', order: 'asc' }, cursors, ana)).toEqual({ folder: '/a', sort: 'uploaded', order: 'asc', limit: 100 });
      expect(parseListQuery({ folder: '/a', sort: 'taken' }, cursors, ana)).toEqual({ folder: '/a', sort: 'taken', order: 'asc', limit: 100 });
      expect(parseListQuery({ folder: '/a', order: 'desc' }, cursors, ana)).toEqual({ folder: '/a', limit: 100, order: 'desc' });
    });

    it('reads a cursor only in the order and direction it was issued for', () => {
      const cursor = cursors.sortCursor('ana', '/a', 'uploaded', 'desc', '2025-01-01T00:00:00.000Z#x.jpg');
      expect(parseListQuery({ folder: '/a', sort: 'uploaded', cursor }, cursors, ana)).toMatchObject({ afterSortKey: '2025-01-01T00:00:00.000Z#x.jpg' });
      expect(() => parseListQuery({ folder: '/a', sort: 'uploaded', order: 'asc', cursor }, cursors, ana)).toThrow(InvalidCursor);
      expect(() => parseListQuery({ folder: '/a', sort: 'taken', order: 'desc', cursor }, cursors, ana)).toThrow(InvalidCursor);
    });

    it.each([
      [{ folder: '/a/../b' }, 'folder'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: '-1' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ limit: '1e3' }, 'limit'],
      [{ cursor: 'garbage!' }, 'cursor'],
      [{ sort: 'size' }, 'sort'],
      [{ order: 'up' }, 'order'],
      [{ type: 'image', order: 'asc' }, 'order'],
      [{ folder: '/a', cursor: cursors.folderCursor('ana', '/b', 'x') }, 'cursor'],
      [{ folder: '/a', cursor: cursors.folderCursor('bob', '/a', 'x') }, 'cursor'],
      [{ folder: '/a', cursor: new ListCursors(Buffer.alloc(32, 8)).folderCursor('ana', '/a', 'x') }, 'cursor'],
    ])('throws a 400 for %j', (query, field) => {
      let caught: unknown;
      try {
        parseListQuery(query, cursors, ana);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe(field);
    });

    it('refuses a cursor with any byte changed as InvalidCursor', () => {
      const cursor = cursors.folderCursor('ana', '/a', 'x.jpg');
      const raw = Buffer.from(cursor, 'base64url');
      for (let i = 0; i < raw.length; i += 1) {
        const tampered = Buffer.from(raw);
        tampered[i] = (tampered[i] as number) ^ 1;
        expect(() => parseListQuery({ folder: '/a', cursor: tampered.toString('base64url') }, cursors, ana)).toThrow(InvalidCursor);
      }
    });
  });

  describe('listFiles', () => {
    it('returns the page with a view URL per file and a cursor for the next page', async () => {
      // Prepare
      const calls: unknown[] = [];
      const page: FolderPage = { files: [file('a.png'), file('b.png')], lastName: 'b.png' };
      const deps = {
        files: { listFolder: async (folder: string, options: unknown) => (calls.push([folder, options]), page), listType: async () => ({ files: [] }), listByDate: async () => ({ files: [] }) },
        objects: { urlSigner: async () => new ObjectUrls((request) => `https://s3/${request.operation}/${request.key}?e=${request.expiresIn}`) },
        viewUrlTtlSeconds: 3600,
        now: () => NOW,
      };
      // Act
      const response = await listFiles({ folder: '/spain2024', limit: 2 }, cursors, ana, deps);
      // Assess
      expect(calls).toEqual([['/spain2024', { limit: 2 }]]);
      expect(response.files[0]).toEqual({
        id: fileIdOf('media/spain2024/a.png'),
        folder: '/spain2024',
        name: 'a.png',
        size: 5,
        contentType: 'image/png',
        fileType: 'image',
        uploadedAt: '2024-04-30T00:00:00.000Z',
        uploadedBy: 'ana',
        tags: ['t'],
        // A row written before processing existed reads as pending, without thumbnail URLs.
        processing: 'pending',
        url: 'https://s3/GetObject/media/spain2024/a.png?e=3600',
        urlExpiresAt: '2024-05-01T11:00:00.000Z',
      });
      expect(parseListQuery({ folder: '/spain2024', cursor: response.nextCursor as string }, cursors, ana)).toMatchObject({ afterName: 'b.png' });
    });

    it('returns nextCursor null on the last page', async () => {
      const deps = { files: { listFolder: async () => ({ files: [] }), listType: async () => ({ files: [] }), listByDate: async () => ({ files: [] }) }, objects: { urlSigner: async () => new ObjectUrls(() => 'u') }, viewUrlTtlSeconds: 60 };
      expect(await listFiles({ folder: '/', limit: 10 }, cursors, ana, deps)).toEqual({ files: [], nextCursor: null });
    });
  });
});
