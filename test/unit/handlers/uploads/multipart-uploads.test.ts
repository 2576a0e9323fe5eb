import { ObjectUrls, type BucketPresigner } from '../../../../handlers/core/object-urls';

type ObjectUrlRequest = Parameters<BucketPresigner>[0];
import { ObjectExists, PartsRejected, type MultipartUploads, type NewMultipartUpload } from '../../../../handlers/adapters/multipart-uploads';
import type { UploadSessionStore } from '../../../../handlers/adapters/uploads-repository';
import type { UploadSession } from '../../../../handlers/core/catalog';
import { Forbidden, ValidationError } from '../../../../handlers/core/errors';
import { MiB, PART_CHECKSUM_ALGORITHM, type HeldPart } from '../../../../contract/multipart';
import type { Principal } from '../../../../handlers/http/principal';
import { abortUpload } from '../../../../handlers/uploads/abort-upload';
import { completeUpload, MAX_UPLOADS_BODY_BYTES, parseCompleteRequest } from '../../../../handlers/uploads/complete-upload';
import { createUpload, MULTIPART_SESSION_SECONDS, parseUploadRequest } from '../../../../handlers/uploads/create-upload';
import { NotMultipart, UploadCompleted, UploadExpired, UploadNotFound, UploadRejected } from '../../../../handlers/uploads/errors';
import { MAX_PARTS_PER_REQUEST, parseSignPartsRequest, signParts } from '../../../../handlers/uploads/sign-parts';
import { uploadStatus } from '../../../../handlers/uploads/upload-status';
import { PayloadTooLarge } from '../../../../handlers/core/errors';
import { parseJsonBody } from '../../../../handlers/http/json-body';
import { uploadsRoutes } from '../../../../handlers/uploads/routes';
import { apiEvent, lambdaContext, memoryLogger } from '../../support';

const NOW = new Date('2024-05-01T10:00:00.000Z');
const ANA: Principal = { username: 'ana', role: 'editor' };
const BOB: Principal = { username: 'bob', role: 'editor' };
const ADMIN: Principal = { username: 'root', role: 'admin' };
const SIZE = 16 * MiB + 5;
const LIMITS = { allowedContentTypes: ['video/*'], maxUploadBytes: 5 * 1024 ** 4 };
const SUM = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
/** A CRC-32C in S3's form (4 bytes, base64): that of "123456789". */
const CRC = '4waSgw==';

/** An in-memory session table and S3 multipart service that record what they are asked. */
function world() {
  const sessions = new Map<string, UploadSession>();
  const held = new Map<string, HeldPart[]>();
  const aborted: string[] = [];
  const completed: { s3UploadId: string; parts: readonly HeldPart[] }[] = [];
  const created: NewMultipartUpload[] = [];
  const signed: ObjectUrlRequest[] = [];
  let completion: 'ok' | 'rejected' | 'gone' | 'exists' = 'ok';
  const completionOptions: unknown[] = [];
  const catalogued = new Set<string>();
  const uploads: UploadSessionStore = {
    create: async (session) => void sessions.set(session.uploadId, session),
    get: async (id) => sessions.get(id),
    markCompleted: async (id) => {
      const s = sessions.get(id);
      if (s === undefined || s.status === 'completed') return false;
      sessions.set(id, { ...s, status: 'completed' });
      return true;
    },
    declareSha256: async (id, sha256) => {
      const s = sessions.get(id);
      if (s === undefined || (s.sha256 !== undefined && s.sha256 !== sha256)) return false;
      sessions.set(id, { ...s, sha256 });
      return true;
    },
    remove: async (id) => void sessions.delete(id),
    isCatalogued: async (session) => catalogued.has(session.uploadId),
  };
  const multipart: MultipartUploads = {
    create: async (upload) => {
      created.push(upload);
      held.set(`s3-${created.length}`, []);
      return `s3-${created.length}`;
    },
    listParts: async (_key, id) => held.get(id),
    complete: async (key, id, parts, options) => {
      completionOptions.push(options);
      if (completion === 'rejected') throw new PartsRejected('EntityTooSmall');
      if (completion === 'exists') throw new ObjectExists(key);
      if (completion === 'gone') return undefined;
      completed.push({ s3UploadId: id, parts });
      held.delete(id);
      return { etag: 'whole-9' };
    },
    abort: async (_key, id) => {
      aborted.push(id);
      held.delete(id);
    },
  };
  const objects = {
    urlSigner: async () =>
      new ObjectUrls((request) => {
        signed.push(request);
        return `https://s3.example/${request.key}?partNumber=${request.query?.partNumber}`;
      }),
  };
  const files = { getRow: async () => ({ version: { exists: false as const } }) };
  const deps = { uploads, files, multipart, objects, urlTtlSeconds: 900, multipartThresholdBytes: 8 * MiB, now: () => NOW };
  return {
    deps,
    sessions,
    held,
    aborted,
    completed,
    created,
    signed,
    catalogued,
    completionOptions,
    failCompletion: (how: 'rejected' | 'gone' | 'exists') => (completion = how),
  };
}

async function startMultipart(w: ReturnType<typeof world>, fields: Record<string, unknown> = {}) {
  const request = parseUploadRequest({ folder: '/trips', fileName: 'clip.mp4', contentType: 'video/mp4', size: SIZE, ...fields }, LIMITS);
  const response = await createUpload(request, ANA, w.deps);
  if (response.mode !== 'multipart') throw new Error('expected multipart');
  return response;
}

const holdAll = (w: ReturnType<typeof world>) =>
  w.held.set('s3-1', [
    { partNumber: 1, etag: 'e1', size: 8 * MiB },
    { partNumber: 2, etag: 'e2', size: 8 * MiB },
    { partNumber: 3, etag: 'e3', size: 5 },
  ]);
const ALL_PARTS = [
  { partNumber: 1, etag: 'e1' },
  { partNumber: 2, etag: 'e2' },
  { partNumber: 3, etag: 'e3' },
];

describe('multipart uploads', () => {
  describe('createUpload', () => {
    it('goes multipart from the threshold on, with the plan, the metadata and a week-long session', async () => {
      // Prepare
      const w = world();
      // Act
      const response = await startMultipart(w, { sha256: SUM, checksumAlgorithm: 'SHA256' });
      // Assess
      expect(response).toEqual({
        uploadId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        fileId: expect.any(String),
        mode: 'multipart',
        partSize: 8 * MiB,
        partCount: 3,
        expiresAt: new Date(NOW.getTime() + MULTIPART_SESSION_SECONDS * 1000).toISOString(),
        checksumAlgorithm: 'SHA256',
      });
      expect(w.created).toEqual([
        { key: 'media/trips/clip.mp4', contentType: 'video/mp4', metadata: { 'upload-id': response.uploadId, sha256: SUM }, checksumAlgorithm: 'SHA256' },
      ]);
      expect(w.sessions.get(response.uploadId)).toMatchObject({
        mode: 'multipart',
        status: 'pending',
        sha256: SUM,
        multipart: { s3UploadId: 's3-1', partSize: 8 * MiB, partCount: 3, checksumAlgorithm: 'SHA256' },
      });
    });

    it('stays a single PUT below the threshold and signs the whole-file SHA-256 for S3 to check', async () => {
      const w = world();
      const request = parseUploadRequest({ folder: '/trips', fileName: 'small.mp4', contentType: 'video/mp4', size: 8 * MiB - 1, sha256: SUM }, LIMITS);
      const response = await createUpload(request, ANA, w.deps);
      expect(response.mode).toBe('single');
      expect(w.created).toEqual([]);
      expect(w.signed[0]?.headers).toMatchObject({ 'x-amz-checksum-sha256': SUM, 'x-amz-meta-sha256': SUM });
    });

    it('refuses an unknown checksum algorithm', () => {
      expect(() => parseUploadRequest({ folder: '/', fileName: 'a.mp4', contentType: 'video/mp4', size: 1, checksumAlgorithm: 'CRC32' }, LIMITS)).toThrow(ValidationError);
    });
  });

  describe('parseSignPartsRequest', () => {
    it.each([
      ['no part numbers', { partNumbers: [] }],
      ['too many', { partNumbers: Array.from({ length: MAX_PARTS_PER_REQUEST + 1 }, (_, i) => i + 1) }],
      ['a repeat', { partNumbers: [1, 1] }],
      ['part 0', { partNumbers: [0] }],
      ['a fraction', { partNumbers: [1.5] }],
      ['a checksum of a part not asked for', { partNumbers: [1], checksums: { '2': SUM } }],
      ['a checksum that is no string', { partNumbers: [1], checksums: { '1': 42 } }],
      ['an unknown field', { partNumbers: [1], ttl: 5 }],
    ])('refuses %s with a 400 naming the field', (_, body) => {
      expect(() => parseSignPartsRequest(body)).toThrow(ValidationError);
    });
  });

  describe('signParts', () => {
    it('signs UploadPart with each part\'s exact length and checksum', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w, { checksumAlgorithm: 'SHA256' });
      const response = await signParts(uploadId, parseSignPartsRequest({ partNumbers: [3, 1], checksums: { '1': SUM, '3': SUM } }), ANA, w.deps);
      expect(response.parts.map((p) => [p.partNumber, p.headers])).toEqual([
        [3, { 'content-length': '5', 'x-amz-checksum-sha256': SUM }],
        [1, { 'content-length': String(8 * MiB), 'x-amz-checksum-sha256': SUM }],
      ]);
      expect(w.signed.map((s) => [s.operation, s.query])).toEqual([
        ['UploadPart', { partNumber: '3', uploadId: 's3-1' }],
        ['UploadPart', { partNumber: '1', uploadId: 's3-1' }],
      ]);
      expect(response.expiresAt).toBe('2024-05-01T10:15:00.000Z');
    });

    it('signs x-amz-checksum-crc32c for an upload created with CRC32C, the clients\' algorithm', async () => {
      const w = world();
      const { uploadId, checksumAlgorithm } = await startMultipart(w, { checksumAlgorithm: PART_CHECKSUM_ALGORITHM });
      expect(checksumAlgorithm).toBe('CRC32C');
      const response = await signParts(uploadId, parseSignPartsRequest({ partNumbers: [1, 3], checksums: { '1': CRC, '3': CRC } }), ANA, w.deps);
      expect(response.parts.map((p) => [p.partNumber, p.headers])).toEqual([
        [1, { 'content-length': String(8 * MiB), 'x-amz-checksum-crc32c': CRC }],
        [3, { 'content-length': '5', 'x-amz-checksum-crc32c': CRC }],
      ]);
    });

    it.each([
      ['a SHA-256 for a CRC32C upload', 'CRC32C', SUM],
      ['a CRC-32C for a SHA256 upload', 'SHA256', CRC],
      ['a hex checksum', 'SHA256', 'ab'.repeat(32)],
      ['a CRC-32C with stray bits', 'CRC32C', '4waSgx=='],
    ])('refuses %s with a 400 naming the part and the form expected', async (_, algorithm, checksum) => {
      const w = world();
      const { uploadId } = await startMultipart(w, { checksumAlgorithm: algorithm });
      await expect(signParts(uploadId, parseSignPartsRequest({ partNumbers: [1], checksums: { '1': checksum } }), ANA, w.deps)).rejects.toThrow(
        expect.objectContaining({ field: 'checksums.1', message: expect.stringContaining(algorithm === 'CRC32C' ? '8 characters' : '44 characters') }),
      );
    });

    it('refuses a part beyond the plan, a missing checksum, or checksums the upload did not ask for', async () => {
      const w = world();
      const checked = await startMultipart(w, { checksumAlgorithm: 'SHA256' });
      const plain = await startMultipart(w);
      await expect(signParts(checked.uploadId, parseSignPartsRequest({ partNumbers: [4], checksums: { '4': SUM } }), ANA, w.deps)).rejects.toThrow(ValidationError);
      await expect(signParts(checked.uploadId, parseSignPartsRequest({ partNumbers: [1] }), ANA, w.deps)).rejects.toThrow('checksums.1');
      await expect(signParts(plain.uploadId, parseSignPartsRequest({ partNumbers: [1], checksums: { '1': SUM } }), ANA, w.deps)).rejects.toThrow(ValidationError);
    });

    it('never signs a URL that outlives its session', async () => {
      const w = world();
      const { uploadId, expiresAt } = await startMultipart(w);
      const late = new Date(Date.parse(expiresAt) - 60_000);
      const response = await signParts(uploadId, parseSignPartsRequest({ partNumbers: [1] }), ANA, { ...w.deps, now: () => late });
      expect(w.signed[0]?.expiresIn).toBe(60);
      expect(response.expiresAt).toBe(expiresAt);
    });
  });

  describe('who may touch a session', () => {
    it('answers others 404 as for an unknown id, lets admins in and refuses viewers', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      await expect(uploadStatus(uploadId, BOB, w.deps)).rejects.toBeInstanceOf(UploadNotFound);
      await expect(uploadStatus('not-an-id', ANA, w.deps)).rejects.toBeInstanceOf(UploadNotFound);
      await expect(uploadStatus(uploadId, { username: 'ana', role: 'viewer' }, w.deps)).rejects.toBeInstanceOf(Forbidden);
      await expect(uploadStatus(uploadId, ADMIN, w.deps)).resolves.toMatchObject({ uploadId, status: 'pending' });
    });

    it('hides an upload from its owner once the folder is outside their folder limits', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      await expect(uploadStatus(uploadId, { ...ANA, folders: ['/family'] }, w.deps)).rejects.toBeInstanceOf(UploadNotFound);
      await expect(uploadStatus(uploadId, { ...ANA, folders: ['/trips'] }, w.deps)).resolves.toMatchObject({ uploadId });
    });

    it('answers 410 once the session expired, but still lets its owner abort it', async () => {
      const w = world();
      const { uploadId, expiresAt } = await startMultipart(w);
      const after = { ...w.deps, now: () => new Date(expiresAt) };
      await expect(signParts(uploadId, parseSignPartsRequest({ partNumbers: [1] }), ANA, after)).rejects.toBeInstanceOf(UploadExpired);
      await abortUpload(uploadId, ANA, after);
      expect(w.aborted).toEqual(['s3-1']);
      expect(w.sessions.has(uploadId)).toBe(false);
    });
  });

  describe('uploadStatus', () => {
    it('lists the parts S3 holds with their checksums', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      w.held.set('s3-1', [{ partNumber: 2, etag: 'e2', size: 8 * MiB, checksum: CRC }]);
      const status = await uploadStatus(uploadId, ANA, w.deps);
      expect(status).toMatchObject({ mode: 'multipart', status: 'pending', size: SIZE, partSize: 8 * MiB, partCount: 3 });
      expect(status.parts).toEqual([{ partNumber: 2, etag: 'e2', size: 8 * MiB, checksum: CRC }]);
    });

    it('lists a SHA256 upload\'s part checksums as sha256 too, which clients before CRC32C read', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w, { checksumAlgorithm: 'SHA256' });
      w.held.set('s3-1', [{ partNumber: 2, etag: 'e2', size: 8 * MiB, checksum: SUM }]);
      const status = await uploadStatus(uploadId, ANA, w.deps);
      expect(status).toMatchObject({ checksumAlgorithm: 'SHA256' });
      expect(status.parts).toEqual([{ partNumber: 2, etag: 'e2', size: 8 * MiB, checksum: SUM, sha256: SUM }]);
    });

    it('reports a single PUT completed once its file is catalogued', async () => {
      const w = world();
      const single = await createUpload(parseUploadRequest({ folder: '/', fileName: 'a.mp4', contentType: 'video/mp4', size: 10 }, LIMITS), ANA, w.deps);
      await expect(uploadStatus(single.uploadId, ANA, w.deps)).resolves.toMatchObject({ mode: 'single', status: 'pending', parts: [] });
      w.catalogued.add(single.uploadId);
      await expect(uploadStatus(single.uploadId, ANA, w.deps)).resolves.toMatchObject({ mode: 'single', status: 'completed' });
    });

    it('answers 410 when S3 no longer knows the upload (the lifecycle rule aborted it)', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      w.held.delete('s3-1');
      await expect(uploadStatus(uploadId, ANA, w.deps)).rejects.toBeInstanceOf(UploadExpired);
    });
  });

  describe('completeUpload', () => {
    it('completes with the parts as S3 listed them and marks the session completed', async () => {
      const w = world();
      const { uploadId, fileId } = await startMultipart(w, { sha256: SUM });
      holdAll(w);
      const response = await completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps);
      expect(response.file).toEqual({
        id: fileId,
        folder: '/trips',
        name: 'clip.mp4',
        size: SIZE,
        contentType: 'video/mp4',
        fileType: 'video',
        uploadedBy: 'ana',
        sha256: SUM,
        etag: 'whole-9',
      });
      expect(w.completed[0]?.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      expect(w.sessions.get(uploadId)?.status).toBe('completed');
      // A retried completion answers the same file without touching S3 again.
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps)).resolves.toMatchObject({ file: { id: fileId } });
      expect(w.completed).toHaveLength(1);
    });

    it('records the whole-file SHA-256 a client declares when completing on the session before S3 assembles the object', async () => {
      // Prepare: a large upload created without a SHA-256 (the client hashes it while sending).
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      const stored: (string | undefined)[] = [];
      const complete = w.deps.multipart.complete;
      const deps = { ...w.deps, multipart: { ...w.deps.multipart, complete: async (...args: Parameters<typeof complete>) => (stored.push(w.sessions.get(uploadId)?.sha256), complete(...args)) } };
      // Act
      const response = await completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS, sha256: SUM }), ANA, deps);
      // Assess: on the answer, and on the session the sync function reads, already when S3 completed.
      expect(response.file.sha256).toBe(SUM);
      expect(stored).toEqual([SUM]);
    });

    it('refuses a completion SHA-256 that differs from the one declared at creation, or is malformed, with a 400 naming sha256', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w, { sha256: SUM });
      holdAll(w);
      const other = Buffer.alloc(32, 7).toString('base64');
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS, sha256: other }), ANA, w.deps)).rejects.toMatchObject({ statusCode: 400, field: 'sha256' });
      expect(() => parseCompleteRequest({ parts: ALL_PARTS, sha256: 'abc' })).toThrow(/sha256/);
      expect(w.completed).toHaveLength(0);
    });

    it.each([
      ['a missing part', ALL_PARTS.slice(0, 2), 'SizeMismatch'],
      ['another etag', [ALL_PARTS[0]!, { partNumber: 2, etag: 'zz' }, ALL_PARTS[2]!], 'PartListMismatch'],
    ])('aborts the upload and deletes the session on %s', async (_, parts, code) => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts }), ANA, w.deps)).rejects.toMatchObject({ statusCode: 400, code });
      expect(w.aborted).toEqual(['s3-1']);
      expect(w.sessions.has(uploadId)).toBe(false);
      expect(w.completed).toEqual([]);
    });

    it('aborts when S3 itself refuses the parts', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      w.failCompletion('rejected');
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps)).rejects.toBeInstanceOf(UploadRejected);
      expect(w.aborted).toEqual(['s3-1']);
    });

    it('completes with If-None-Match unless the upload asked to overwrite', async () => {
      const w = world();
      const plain = await startMultipart(w);
      holdAll(w);
      await completeUpload(plain.uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps);

      expect(w.completionOptions).toEqual([{ overwrite: false }]);
      const replacing = await startMultipart(w, { overwrite: true });
      expect(w.sessions.get(replacing.uploadId)?.multipart?.overwrite).toBe(true);
    });

    it('completes with the parts\' checksums under the upload\'s algorithm', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w, { checksumAlgorithm: 'CRC32C' });
      holdAll(w);
      await completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps);
      expect(w.completionOptions).toEqual([{ overwrite: false, checksumAlgorithm: 'CRC32C' }]);
    });

    it('throws FileExists and aborts when S3 refuses to replace an existing object', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      w.failCompletion('exists');
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps)).rejects.toMatchObject({ code: 'FileExists', statusCode: 409 });
      expect(w.aborted).toEqual(['s3-1']);
    });

    it('answers 410 when S3 lost the upload, keeping the session for a sync that may still need it', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      w.failCompletion('gone');
      await expect(completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps)).rejects.toBeInstanceOf(UploadExpired);
      expect(w.sessions.get(uploadId)?.status).toBe('pending');
    });

    it('answers the file when S3 no longer knows the upload because an earlier call completed it', async () => {
      // Prepare: S3 completed it, the answer was lost (e.g. the function timed out), sync catalogued it.
      const w = world();
      const { uploadId, fileId } = await startMultipart(w);
      w.held.delete('s3-1');
      w.catalogued.add(uploadId);
      // Act
      const response = await completeUpload(uploadId, parseCompleteRequest({ parts: ALL_PARTS }), ANA, w.deps);
      // Assess
      expect(response.file).toMatchObject({ id: fileId, size: SIZE });
      expect(w.sessions.get(uploadId)?.status).toBe('completed');
      await expect(uploadStatus(uploadId, ANA, w.deps)).resolves.toMatchObject({ status: 'completed', parts: [] });
    });

    it('refuses a malformed part list with a 400 and leaves the upload alone', async () => {
      expect(() => parseCompleteRequest({ parts: [] })).toThrow(ValidationError);
      expect(() => parseCompleteRequest({ parts: [{ partNumber: 1 }] })).toThrow('parts[0].etag');
      expect(() => parseCompleteRequest({ parts: [{ partNumber: 1, etag: 'a', size: 3 }] })).toThrow('parts[0].size');
    });

    it('refuses single PUT sessions with 409', async () => {
      const w = world();
      const single = await createUpload(parseUploadRequest({ folder: '/', fileName: 'a.mp4', contentType: 'video/mp4', size: 10 }, LIMITS), ANA, w.deps);
      await expect(completeUpload(single.uploadId, { parts: ALL_PARTS }, ANA, w.deps)).rejects.toBeInstanceOf(NotMultipart);
      await expect(abortUpload(single.uploadId, ANA, w.deps)).rejects.toBeInstanceOf(NotMultipart);
    });
  });

  describe('the uploads function\'s body limit', () => {
    it('takes a completion of 10,000 parts with the longest ETags accepted, which the default limit would refuse', async () => {
      // Prepare: a planned 10,000-part upload whose parts S3 holds.
      const w = world();
      const request = parseUploadRequest({ folder: '/trips', fileName: 'huge.mp4', contentType: 'video/mp4', size: 10_000 * 8 * MiB }, LIMITS);
      const created = await createUpload(request, ANA, w.deps);
      const etag = 'e'.repeat(128);
      w.held.set('s3-1', Array.from({ length: 10_000 }, (_, i) => ({ partNumber: i + 1, etag, size: 8 * MiB })));
      const event = {
        ...apiEvent('POST /uploads/{uploadId}/complete', { body: { parts: Array.from({ length: 10_000 }, (_, i) => ({ partNumber: i + 1, etag: `"${etag}"` })) }, principal: ANA }),
        pathParameters: { uploadId: created.uploadId },
      };
      await expect(parseJsonBody(event)).rejects.toThrow(PayloadTooLarge);
      // Act
      event.parsedBody = await parseJsonBody(event, MAX_UPLOADS_BODY_BYTES);
      const response = await uploadsRoutes({ ...w.deps, ...LIMITS, shares: {} as never, reservations: {} as never, guests: {} as never, accessLog: {} as never, users: {} as never, files: {} as never, folders: {} as never })['POST /uploads/{uploadId}/complete']!(event, { logger: memoryLogger().logger, lambda: lambdaContext });
      // Assess
      expect(response.statusCode).toBe(200);
      expect(w.completed[0]?.parts).toHaveLength(10_000);
    });
  });

  describe('abortUpload', () => {
    it('refuses to abort a completed upload', async () => {
      const w = world();
      const { uploadId } = await startMultipart(w);
      holdAll(w);
      await completeUpload(uploadId, { parts: ALL_PARTS }, ANA, w.deps);
      await expect(abortUpload(uploadId, ANA, w.deps)).rejects.toBeInstanceOf(UploadCompleted);
    });
  });
});
