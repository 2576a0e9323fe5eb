/**
 * uploadFile against a small fake of the API and S3 in one HTTP server: the CLI's adapter over
 * the one multipart pipeline (whose rules test/unit/client/multipart.test.ts checks in virtual
 * time) — file ranges and worker-thread hashes reach S3 intact, checksums, a retry and a
 * re-signed URL over real HTTP, completion, and resuming from a state file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../../cli/api-client';
import { UploadStateStore, type UploadIdentity } from '../../../cli/upload-state';
import { uploadFile } from '../../../cli/uploader';
import { crc32cBitwise } from '../support';

const PART = 64 * 1024;
const SIZE = 5 * PART + 123; // 6 parts
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('base64');
/** A part's checksum in the algorithm the fake API created the upload with. */
const partSum = (algorithm: string, data: Buffer): string => (algorithm === 'SHA256' ? sha(data) : crc32cBitwise(data));

interface Fake {
  readonly url: string;
  readonly puts: number[];
  readonly signRequests: { partNumbers: number[]; checksums?: Record<string, string>; putsBefore: number }[];
  /** Part number → status to answer once, before accepting it. */
  readonly failOnce: Map<number, { status: number; code: string; message: string }>;
  held: { partNumber: number; etag: string; size: number; checksum?: string; sha256?: string }[];
  /** The upload's part checksum algorithm: what the client asked for at creation (CRC32C on a resume). */
  algorithm: string;
  /** What GET /uploads/u1 answers as the upload's checksumAlgorithm (a resume). */
  statusAlgorithm?: string;
  completed?: { partNumber: number; etag: string }[];
  created?: Record<string, unknown>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `putDelayMs`: how long each part PUT takes to answer, as S3's do (default at once). */
async function startFake(size: number = SIZE, putDelayMs = 0): Promise<Fake> {
  const partCount = Math.ceil(size / PART);
  const fake = { puts: [], signRequests: [], failOnce: new Map(), held: [], algorithm: 'CRC32C' } as unknown as Fake & { url: string; server: Server };
  const json = (res: ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const data = await body(req);
    if (req.method === 'POST' && url.pathname === '/uploads') {
      fake.created = JSON.parse(data.toString()) as Record<string, unknown>;
      fake.algorithm = String(fake.created.checksumAlgorithm);
      return json(res, 201, { uploadId: 'u1', fileId: 'f1', mode: 'multipart', partSize: PART, partCount, expiresAt: new Date(Date.now() + 3600e3).toISOString(), checksumAlgorithm: fake.created.checksumAlgorithm });
    }
    if (req.method === 'POST' && url.pathname === '/uploads/u1/parts') {
      const request = JSON.parse(data.toString()) as { partNumbers: number[]; checksums?: Record<string, string> };
      fake.signRequests.push({ ...request, putsBefore: fake.puts.length });
      const parts = request.partNumbers.map((n) => ({
        partNumber: n,
        url: `${fake.url}/s3/${n}`,
        headers: { 'content-length': String(n < partCount ? PART : size - (partCount - 1) * PART), [`x-amz-checksum-${fake.algorithm.toLowerCase()}`]: request.checksums?.[String(n)] ?? '' },
      }));
      return json(res, 200, { parts, expiresAt: new Date(Date.now() + 3600e3).toISOString() });
    }
    if (req.method === 'GET' && url.pathname === '/uploads/u1') {
      if (fake.statusAlgorithm !== undefined) fake.algorithm = fake.statusAlgorithm;
      return json(res, 200, { uploadId: 'u1', status: 'pending', parts: fake.held, ...(fake.statusAlgorithm !== undefined ? { checksumAlgorithm: fake.statusAlgorithm } : {}) });
    }
    if (req.method === 'POST' && url.pathname === '/uploads/u1/complete') {
      fake.completed = (JSON.parse(data.toString()) as { parts: { partNumber: number; etag: string }[] }).parts;
      return json(res, 200, { file: { id: 'f1', folder: '/x', name: 'a.mov', size: SIZE } });
    }
    const part = /^\/s3\/(\d+)$/.exec(url.pathname);
    if (req.method === 'PUT' && part) {
      const n = Number(part[1]);
      fake.puts.push(n);
      const failure = fake.failOnce.get(n);
      if (failure) {
        fake.failOnce.delete(n);
        res.writeHead(failure.status, { 'content-type': 'application/xml' });
        return res.end(`<Error><Code>${failure.code}</Code><Message>${failure.message}</Message></Error>`);
      }
      if (Number(req.headers['content-length']) !== data.length || req.headers[`x-amz-checksum-${fake.algorithm.toLowerCase()}`] !== partSum(fake.algorithm, data)) {
        res.writeHead(400);
        return res.end('<Error><Code>BadDigest</Code><Message>mismatch</Message></Error>');
      }
      if (putDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, putDelayMs));
      res.writeHead(200, { etag: `"etag-${n}"` });
      return res.end();
    }
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

describe('uploadFile', () => {
  let fake: Fake;
  let dir: string;
  let file: string;
  let content: Buffer;
  const retry = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

  beforeEach(async () => {
    fake = await startFake();
    dir = mkdtempSync(path.join(tmpdir(), 'cli-uploader-'));
    file = path.join(dir, 'a.mov');
    content = randomBytes(SIZE);
    writeFileSync(file, content);
  });

  afterEach(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares the file SHA-256, signs parts in batches with their checksums, retries a 503, re-signs an expired URL and completes in order', async () => {
    const states = new UploadStateStore(path.join(dir, 'state'));
    fake.failOnce.set(2, { status: 503, code: 'SlowDown', message: 'busy' });
    fake.failOnce.set(4, { status: 403, code: 'AccessDenied', message: 'Request has expired' });
    let bytes = 0;

    const result = await uploadFile({
      api: new ApiClient({ baseUrl: fake.url, retry }),
      filePath: file,
      folder: '/x',
      parallel: 2,
      retry,
      states,
      listener: { bytes: (delta) => (bytes += delta) },
    });

    expect(fake.created).toMatchObject({ folder: '/x', fileName: 'a.mov', contentType: 'video/quicktime', size: SIZE, sha256: sha(content), checksumAlgorithm: 'CRC32C' });
    expect(fake.signRequests.some((r) => r.partNumbers.length > 1)).toBe(true);
    for (const request of fake.signRequests) {
      for (const n of request.partNumbers) expect(request.checksums?.[String(n)]).toBe(crc32cBitwise(content.subarray((n - 1) * PART, n * PART)));
    }
    expect(fake.signRequests.filter((r) => r.partNumbers[0] === 4).length).toBeGreaterThanOrEqual(1);
    expect(fake.puts.sort((a, b) => a - b)).toEqual([1, 2, 2, 3, 4, 4, 5, 6]);
    expect(fake.completed).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ partNumber: n, etag: `etag-${n}` })));
    expect(result).toMatchObject({ fileId: 'f1', mode: 'multipart', resumed: false, partsReused: 0 });
    expect(bytes).toBe(SIZE);
    const stat = statSync(file);
    const identity: UploadIdentity = { apiUrl: fake.url, filePath: file, size: SIZE, mtimeMs: stat.mtimeMs, folder: '/x', name: 'a.mov' };
    expect(states.load(identity)).toBeUndefined();
  });

  it('declares no whole-file SHA-256 when told not to (a large file by default), and hashes each part while sending, signing it with its checksum', async () => {
    const result = await uploadFile({ api: new ApiClient({ baseUrl: fake.url, retry }), filePath: file, folder: '/x', parallel: 2, retry, fileSha256: false });

    expect(fake.created).toMatchObject({ size: SIZE, checksumAlgorithm: 'CRC32C' });
    expect(fake.created).not.toHaveProperty('sha256');
    const signed = fake.signRequests.flatMap((r) => r.partNumbers.map((n) => [n, r.checksums?.[String(n)]] as const));
    expect(new Map(signed)).toEqual(new Map([1, 2, 3, 4, 5, 6].map((n) => [n, crc32cBitwise(content.subarray((n - 1) * PART, n * PART))])));
    expect(fake.completed).toHaveLength(6);
    expect(result.partsSent).toHaveLength(6);
  });

  it('declares the whole file\'s SHA-256 of any size with fileSha256', async () => {
    await uploadFile({ api: new ApiClient({ baseUrl: fake.url, retry }), filePath: file, folder: '/x', retry, fileSha256: true });

    expect(fake.created).toMatchObject({ sha256: sha(content), checksumAlgorithm: 'CRC32C' });
  });

  it('resumes from the state file, sending only the parts S3 does not hold with the right size and checksum', async () => {
    const states = new UploadStateStore(path.join(dir, 'state'));
    const stat = statSync(file);
    const identity: UploadIdentity = { apiUrl: fake.url, filePath: file, size: SIZE, mtimeMs: stat.mtimeMs, folder: '/x', name: 'a.mov' };
    const partSums = [1, 2, 3, 4, 5, 6].map((n) => crc32cBitwise(content.subarray((n - 1) * PART, n * PART)));
    states.save({ version: 1, identity, uploadId: 'u1', fileId: 'f1', partSize: PART, partCount: 6, completedParts: [], sha256: sha(content), checksumAlgorithm: 'CRC32C', partChecksums: partSums, startedAt: 'x' });
    fake.statusAlgorithm = 'CRC32C';
    fake.held = [
      { partNumber: 1, etag: 'etag-1', size: PART, checksum: partSums[0] },
      { partNumber: 2, etag: 'etag-2', size: PART - 1 }, // truncated: sent again
      { partNumber: 3, etag: 'etag-3', size: PART, checksum: partSums[0] }, // another body: sent again
      { partNumber: 5, etag: 'etag-5', size: PART },
    ];
    let started: [number, number] | undefined;

    const result = await uploadFile({
      api: new ApiClient({ baseUrl: fake.url, retry }),
      filePath: file,
      folder: '/x',
      retry,
      states,
      listener: { start: (size, stored) => (started = [size, stored]) },
    });

    expect(fake.created).toBeUndefined();
    expect(fake.puts.sort((a, b) => a - b)).toEqual([2, 3, 4, 6]);
    expect(started).toEqual([SIZE, 2 * PART]);
    expect(fake.completed).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ partNumber: n, etag: `etag-${n}` })));
    expect(result).toMatchObject({ resumed: true, partsReused: 2 });
    expect(states.load(identity)).toBeUndefined();
  });

  it('resumes an upload created with SHA256 parts (before CRC32C), hashing the parts still due with SHA-256', async () => {
    const states = new UploadStateStore(path.join(dir, 'state'));
    const stat = statSync(file);
    const identity: UploadIdentity = { apiUrl: fake.url, filePath: file, size: SIZE, mtimeMs: stat.mtimeMs, folder: '/x', name: 'a.mov' };
    states.save({ version: 1, identity, uploadId: 'u1', fileId: 'f1', partSize: PART, partCount: 6, completedParts: [], sha256: sha(content), checksumAlgorithm: 'SHA256', startedAt: 'x' });
    fake.statusAlgorithm = 'SHA256';
    const first = sha(content.subarray(0, PART));
    fake.held = [{ partNumber: 1, etag: 'etag-1', size: PART, checksum: first, sha256: first }];

    await uploadFile({ api: new ApiClient({ baseUrl: fake.url, retry }), filePath: file, folder: '/x', retry, states });

    expect(fake.puts.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6]);
    const signed = new Map(fake.signRequests.flatMap((r) => r.partNumbers.map((n) => [n, r.checksums?.[String(n)]] as const)));
    expect(signed).toEqual(new Map([2, 3, 4, 5, 6].map((n) => [n, sha(content.subarray((n - 1) * PART, n * PART))])));
    expect(fake.completed).toHaveLength(6);
  });
});
