import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheControlOf, contentTypeOf } from '../../../../contract/site';
import { hasWebBuild, readWebBuild } from '../../../../modules/media-store/site-files';
import { spaRoutingCode, FUNCTION_CODE_LIMIT } from '../../../../modules/media-store/site-routing';

describe('contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/index-1a2b.js', 'text/javascript; charset=utf-8'],
    ['assets/INDEX-1A2B.CSS', 'text/css; charset=utf-8'],
    ['manifest.webmanifest', 'application/manifest+json'],
    ['assets/font-9f.woff2', 'font/woff2'],
  ])('types %s as %s', (key, type) => {
    expect(contentTypeOf(key)).toBe(type);
  });

  it.each(['LICENSE', 'assets/.hidden', 'dir.d/README', 'archive.unknownext'])('types %s as application/octet-stream', (key) => {
    expect(contentTypeOf(key)).toBe('application/octet-stream');
  });
});

describe('cacheControlOf', () => {
  it('caches content-hashed files under assets/ for a year, immutable', () => {
    expect(cacheControlOf('assets/index-1a2b.js')).toBe('public, max-age=31536000, immutable');
  });

  it('makes browsers revalidate index.html and other unhashed files', () => {
    expect(cacheControlOf('index.html')).toBe('no-cache');
    expect(cacheControlOf('assets-list.json')).toBe('no-cache');
  });
});

describe('readWebBuild', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-web-build-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists every file with a posix key, sorted, with its type, caching and MD5', () => {
    // Prepare
    fs.mkdirSync(path.join(root, 'assets', 'fonts'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(root, 'assets', 'app-1a.js'), 'run()');
    fs.writeFileSync(path.join(root, 'assets', 'fonts', 'a-2b.woff2'), Buffer.from([0, 1, 2]));

    // Act
    const files = readWebBuild(root);

    // Assess
    expect(files.map((f) => f.key)).toEqual(['assets/app-1a.js', 'assets/fonts/a-2b.woff2', 'index.html']);
    const js = files[0];
    expect(js).toEqual({
      key: 'assets/app-1a.js',
      relativePath: path.join('assets', 'app-1a.js'),
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
      md5: createHash('md5').update('run()').digest('hex'),
    });
  });

  it('throws, naming the missing index.html and the fix, when there is no build', () => {
    expect(hasWebBuild(root)).toBe(false);
    expect(() => readWebBuild(root)).toThrow(`${path.join(root, 'index.html')} does not exist: run \`npm run build\``);
  });
});

describe('spaRoutingCode', () => {
  it('throws when the build has more root files than a CloudFront Function can hold', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `icons/icon-${i}.png`);
    expect(() => spaRoutingCode(many)).toThrow(new RegExp(`limit ${FUNCTION_CODE_LIMIT}`));
  });
});
