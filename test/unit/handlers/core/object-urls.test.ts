import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../../../handlers/adapters/object-store';
import { getResponseOverrides, ObjectUrls, type BucketPresigner } from '../../../../handlers/core/object-urls';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const ACTIVE_TYPES = ['image/svg+xml', 'IMAGE/SVG+XML', 'text/html', 'application/xhtml+xml', 'application/xml', 'text/xml', 'text/javascript', 'application/pdf', 'application/octet-stream', 'image/foo+xml'];

/** The query a URL was signed with. */
const queryOf = (url: string): URLSearchParams => new URL(url).searchParams;

describe('ObjectUrls', () => {
  describe('getResponseOverrides', () => {
    it.each(ACTIVE_TYPES)('serves %s as an application/octet-stream attachment, shown or downloaded', (contentType) => {
      for (const delivery of ['inline', 'attachment'] as const) {
        expect(getResponseOverrides({ name: 'x.svg', contentType }, delivery)).toEqual({
          'response-content-disposition': `attachment; filename="x.svg"; filename*=UTF-8''x.svg`,
          'response-content-type': 'application/octet-stream',
        });
      }
    });

    it('shows passive media as stored and downloads it under its own name with its own type', () => {
      expect(getResponseOverrides({ name: 'a.jpg', contentType: 'image/jpeg' }, 'inline')).toBeUndefined();
      expect(getResponseOverrides({ name: 'v.mp4', contentType: 'video/mp4' }, 'inline')).toBeUndefined();
      expect(getResponseOverrides({ name: 'a.jpg', contentType: 'image/jpeg' }, 'attachment')).toEqual({ 'response-content-disposition': `attachment; filename="a.jpg"; filename*=UTF-8''a.jpg` });
    });
  });

  describe('get', () => {
    it('signs the GET with the rule\'s overrides and nothing else', () => {
      // Prepare
      const asked: Parameters<BucketPresigner>[0][] = [];
      const urls = new ObjectUrls((input) => (asked.push(input), 'https://s3/x'));
      // Act
      urls.get({ key: 'media/a/x.svg', name: 'x.svg', contentType: 'image/svg+xml' }, 'inline', { expiresIn: 60, now: NOW });
      urls.get({ key: 'media/a/p.png', name: 'p.png', contentType: 'image/png' }, 'inline', { expiresIn: 60, now: NOW });
      // Assess
      expect(asked).toEqual([
        { operation: 'GetObject', key: 'media/a/x.svg', expiresIn: 60, now: NOW, query: getResponseOverrides({ name: 'x.svg', contentType: 'image/svg+xml' }, 'inline') },
        { operation: 'GetObject', key: 'media/a/p.png', expiresIn: 60, now: NOW },
      ]);
    });

    it('through the S3 object store, presigns an SVG as an attachment of type application/octet-stream', async () => {
      // Prepare: a real client with static credentials (nothing is sent).
      const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
      const store = new S3ObjectStore({ bucket: 'media-bucket', client, endpoint: 'http://127.0.0.1:4569', forcePathStyle: true });
      // Act
      const urls = await store.urlSigner();
      const view = urls.get({ key: 'media/drop/evil.svg', name: 'evil.svg', contentType: 'image/svg+xml' }, 'inline', { expiresIn: 300, now: NOW });
      // Assess
      expect(view.startsWith('http://127.0.0.1:4569/media-bucket/media/drop/evil.svg?')).toBe(true);
      expect(queryOf(view).get('response-content-disposition')).toMatch(/^attachment; filename="evil\.svg"/);
      expect(queryOf(view).get('response-content-type')).toBe('application/octet-stream');
      expect(queryOf(view).get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    });

    it('signs writes as writes: a PUT and an UploadPart, never a GET', () => {
      const asked: Parameters<BucketPresigner>[0][] = [];
      const urls = new ObjectUrls((input) => (asked.push(input), 'https://s3/x'));
      urls.put({ key: 'media/a/b.jpg', expiresIn: 60, headers: { 'content-type': 'image/jpeg' }, now: NOW });
      urls.part({ key: 'media/a/b.jpg', partNumber: 3, uploadId: 'up-1', expiresIn: 60, headers: { 'content-length': '5' }, now: NOW });
      expect(asked).toEqual([
        { operation: 'PutObject', key: 'media/a/b.jpg', expiresIn: 60, headers: { 'content-type': 'image/jpeg' }, now: NOW },
        { operation: 'UploadPart', key: 'media/a/b.jpg', expiresIn: 60, headers: { 'content-length': '5' }, now: NOW, query: { partNumber: '3', uploadId: 'up-1' } },
      ]);
    });
  });

  describe('the handlers', () => {
    const root = path.join(__dirname, '../../../../handlers');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sources(full);
        return entry.name.endsWith('.ts') ? [full] : [];
      });
    const files = sources(root).map((file) => ({ file: path.relative(root, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));
    /** Files of handlers/ whose text matches `pattern`, but for those allowed to. */
    const offenders = (pattern: RegExp, allowed: readonly string[]): string[] => files.filter((f) => pattern.test(f.text) && !allowed.includes(f.file)).map((f) => f.file);

    it('are scanned: the signing modules are among the files read', () => {
      expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['core/presign.ts', 'core/object-urls.ts', 'adapters/object-store.ts', 'files/public-shares.ts']));
    });

    it('import the raw presigner only in the object store adapter and the signing module', () => {
      expect(offenders(/from\s+['"][./]*(core\/)?presign['"]/, ['adapters/object-store.ts', 'core/object-urls.ts'])).toEqual([]);
      expect(offenders(/\bS3UrlSigner\b/, ['core/presign.ts', 'adapters/object-store.ts'])).toEqual([]);
      expect(offenders(/s3-request-presigner|\bgetSignedUrl\b/, ['core/presign.ts'])).toEqual([]);
    });

    it('build an ObjectUrls only in the object store adapter, from its bucket\'s presigner', () => {
      expect(offenders(/new\s+ObjectUrls\b/, ['adapters/object-store.ts'])).toEqual([]);
    });

    it('name no GetObject and no response override outside the signing modules', () => {
      expect(offenders(/['"]GetObject['"]/, ['core/presign.ts', 'core/object-urls.ts'])).toEqual([]);
      expect(offenders(/response-content-(disposition|type)/, ['core/presign.ts', 'core/object-urls.ts'])).toEqual([]);
      // The process function reads bytes itself (no URL); nothing else gets an object through the SDK.
      expect(offenders(/\bGetObjectCommand\b/, ['adapters/object-store.ts'])).toEqual([]);
    });
  });
});
