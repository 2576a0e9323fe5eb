import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configPath, normalizeApiUrl, readConfig, resolveApiUrl, stateDir, tokenFor, writeConfig } from '../../../cli/config';
import { CliError, UsageError } from '../../../cli/errors';
import { stateKey, UploadStateStore, type UploadIdentity, type UploadState } from '../../../cli/upload-state';
import { computeChecksums, expectedPartSize } from '../../../cli/uploader';
import { crc32cBitwise } from '../support';

const identity: UploadIdentity = { apiUrl: 'http://api', filePath: '/data/a.mov', size: 100, mtimeMs: 1700000000123.5, folder: '/trips', name: 'a.mov' };

describe('stateKey', () => {
  it('is stable for the same file and changes with any of path, size, mtime, folder, name or API', () => {
    const key = stateKey(identity);

    expect(stateKey({ ...identity })).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    for (const change of [{ filePath: '/data/b.mov' }, { size: 101 }, { mtimeMs: 1700000001000 }, { folder: '/x' }, { name: 'b.mov' }, { apiUrl: 'http://other' }]) {
      expect(stateKey({ ...identity, ...change })).not.toBe(key);
    }
  });

  it('ignores sub-millisecond mtime noise', () => {
    expect(stateKey({ ...identity, mtimeMs: 1700000000123.9 })).toBe(stateKey(identity));
  });
});

describe('UploadStateStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const state: UploadState = { version: 1, identity, uploadId: 'u1', fileId: 'f1', partSize: 10, partCount: 10, completedParts: [{ partNumber: 2, etag: 'e2' }], startedAt: '2026-01-01T00:00:00Z' };

  it('saves a state readable only by its owner and loads it back', () => {
    const store = new UploadStateStore(path.join(dir, 'uploads'));

    store.save(state);

    expect(store.load(identity)).toEqual(state);
    expect(statSync(store.fileOf(identity)).mode & 0o777).toBe(0o600);
  });

  it('finds nothing for another identity, a removed state or a corrupt file', () => {
    const store = new UploadStateStore(dir);
    store.save(state);

    expect(store.load({ ...identity, size: 99 })).toBeUndefined();
    writeFileSync(store.fileOf(identity), '{not json');
    expect(store.load(identity)).toBeUndefined();
    store.save(state);
    store.remove(identity);
    expect(store.load(identity)).toBeUndefined();
  });
});

describe('config', () => {
  it('finds the config file from MEDIA_STORE_CONFIG, XDG_CONFIG_HOME or the home directory, and the state next to it', () => {
    expect(configPath({ MEDIA_STORE_CONFIG: '/tmp/ms.json' })).toBe('/tmp/ms.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/media-store/config.json');
    expect(configPath({})).toMatch(/\.config\/media-store\/config\.json$/);
    expect(stateDir({ MEDIA_STORE_CONFIG: '/tmp/x/ms.json' })).toBe('/tmp/x/uploads');
  });

  it('takes the URL from --url, then MEDIA_STORE_URL, then the config', () => {
    expect(resolveApiUrl('http://flag/', { MEDIA_STORE_URL: 'http://env' }, { url: 'http://config' })).toBe('http://flag');
    expect(resolveApiUrl(undefined, { MEDIA_STORE_URL: 'http://env' }, { url: 'http://config' })).toBe('http://env');
    expect(resolveApiUrl(undefined, {}, { url: 'https://config/prod/' })).toBe('https://config/prod');
    expect(() => resolveApiUrl(undefined, {}, {})).toThrow(/no API URL/);
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => normalizeApiUrl('ftp://x')).toThrow(UsageError);
    expect(() => normalizeApiUrl('not a url')).toThrow(UsageError);
  });

  it('sends the saved token only to the API that issued it', () => {
    const config = { url: 'http://api/', token: 't' };

    expect(tokenFor('http://api', config)).toBe('t');
    expect(tokenFor('http://other', config)).toBeUndefined();
  });

  it('writes the config with mode 0600, reads it back, treats a missing file as empty and a corrupt one as an error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-config-'));
    const file = path.join(dir, 'nested', 'config.json');
    try {
      expect(readConfig(file)).toEqual({});
      writeConfig(file, { url: 'http://api', token: 'secret' });
      expect(readConfig(file)).toEqual({ url: 'http://api', token: 'secret' });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      writeFileSync(file, '[1');
      expect(() => readConfig(file)).toThrow(CliError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('computeChecksums', () => {
  const sha = (data: Buffer): string => createHash('sha256').update(data).digest('base64');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-sums-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['parts that do not divide the 1 MiB read size', 3 * 1024 * 1024 + 17, 1024 * 1024 - 3],
    ['a size that is a whole number of parts', 4 * 1024 * 1024, 1024 * 1024],
    ['one part smaller than a read', 1000, 4096],
    ['an empty file', 0, 1024],
  ])('hashes the whole file (SHA-256) and every part (CRC-32C) in one read: %s', async (_name, size, partSize) => {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) data[i] = (i * 31 + 7) % 251;
    const file = path.join(dir, `f-${size}-${partSize}`);
    writeFileSync(file, data);

    const sums = await computeChecksums(file, size, partSize);

    const expectedParts: string[] = [];
    for (let start = 0; start < size || expectedParts.length === 0; start += partSize) expectedParts.push(crc32cBitwise(data.subarray(start, start + partSize)));
    expect(sums.sha256).toBe(sha(data));
    expect(sums.parts).toEqual(expectedParts);
    expect(readFileSync(file).length).toBe(size);
  });
});

describe('expectedPartSize', () => {
  const MiB = 1024 * 1024;

  it('is 8 MiB up to 10,000 such parts, then the smallest whole MiB that fits 10,000 parts', () => {
    expect(expectedPartSize(0)).toBe(8 * MiB);
    expect(expectedPartSize(10_000 * 8 * MiB)).toBe(8 * MiB);
    expect(expectedPartSize(10_000 * 8 * MiB + 1)).toBe(9 * MiB);
    const fiveTiB = 5 * 1024 ** 4;
    expect(Math.ceil(fiveTiB / expectedPartSize(fiveTiB))).toBeLessThanOrEqual(10_000);
  });
});
