/**
 * Take the library home (issue 22 §4, docs/backup.md) over HTTP on a stack of this file's own,
 * the real CLI as a child process: `media-store export <dir>` mirrors a small library (nested
 * folders, unicode names, a photo with its date taken, a video, tags and descriptions) with a
 * sidecar per file; a second run transfers nothing; a change of tags rewrites a sidecar and a
 * change of bytes downloads that file alone; a run killed mid-file resumes its partial download
 * with a Range request; `--verify` catches a damaged local copy and bytes damaged in storage fail
 * the run with the `.part` kept; files gone from the library are kept unless `--delete`; a
 * folder that is not an export is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import type { ExportSidecar } from '../../contract/export';
import type { FileItem, FilePage } from '../../contract/wire';
import { cameraJpeg, png, video } from '../support/media-samples';
import { cliHome, runCli, startCli, writeTestFile, type CliHome, type CliRun } from './support/cli';
import { eventually } from './support/http';
import { adminTokenOf, startOwnStack } from './support/own-stack';

jest.setTimeout(240_000);

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');
const sha256Of = (file: string): string => sha256(readFileSync(file));

describe('media-store export', () => {
  let stack: LocalStack;
  let token: string;
  let home: CliHome;
  let work: string;
  let out: string;
  const tag = randomBytes(3).toString('hex');

  const call = async <T>(route: string, method = 'GET', json?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runCli(args, { env: { ...home.env, ...env } });
  const expectOk = (run: CliRun): CliRun => {
    if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    return run;
  };
  const filesOf = async (folder: string): Promise<readonly FileItem[]> => (await call<FilePage>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`)).body.files;
  const fileAt = async (folder: string, name: string): Promise<FileItem> => {
    const found = (await filesOf(folder)).find((f) => f.name === name);
    if (!found) throw new Error(`no ${folder}/${name}`);
    return found;
  };
  const sidecarOf = (dir: string, libraryPath: string): ExportSidecar => JSON.parse(readFileSync(path.join(dir, '.media-store', 'files', ...libraryPath.split('/').slice(1)) + '.json', 'utf8')) as ExportSidecar;
  const localOf = (dir: string, libraryPath: string): string => path.join(dir, ...libraryPath.split('/').slice(1));
  const upload = async (file: string, folder: string, extra: readonly string[] = []): Promise<void> => {
    expectOk(await cli(['upload', file, '--folder', folder, '--no-progress', ...extra]));
  };

  /** The library as the test made it: path → what its sidecar must say. */
  const library = {
    photo: '/Trips/2024/été à la plage.jpg',
    nested: '/Trips/2024/Nested/déjà vu/写真 ünï.jpg',
    clip: '/Videos/clip one.mp4',
    cover: '/cover.png',
  };

  beforeAll(async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-export-'));
    const own = await startOwnStack(logDir, {});
    stack = own.stack;
    for (let attempt = 1; ; attempt += 1) {
      try {
        token = await adminTokenOf(stack, own.adminPassword);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    home = cliHome(stack.apiUrl);
    work = mkdtempSync(path.join(tmpdir(), 'media-store-export-work-'));
    out = path.join(work, 'backup');
    expectOk(await runCli(['login', '--username', stack.adminUser, '--password-stdin'], { env: home.env, stdin: own.adminPassword }));

    const sources = path.join(work, 'sources');
    mkdirSync(sources);
    const photo = path.join(sources, 'été à la plage.jpg');
    writeFileSync(photo, await cameraJpeg({ width: 64, height: 48 }));
    const nested = path.join(sources, '写真 ünï.jpg');
    writeFileSync(nested, await cameraJpeg({ width: 48, height: 64, exif: false }));
    const clip = path.join(sources, 'clip one.mp4');
    writeFileSync(clip, video('mp4', `export-${tag}`));
    const cover = path.join(sources, 'cover.png');
    writeFileSync(cover, await png(32, 32));
    await upload(photo, '/Trips/2024', ['--tags', 'summer,sea', '--description', 'à la plage, 2024']);
    await upload(nested, '/Trips/2024/Nested/déjà vu', ['--tags', 'déjà']);
    await upload(clip, '/Videos', ['--description', 'a clip']);
    await upload(cover, '/');
    // Processing has read the photo's date taken and the video's duration.
    // (The sync catalogues an upload after the CLI is done: a row not there yet is waited for.)
    const processed = await eventually(async () => {
      const photoFile = (await filesOf('/Trips/2024')).find((f) => f.name === 'été à la plage.jpg');
      const clipFile = (await filesOf('/Videos')).find((f) => f.name === 'clip one.mp4');
      return photoFile?.takenAt !== undefined && clipFile !== undefined && clipFile.processing !== 'pending' ? true : undefined;
    }, 60_000, 250);
    expect(processed).toBe(true);
  }, 240_000);

  afterAll(async () => {
    home?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
    await stack?.stop();
  });

  it('mirrors every file under its folder path with a sidecar saying what the catalog says, bytes checked by SHA-256', async () => {
    const run = expectOk(await cli(['export', out]));

    expect(run.stdout).toContain('exported 4 files');
    expect(run.stdout).toContain('4 downloaded');
    for (const libraryPath of Object.values(library)) {
      const slash = libraryPath.lastIndexOf('/');
      const file = await fileAt(libraryPath.slice(0, slash) || '/', libraryPath.slice(slash + 1));
      expect(file.sha256).toBeDefined();
      expect(sha256Of(localOf(out, libraryPath))).toBe(file.sha256);
      const sidecar = sidecarOf(out, libraryPath);
      expect(sidecar).toMatchObject({
        id: file.id,
        folder: file.folder,
        name: file.name,
        size: file.size,
        contentType: file.contentType,
        sha256: file.sha256,
        tags: file.tags,
        uploadedBy: stack.adminUser,
        uploadedAt: file.uploadedAt,
      });
      expect(sidecar.description).toBe(file.description);
      expect(sidecar.takenAt).toBe(file.takenAt);
    }
    expect(sidecarOf(out, library.photo)).toMatchObject({ tags: ['summer', 'sea'], description: 'à la plage, 2024', takenAt: expect.stringMatching(/^2024-07-14T16:30:05/) });
    expect(readdirSync(path.join(out, '.media-store', 'partial'))).toEqual([]);
  });

  it('transfers nothing the second time', async () => {
    const run = expectOk(await cli(['export', out]));

    expect(run.stdout).toContain('0 downloaded (0 B), 0 copied locally, 0 sidecars updated, 4 unchanged');
  });

  it('rewrites only the sidecar of a file whose tags changed, and downloads only the file whose bytes changed', async () => {
    const photo = await fileAt('/Trips/2024', 'été à la plage.jpg');
    expect((await call(`/files/${photo.id}`, 'PATCH', { tags: ['summer', 'sea', 'family'] })).status).toBe(200);
    const cover = path.join(work, 'cover.png');
    writeFileSync(cover, await png(40, 40));
    await upload(cover, '/', ['--overwrite']);
    // The catalog follows the object's event: wait until it holds the new bytes' SHA-256.
    const changed = await eventually(async () => {
      const now = await fileAt('/', 'cover.png');
      return now.sha256 === sha256(readFileSync(cover)) ? now : undefined;
    }, 30_000, 100);
    expect(changed).toBeDefined();

    const run = expectOk(await cli(['export', out]));

    expect(run.stdout).toMatch(/: 1 downloaded \([^)]+\), 0 copied locally, 1 sidecars updated, 2 unchanged\n/);
    expect(sidecarOf(out, library.photo).tags).toEqual(['summer', 'sea', 'family']);
    expect(sha256Of(localOf(out, library.cover))).toBe(sha256(readFileSync(cover)));
    expect(sidecarOf(out, library.cover).sha256).toBe(changed!.sha256);
  });

  it('resumes a run killed mid-file from the bytes it held (a Range request), and the file is whole', async () => {
    const big = path.join(work, 'long take.mov');
    const bigSha = Buffer.from(writeTestFile(big, 6 * MiB), 'hex').toString('base64');
    await upload(big, '/Videos');
    expect(await eventually(async () => ((await filesOf('/Videos')).some((f) => f.name === 'long take.mov' && f.sha256 === bigSha) ? true : undefined), 30_000, 100)).toBe(true);
    const partialDir = path.join(out, '.media-store', 'partial');

    const first = startCli(['export', out, '--no-progress'], { env: { ...home.env, MEDIA_STORE_DEBUG_GET_DELAY_MS: '40' } });
    const held = await eventually(async () => {
      if (first.child.exitCode !== null) return -1;
      const parts = existsSync(partialDir) ? readdirSync(partialDir).filter((n) => n.endsWith('.part')) : [];
      const size = parts[0] !== undefined ? statSync(path.join(partialDir, parts[0])).size : 0;
      return size >= 1 * MiB ? size : undefined;
    }, 60_000, 20);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(held).toBeGreaterThanOrEqual(1 * MiB);
    expect(existsSync(localOf(out, '/Videos/long take.mov'))).toBe(false);

    const second = expectOk(await cli(['export', out]));

    expect(second.stderr).toMatch(/\/Videos\/long take\.mov: resumed from \d/);
    expect(sha256Of(localOf(out, '/Videos/long take.mov'))).toBe(bigSha);
    const received = Number(/1 downloaded \((\d[\d.]*) MiB\)/.exec(second.stdout)?.[1]);
    expect(received).toBeLessThan(6);
    expect(readdirSync(partialDir)).toEqual([]);
  });

  it('with --verify finds a damaged local copy and downloads it again', async () => {
    const local = localOf(out, library.clip);
    const bytes = readFileSync(local);
    const good = sha256(bytes);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(local, bytes);

    const plain = expectOk(await cli(['export', out]));
    expect(plain.stdout).toContain('0 downloaded');
    const run = expectOk(await cli(['export', out, '--verify']));

    expect(run.stderr).toContain(`${library.clip}: the local copy differs from the catalog's SHA-256; downloading it again`);
    expect(run.stdout).toContain('1 downloaded');
    expect(run.stdout).toContain('1 damaged copies downloaded again');
    expect(sha256Of(local)).toBe(good);
  });

  it('fails the run when the stored bytes do not match the catalog, keeping the .part and never the file under its name', async () => {
    const nested = await fileAt('/Trips/2024/Nested/déjà vu', '写真 ünï.jpg');
    const objectFile = path.join(stack.s3Directory, stack.bucketName, `${Buffer.from(nested.id, 'base64url').toString('utf8')}._S3rver_object`);
    const stored = readFileSync(objectFile);
    const rotten = Buffer.from(stored);
    rotten[100] = rotten[100]! ^ 0x01;
    writeFileSync(objectFile, rotten);
    rmSync(localOf(out, library.nested));
    try {
      const run = await cli(['export', out]);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('1 file not exported');
      expect(run.stderr).toContain(`the downloaded bytes' SHA-256 is ${sha256(rotten)}, the catalog's ${nested.sha256}`);
      expect(existsSync(localOf(out, library.nested))).toBe(false);
      const kept = readdirSync(path.join(out, '.media-store', 'partial'));
      expect(kept).toEqual([`${Buffer.from(nested.sha256 as string, 'base64').toString('hex')}.part`]);
    } finally {
      writeFileSync(objectFile, stored);
    }
    const healed = expectOk(await cli(['export', out]));
    expect(healed.stdout).toContain('1 downloaded');
    expect(sha256Of(localOf(out, library.nested))).toBe(nested.sha256);
  });

  it('keeps the copy of a file gone from the library and says so; --delete removes it', async () => {
    const cover = await fileAt('/', 'cover.png');
    expect((await call(`/files/${cover.id}`, 'DELETE')).status).toBe(204);

    const kept = expectOk(await cli(['export', out]));
    expect(kept.stdout).toContain('kept /cover.png: no longer in the library (--delete removes it)');
    expect(existsSync(localOf(out, '/cover.png'))).toBe(true);

    const deleted = expectOk(await cli(['export', out, '--delete']));
    expect(deleted.stdout).toContain('deleted /cover.png: no longer in the library');
    expect(existsSync(localOf(out, '/cover.png'))).toBe(false);
    expect(existsSync(path.join(out, '.media-store', 'files', 'cover.png.json'))).toBe(false);
  });

  it('refuses a folder that holds other files and is not an export, and an unreadable manifest, writing nothing', async () => {
    const other = path.join(work, 'someone-elses');
    mkdirSync(other);
    writeFileSync(path.join(other, 'taxes.pdf'), 'mine');

    const refused = await cli(['export', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`media-store: ${other} is not empty and is not a media-store export (no .media-store/export.json): export into a new or empty directory\n`);
    expect(readdirSync(other)).toEqual(['taxes.pdf']);

    const broken = path.join(work, 'broken');
    mkdirSync(path.join(broken, '.media-store'), { recursive: true });
    writeFileSync(path.join(broken, '.media-store', 'export.json'), '{"format": "media-store-export", "version": 9');
    const unreadable = await cli(['export', broken]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/export\.json: not a media-store export manifest: manifest is not JSON/);
  });

  it('says plainly when the folder cannot be written', async () => {
    const file = path.join(work, 'a file');
    writeFileSync(file, 'not a folder');
    const locked = path.join(work, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      const underFile = await cli(['export', path.join(file, 'backup')]);
      expect(underFile.code).toBe(1);
      expect(underFile.stderr).toBe(`media-store: cannot write the export in ${path.join(file, 'backup')}: a part of the path is a file\n`);
      // Root writes anywhere: the read-only folder is refused to other users only.
      if (process.getuid?.() !== 0) {
        const readOnly = await cli(['export', path.join(locked, 'backup')]);
        expect(readOnly.code).toBe(1);
        expect(readOnly.stderr).toBe(`media-store: cannot write the export in ${path.join(locked, 'backup')}: permission denied\n`);
      }
    } finally {
      chmodSync(locked, 0o700);
    }
  });
  describe('then media-store import into a fresh stack', () => {
    let fresh: LocalStack;
    let freshToken: string;
    let freshHome: CliHome;
    /** Stack A's files as the export last saw them, by path. */
    let exported: Map<string, FileItem>;

    const freshCall = async <T>(route: string): Promise<{ status: number; body: T }> => {
      const response = await fetch(`${fresh.apiUrl}${route}`, { headers: { authorization: `Bearer ${freshToken}` } });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    };
    const freshFiles = async (folder: string): Promise<readonly FileItem[]> => (await freshCall<FilePage>(`/files?folder=${encodeURIComponent(folder)}&limit=1000`)).body.files;
    const freshCli = (args: readonly string[]): Promise<CliRun> => runCli(args, { env: freshHome.env });

    beforeAll(async () => {
      // An empty folder goes with the rest; stack A's catalog is read, then A stops (one own stack at a time).
      expect((await call('/folders', 'POST', { path: '/Empty/inside' })).status).toBe(201);
      expectOk(await cli(['export', out]));
      exported = new Map();
      for (const folder of ['/', '/Trips/2024', '/Trips/2024/Nested/déjà vu', '/Videos']) for (const f of await filesOf(folder)) exported.set(`${folder === '/' ? '' : folder}/${f.name}`, f);
      await stack.stop();
      const own = await startOwnStack(mkdtempSync(path.join(tmpdir(), 'media-store-import-')), {});
      fresh = own.stack;
      for (let attempt = 1; ; attempt += 1) {
        try {
          freshToken = await adminTokenOf(fresh, own.adminPassword);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      freshHome = cliHome(fresh.apiUrl);
      expectOk(await runCli(['login', '--username', fresh.adminUser, '--password-stdin'], { env: freshHome.env, stdin: own.adminPassword }));
    }, 240_000);

    afterAll(async () => {
      freshHome?.remove();
      await fresh?.stop();
    });

    it('refuses an export with a sidecar that does not parse, naming the file and the field, before sending anything', async () => {
      const damaged = path.join(work, 'damaged-export');
      cpSync(out, damaged, { recursive: true });
      const sidecar = path.join(damaged, '.media-store', 'files', 'Videos', 'clip one.mp4.json');
      writeFileSync(sidecar, JSON.stringify({ ...JSON.parse(readFileSync(sidecar, 'utf8')), takenAt: 'last summer' }));

      const run = await freshCli(['import', damaged]);

      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`media-store: 1 sidecar not readable, nothing imported:\n  ${sidecar}: takenAt must be an ISO 8601 date and time, got "last summer"\n`);
      expect((await freshCall<{ folders: unknown[] }>('/folders?parent=/')).body.folders).toEqual([]);
    });

    it('restores every folder, every byte and every field of the export; a second run sends nothing', async () => {
      const run = expectOk(await freshCli(['import', out, '--no-progress']));

      expect(run.stdout).toContain(`imported ${exported.size} files`);
      expect(run.stdout).toContain(`${exported.size} uploaded`);
      const restored = await eventually(async () => {
        const photo = (await freshFiles('/Trips/2024')).find((f) => f.name === 'été à la plage.jpg');
        const clip = (await freshFiles('/Videos')).find((f) => f.name === 'clip one.mp4');
        return photo?.takenAt !== undefined && clip !== undefined && clip.processing !== 'pending' ? true : undefined;
      }, 60_000, 250);
      expect(restored).toBe(true);
      for (const [libraryPath, before] of exported) {
        const after = (await freshFiles(before.folder)).find((f) => f.name === before.name);
        expect(after).toBeDefined();
        const fields = (f: FileItem) => ({ folder: f.folder, name: f.name, size: f.size, contentType: f.contentType, fileType: f.fileType, sha256: f.sha256, tags: f.tags, description: f.description, takenAt: f.takenAt, uploadedBy: f.uploadedBy });
        expect({ libraryPath, ...fields(after!) }).toEqual({ libraryPath, ...fields(before) });
        const download = await fetch(after!.url as string);
        expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(before.sha256);
      }
      expect((await freshCall<{ folders: { path: string }[] }>('/folders?parent=/Empty')).body.folders.map((f) => f.path)).toEqual(['/Empty/inside']);

      const again = expectOk(await freshCli(['import', out, '--no-progress']));
      expect(again.stdout).toContain(`0 uploaded (0 B), ${exported.size} already there`);
    });

    it('imports a plain folder without sidecars under the same paths, skipping content already in the library', async () => {
      const plain = path.join(work, 'plain');
      mkdirSync(path.join(plain, 'Scans', '1998'), { recursive: true });
      const scan = await cameraJpeg({ width: 40, height: 40, exif: false });
      writeFileSync(path.join(plain, 'Scans', '1998', 'grand-mère.jpg'), scan);
      cpSync(localOf(out, library.clip), path.join(plain, 'Scans', 'same clip.mp4'));

      const run = expectOk(await freshCli(['import', plain, '--no-progress']));

      expect(run.stdout).toContain('uploaded /Scans/1998/grand-mère.jpg');
      expect(run.stdout).toContain(`skipped /Scans/same clip.mp4: already in your library as ${library.clip}`);
      // A single PUT is catalogued by the sync function on S3's event, after the CLI is done.
      const scanned = await eventually(async () => (await freshFiles('/Scans/1998'))[0], 60_000, 250);
      expect(scanned).toMatchObject({ name: 'grand-mère.jpg', sha256: sha256(scan), tags: [], contentType: 'image/jpeg' });
    });
  });
});
