import fc from 'fast-check';
import { ValidationError } from '../../../../handlers/core/errors';
import { fileItemKey, folderPartition, sourceLimiterKey, typeIndexKeys, uploadItemKey, userItemKey, userSourceLimiterKey } from '../../../../contract/table';
import { decodeEventKey, describeCharacter, fileIdOf, fileLocation, keyOfFileId, MAX_KEY_BYTES, normalizeFileName, normalizeFolder, objectKey, parseObjectKey } from '../../../../handlers/core/paths';

describe('paths', () => {
  describe('normalizeFolder', () => {
    it.each([
      ['/', '/'],
      ['', '/'],
      ['/spain2024', '/spain2024'],
      ['spain2024', '/spain2024'],
      ['/spain2024/', '/spain2024'],
      ['/a/b c/d', '/a/b c/d'],
      ['/Fotos/Ma\u0301laga', '/Fotos/M\u00e1laga'],
    ])('normalizes %j to %j', (input, expected) => {
      expect(normalizeFolder(input)).toBe(expected);
    });

    it.each([
      ['/a/../b', '".." segment'],
      ['/a/./b', '"." segment'],
      ['..', 'bare ".."'],
      ['/a//b', 'empty segment'],
      ['//', 'double slash'],
      ['/a\u0000b', 'NUL'],
      ['/a\nb', 'newline'],
      ['/a\u007fb', 'DEL'],
      ['/a\u202eb', 'bidi override'],
      ['/a\\b', 'backslash'],
      ['/ a', 'leading space in a segment'],
      ['/\ud800', 'lone surrogate'],
    ])('throws a ValidationError for %j (%s)', (input) => {
      expect(() => normalizeFolder(input)).toThrow(ValidationError);
    });

    it('throws naming the field when the folder is not a string', () => {
      expect(() => normalizeFolder(42)).toThrow('folder: must be a string');
    });

    it('is idempotent on everything it accepts', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (input) => {
          let once: string;
          try {
            once = normalizeFolder(input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            return;
          }
          expect(normalizeFolder(once)).toBe(once);
          expect(once.startsWith('/')).toBe(true);
          expect(once.split('/')).not.toContain('..');
        }),
      );
    });
  });

  describe('normalizeFileName', () => {
    it('accepts spaces, unicode and dots inside the name', () => {
      expect(normalizeFileName('IMG 1.jpg')).toBe('IMG 1.jpg');
      expect(normalizeFileName('.hidden')).toBe('.hidden');
      expect(normalizeFileName('cafe\u0301.png')).toBe('caf\u00e9.png');
    });

    it.each(['', '.', '..', 'a/b', 'a\u0000', 'tab\there', ' lead.jpg', 'trail.jpg '])('throws for %j', (input) => {
      expect(() => normalizeFileName(input)).toThrow(ValidationError);
    });

    it('throws when a name is longer than 255 UTF-8 bytes', () => {
      expect(normalizeFileName('é'.repeat(127))).toHaveLength(127);
      expect(() => normalizeFileName('é'.repeat(128))).toThrow('255 bytes');
    });
  });

  describe('invisible characters in new names', () => {
    const invisible = [
      ['\u200B', 'U+200B ZERO WIDTH SPACE'],
      ['\u200C', 'U+200C ZERO WIDTH NON-JOINER'],
      ['\u200D', 'U+200D ZERO WIDTH JOINER'],
      ['\u200E', 'U+200E LEFT-TO-RIGHT MARK'],
      ['\u200F', 'U+200F RIGHT-TO-LEFT MARK'],
      ['\u2060', 'U+2060 WORD JOINER'],
      ['\uFEFF', 'U+FEFF ZERO WIDTH NO-BREAK SPACE'],
      ['\u2028', 'U+2028 LINE SEPARATOR'],
      ['\u2029', 'U+2029 PARAGRAPH SEPARATOR'],
      ['\u00AD', 'U+00AD SOFT HYPHEN'],
      ['\u{E0001}', 'U+E0001'],
    ] as const;

    it.each(invisible)('refuses a file name with %j, naming it as %s', (character, described) => {
      expect(() => normalizeFileName(`invoice${character}.pdf`)).toThrow(new ValidationError('fileName', `must not contain ${described}: invisible characters make a name look like another`));
    });

    it.each(invisible)('refuses a folder with %j, naming it as %s', (character, described) => {
      expect(() => normalizeFolder(`/family${character}`)).toThrow(`folder: must not contain ${described}`);
      expect(() => fileLocation(`/trips/${character}x`, 'a.jpg')).toThrow(described);
    });

    it('refuses every format, line-separator and paragraph-separator character of Unicode', () => {
      const all = Array.from({ length: 0x110000 }, (_, codePoint) => codePoint)
        .filter((codePoint) => codePoint < 0xd800 || codePoint > 0xdfff)
        .map((codePoint) => String.fromCodePoint(codePoint))
        .filter((character) => /[\p{Cf}\p{Zl}\p{Zp}]/u.test(character));

      expect(all.length).toBeGreaterThan(150);
      for (const character of all) {
        expect(() => normalizeFileName(`a${character}b.jpg`)).toThrow(ValidationError);
        expect(() => normalizeFolder(`/a${character}b`)).toThrow(ValidationError);
      }
    });

    it('accepts the zero-width joiner inside an emoji sequence, which draws one picture', () => {
      expect(normalizeFileName('\u{1F468}\u200D\u{1F469}\u200D\u{1F467} beach.jpg')).toBe('👨‍👩‍👧 beach.jpg');
      expect(normalizeFolder('/\u{1F3F3}\uFE0F\u200D\u{1F308} parade')).toBe('/🏳️‍🌈 parade');
      expect(() => normalizeFileName('\u{1F468}\u200D.jpg')).toThrow('U+200D ZERO WIDTH JOINER');
    });

    it('accepts a name stored before the rule when it refers to what is there', () => {
      expect(normalizeFolder('/family\u200B', 'folder', 'stored')).toBe('/family\u200B');
      expect(normalizeFileName('invoice\u200B.pdf', 'fileName', 'stored')).toBe('invoice\u200B.pdf');
      expect(parseObjectKey('media/family\u200B/invoice\u2028.pdf')).toEqual({ folder: '/family\u200B', name: 'invoice\u2028.pdf' });
    });

    it('still refuses control and bidirectional-override characters in a stored name', () => {
      expect(() => normalizeFileName('a\u202Eb.jpg', 'fileName', 'stored')).toThrow(ValidationError);
      expect(() => normalizeFolder('/a\u0007', 'folder', 'stored')).toThrow(ValidationError);
    });

    it('describes a character by code point and, when it has one listed, its Unicode name', () => {
      expect(describeCharacter('\u200B')).toBe('U+200B ZERO WIDTH SPACE');
      expect(describeCharacter('\u{E007F}')).toBe('U+E007F');
    });
  });

  describe('objectKey', () => {
    it('puts root files directly under media/', () => {
      expect(objectKey({ folder: '/', name: 'IMG 1.jpg' })).toBe('media/IMG 1.jpg');
    });

    it('joins folder and name under media/', () => {
      expect(objectKey({ folder: '/spain2024', name: 'IMG 1.jpg' })).toBe('media/spain2024/IMG 1.jpg');
    });

    it('throws a ValidationError for a folder too long to hold any file, counting UTF-8 bytes', () => {
      // Prepare: 11 segments of 85 three-byte characters: 946 characters, 2816 bytes.
      const folder = `/${'日'.repeat(85)}`.repeat(11);
      const longest = `/${'a'.repeat(255)}/${'b'.repeat(255)}/${'d'.repeat(MAX_KEY_BYTES - 'media/x'.length - 2 * 256 - 1)}`;

      // Act + Assess
      expect(() => normalizeFolder(folder)).toThrow(ValidationError);
      expect(normalizeFolder(longest)).toBe(longest);
      expect(Buffer.byteLength(objectKey({ folder: longest, name: 'x' }))).toBe(MAX_KEY_BYTES);
      expect(() => normalizeFolder(`${longest}d`)).toThrow('too long');
    });

    it('accepts a key of exactly MAX_KEY_BYTES (749) bytes and refuses one byte more', () => {
      const folder = `/${['a'.repeat(200), 'b'.repeat(200), 'c'.repeat(200)].join('/')}`;
      const prefixBytes = Buffer.byteLength(`media${folder}/`);
      const fits = 'x'.repeat(MAX_KEY_BYTES - prefixBytes);
      expect(MAX_KEY_BYTES).toBe(749);
      expect(Buffer.byteLength(objectKey({ folder, name: fits }))).toBe(749);
      expect(() => objectKey({ folder, name: `${fits}y` })).toThrow('750 bytes');
    });

    it('keeps the type index sort key of the longest key within DynamoDB\'s 1,024-byte sort-key limit', () => {
      const folder = `/${['a'.repeat(200), 'b'.repeat(200), 'c'.repeat(200)].join('/')}`;
      const name = 'x'.repeat(MAX_KEY_BYTES - Buffer.byteLength(`media${folder}/`));
      const key = objectKey({ folder, name });
      const { gsi1sk } = typeIndexKeys('image', new Date().toISOString(), fileIdOf(key));
      expect(Buffer.byteLength(gsi1sk)).toBeLessThanOrEqual(1024);
    });

    it('counts bytes, not characters, against the key limit', () => {
      const folder = `/${'€'.repeat(80)}/${'€'.repeat(80)}/${'€'.repeat(80)}/${'€'.repeat(80)}`; // 3 bytes each
      expect(() => fileLocation(folder, `${'€'.repeat(20)}.jpg`)).toThrow(ValidationError);
    });
  });

  describe('parseObjectKey', () => {
    it('inverts objectKey', () => {
      expect(parseObjectKey('media/spain2024/IMG 1.jpg')).toEqual({ folder: '/spain2024', name: 'IMG 1.jpg' });
      expect(parseObjectKey('media/IMG 1.jpg')).toEqual({ folder: '/', name: 'IMG 1.jpg' });
    });

    it.each(['other/x.jpg', 'media/', 'media/folder/', 'media/a//b.jpg', 'media/../x.jpg', 'mediax/y.jpg', 'media/cafe\u0301.png'])(
      'returns undefined for %j, a key this service never writes',
      (key) => {
        expect(parseObjectKey(key)).toBeUndefined();
      },
    );

    it('round-trips every location fileLocation accepts', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }), fc.string({ minLength: 1, maxLength: 12 }), (segments, name) => {
          let location: ReturnType<typeof fileLocation>;
          try {
            location = fileLocation(`/${segments.join('/')}`, name);
          } catch {
            return;
          }
          expect(parseObjectKey(location.key)).toEqual({ folder: location.folder, name: location.name });
        }),
      );
    });
  });

  describe('file ids', () => {
    it('is base64url of the UTF-8 key without padding', () => {
      const id = fileIdOf('media/spain2024/IMG 1.jpg');
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(id, 'base64url').toString('utf8')).toBe('media/spain2024/IMG 1.jpg');
      expect(keyOfFileId(id)).toBe('media/spain2024/IMG 1.jpg');
    });

    it('rejects ids that are not a canonical encoding', () => {
      expect(keyOfFileId('not base64!')).toBeUndefined();
      expect(keyOfFileId(`${fileIdOf('media/a.jpg')}=`)).toBeUndefined();
    });
  });

  describe('decodeEventKey', () => {
    it('turns + into a space and decodes percent escapes', () => {
      expect(decodeEventKey('media/spain2024/IMG+1.jpg')).toBe('media/spain2024/IMG 1.jpg');
      expect(decodeEventKey('media/a%2Bb.jpg')).toBe('media/a+b.jpg');
      expect(decodeEventKey('media/M%C3%A1laga/x.jpg')).toBe('media/Málaga/x.jpg');
    });

    it('returns undefined for a malformed escape', () => {
      expect(decodeEventKey('media/%E0%A4%A.jpg')).toBeUndefined();
    });
  });
});

describe('keys', () => {
  it('builds the item keys of contract/table.ts', () => {
    expect(fileItemKey('/spain2024', 'IMG 1.jpg')).toEqual({ pk: 'FOLDER#/spain2024', sk: 'FILE#IMG 1.jpg' });
    expect(folderPartition('/')).toBe('FOLDER#/');
    expect(userItemKey('ana')).toEqual({ pk: 'USER#ana', sk: 'PROFILE' });
    expect(userSourceLimiterKey('ana', 'h1')).toEqual({ pk: 'USER#ana', sk: 'LOGIN#h1' });
    expect(sourceLimiterKey('h1')).toEqual({ pk: 'USER#~source#h1', sk: 'LOGIN' });
    expect(uploadItemKey('u1')).toEqual({ pk: 'UPLOAD#u1', sk: 'SESSION' });
    expect(typeIndexKeys('image', '2024-05-01T10:00:00.000Z', 'abc')).toEqual({ gsi1pk: 'TYPE#image', gsi1sk: '2024-05-01T10:00:00.000Z#abc' });
  });
});
