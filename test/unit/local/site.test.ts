import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chooseEncoding, contentSecurityPolicy, preconnectLinks } from '../../../contract/site';
import { securityHeaders, serveSite, siteFile } from '../../../local/site';

/** GET `urlPath` from `server` with raw bytes back (node's http does not decode). */
function get(server: Server, urlPath: string, acceptEncoding?: string): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local site', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'site-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'assets', 'app-1.js'), '');
    writeFileSync(path.join(dir, 'assets', 'big-2.js'), 'export const answer = 42;\n'.repeat(2000));
    writeFileSync(path.join(dir, 'assets', 'photo-3.png'), Buffer.alloc(4096, 7));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('siteFile', () => {
    it('finds the file a path names', () => {
      expect(siteFile(dir, '/assets/app-1.js')).toBe(path.join(dir, 'assets', 'app-1.js'));
    });

    it('answers nothing for a directory or a missing file (the SPA fallback decides)', () => {
      expect(siteFile(dir, '/assets')).toBeUndefined();
      expect(siteFile(dir, '/s/abc')).toBeUndefined();
    });

    it('never leaves the site directory, encoded or not', () => {
      expect(siteFile(dir, '/../../etc/passwd')).toBeUndefined();
      expect(siteFile(dir, '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
      expect(siteFile(dir, '/assets/%00')).toBeUndefined();
      expect(siteFile(dir, '/%E0%A4%A')).toBeUndefined();
    });
  });

  describe('compression (as the distribution compresses)', () => {
    let server: Server;
    beforeAll(async () => {
      server = createServer((req, res) => serveSite({ dir, mediaOrigins: [] }, req, res, new URL(req.url ?? '/', 'http://x').pathname));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const script = 'export const answer = 42;\n'.repeat(2000);

    it('answers scripts in Brotli when the browser accepts it, byte for byte the file once decoded', async () => {
      const { headers, body } = await get(server, '/assets/big-2.js', 'gzip, deflate, br');
      expect(headers['content-encoding']).toBe('br');
      expect(headers.vary).toBe('accept-encoding');
      expect(Number(headers['content-length'])).toBe(body.length);
      expect(body.length).toBeLessThan(script.length / 10);
      expect(brotliDecompressSync(body).toString()).toBe(script);
    });

    it('falls back to gzip, and to the plain file when nothing is accepted', async () => {
      const gz = await get(server, '/assets/big-2.js', 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).toString()).toBe(script);
      const plain = await get(server, '/assets/big-2.js');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString()).toBe(script);
    });

    it('leaves images as they are (compressed already)', async () => {
      const { headers, body } = await get(server, '/assets/photo-3.png', 'br, gzip');
      expect(headers['content-encoding']).toBeUndefined();
      expect(body.length).toBe(4096);
    });

    it('honours q=0 (refused) in accept-encoding', () => {
      expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
      expect(chooseEncoding('identity')).toBeUndefined();
      expect(chooseEncoding('*')).toBe('br');
    });
  });

  describe('securityHeaders', () => {
    it('allows scripts and styles only from the app, media and uploads only from the named origins', () => {
      const csp = contentSecurityPolicy(['http://127.0.0.1:9000']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      // WebAssembly only (the upload hashing): no eval.
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(csp.replace(" 'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:9000");
      expect(csp).toContain("frame-ancestors 'none'");
    });

    it('has pages preconnect to the media origin, unless it is the page\'s own', () => {
      expect(securityHeaders(['http://127.0.0.1:9000'], 'localhost:3000').link).toBe('<http://127.0.0.1:9000>; rel=preconnect');
      expect(securityHeaders(['http://127.0.0.1:9000'], '127.0.0.1:9000').link).toBeUndefined();
      expect(securityHeaders([], 'localhost:3000').link).toBeUndefined();
      expect(preconnectLinks(['https://b.s3.eu-west-1.amazonaws.com', 'https://photos.example.org'], 'https://photos.example.org')).toBe('<https://b.s3.eu-west-1.amazonaws.com>; rel=preconnect');
    });

    it('sends the preconnect with the app\'s files, to the request\'s own host', async () => {
      const withMedia = createServer((req, res) => serveSite({ dir, mediaOrigins: ['http://127.0.0.1:9000'] }, req, res, new URL(req.url ?? '/', 'http://x').pathname));
      await new Promise<void>((resolve) => withMedia.listen(0, '127.0.0.1', resolve));
      try {
        const { headers } = await get(withMedia, '/timeline');
        expect(headers.link).toBe('<http://127.0.0.1:9000>; rel=preconnect');
      } finally {
        await new Promise<void>((resolve) => withMedia.close(() => resolve()));
      }
    });

    it('sets nosniff, no framing and a strict referrer policy', () => {
      const headers = securityHeaders([]);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    });
  });
});
