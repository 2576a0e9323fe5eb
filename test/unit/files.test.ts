import type { FolderPage } from '../../handlers/adapters/files-repository';
import type { CatalogFile } from '../../handlers/core/catalog';
import { encodeListCursor } from '../../handlers/core/cursor';
import { ValidationError } from '../../handlers/core/errors';
import { fileIdOf } from '../../handlers/core/paths';
import { listFiles, parseListQuery } from '../../handlers/files/list-files';

const NOW = new Date('2024-05-01T10:00:00.000Z');

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
      expect(parseListQuery(undefined)).toEqual({ folder: '/', limit: 100 });
    });

    it('normalizes the folder and reads limit and cursor', () => {
      const cursor = encodeListCursor('/spain2024', 'a.png');
      expect(parseListQuery({ folder: 'spain2024/', limit: '1000', cursor })).toEqual({ folder: '/spain2024', limit: 1000, afterName: 'a.png' });
    });

    it.each([
      [{ folder: '/a/../b' }, 'folder'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: '-1' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ limit: '1e3' }, 'limit'],
      [{ cursor: 'garbage!' }, 'cursor'],
      [{ folder: '/a', cursor: encodeListCursor('/b', 'x') }, 'cursor'],
    ])('throws a 400 for %j', (query, field) => {
      let caught: unknown;
      try {
        parseListQuery(query);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe(field);
    });
  });

  describe('listFiles', () => {
    it('returns the page with a view URL per file and a cursor for the next page', async () => {
      // Prepare
      const calls: unknown[] = [];
      const page: FolderPage = { files: [file('a.png'), file('b.png')], lastName: 'b.png' };
      const deps = {
        files: { listFolder: async (folder: string, options: unknown) => (calls.push([folder, options]), page), listType: async () => ({ files: [] }), listTaken: async () => ({ files: [] }) },
        objects: { urlSigner: async () => (request: { key: string; operation: string; expiresIn: number }) => `https://s3/${request.operation}/${request.key}?e=${request.expiresIn}` },
        viewUrlTtlSeconds: 3600,
        now: () => NOW,
      };
      // Act
      const response = await listFiles({ folder: '/spain2024', limit: 2 }, deps);
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
      expect(parseListQuery({ folder: '/spain2024', cursor: response.nextCursor as string })).toMatchObject({ afterName: 'b.png' });
    });

    it('returns nextCursor null on the last page', async () => {
      const deps = { files: { listFolder: async () => ({ files: [] }), listType: async () => ({ files: [] }), listTaken: async () => ({ files: [] }) }, objects: { urlSigner: async () => () => 'u' }, viewUrlTtlSeconds: 60 };
      expect(await listFiles({ folder: '/', limit: 10 }, deps)).toEqual({ files: [], nextCursor: null });
    });
  });
});
