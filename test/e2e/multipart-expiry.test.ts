/**
 * A part URL that expired is refused by S3 and works again once re-signed: the point of
 * signing parts on demand. Real expiry on the real clock, on a stack of its own whose upload
 * URLs live 2 seconds (`upload_url_ttl_seconds`, set as TF_VAR would; Terraform's validation
 * asks for at least 60, the local stack does not check it) and whose multipart threshold is
 * 5 MiB, so a small file goes multipart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { partOf, putPart, type MultipartCreated, type SignedPart } from './support/multipart';
import { adminTokenOf, startOwnStack } from './support/own-stack';

const MiB = 1024 ** 2;
const URL_TTL_SECONDS = 2;

describe('an expired part URL', () => {
  let stack: LocalStack;
  let token: string;
  const source = randomBytes(10 * MiB + 7);

  const call = async <T>(route: string, method: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  beforeAll(async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-expiry-'));
    const own = await startOwnStack(logDir, { upload_url_ttl_seconds: URL_TTL_SECONDS, multipart_threshold_bytes: 5 * MiB });
    stack = own.stack;
    token = await adminTokenOf(stack, own.adminPassword);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('is refused by S3, and re-signing the part lets the upload finish', async () => {
    const created = await call<MultipartCreated>('/uploads', 'POST', { folder: '/expiry', fileName: 'clip.mp4', contentType: 'video/mp4', size: source.length });
    expect(created.body).toMatchObject({ mode: 'multipart', partSize: 8 * MiB, partCount: 2 });
    const { uploadId } = created.body;

    const signed = await call<{ parts: SignedPart[]; expiresAt: string }>(`/uploads/${uploadId}/parts`, 'POST', { partNumbers: [1, 2] });
    const [first, second] = signed.body.parts as [SignedPart, SignedPart];
    const sentFirst = await putPart(first, partOf(source, 8 * MiB, 1));
    expect(sentFirst.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, Date.parse(signed.body.expiresAt) - Date.now() + 1100));
    const stale = await putPart(second, partOf(source, 8 * MiB, 2));
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('Request has expired');

    const resigned = await call<{ parts: SignedPart[] }>(`/uploads/${uploadId}/parts`, 'POST', { partNumbers: [2] });
    const sentSecond = await putPart(resigned.body.parts[0] as SignedPart, partOf(source, 8 * MiB, 2));
    expect(sentSecond.status).toBe(200);

    const completed = await call<{ file: { size: number } }>(`/uploads/${uploadId}/complete`, 'POST', {
      parts: [
        { partNumber: 1, etag: sentFirst.etag },
        { partNumber: 2, etag: sentSecond.etag },
      ],
    });
    expect(completed.status).toBe(200);
    expect(completed.body.file.size).toBe(source.length);
  }, 30_000);
});
