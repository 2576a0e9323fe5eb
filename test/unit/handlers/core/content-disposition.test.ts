import { asciiFallback, attachmentDisposition, encodeExtValue } from '../../../../handlers/core/content-disposition';

/** What a browser recovers from `filename*=UTF-8''…` (RFC 8187). */
const decodeExtValue = (value: string): string => decodeURIComponent(value);
const extValueOf = (header: string): string => /filename\*=UTF-8''([^;\s]*)$/.exec(header)?.[1] ?? '';
const fallbackOf = (header: string): string => /filename="((?:[^"\\]|\\.)*)"/.exec(header)?.[1] ?? '';

describe('content-disposition', () => {
  describe('attachmentDisposition', () => {
    it('writes a plain ASCII name as both forms', () => {
      expect(attachmentDisposition('IMG 1.jpg')).toBe(`attachment; filename="IMG 1.jpg"; filename*=UTF-8''IMG%201.jpg`);
    });

    it.each([
      ['quotes', 'say "cheese".jpg'],
      ['a backslash', 'a\\b.jpg'],
      ['accents', 'Café Niño.jpg'],
      ['CJK', '写真 2024.png'],
      ['emoji', '🎉 party 👨‍👩‍👧.mp4'],
      ['control characters', 'bad\r\nContent-Type: text/html\u0000.jpg'],
      ['percent signs', '100% real %41.jpg'],
      ['semicolons and equals', 'a; filename=evil.exe.jpg'],
      ['apostrophes and parentheses', "Bob's (copy) *1*.jpg"],
      ['bidi overrides', 'evil\u202Egpj.exe'],
    ])('keeps the exact name with %s in filename* and a safe fallback', (_what, name) => {
      // Act
      const header = attachmentDisposition(name);
      // Assess
      expect(header).toMatch(/^[\x20-\x7E]+$/); // printable ASCII: no header injection
      expect(header.startsWith('attachment; filename="')).toBe(true);
      expect(decodeExtValue(extValueOf(header))).toBe(name.normalize('NFC'));
      const fallback = fallbackOf(header);
      expect(fallback).not.toMatch(/["\\%]/);
      expect(fallback.length).toBeGreaterThan(0);
      // The fallback ends the quoted-string where the header means it to.
      expect(header).toBe(`attachment; filename="${fallback}"; filename*=UTF-8''${extValueOf(header)}`);
    });
  });

  describe('encodeExtValue', () => {
    it('keeps only RFC 8187 attr-chars and percent-encodes UTF-8 bytes in upper case', () => {
      expect(encodeExtValue("a-b.c_d~e!#$&+^`|'()* é")).toBe("a-b.c_d~e!#$&+^`|%27%28%29%2A%20%C3%A9");
    });

    it('encodes NFC: a decomposed é is sent as the composed one', () => {
      expect(encodeExtValue('e\u0301')).toBe('%C3%A9');
    });

    it('encodes an emoji as its four UTF-8 bytes', () => {
      expect(encodeExtValue('🎉')).toBe('%F0%9F%8E%89');
    });
  });

  describe('asciiFallback', () => {
    it('replaces each character it cannot carry with one underscore', () => {
      expect(asciiFallback('Café "🎉".jpg')).toBe('Caf_ ___.jpg');
    });

    it('replaces control characters, backslashes and percent signs', () => {
      expect(asciiFallback('a\tb\\c%d\u007Fe.jpg')).toBe('a_b_c_d_e.jpg');
    });

    it('falls back to "download" when nothing printable is left', () => {
      expect(asciiFallback('   ')).toBe('download');
      expect(asciiFallback('')).toBe('download');
    });
  });
});
