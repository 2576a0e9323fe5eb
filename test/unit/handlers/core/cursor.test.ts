import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { currentListCursors, cursorKeyFromSecret, InvalidCursor, ListCursors } from '../../../../handlers/core/cursor';
import { fileIdOf } from '../../../../handlers/core/paths';

const cursors = ListCursors.fromSecret('s'.repeat(48));
const SORT_KEY = `2024-04-01T00:00:00.000Z#${fileIdOf('media/family/x.jpg')}`;

describe('ListCursors', () => {
  describe('folderCursor', () => {
    it('round-trips the last name of a folder for the caller it was issued to', () => {
      const cursor = cursors.folderCursor('ana', '/spain2024', 'IMG 1.jpg');
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursors.readFolderCursor(cursor, 'ana', '/spain2024')).toBe('IMG 1.jpg');
    });

    it('reveals neither the name nor the folder to whoever decodes it', () => {
      const decoded = Buffer.from(cursors.folderCursor('ana', '/secret-folder', 'private-name.jpg'), 'base64url').toString('latin1');
      expect(decoded).not.toContain('private-name');
      expect(decoded).not.toContain('secret-folder');
    });

    it.each([
      ['another folder', () => cursors.readFolderCursor(cursors.folderCursor('ana', '/a', 'x.jpg'), 'ana', '/b')],
      ['another caller', () => cursors.readFolderCursor(cursors.folderCursor('ana', '/a', 'x.jpg'), 'bob', '/a')],
      ['a type listing', () => cursors.readFolderCursor(cursors.typeCursor('ana', 'image', SORT_KEY), 'ana', '/a')],
      ['another key', () => cursors.readFolderCursor(ListCursors.fromSecret('t'.repeat(48)).folderCursor('ana', '/a', 'x.jpg'), 'ana', '/a')],
      ['a forged plain cursor', () => cursors.readFolderCursor(Buffer.from(JSON.stringify({ v: 1, f: '/a', n: 'x.jpg' })).toString('base64url'), 'ana', '/a')],
    ])('refuses a cursor of %s with InvalidCursor', (_label, read) => {
      expect(read).toThrow(InvalidCursor);
    });
  });

  describe('typeCursor', () => {
    it('round-trips the sort key and the key of its file', () => {
      const cursor = cursors.typeCursor('vi', 'image', SORT_KEY);
      expect(cursors.readTypeCursor(cursor, 'vi', 'image')).toEqual({ sortKey: SORT_KEY, key: 'media/family/x.jpg' });
      expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain(fileIdOf('media/family/x.jpg'));
    });

    it('refuses a cursor of another type with InvalidCursor', () => {
      expect(() => cursors.readTypeCursor(cursors.typeCursor('vi', 'image', SORT_KEY), 'vi', 'video')).toThrow(InvalidCursor);
    });
  });

  describe('takenCursor', () => {
    const TAKEN_KEY = '2024-07-14T16:30:05.250Z#private-name.jpg';

    it('round-trips the date-taken sort key of a folder for the caller it was issued to, revealing neither name nor folder', () => {
      const cursor = cursors.takenCursor('ana', '/secret-folder', TAKEN_KEY);
      expect(cursors.readTakenCursor(cursor, 'ana', '/secret-folder')).toBe(TAKEN_KEY);
      const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
      expect(decoded).not.toContain('private-name');
      expect(decoded).not.toContain('secret-folder');
    });

    it.each([
      ['another folder', () => cursors.readTakenCursor(cursors.takenCursor('ana', '/a', TAKEN_KEY), 'ana', '/b')],
      ['another caller', () => cursors.readTakenCursor(cursors.takenCursor('ana', '/a', TAKEN_KEY), 'bob', '/a')],
      ['the name order of the same folder', () => cursors.readTakenCursor(cursors.folderCursor('ana', '/a', 'x.jpg'), 'ana', '/a')],
      ['a type listing', () => cursors.readTakenCursor(cursors.typeCursor('ana', 'image', SORT_KEY), 'ana', '/a')],
      ['a sealed value that is no date-taken sort key', () => cursors.readTakenCursor(cursors.takenCursor('ana', '/a', 'x.jpg'), 'ana', '/a')],
      ['a forged plain cursor', () => cursors.readTakenCursor(Buffer.from(JSON.stringify({ v: 1, f: '/a', k: TAKEN_KEY })).toString('base64url'), 'ana', '/a')],
    ])('refuses a cursor of %s with InvalidCursor', (_label, read) => {
      expect(read).toThrow(InvalidCursor);
    });

    it('is refused by the name order of the same folder', () => {
      expect(() => cursors.readFolderCursor(cursors.takenCursor('ana', '/a', TAKEN_KEY), 'ana', '/a')).toThrow(InvalidCursor);
    });
  });

  describe('sortCursor', () => {
    const DATE_KEY = '2025-01-02T03:04:05.006Z#IMG 7.jpg';
    const ORDERS = [
      ['name', 'asc'],
      ['name', 'desc'],
      ['taken', 'asc'],
      ['taken', 'desc'],
      ['uploaded', 'asc'],
      ['uploaded', 'desc'],
    ] as const;
    const lastOf = (sort: string): string => (sort === 'name' ? 'IMG 7.jpg' : DATE_KEY);

    it.each(ORDERS)('round-trips a cursor of the %s order, %s', (sort, order) => {
      const cursor = cursors.sortCursor('ana', '/a', sort, order, lastOf(sort));
      expect(cursors.readSortCursor(cursor, 'ana', '/a', sort, order)).toBe(lastOf(sort));
    });

    it('refuses a cursor of every other order or direction of the same folder with InvalidCursor', () => {
      for (const [sort, order] of ORDERS) {
        const cursor = cursors.sortCursor('ana', '/a', sort, order, lastOf(sort));
        for (const [otherSort, otherOrder] of ORDERS) {
          if (otherSort === sort && otherOrder === order) continue;
          expect(() => cursors.readSortCursor(cursor, 'ana', '/a', otherSort, otherOrder)).toThrow(InvalidCursor);
        }
      }
    });

    it('reads the cursors folderCursor and takenCursor issue as the default directions of name and taken', () => {
      expect(cursors.readSortCursor(cursors.folderCursor('ana', '/a', 'x.jpg'), 'ana', '/a', 'name', 'asc')).toBe('x.jpg');
      expect(cursors.readSortCursor(cursors.takenCursor('ana', '/a', DATE_KEY), 'ana', '/a', 'taken', 'asc')).toBe(DATE_KEY);
    });

    it('refuses an upload-time cursor holding no date sort key with InvalidCursor', () => {
      expect(() => cursors.readSortCursor(cursors.sortCursor('ana', '/a', 'uploaded', 'desc', 'x.jpg'), 'ana', '/a', 'uploaded', 'desc')).toThrow(InvalidCursor);
    });
  });

  describe('cursorKeyFromSecret', () => {
    it('derives 32 bytes with HKDF-SHA256, info "media-store cursor v1"', () => {
      // RFC 5869 HKDF with an empty salt, computed independently of the code under test.
      const prk = createHmac('sha256', Buffer.alloc(32)).update('s'.repeat(48)).digest();
      const okm = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('media-store cursor v1'), Buffer.from([1])])).digest();
      expect(cursorKeyFromSecret('s'.repeat(48)).equals(okm)).toBe(true);
    });
  });

  it('throws only InvalidCursor on random input', () => {
    fc.assert(
      fc.property(fc.string(), (cursor) => {
        try {
          cursors.readFolderCursor(cursor, 'ana', '/');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursor);
        }
      }),
    );
  });
});

describe('currentListCursors', () => {
  it('derives the key once per secret, and again after a rotation (older cursors then refused)', async () => {
    let secret = 'a'.repeat(48);
    const cursorsNow = currentListCursors(async () => secret);
    const before = await cursorsNow();
    const cursor = before.folderCursor('ana', '/a', 'x.jpg');

    expect(await cursorsNow()).toBe(before);
    secret = 'b'.repeat(48);
    const after = await cursorsNow();

    expect(after).not.toBe(before);
    expect(() => after.readFolderCursor(cursor, 'ana', '/a')).toThrow(InvalidCursor);
  });
});
