import { canonicalContentType, DEFAULT_ALLOWED_CONTENT_TYPES, fileTypeOf, isContentTypeAllowed, parseContentTypePatterns, rendersInline } from '../../../../handlers/core/content-types';

describe('content types', () => {
  describe('canonicalContentType', () => {
    it('lower-cases a type/subtype', () => {
      expect(canonicalContentType('Image/JPEG')).toBe('image/jpeg');
      expect(canonicalContentType('video/mp4')).toBe('video/mp4');
    });

    it.each(['image', 'image/', '/jpeg', 'image/jpeg; charset=x', 'image/*', 'im age/jpeg', 'image/jpeg\r\nx-evil: 1'])('refuses %j', (input) => {
      expect(canonicalContentType(input)).toBeUndefined();
    });
  });

  describe('isContentTypeAllowed', () => {
    it('allows images and videos by default and nothing else', () => {
      expect(isContentTypeAllowed('image/png', DEFAULT_ALLOWED_CONTENT_TYPES)).toBe(true);
      expect(isContentTypeAllowed('video/quicktime', DEFAULT_ALLOWED_CONTENT_TYPES)).toBe(true);
      expect(isContentTypeAllowed('application/pdf', DEFAULT_ALLOWED_CONTENT_TYPES)).toBe(false);
      expect(isContentTypeAllowed('imagex/png', DEFAULT_ALLOWED_CONTENT_TYPES)).toBe(false);
    });

    it('honours exact types and */*', () => {
      expect(isContentTypeAllowed('application/pdf', ['application/pdf'])).toBe(true);
      expect(isContentTypeAllowed('text/plain', ['*/*'])).toBe(true);
    });
  });

  describe('parseContentTypePatterns', () => {
    it('throws on a malformed pattern', () => {
      expect(() => parseContentTypePatterns(['image/*', 'images'])).toThrow('"images"');
      expect(() => parseContentTypePatterns(['*/jpeg'])).toThrow();
    });
  });

  describe('fileTypeOf', () => {
    it('maps image/*, video/* and the rest', () => {
      expect(fileTypeOf('image/jpeg')).toBe('image');
      expect(fileTypeOf('VIDEO/mp4')).toBe('video');
      expect(fileTypeOf('application/pdf')).toBe('other');
      expect(fileTypeOf(undefined)).toBe('other');
    });
  });

  describe('rendersInline', () => {
    it.each(['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/quicktime', 'audio/mpeg'])('lets passive %s render inline', (type) => {
      expect(rendersInline(type)).toBe(true);
    });

    it.each(['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml', 'image/x-foo+xml', 'text/javascript', 'application/javascript', 'application/pdf', 'text/plain', 'application/octet-stream'])(
      'serves active or unknown %s as an attachment',
      (type) => {
        expect(rendersInline(type)).toBe(false);
      },
    );
  });
});
