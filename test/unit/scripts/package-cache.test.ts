import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cachedPackageDir, fetchIntoCache, lockedPackage, matchesIntegrity, readLockfile } from '../../../scripts/package-cache';

const ROOT = resolve(__dirname, '../../..');
const sri = (algorithm: string, data: Buffer): string => `${algorithm}-${createHash(algorithm).update(data).digest('base64')}`;

describe('matchesIntegrity', () => {
  const data = Buffer.from('a package tarball');

  it("accepts the bytes the lock's sha512 names", () => {
    expect(matchesIntegrity(data, sri('sha512', data))).toBe(true);
  });

  it('refuses the bytes once one of them changed', () => {
    const tampered = Buffer.from(data);
    tampered[0] ^= 1;

    expect(matchesIntegrity(tampered, sri('sha512', data))).toBe(false);
  });

  it('checks only the strongest algorithm given, as npm does: a matching sha256 beside a wrong sha512 is refused', () => {
    expect(matchesIntegrity(data, `${sri('sha256', data)} ${sri('sha512', Buffer.from('other'))}`)).toBe(false);
    expect(matchesIntegrity(data, `${sri('sha256', Buffer.from('other'))} ${sri('sha512', data)}`)).toBe(true);
  });

  it('refuses an empty or unknown integrity string', () => {
    expect(matchesIntegrity(data, '')).toBe(false);
    expect(matchesIntegrity(data, `md5-${createHash('md5').update(data).digest('base64')}`)).toBe(false);
  });
});

describe('lockedPackage', () => {
  it('reads a nested copy by its lock path (sharp-wasm32 pins its own @emnapi/runtime)', () => {
    const lock = readLockfile(ROOT);

    const nested = lockedPackage(lock, '@emnapi/runtime', 'node_modules/@img/sharp-wasm32/node_modules/@emnapi/runtime');

    expect(nested.version).toBe(lock.packages['node_modules/@img/sharp-wasm32/node_modules/@emnapi/runtime']?.version);
  });

  it('names a package missing from the lock', () => {
    expect(() => lockedPackage(readLockfile(ROOT), 'not-a-locked-package')).toThrow(/not-a-locked-package is not in package-lock.json/);
  });
});

// Fetches a small package (tslib, at the lock's version) from the npm registry or npm's cache.
describe('fetchIntoCache', () => {
  const tslib = lockedPackage(readLockfile(ROOT), 'tslib');
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-store-package-cache-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("unpacks the lock's version under .cache/packages/, and reuses it without fetching again", () => {
    const dir = fetchIntoCache(root, tslib);
    writeFileSync(join(dir, 'marker'), 'kept');

    const again = fetchIntoCache(root, tslib);

    expect(dir).toBe(cachedPackageDir(root, tslib));
    expect(dir.startsWith(join(root, '.cache', 'packages', 'tslib'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ name: 'tslib', version: tslib.version });
    expect(again).toBe(dir);
    expect(readFileSync(join(again, 'marker'), 'utf8')).toBe('kept');
  }, 60_000);

  it("refuses a tarball that does not match the lock's integrity, and leaves nothing in the cache", () => {
    const forged = { ...tslib, integrity: sri('sha512', Buffer.from('not tslib')) };

    expect(() => fetchIntoCache(root, forged)).toThrow(/tslib@.* does not match package-lock.json's integrity/);
    expect(existsSync(cachedPackageDir(root, forged))).toBe(false);
    expect(readdirSync(join(root, '.cache', 'packages', 'tslib'))).toEqual([]);
  }, 60_000);
});
