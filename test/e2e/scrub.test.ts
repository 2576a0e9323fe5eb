/**
 * The scrub (issue 22 §3) on a stack of this suite's own, its hourly schedule run every 500 ms:
 * every file gets a `verifiedAt`; a file without a SHA-256 gets one on its first read; a file
 * whose bytes are damaged on the local S3's disk (s3rver's object file, same length) is marked
 * `corruptAt` in the files API, one `file.corrupt` message reaches the ops topic (the local SNS),
 * and the damaged object is left as it is (never replaced or deleted). The same for a multipart
 * upload whose parts carried their CRC-32C (the clients' part checksum) and whose SHA-256 was
 * declared at completion.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { jpegLike } from './support/media';
import { adminTokenOf, startOwnStack } from './support/own-stack';
import { snsMessages } from './support/signed';
import { crc32cBase64, partOf, putPart, type MultipartCreated, type SignedPart } from './support/multipart';

jest.setTimeout(240_000);

const SCHEDULE_EVERY_MS = 500;
const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FileView {
  id: string;
  name: string;
  sha256?: string;
  verifiedAt?: string;
  corruptAt?: string;
}

interface Published {
  topicArn: string;
  message: string;
  attributes: Record<string, { dataType: string; value: string }>;
}

describe('the scrub', () => {
  let stack: LocalStack;
  let token: string;
  const folder = '/scrub';

  const call = async <T>(route: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const upload = async (fileName: string, bytes: Buffer, declareSha256: boolean): Promise<string> => {
    const created = await call<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
      folder,
      fileName,
      contentType: 'image/jpeg',
      size: bytes.length,
      ...(declareSha256 ? { sha256: sha256(bytes) } : {}),
    });
    if (created.status !== 201) throw new Error(`POST /uploads: ${created.status} ${JSON.stringify(created.body)}`);
    const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
    if (put.status !== 200) throw new Error(`PUT: ${put.status} ${await put.text()}`);
    return created.body.fileId;
  };

  const fileWhen = async (id: string, predicate: (file: FileView) => boolean, timeoutMs = 30_000): Promise<FileView | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await call<FileView>(`/files/${id}`);
      if (response.status === 200 && predicate(response.body)) return response.body;
      if (Date.now() > deadline) return undefined;
      await sleep(200);
    }
  };

  const corruptAlerts = async (): Promise<(Published & { body: Record<string, unknown> })[]> =>
    (await snsMessages<Published>(stack)).map((m) => ({ ...m, body: JSON.parse(m.message) as Record<string, unknown> })).filter((m) => m.body.type === 'file.corrupt');

  const alertsWhen = async (predicate: (found: Awaited<ReturnType<typeof corruptAlerts>>) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await corruptAlerts();
      if (predicate(found) || Date.now() > deadline) return found;
      await sleep(100);
    }
  };

  /** s3rver's file of an object's bytes: `<dir>/<bucket>/<key>._S3rver_object`. */
  const objectFileOf = (key: string): string => path.join(stack.s3Directory, stack.bucketName, `${key}._S3rver_object`);

  beforeAll(async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-scrub-'));
    // Multipart from S3's smallest part on, so a 17 MiB file is three parts.
    const own = await startOwnStack(logDir, { multipart_threshold_bytes: 5 * MiB }, { scheduleIntervalMs: SCHEDULE_EVERY_MS });
    stack = own.stack;
    // A cold auth function on a loaded machine can time out once: log in again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        token = await adminTokenOf(stack, own.adminPassword);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }, 200_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('verifies every file, records a SHA-256 where none was declared, and marks and reports a file whose bytes rotted on disk, leaving it as it is', async () => {
    // Prepare: two photos uploaded with their SHA-256 (S3 verified it), one without.
    const damaged = jpegLike(40_000);
    const intact = jpegLike(30_000);
    const undeclared = jpegLike(20_000);
    const damagedId = await upload('damaged.jpg', damaged, true);
    const intactId = await upload('intact.jpg', intact, true);
    const undeclaredId = await upload('undeclared.jpg', undeclared, false);
    // The same bytes again, declared: a duplicate once the scrub has recorded the first one's SHA-256.
    const copyId = await upload('undeclared copy.jpg', undeclared, true);

    const firstIntact = await fileWhen(intactId, (f) => f.verifiedAt !== undefined);
    const firstDamaged = await fileWhen(damagedId, (f) => f.verifiedAt !== undefined);
    const recorded = await fileWhen(undeclaredId, (f) => f.verifiedAt !== undefined && f.sha256 !== undefined);
    expect(firstIntact).toMatchObject({ sha256: sha256(intact) });
    expect(firstDamaged).toMatchObject({ sha256: sha256(damaged) });
    expect(firstDamaged!.corruptAt).toBeUndefined();
    // Recorded from the bytes the scrub read, and found as the content it is.
    expect(recorded).toMatchObject({ sha256: sha256(undeclared) });
    const duplicates = await call<{ groups: { sha256: string; copies: { id: string }[] }[] }>('/files/duplicates');
    expect(duplicates.status).toBe(200);
    const group = duplicates.body.groups.find((g) => g.sha256 === sha256(undeclared));
    expect(group?.copies.map((c) => c.id).sort()).toEqual([undeclaredId, copyId].sort());
    expect(await corruptAlerts()).toEqual([]);

    // Act: one byte flipped in the middle of the stored object, its length and ETag unchanged.
    const damagedKey = Buffer.from(damagedId, 'base64url').toString('utf8');
    const file = objectFileOf(damagedKey);
    const rotten = Buffer.from(readFileSync(file));
    expect(rotten.equals(damaged)).toBe(true);
    rotten[20_000] = rotten[20_000]! ^ 0x01;
    writeFileSync(file, rotten);

    // Assess: marked in the files API, reported once on the ops topic.
    const marked = await fileWhen(damagedId, (f) => f.corruptAt !== undefined);
    expect(marked).toBeDefined();
    // The mark is written before the message is sent: wait for the message.
    const alerts = await alertsWhen((found) => found.length > 0);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.topicArn).toMatch(/:media-store-ops$/);
    expect(alerts[0]!.attributes.type).toEqual({ dataType: 'String', value: 'file.corrupt' });
    expect(alerts[0]!.body).toMatchObject({
      type: 'file.corrupt',
      fileId: damagedId,
      key: damagedKey,
      size: damaged.length,
      expectedSha256: sha256(damaged),
      foundSha256: sha256(rotten),
      bytesRead: damaged.length,
    });
    // The other files go on being verified, unmarked.
    const later = await fileWhen(intactId, (f) => f.verifiedAt! > marked!.corruptAt!);
    expect(later!.corruptAt).toBeUndefined();
    expect((await fileWhen(undeclaredId, () => true))!.corruptAt).toBeUndefined();
    // A further pass over the damaged file stays quiet, and the scrub never touched its bytes.
    await fileWhen(intactId, (f) => f.verifiedAt! > later!.verifiedAt!);
    await sleep(4 * SCHEDULE_EVERY_MS);
    expect(await corruptAlerts()).toHaveLength(1);
    expect(readFileSync(file).equals(rotten)).toBe(true);
    expect((await call<FileView>(`/files/${damagedId}`)).body).toMatchObject({ sha256: sha256(damaged), corruptAt: marked!.corruptAt });
  });
  it('verifies a multipart upload whose parts carried their CRC-32C, and marks and reports it once its bytes rot on disk', async () => {
    // Prepare: 17 MiB in three parts, each signed and sent with its CRC-32C (S3 verified each),
    // the whole file's SHA-256 declared at completion, as both clients send a large file.
    const bytes = jpegLike(17 * MiB + 4321);
    const created = await call<MultipartCreated>('/uploads', { folder, fileName: 'parts.jpg', contentType: 'image/jpeg', size: bytes.length, checksumAlgorithm: 'CRC32C' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'multipart', checksumAlgorithm: 'CRC32C', partCount: 3 });
    const { uploadId, fileId, partSize, partCount } = created.body;
    const numbers = Array.from({ length: partCount }, (_, i) => i + 1);
    const sums = new Map(await Promise.all(numbers.map(async (n) => [n, await crc32cBase64(partOf(bytes, partSize, n))] as const)));
    const signed = await call<{ parts: SignedPart[] }>(`/uploads/${uploadId}/parts`, { partNumbers: numbers, checksums: Object.fromEntries(sums) });
    expect(signed.status).toBe(200);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of signed.body.parts) {
      expect(part.headers['x-amz-checksum-crc32c']).toBe(sums.get(part.partNumber));
      const put = await putPart(part, partOf(bytes, partSize, part.partNumber));
      expect(put.status).toBe(200);
      parts.push({ partNumber: part.partNumber, etag: (put.etag ?? '').replace(/"/g, '') });
    }
    const completed = await call<{ file: FileView }>(`/uploads/${uploadId}/complete`, { parts, sha256: sha256(bytes) });
    expect(completed.status).toBe(200);

    // Act 1: the scrub reads it whole.
    const verified = await fileWhen(fileId, (f) => f.verifiedAt !== undefined, 60_000);

    // Assess 1: the stored object matched the declared SHA-256.
    expect(verified).toMatchObject({ sha256: sha256(bytes) });
    expect(verified!.corruptAt).toBeUndefined();
    expect((await corruptAlerts()).filter((a) => a.body.fileId === fileId)).toEqual([]);

    // Act 2: one byte flipped in the second part's bytes on the local S3's disk, length kept.
    const key = Buffer.from(fileId, 'base64url').toString('utf8');
    const file = objectFileOf(key);
    const rotten = Buffer.from(readFileSync(file));
    expect(rotten.equals(bytes)).toBe(true);
    const at = partSize + 12_345;
    rotten[at] = rotten[at]! ^ 0x80;
    writeFileSync(file, rotten);

    // Assess 2: marked, and reported once on the ops topic with both SHA-256s; the bytes left as they are.
    const marked = await fileWhen(fileId, (f) => f.corruptAt !== undefined, 60_000);
    expect(marked).toMatchObject({ sha256: sha256(bytes) });
    const alerts = (await alertsWhen((found) => found.some((a) => a.body.fileId === fileId))).filter((a) => a.body.fileId === fileId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.body).toMatchObject({ type: 'file.corrupt', fileId, key, size: bytes.length, expectedSha256: sha256(bytes), foundSha256: sha256(rotten), bytesRead: bytes.length });
    expect(readFileSync(file).equals(rotten)).toBe(true);
  });
});
