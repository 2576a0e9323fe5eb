/**
 * A large file through a multipart upload over HTTP, as a client does it: parts signed on
 * demand, sent in parallel with fetch to presigned URLs, resumed from what S3 holds,
 * completed after the API checked the parts against S3.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CompleteMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { BROWSER_ORIGIN, e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import {
  addEditor,
  crc32cBase64,
  expireSession,
  inParallel,
  localS3,
  partOf,
  putPart,
  s3KnowsUpload,
  sha256Base64,
  sha256OfUrl,
  signParts,
  storedSession,
  type HeldPart,
  type MultipartCreated,
} from './support/multipart';

const MiB = 1024 ** 2;
const PARALLEL_PARTS = 4;

describe('multipart upload', () => {
  const context = e2eContext();
  const folder = `/e2e-multipart-${randomBytes(4).toString('hex')}`;
  // 64 MiB and a bit: eight full 8 MiB parts and a short ninth. Held once; parts are views.
  const source = randomBytes(64 * MiB + 12_345);
  const sourceSha256 = createHash('sha256').update(source).digest();
  let token: string;

  beforeAll(async () => {
    token = await login(context.editor);
  });

  const create = (fields: Record<string, unknown>) =>
    api<MultipartCreated & { error?: { code: string } }>('/uploads', { token, json: { folder, contentType: 'video/mp4', size: source.length, ...fields } });

  describe('a 64 MiB file in parallel parts with CRC-32C checksums (the clients\' algorithm)', () => {
    const fileName = 'holiday.mp4';
    let upload: MultipartCreated;
    const etags = new Map<number, string>();
    const partSums = new Map<number, string>();
    const checksumOf = (n: number) => partSums.get(n) as string;

    const send = async (partNumbers: number[]) => {
      const signed = await signParts(token, upload.uploadId, partNumbers, checksumOf);
      expect(signed.status).toBe(200);
      await inParallel(signed.body.parts, PARALLEL_PARTS, async (part) => {
        const sent = await putPart(part, partOf(source, upload.partSize, part.partNumber));
        expect({ part: part.partNumber, status: sent.status }).toEqual({ part: part.partNumber, status: 200 });
        etags.set(part.partNumber, (sent.etag ?? '').replace(/"/g, ''));
      });
    };

    it('starts a multipart upload from the size threshold on', async () => {
      const response = await create({ fileName, sha256: sourceSha256.toString('base64'), checksumAlgorithm: 'CRC32C' });
      expect(response.status).toBe(201);
      upload = response.body;
      for (let n = 1; n <= upload.partCount; n += 1) partSums.set(n, await crc32cBase64(partOf(source, upload.partSize, n)));
      expect(upload).toEqual({
        uploadId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        fileId: expect.any(String),
        mode: 'multipart',
        partSize: 8 * MiB,
        partCount: 9,
        expiresAt: expect.any(String),
        checksumAlgorithm: 'CRC32C',
      });
      expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now() + 24 * 3600 * 1000);
    });

    it('signs each part with its exact length and CRC-32C as headers to send', async () => {
      const signed = await signParts(token, upload.uploadId, [1, 9], checksumOf);
      expect(signed.status).toBe(200);
      expect(signed.body.parts.map((p) => [p.partNumber, p.headers])).toEqual([
        [1, { 'content-length': String(8 * MiB), 'x-amz-checksum-crc32c': checksumOf(1) }],
        [9, { 'content-length': '12345', 'x-amz-checksum-crc32c': checksumOf(9) }],
      ]);
      expect(signed.body.parts[0]?.url).toContain('partNumber=1');
      expect(Date.parse(signed.body.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('lists the parts S3 holds, so another process can resume', async () => {
      await send([1, 2, 3, 4, 5]);
      const status = await api<{ status: string; parts: HeldPart[]; partCount: number; size: number }>(`/uploads/${upload.uploadId}`, { token });
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ status: 'pending', mode: 'multipart', partCount: 9, size: source.length });
      expect(status.body.parts).toEqual(
        [1, 2, 3, 4, 5].map((n) => ({ partNumber: n, etag: etags.get(n), size: 8 * MiB, checksum: checksumOf(n) })),
      );
    });

    it('completes after the missing parts are sent, answering the file with its size and SHA-256', async () => {
      // Resume as a new process would: ask what is held, send only the rest.
      const held = (await api<{ parts: HeldPart[] }>(`/uploads/${upload.uploadId}`, { token })).body.parts.map((p) => p.partNumber);
      const missing = Array.from({ length: upload.partCount }, (_, i) => i + 1).filter((n) => !held.includes(n));
      expect(missing).toEqual([6, 7, 8, 9]);
      await send(missing);

      const parts = Array.from({ length: upload.partCount }, (_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) as string }));
      const response = await api<{ file: Record<string, unknown> }>(`/uploads/${upload.uploadId}/complete`, { token, json: { parts } });
      expect(response.status).toBe(200);
      expect(response.body.file).toMatchObject({
        id: upload.fileId,
        folder,
        name: fileName,
        size: source.length,
        contentType: 'video/mp4',
        fileType: 'video',
        uploadedBy: context.editor.username,
        sha256: sourceSha256.toString('base64'),
      });
    });

    it('lists the file with its size and SHA-256, and its view URL serves the same bytes', async () => {
      const listed = await eventually(async () => {
        const page = await api<{ files: { id: string; size: number; sha256?: string; url: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token });
        return page.body.files?.find((f) => f.id === upload.fileId);
      }, 10_000);
      expect(listed).toMatchObject({ size: source.length, sha256: sourceSha256.toString('base64') });
      const served = await sha256OfUrl(listed!.url);
      expect(served).toEqual({ status: 200, bytes: source.length, sha256: sourceSha256.toString('hex') });
    });

    it('answers a repeated completion with the same file, and reports the upload completed', async () => {
      const parts = Array.from({ length: upload.partCount }, (_, i) => ({ partNumber: i + 1, etag: etags.get(i + 1) as string }));
      const again = await api<{ file: { id: string; size: number } }>(`/uploads/${upload.uploadId}/complete`, { token, json: { parts } });
      expect(again.status).toBe(200);
      expect(again.body.file).toMatchObject({ id: upload.fileId, size: source.length });
      const status = await api<{ status: string; parts: unknown[] }>(`/uploads/${upload.uploadId}`, { token });
      expect(status.body).toMatchObject({ status: 'completed', parts: [] });
      const resign = await signParts(token, upload.uploadId, [1], checksumOf);
      expect(resign.status).toBe(409);
      expect(resign.body.error?.code).toBe('UploadCompleted');
    });
  });

  describe('a completion whose answer was lost', () => {
    it('answers the file on retry once S3 completed the upload and the file is catalogued', async () => {
      const fileName = 'lost-answer.mp4';
      const created = (await create({ fileName })).body;
      const signed = await signParts(token, created.uploadId, Array.from({ length: created.partCount }, (_, i) => i + 1));
      const sent = await inParallel(signed.body.parts, PARALLEL_PARTS, async (part) => ({ part, ...(await putPart(part, partOf(source, created.partSize, part.partNumber))) }));
      // S3 completes it, as an earlier call of the API did before its answer was lost.
      const session = await storedSession(context, created.uploadId);
      const s3 = localS3(context);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: context.bucketName,
          Key: session?.key as string,
          UploadId: (session?.multipart as { s3UploadId: string }).s3UploadId,
          MultipartUpload: { Parts: sent.map((s) => ({ PartNumber: s.part.partNumber, ETag: s.etag as string })) },
        }),
      );
      s3.destroy();
      const listed = await eventually(async () => {
        const page = await api<{ files: { id: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token });
        return page.body.files?.find((f) => f.id === created.fileId);
      }, 10_000);
      expect(listed).toBeDefined();

      const parts = sent.map((s) => ({ partNumber: s.part.partNumber, etag: s.etag as string }));
      const retried = await api<{ file: { id: string; size: number } }>(`/uploads/${created.uploadId}/complete`, { token, json: { parts } });
      expect(retried.status).toBe(200);
      expect(retried.body.file).toMatchObject({ id: created.fileId, size: source.length });
      expect((await api<{ status: string }>(`/uploads/${created.uploadId}`, { token })).body.status).toBe('completed');
    });
  });

  describe('integrity', () => {
    it.each([
      ['CRC-32C', 'CRC32C', (bytes: Buffer) => crc32cBase64(bytes)],
      ['SHA-256 (an upload created before CRC32C)', 'SHA256', async (bytes: Buffer) => sha256Base64(bytes)],
    ])('lets S3 refuse a part whose bytes do not match its signed %s, keeping nothing of it (and the part stored before it)', async (_, algorithm, sumOf) => {
      const created = await create({ fileName: `checked-${algorithm}.mp4`, checksumAlgorithm: algorithm });
      const { uploadId, partSize } = created.body;
      expect(created.body.checksumAlgorithm).toBe(algorithm);
      const good = partOf(source, partSize, 1);
      const goodSum = await sumOf(good);
      const first = await putPart((await signParts(token, uploadId, [1], () => goodSum)).body.parts[0]!, good);
      expect(first.status).toBe(200);
      const otherBytes = Buffer.from(good);
      otherBytes[0] = (otherBytes[0] ?? 0) ^ 0xff;
      const otherSum = await sumOf(otherBytes);
      const signed = await signParts(token, uploadId, [1], () => otherSum);
      const sent = await putPart(signed.body.parts[0]!, good);
      expect(sent.status).toBe(400);
      expect(sent.text).toContain('<Code>BadDigest</Code>');
      const status = await api<{ parts: HeldPart[] }>(`/uploads/${uploadId}`, { token });
      expect(status.body.parts).toEqual([expect.objectContaining({ partNumber: 1, size: partSize, checksum: goodSum })]);
      expect((await api(`/uploads/${uploadId}`, { token, method: 'DELETE' })).status).toBe(204);
    });

    it('lets S3 refuse a part of another length than signed', async () => {
      const created = await create({ fileName: 'short.mp4' });
      const { uploadId, partSize } = created.body;
      const signed = await signParts(token, uploadId, [1]);
      const sent = await putPart(signed.body.parts[0]!, partOf(source, partSize, 1).subarray(1));
      expect(sent.status).toBe(403);
      expect(sent.text).toContain('SignatureDoesNotMatch');
      expect((await api(`/uploads/${uploadId}`, { token, method: 'DELETE' })).status).toBe(204);
    });

    it('requires part checksums on a checksummed upload and refuses them on another', async () => {
      const checked = await create({ fileName: 'need-sums.mp4', checksumAlgorithm: 'CRC32C' });
      const plain = await create({ fileName: 'no-sums.mp4' });
      const withoutSums = await signParts(token, checked.body.uploadId, [1]);
      expect(withoutSums.status).toBe(400);
      expectErrorBody(withoutSums);
      const withSums = await signParts(token, plain.body.uploadId, [1], () => sha256Base64(Buffer.from('x')));
      expect(withSums.status).toBe(400);
      expectErrorBody(withSums);
      for (const id of [checked.body.uploadId, plain.body.uploadId]) expect((await api(`/uploads/${id}`, { token, method: 'DELETE' })).status).toBe(204);
    });

    it('refuses at completion a declared size the bytes do not fill, and aborts the upload', async () => {
      // Declares 72 MiB: nine full parts. The client has 64 MiB and a bit: S3 refuses its short ninth part.
      const declared = 72 * MiB;
      const created = await api<MultipartCreated>('/uploads', { token, json: { folder, fileName: 'lies.mp4', contentType: 'video/mp4', size: declared } });
      expect(created.body).toMatchObject({ mode: 'multipart', partCount: 9, partSize: 8 * MiB });
      const { uploadId } = created.body;
      const session = await storedSession(context, uploadId);
      const s3UploadId = (session?.multipart as { s3UploadId: string }).s3UploadId;
      const key = session?.key as string;

      const signed = await signParts(token, uploadId, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const sent = await inParallel(signed.body.parts, PARALLEL_PARTS, async (part) => ({ part, ...(await putPart(part, partOf(source, 8 * MiB, part.partNumber))) }));
      expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 403]);

      const parts = sent.filter((s) => s.status === 200).map((s) => ({ partNumber: s.part.partNumber, etag: s.etag as string }));
      const response = await api(`/uploads/${uploadId}/complete`, { token, json: { parts } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'SizeMismatch', message: expect.stringContaining('aborted') } });

      expect(await s3KnowsUpload(context, key, s3UploadId)).toBe(false);
      expect((await api(`/uploads/${uploadId}`, { token })).status).toBe(404);
      const s3 = localS3(context);
      await expect(s3.send(new HeadObjectCommand({ Bucket: context.bucketName, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
      s3.destroy();
    });

    it('reads a completion listing 10,000 parts (ten times the 64 KiB default body limit) and checks it against S3', async () => {
      const created = (await create({ fileName: 'many-parts.mp4' })).body;
      const parts = Array.from({ length: 10_000 }, (_, i) => ({ partNumber: i + 1, etag: `"${'0'.repeat(32)}"` }));
      const response = await api(`/uploads/${created.uploadId}/complete`, { token, json: { parts } });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'PartListMismatch', message: expect.stringContaining('part 1 was never uploaded') } });
    });

    it('refuses a whole-file SHA-256 that is not base64 of 32 bytes', async () => {
      const hex = await create({ fileName: 'hex.mp4', sha256: sourceSha256.toString('hex') });
      expect(hex.status).toBe(400);
      expect(hex.body.error?.code).toBe('ValidationError');
    });
  });

  describe('who may touch an upload', () => {
    let upload: MultipartCreated;
    let stranger: string;

    beforeAll(async () => {
      upload = (await create({ fileName: 'private.mp4' })).body;
      stranger = await login(await addEditor(context, 'e2e-stranger'));
    });

    it('answers another editor 404 on every upload route, as for an upload that does not exist', async () => {
      const id = upload.uploadId;
      const answers = [
        await api(`/uploads/${id}`, { token: stranger }),
        await api(`/uploads/${id}/parts`, { token: stranger, json: { partNumbers: [1] } }),
        await api(`/uploads/${id}/complete`, { token: stranger, json: { parts: [{ partNumber: 1, etag: 'x' }] } }),
        await api(`/uploads/${id}`, { token: stranger, method: 'DELETE' }),
        await api(`/uploads/${'A'.repeat(22)}`, { token }),
      ];
      for (const answer of answers) expect(answer.body).toEqual({ error: { code: 'UploadNotFound', message: expect.any(String) } });
      expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
      expect((await api(`/uploads/${id}`, { token })).status).toBe(200);
    });

    it('refuses a viewer with 403 and lets an admin see and abort it', async () => {
      const viewer = await login(context.viewer);
      expect((await api(`/uploads/${upload.uploadId}`, { token: viewer })).status).toBe(403);
      const admin = await login(context.admin);
      expect((await api(`/uploads/${upload.uploadId}`, { token: admin })).status).toBe(200);
      expect((await api(`/uploads/${upload.uploadId}`, { token: admin, method: 'DELETE' })).status).toBe(204);
    });

    it('answers 410 UploadExpired for a session past its expiry', async () => {
      const created = (await create({ fileName: 'late.mp4' })).body;
      await expireSession(context, created.uploadId);
      const answer = await api(`/uploads/${created.uploadId}/parts`, { token, json: { partNumbers: [1] } });
      expect(answer.status).toBe(410);
      expect(answer.body).toMatchObject({ error: { code: 'UploadExpired' } });
      // Cleaning up early stays possible.
      expect((await api(`/uploads/${created.uploadId}`, { token, method: 'DELETE' })).status).toBe(204);
    });
  });

  describe('from a browser', () => {
    it("passes the bucket's preflight for a checksummed part and lets the page read its ETag", async () => {
      const created = (await create({ fileName: 'browser.mp4', checksumAlgorithm: 'CRC32C' })).body;
      const body = partOf(source, created.partSize, 1);
      const sum = await crc32cBase64(body);
      const signed = await signParts(token, created.uploadId, [1], () => sum);
      const part = signed.body.parts[0]!;
      // content-length is set by the browser itself, never requested in a preflight.
      const requested = Object.keys(part.headers).filter((h) => h !== 'content-length');
      expect(requested).toEqual(['x-amz-checksum-crc32c']);
      const preflight = await fetch(part.url, {
        method: 'OPTIONS',
        headers: { origin: BROWSER_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': requested.join(',') },
      });
      // A header outside the rule fails the preflight (403); s3rver answers allowed preflights with origin `*`.
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('x-amz-checksum-crc32c');

      const headers = { ...part.headers, origin: BROWSER_ORIGIN };
      delete (headers as Record<string, string>)['content-length'];
      const put = await fetch(part.url, { method: 'PUT', headers, body });
      expect(put.status).toBe(200);
      expect(put.headers.get('access-control-allow-origin')).toBe(BROWSER_ORIGIN);
      expect(put.headers.get('access-control-expose-headers')).toContain('ETag');
      expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
      expect((await api(`/uploads/${created.uploadId}`, { token, method: 'DELETE' })).status).toBe(204);
    });
  });

  describe('abort', () => {
    it('aborts the S3 upload and deletes the session', async () => {
      const created = await create({ fileName: 'abandoned.mp4' });
      const { uploadId, partSize } = created.body;
      const signed = await signParts(token, uploadId, [1]);
      expect((await putPart(signed.body.parts[0]!, partOf(source, partSize, 1))).status).toBe(200);
      const session = await storedSession(context, uploadId);
      const s3UploadId = (session?.multipart as { s3UploadId: string }).s3UploadId;
      expect(await s3KnowsUpload(context, session?.key as string, s3UploadId)).toBe(true);

      const aborted = await api(`/uploads/${uploadId}`, { token, method: 'DELETE' });
      expect(aborted.status).toBe(204);
      expect(await s3KnowsUpload(context, session?.key as string, s3UploadId)).toBe(false);
      expect(await storedSession(context, uploadId)).toBeUndefined();
      const again = await api(`/uploads/${uploadId}`, { token, method: 'DELETE' });
      expect(again.status).toBe(404);
      expect(again.body).toMatchObject({ error: { code: 'UploadNotFound' } });
    });
  });

  describe('a file that appears under the same name while the parts are sent', () => {
    it('is kept: S3 refuses the completion (If-None-Match) and the API answers 409 FileExists', async () => {
      // Prepare: a multipart upload of a new name, its parts sent…
      const fileName = 'contested.mp4';
      const created = await create({ fileName });
      expect(created.status).toBe(201);
      const { uploadId, partSize, partCount } = created.body;
      const signed = await signParts(token, uploadId, Array.from({ length: partCount }, (_, i) => i + 1));
      const etags = await inParallel(signed.body.parts, PARALLEL_PARTS, async (part) => {
        const sent = await putPart(part, partOf(source, partSize, part.partNumber));
        expect(sent.status).toBe(200);
        return { partNumber: part.partNumber, etag: (sent.etag ?? '').replace(/"/g, '') };
      });
      // …while a small single PUT of the same name lands first.
      const small = randomBytes(1000);
      const single = await api<{ url: string; headers: Record<string, string> }>('/uploads', { token, json: { folder, fileName, contentType: 'video/mp4', size: small.length } });
      expect(single.status).toBe(201);
      expect((await fetch(single.body.url, { method: 'PUT', headers: single.body.headers, body: small })).status).toBe(200);

      // Act
      const completed = await api(`/uploads/${uploadId}/complete`, { token, json: { parts: etags.sort((a, b) => a.partNumber - b.partNumber) } });

      // Assess
      expect(completed.status).toBe(409);
      expect(completed.body).toEqual({ error: { code: 'FileExists', message: expect.any(String) } });
      const s3 = localS3(context);
      const head = await s3.send(new HeadObjectCommand({ Bucket: context.bucketName, Key: `media${folder}/${fileName}` }));
      s3.destroy();
      expect(head.ContentLength).toBe(small.length);
    });

    it('answers 409 FileExists to a new multipart upload of a catalogued name unless it overwrites', async () => {
      // The row appears once the sync function has run for the PUT: seconds on a loaded machine.
      const taken = await eventually(async () => {
        const response = await create({ fileName: 'contested.mp4' });
        return response.status === 409 ? response : undefined;
      }, 30_000, 500);
      const replacing = await create({ fileName: 'contested.mp4', overwrite: true });

      expect(taken?.body).toEqual({ error: { code: 'FileExists', message: expect.any(String) } });
      expect(replacing.status).toBe(201);
      expect((await api(`/uploads/${replacing.body.uploadId}`, { token, method: 'DELETE' })).status).toBe(204);
    });
  });
});
