import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressResult, COMPRESS_MIN_BYTES } from '../../../../handlers/http/compress';

const page = JSON.stringify({ files: Array.from({ length: 60 }, (_, i) => ({ id: `file-${i}`, name: `IMG_${1000 + i}.jpg`, folder: '/2026/summer', size: 1234567 + i })) });
const answer = (body: string, extra: Record<string, string> = {}, statusCode = 200) => ({ statusCode, headers: { 'content-type': 'application/json', ...extra }, body });

describe('API answers compressed', () => {
  it('sends a large JSON answer in Brotli when accepted, base64 for API Gateway, the same JSON once decoded', () => {
    const result = compressResult(answer(page), 'gzip, deflate, br');
    expect(result.isBase64Encoded).toBe(true);
    expect(result.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding', 'content-type': 'application/json' });
    const bytes = Buffer.from(result.body as string, 'base64');
    expect(bytes.length).toBeLessThan(page.length / 5);
    expect(brotliDecompressSync(bytes).toString()).toBe(page);
  });

  it('falls back to gzip, and sends plain JSON (varying on accept-encoding) when nothing is accepted', () => {
    const gz = compressResult(answer(page), 'gzip');
    expect(gz.headers?.['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(gz.body as string, 'base64')).toString()).toBe(page);
    const plain = compressResult(answer(page), undefined);
    expect(plain.body).toBe(page);
    expect(plain.isBase64Encoded).toBeUndefined();
    expect(plain.headers?.vary).toBe('accept-encoding');
  });

  it('leaves small answers, errors, redirects, non-text and already encoded answers as they are', () => {
    const small = answer('{"ok":true}');
    expect('{"ok":true}'.length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(compressResult(small, 'br')).toBe(small);
    const error = answer(page, {}, 400);
    expect(compressResult(error, 'br')).toBe(error);
    const redirect = { statusCode: 302, headers: { location: 'https://x/' }, body: '' };
    expect(compressResult(redirect, 'br')).toBe(redirect);
    const binary = answer(page, { 'content-type': 'image/jpeg' });
    expect(compressResult(binary, 'br')).toBe(binary);
    const encoded = answer(page, { 'content-encoding': 'gzip' });
    expect(compressResult(encoded, 'br')).toBe(encoded);
  });

  it('keeps a vary the handler set, adding accept-encoding to it', () => {
    expect(compressResult(answer(page, { vary: 'origin' }), 'br').headers?.vary).toBe('origin, accept-encoding');
  });
});
