/**
 * Properties of the pure parsers of untrusted input, over generated garbage: each one either
 * returns a well-formed value or throws one of our typed `HttpError`s — never a TypeError, a
 * RangeError or a URIError that would surface as a 500. Where a parser has an inverse, the
 * round trip holds.
 */
import fc from 'fast-check';
import { parseChangeUserRequest, parseCreateUserRequest, parseUsername } from '../../../handlers/auth/manage-users';
import { parseLoginRequest } from '../../../handlers/auth/login';
import { parseObjectEvent } from '../../../handlers/core/catalog';
import { canonicalContentType, fileTypeOf, isContentTypeAllowed, DEFAULT_ALLOWED_CONTENT_TYPES } from '../../../handlers/core/content-types';
import { ListCursors } from '../../../handlers/core/cursor';
import { HttpError } from '../../../handlers/core/errors';
import { parseDescription, parseTags } from '../../../handlers/core/file-details';
import { decodeEventKey, fileIdOf, fileLocation, keyOfFileId, MAX_KEY_BYTES, normalizeFileName, normalizeFolder, objectKey, parseObjectKey, ROOT_FOLDER } from '../../../handlers/core/paths';
import { parseFolderLimits } from '../../../handlers/core/roles';
import { normalizeSequencer } from '../../../handlers/core/sequencer';
import { bearerToken, signToken, verifyToken } from '../../../handlers/core/token';
import { parseLinksRequest } from '../../../handlers/files/file-links';
import { parseListQuery } from '../../../handlers/files/list-files';
import { parseUpdateRequest } from '../../../handlers/files/update-file';
import { createApiHandler } from '../../../handlers/http/api-handler';
import { json } from '../../../handlers/http/response';
import type { ApiEvent } from '../../../handlers/http/types';
import { parseCompleteRequest } from '../../../handlers/uploads/complete-upload';
import { parseUploadRequest } from '../../../handlers/uploads/create-upload';
import { parseSignPartsRequest } from '../../../handlers/uploads/sign-parts';
import { apiEvent, lambdaContext, memoryLogger } from '../support';

const RUNS = { numRuns: 2000 };
const cursors = new ListCursors(Buffer.alloc(32, 7));

/** Characters that break naive parsers: controls, lone surrogates, bidi overrides, separators. */
const TRICKY = ['\u0000', '\u0007', '\n', '\u007f', '\u0085', '\ud800', '\udfff', '\u202e', '\u2066', '\\', '/', '//', '.', '..', '%', '%2F', '%zz', '+', 'e\u0301', '\u0301', '\u200f', '\ufeff', '😀', ' ', '#', '?', '"'];

const trickyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.integer({ min: 250, max: 3000 }).map((n) => 'a/'.repeat(n)),
);

/** Folders of many long, valid segments: near and over the key's byte limit. */
const longFolder: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom('a', 'é', '日', '😀'), fc.integer({ min: 1, max: 85 })), { minLength: 1, maxLength: 16 })
  .map((segments) => segments.map(([c, n]) => `/${c.repeat(n)}`).join(''));

/** Any JSON-ish value, tricky strings included, plus prototype-pollution shaped objects. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  trickyString,
  fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'folder', 'fileName', 'name', 'ids', 'parts', 'tags', 'description', 'username', 'password', 'role', 'folders', 'size', 'contentType')), fc.oneof(fc.jsonValue(), trickyString), { maxKeys: 8 }),
  fc.constantFrom(undefined, null, NaN, Infinity, -0, 1e308, [], {}, Object.create(null) as unknown),
);

/** Runs `parse`; passes when it returns or throws an `HttpError`, fails on anything else. */
function returnsOrRejects(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.statusCode >= 400 && error.statusCode < 500) return true;
    throw error;
  }
}

const b64url = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

describe('parsers of untrusted input, fuzzed', () => {
  describe('paths', () => {
    it('normalizeFolder returns an idempotent, clean folder or throws a ValidationError', () => {
      fc.assert(
        fc.property(fc.oneof(trickyString, anyValue, longFolder), (input) => {
          let folder: string;
          try {
            folder = normalizeFolder(input);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpError);
            return;
          }
          expect(folder.startsWith('/')).toBe(true);
          expect(normalizeFolder(folder)).toBe(folder);
          expect(folder === ROOT_FOLDER || !folder.endsWith('/')).toBe(true);
          expect(folder.split('/').slice(1).filter((s) => folder !== ROOT_FOLDER && (s === '' || s === '.' || s === '..'))).toEqual([]);
          expect(Buffer.from(folder, 'utf8').toString('utf8')).toBe(folder); // no lone surrogates
          expect(Buffer.byteLength(objectKey({ folder, name: 'x' }))).toBeLessThanOrEqual(MAX_KEY_BYTES); // room for a file
        }),
        RUNS,
      );
    });

    it('normalizeFileName returns one idempotent segment or throws a ValidationError', () => {
      fc.assert(
        fc.property(fc.oneof(trickyString, anyValue), (input) => {
          let name: string;
          try {
            name = normalizeFileName(input);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpError);
            return;
          }
          expect(name).not.toContain('/');
          expect(['', '.', '..']).not.toContain(name);
          expect(normalizeFileName(name)).toBe(name);
          expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
        }),
        RUNS,
      );
    });

    it('a valid location round-trips through its key and file id', () => {
      fc.assert(
        fc.property(trickyString, trickyString, (folder, name) => {
          let location: ReturnType<typeof fileLocation>;
          try {
            location = fileLocation(folder, name);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpError);
            return;
          }
          expect(parseObjectKey(location.key)).toEqual({ folder: location.folder, name: location.name });
          expect(keyOfFileId(fileIdOf(location.key))).toBe(location.key);
          expect(decodeEventKey(encodeURIComponent(location.key).replace(/%20/g, '+'))).toBe(location.key);
        }),
        RUNS,
      );
    });

    it('keyOfFileId, parseObjectKey and decodeEventKey never throw on any string', () => {
      fc.assert(
        fc.property(fc.oneof(trickyString, fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/), trickyString.map(b64url)), (input) => {
          const key = keyOfFileId(input);
          if (key !== undefined) expect(fileIdOf(key)).toBe(input);
          parseObjectKey(input);
          decodeEventKey(input);
        }),
        RUNS,
      );
    });
  });

  describe('cursors', () => {
    const garbageCursor = fc.oneof(
      trickyString,
      fc.base64String({ maxLength: 120 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,120}$/),
      fc.jsonValue().map((v) => b64url(JSON.stringify(v) ?? 'null')),
      fc.record({ v: fc.constantFrom(1, 2, '1', null), f: trickyString, n: trickyString, t: trickyString, s: trickyString }, { requiredKeys: [] }).map((o) => b64url(JSON.stringify(o))),
      fc.integer({ min: 2000, max: 5000 }).map((n) => 'A'.repeat(n)),
    );

    it('readFolderCursor returns a clean name or throws a ValidationError', () => {
      fc.assert(fc.property(garbageCursor, fc.constantFrom('/', '/a', '/fuzz'), (cursor, folder) => returnsOrRejects(() => cursors.readFolderCursor(cursor, 'ana', folder))), RUNS);
    });

    it('readTypeCursor returns a sort key or throws a ValidationError', () => {
      fc.assert(fc.property(garbageCursor, fc.constantFrom('image' as const, 'video' as const, 'other' as const), (cursor, type) => returnsOrRejects(() => cursors.readTypeCursor(cursor, 'ana', type))), RUNS);
    });

    it('a list cursor round-trips for every valid name, and belongs to its folder only', () => {
      fc.assert(
        fc.property(trickyString, (raw) => {
          let name: string;
          try {
            name = normalizeFileName(raw);
          } catch {
            return;
          }
          const cursor = cursors.folderCursor('ana', '/a', name);
          expect(cursors.readFolderCursor(cursor, 'ana', '/a')).toBe(name);
          expect(() => cursors.readFolderCursor(cursor, 'ana', '/b')).toThrow(/cursor/);
          expect(() => cursors.readFolderCursor(cursor, 'bob', '/a')).toThrow(/cursor/);
        }),
        RUNS,
      );
    });
  });

  describe('tokens', () => {
    const secret = 'x'.repeat(48);
    const issuer = 'media-store';
    let valid = '';
    beforeAll(async () => {
      valid = (await signToken({ username: 'alice', role: 'editor' }, { secret, issuer, ttlSeconds: 3600 })).token;
    });

    it('verifyToken refuses garbage and altered tokens without throwing', async () => {
      const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), fc.jsonValue().map((v) => b64url(JSON.stringify(v) ?? '')), trickyString);
      const altered = fc.tuple(fc.nat(), fc.constantFrom('A', '-', '_', '.', '', '=', '\u0000')).map(([at, c]) => {
        const i = at % valid.length;
        return `${valid.slice(0, i)}${c}${valid.slice(i + 1)}`;
      });
      await fc.assert(
        fc.asyncProperty(fc.oneof(trickyString, fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')), altered), async (token) => {
          const result = await verifyToken(token, { secret, issuer });
          if (token !== valid) expect(result.ok).toBe(false);
        }),
        RUNS,
      );
    });

    it('bearerToken never throws and returns no whitespace', () => {
      fc.assert(
        fc.property(fc.oneof(trickyString, trickyString.map((t) => `Bearer ${t}`), trickyString.map((t) => `bearer  ${t} `)), (header) => {
          const token = bearerToken(header);
          if (token !== undefined) expect(token).not.toMatch(/\s/);
        }),
        RUNS,
      );
    });
  });

  describe('content types', () => {
    it('canonicalContentType is idempotent, and the allow-list and file type never throw', () => {
      fc.assert(
        fc.property(fc.oneof(trickyString, fc.constantFrom('image/jpeg', 'IMAGE/PNG ', 'image/*', '*/*', 'video/mp4; codecs=x', 'image/', '/jpeg', 'a/b/c')), (input) => {
          const canonical = canonicalContentType(input);
          if (canonical !== undefined) {
            expect(canonicalContentType(canonical)).toBe(canonical);
            isContentTypeAllowed(canonical, DEFAULT_ALLOWED_CONTENT_TYPES);
          }
          expect(['image', 'video', 'other']).toContain(fileTypeOf(input));
        }),
        RUNS,
      );
    });
  });

  describe('request bodies and query strings', () => {
    const contentTypes = fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/vnd.x+json', 'APPLICATION/JSON'), trickyString);
    const bodies = fc.oneof(trickyString, fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.constant(''), fc.integer({ min: 1, max: 5000 }).map((n) => '['.repeat(n)));

    it('the JSON body pipeline (middy parser, errors mapped once) answers the value or a 4xx error body', async () => {
      const handler = createApiHandler({ 'POST /uploads': async (event) => json(200, { parsed: event.parsedBody ?? null }) }, memoryLogger().logger, { maxBytes: 1024 });
      await fc.assert(
        fc.asyncProperty(contentTypes, bodies, fc.boolean(), async (contentType, body, base64) => {
          const event = { ...apiEvent('POST /uploads'), headers: { 'content-type': contentType }, body: base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: base64 } as ApiEvent;
          const result = await handler(event, lambdaContext);
          const answer = JSON.parse(result.body as string) as { parsed?: unknown; error?: { code?: unknown; message?: unknown } };
          if (result.statusCode === 200) return 'parsed' in answer;
          return (result.statusCode ?? 0) >= 400 && (result.statusCode ?? 0) < 500 && typeof answer.error?.code === 'string' && typeof answer.error.message === 'string';
        }),
        RUNS,
      );
    });

    it('parseListQuery returns a query or throws a 4xx HttpError', () => {
      const names = fc.constantFrom('folder', 'limit', 'cursor', 'type', 'other');
      fc.assert(fc.property(fc.dictionary(names, fc.oneof(trickyString, fc.constantFrom('0', '1', '1000', '1001', '-1', '1e3', 'image', 'video'))), (params) => returnsOrRejects(() => parseListQuery(params, cursors, { username: 'ana' }))), RUNS);
    });

    const bodyParsers: Readonly<Record<string, (body: unknown) => unknown>> = {
      parseUploadRequest: (body) => parseUploadRequest(body, { allowedContentTypes: ['image/*', 'video/*'], maxUploadBytes: 5 * 1024 ** 4 }),
      parseSignPartsRequest,
      parseCompleteRequest,
      parseUpdateRequest,
      parseLinksRequest,
      parseLoginRequest,
      parseCreateUserRequest,
      parseChangeUserRequest,
      parseUsername,
      parseTags,
      parseDescription,
      parseFolderLimits,
    };

    it.each(Object.keys(bodyParsers))('%s returns a value or throws a 4xx HttpError for any JSON', (name) => {
      const parse = bodyParsers[name]!;
      fc.assert(fc.property(anyValue, (body) => returnsOrRejects(() => parse(body))), RUNS);
    });
  });

  describe('S3 event records', () => {
    it('parseObjectEvent and normalizeSequencer never throw on odd keys, names and sequencers', () => {
      fc.assert(
        fc.property(trickyString, trickyString, fc.oneof(trickyString, fc.stringMatching(/^[0-9A-Fa-f]{0,40}$/), fc.integer()), fc.constantFrom('ObjectCreated:Put', 'ObjectRemoved:Delete', 'ObjectCreated:', 'x'), (key, bucket, sequencer, eventName) => {
          normalizeSequencer(String(sequencer));
          parseObjectEvent({ eventName, eventTime: 'not a time', s3: { bucket: { name: bucket }, object: { key, sequencer } } });
        }),
        RUNS,
      );
    });
  });
});
