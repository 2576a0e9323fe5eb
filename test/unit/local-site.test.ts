import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentSecurityPolicy } from '../../contract/site';
import { securityHeaders, siteFile } from '../../local/site';

describe('local site', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'site-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'assets', 'app-1.js'), '');
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

    it('sets nosniff, no framing and a strict referrer policy', () => {
      const headers = securityHeaders([]);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    });
  });
});
