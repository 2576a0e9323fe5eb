/**
 * Packages npm did not install here (the other Lambda architecture's sharp, libvips and ffmpeg,
 * sharp's WASM build), fetched at the exact versions of package-lock.json into a cache of the
 * build's own, `.cache/packages/<name>/<version>-<hash>/`, never into node_modules: an
 * `npm install` there, even `--no-save`, prunes the tree (issue 16: under `npx cdktf synth` it
 * removed sharp and tsx).
 *
 * Each package is `npm pack`ed from the registry npm is configured with (nothing else is
 * contacted), its tarball checked against the lock's integrity hash, unpacked into a staging
 * directory and renamed into place: a directory in the cache is always complete and verified,
 * and is reused by every later build. Deleting `.cache/` is always safe.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A package as package-lock.json pins it. */
interface LockedPackage {
  readonly name: string;
  readonly version: string;
  /** Subresource-integrity string(s), e.g. `sha512-…`. */
  readonly integrity: string;
}

interface Lockfile {
  packages: Record<string, { version?: string; integrity?: string }>;
}

/** The build cache of a project: gitignored, safe to delete. */
export const cacheDir = (root: string): string => join(root, '.cache');

export const readLockfile = (root: string): Lockfile => JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lockfile;

/**
 * The version and integrity package-lock.json pins for a package: a top-level one by default,
 * or the one at `lockPath` (e.g. `node_modules/a/node_modules/b`, a nested copy).
 */
export function lockedPackage(lock: Lockfile, name: string, lockPath = `node_modules/${name}`): LockedPackage {
  const entry = lock.packages[lockPath];
  if (entry?.version === undefined || entry.integrity === undefined) {
    throw new Error(`${name} is not in package-lock.json with a version and integrity: add it (npm install ${name}) before building`);
  }
  return { name, version: entry.version, integrity: entry.integrity };
}

/** Whether the tarball's bytes match the integrity string's strongest hash (sha512, sha384 or sha256). */
export function matchesIntegrity(data: Buffer, integrity: string): boolean {
  const hashes = integrity
    .trim()
    .split(/\s+/)
    .map((sri) => /^(sha512|sha384|sha256)-([A-Za-z0-9+/]+={0,2})$/.exec(sri))
    .filter((match) => match !== null);
  // Like npm: only the strongest algorithm given counts.
  const strongest = ['sha512', 'sha384', 'sha256'].find((algorithm) => hashes.some((h) => h[1] === algorithm));
  if (strongest === undefined) return false;
  const digest = createHash(strongest).update(data).digest('base64');
  return hashes.some((h) => h[1] === strongest && h[2] === digest);
}

/** Where a locked package is unpacked: keyed by version and integrity, so a lock change never reuses a stale copy. */
export function cachedPackageDir(root: string, pkg: LockedPackage): string {
  const key = createHash('sha256').update(pkg.integrity).digest('hex').slice(0, 16);
  return join(cacheDir(root), 'packages', pkg.name, `${pkg.version}-${key}`);
}

/**
 * Finds top-level packages at the lock's versions: a package's directory is node_modules' own
 * copy when npm installed that version here, else the cache's (fetched on first use). Never
 * writes to node_modules, package.json or package-lock.json.
 */
export function lockedPackages(root: string): (name: string) => string {
  const lock = readLockfile(root);
  return (name) => {
    const pkg = lockedPackage(lock, name);
    const installed = join(root, 'node_modules', name);
    const manifest = join(installed, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version === pkg.version) return installed;
    return fetchIntoCache(root, pkg);
  };
}

/** Fetches, verifies and unpacks one package into the cache unless it is there already; returns its directory. */
export function fetchIntoCache(root: string, pkg: LockedPackage): string {
  const target = cachedPackageDir(root, pkg);
  if (existsSync(join(target, 'package.json'))) return target;
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), '.staging-'));
  try {
    const spec = `${pkg.name}@${pkg.version}`;
    process.stderr.write(`fetching ${spec} into ${cacheDir(root)} (npm did not install it here; node_modules is left as it is)\n`);
    let packed: string;
    try {
      packed = execFileSync('npm', ['pack', spec, '--pack-destination', staging, '--json', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: staging,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`could not fetch ${spec} from the npm registry: ${stderr.trim() || String(error)}`);
    }
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    const tarball = join(staging, filename);
    if (!matchesIntegrity(readFileSync(tarball), pkg.integrity)) {
      throw new Error(`${spec} from the registry does not match package-lock.json's integrity ${pkg.integrity.slice(0, 24)}…: refusing to ship it`);
    }
    const unpacked = join(staging, 'unpacked');
    mkdirSync(unpacked);
    // npm tarballs hold one top-level directory (usually `package/`): strip it.
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1', '--no-same-owner'], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!existsSync(join(unpacked, 'package.json'))) throw new Error(`${spec}'s tarball holds no package.json`);
    try {
      renameSync(unpacked, target);
    } catch (error) {
      // Another build put it there first: theirs is as good (verified the same way).
      if (!existsSync(join(target, 'package.json'))) throw error;
    }
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
