import { ObjectUrls, type BucketPresigner } from '../../../../handlers/core/object-urls';

type ObjectUrlRequest = Parameters<BucketPresigner>[0];
import type { CatalogFile, UploadSession } from '../../../../handlers/core/catalog';
import { Conflict, Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationError } from '../../../../handlers/core/errors';
import { fileIdOf } from '../../../../handlers/core/paths';
import { createUpload, parseUploadRequest, type CreateUploadDeps } from '../../../../handlers/uploads/create-upload';

const LIMITS = { allowedContentTypes: ['image/*', 'video/*'], maxUploadBytes: 1000 };
const VALID = { folder: '/spain2024', fileName: 'IMG 1.jpg', contentType: 'image/jpeg', size: 10 };
const NOW = new Date('2024-05-01T10:00:00.000Z');

function fakes(existing: readonly string[] = []): { deps: CreateUploadDeps; sessions: { session: UploadSession; ttl: number }[]; signed: ObjectUrlRequest[] } {
  const sessions: { session: UploadSession; ttl: number }[] = [];
  const signed: ObjectUrlRequest[] = [];
  const deps: CreateUploadDeps = {
    uploads: { create: async (session, ttl) => void sessions.push({ session, ttl }) },
    files: {
      getRow: async (folder, name) =>
        existing.includes(`${folder}/${name}`) ? { file: { folder, name } as CatalogFile, version: { exists: true } } : { version: { exists: false } },
    },
    objects: {
      urlSigner: async () =>
        new ObjectUrls((request) => {
          signed.push(request);
          return `https://signed.example/${request.key}`;
        }),
    },
    multipart: { create: async () => 's3-upload-1' },
    urlTtlSeconds: 900,
    multipartThresholdBytes: 1000,
    now: () => NOW,
  };
  return { deps, sessions, signed };
}

describe('uploads', () => {
  describe('parseUploadRequest', () => {
    it('normalizes folder and name and builds the key', () => {
      expect(parseUploadRequest({ ...VALID, folder: 'spain2024/', contentType: 'Image/JPEG' }, LIMITS)).toEqual({
        folder: '/spain2024',
        name: 'IMG 1.jpg',
        key: 'media/spain2024/IMG 1.jpg',
        contentType: 'image/jpeg',
        size: 10,
        tags: [],
      });
    });

    it('keeps tags (trimmed, deduplicated) and a description', () => {
      expect(parseUploadRequest({ ...VALID, tags: [' beach ', 'beach', 'sunset'], description: 'Line 1\nLine 2' }, LIMITS)).toMatchObject({
        tags: ['beach', 'sunset'],
        description: 'Line 1\nLine 2',
      });
    });

    it.each([
      [{ ...VALID, folder: '/a/../b' }, 'folder'],
      [{ ...VALID, folder: undefined }, 'folder'],
      [{ ...VALID, fileName: 'a/b.jpg' }, 'fileName'],
      [{ ...VALID, fileName: 'a\u0007.jpg' }, 'fileName'],
      [{ ...VALID, fileName: 'x'.repeat(300) }, 'fileName'],
      [{ ...VALID, contentType: 'image' }, 'contentType'],
      [{ ...VALID, contentType: 42 }, 'contentType'],
      [{ ...VALID, size: 0 }, 'size'],
      [{ ...VALID, size: 1.5 }, 'size'],
      [{ ...VALID, size: '10' }, 'size'],
      [{ ...VALID, tags: 'beach' }, 'tags'],
      [{ ...VALID, tags: [1] }, 'tags[0]'],
      [{ ...VALID, tags: ['x'.repeat(65)] }, 'tags[0]'],
      [{ ...VALID, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      [{ ...VALID, description: 'x'.repeat(2001) }, 'description'],
      [{ ...VALID, description: 'bell\u0007' }, 'description'],
      [{ ...VALID, owner: 'admin' }, 'owner'],
    ])('throws a 400 naming the field for %j', (body, field) => {
      let caught: unknown;
      try {
        parseUploadRequest(body, LIMITS);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe(field);
    });

    it('refuses a content type outside the allow-list with a 415', () => {
      expect(() => parseUploadRequest({ ...VALID, contentType: 'application/pdf' }, LIMITS)).toThrow(UnsupportedMediaType);
    });

    it('refuses a size over the maximum with a 413', () => {
      expect(() => parseUploadRequest({ ...VALID, size: 1001 }, LIMITS)).toThrow(PayloadTooLarge);
      expect(parseUploadRequest({ ...VALID, size: 1000 }, LIMITS).size).toBe(1000);
    });
  });

  describe('createUpload', () => {
    it('stores a session and returns a presigned PUT with the signed headers', async () => {
      // Prepare
      const { deps, sessions, signed } = fakes();
      const request = parseUploadRequest({ ...VALID, tags: ['beach'] }, LIMITS);
      // Act
      const response = await createUpload(request, { username: 'ana', role: 'editor' }, deps);
      // Assess
      expect(response).toMatchObject({ mode: 'single', method: 'PUT', fileId: fileIdOf('media/spain2024/IMG 1.jpg'), expiresAt: '2024-05-01T10:15:00.000Z' });
      expect(response.uploadId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      if (response.mode !== 'single') throw new Error('expected a single PUT');
      expect(response.headers).toEqual({ 'content-type': 'image/jpeg', 'content-length': '10', 'x-amz-meta-upload-id': response.uploadId, 'if-none-match': '*' });
      expect(signed).toEqual([{ operation: 'PutObject', key: 'media/spain2024/IMG 1.jpg', expiresIn: 900, headers: response.headers, now: NOW }]);
      expect(sessions[0]?.session).toMatchObject({ uploadId: response.uploadId, owner: 'ana', key: 'media/spain2024/IMG 1.jpg', size: 10, tags: ['beach'] });
      expect(sessions[0]?.ttl).toBeGreaterThan(NOW.getTime() / 1000 + 900);
    });

    it('throws FileExists (409) for a catalogued file unless the request overwrites', async () => {
      const { deps, sessions } = fakes(['/spain2024/IMG 1.jpg']);

      const refused = await createUpload(parseUploadRequest(VALID, LIMITS), { username: 'ana', role: 'editor' }, deps).catch((error: unknown) => error);
      const replaced = await createUpload(parseUploadRequest({ ...VALID, overwrite: true }, LIMITS), { username: 'ana', role: 'editor' }, deps);

      expect(refused).toBeInstanceOf(Conflict);
      expect(refused).toMatchObject({ code: 'FileExists', statusCode: 409 });
      expect(sessions).toHaveLength(1);
      if (replaced.mode !== 'single') throw new Error('expected a single PUT');
      expect(replaced.headers).not.toHaveProperty('if-none-match');
    });

    it('refuses a viewer with a 403', async () => {
      const { deps, sessions } = fakes();
      await expect(createUpload(parseUploadRequest(VALID, LIMITS), { username: 'val', role: 'viewer' }, deps)).rejects.toBeInstanceOf(Forbidden);
      expect(sessions).toHaveLength(0);
    });
  });
});
