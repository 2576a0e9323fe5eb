import fc from 'fast-check';
import { decodeListCursor, encodeListCursor } from '../../handlers/core/cursor';
import { ValidationError } from '../../handlers/core/errors';

describe('list cursor', () => {
  it('round-trips the last name of a folder', () => {
    const cursor = encodeListCursor('/spain2024', 'IMG 1.jpg');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor, '/spain2024')).toBe('IMG 1.jpg');
  });

  it('refuses a cursor of another folder', () => {
    expect(() => decodeListCursor(encodeListCursor('/a', 'x.jpg'), '/b')).toThrow('cursor: belongs to a different folder');
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON array', Buffer.from('[1]').toString('base64url')],
    ['wrong version', Buffer.from(JSON.stringify({ v: 2, f: '/', n: 'x' })).toString('base64url')],
    ['extra field', Buffer.from(JSON.stringify({ v: 1, f: '/', n: 'x', pk: 'USER#admin' })).toString('base64url')],
    ['bad name', Buffer.from(JSON.stringify({ v: 1, f: '/', n: '../x' })).toString('base64url')],
    ['huge', 'A'.repeat(5000)],
  ])('refuses garbage (%s) with a ValidationError', (_label, cursor) => {
    expect(() => decodeListCursor(cursor, '/')).toThrow(ValidationError);
  });

  it('throws only ValidationErrors on random input', () => {
    fc.assert(
      fc.property(fc.string(), (cursor) => {
        try {
          decodeListCursor(cursor, '/');
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});
