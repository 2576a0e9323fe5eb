/**
 * The `media-store` CLI as a user runs it (a child process), against the shared local stack:
 * login, a multipart upload of a ≥ 64 MiB file, ls, download, and resume after SIGKILL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { e2eContext } from './support/context';
import { api, eventually } from './support/http';
import { cliHome, partPuts, runCli, sha256File, startCli, uploadStates, writeTestFile, type CliHome } from './support/cli';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;

interface ListedFile {
  readonly id: string;
  readonly name: string;
  readonly folder: string;
  readonly size: number;
  readonly sha256?: string;
  readonly fileType?: string;
}

interface UploadStatus {
  readonly status: string;
  readonly parts: readonly { partNumber: number; etag: string; size: number }[];
}

describe('media-store CLI', () => {
  const context = e2eContext();
  const folder = `/cli-${randomBytes(4).toString('hex')}/videos`;
  let home: CliHome;
  let work: string;

  const listFolder = async (): Promise<ListedFile[]> => {
    const run = await runCli(['ls', folder, '--json'], { env: home.env });
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ListedFile[];
  };
  const token = (): string => (JSON.parse(readFileSync(home.configFile, 'utf8')) as { token: string }).token;

  beforeAll(() => {
    home = cliHome(context.apiUrl);
    work = mkdtempSync(path.join(tmpdir(), 'media-store-cli-files-'));
  });

  afterAll(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('logs in with --password-stdin and keeps the token in a config file only its owner can read', async () => {
    const run = await runCli(['login', '--username', context.editor.username, '--password-stdin'], { env: home.env, stdin: `${context.editor.password}\n` });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^logged in to ${context.apiUrl} as ${context.editor.username}`));
    expect(statSync(home.configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(home.configFile, 'utf8'))).toMatchObject({ url: context.apiUrl, username: context.editor.username, token: expect.any(String) });
  });

  describe('a 72 MiB file', () => {
    const file = (): string => path.join(work, 'holiday 2024.mp4');
    let source: string;

    beforeAll(() => {
      source = writeTestFile(file(), 72 * MiB);
    });

    it('uploads in 9 parts of 8 MiB, 4 at a time, each sent once, and lists it with the SHA-256 --file-sha256 declared', async () => {
      const run = await runCli(['upload', file(), '--folder', folder, '--debug', '--file-sha256'], { env: home.env });

      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/mode multipart, 9 parts of 8388608 bytes/);
      expect(partPuts(run.stderr).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(run.stderr).toMatch(/holiday 2024\.mp4 \[#####-----\]  5\d%/);
      expect(run.stdout).toMatch(new RegExp(`^uploaded ${folder}/holiday 2024\\.mp4 72\\.0 MiB id=\\S+\\n$`));
      const listed = await eventually(async () => (await listFolder()).find((f) => f.name === 'holiday 2024.mp4' && f.sha256 !== undefined), 5000, 200);
      // The SHA-256 the CLI declared, recorded with the file: the bytes S3 assembled are the source's.
      expect(listed).toMatchObject({ folder, size: 72 * MiB, sha256: Buffer.from(source, 'hex').toString('base64') });
    });

    it('downloads the same bytes by path, into a directory, and refuses to overwrite without --force', async () => {
      const into = path.join(work, 'downloads');
      mkdirSync(into);

      const run = await runCli(['download', `${folder}/holiday 2024.mp4`, `${into}/`], { env: home.env });
      const again = await runCli(['download', `${folder}/holiday 2024.mp4`, `${into}/`], { env: home.env });

      expect(run.stderr).toMatch(/holiday 2024\.mp4: done/);
      expect(run.code).toBe(0);
      expect(sha256File(path.join(into, 'holiday 2024.mp4'))).toBe(source);
      expect(readdirSync(into)).toEqual(['holiday 2024.mp4']);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists: pass --force to overwrite it/);
    });

    it('downloads by id to a new name', async () => {
      const [listed] = (await listFolder()).filter((f) => f.name === 'holiday 2024.mp4');
      const target = path.join(work, 'copy.mp4');

      const run = await runCli(['download', listed!.id, target], { env: home.env });

      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`downloaded ${folder}/holiday 2024.mp4 72.0 MiB to ${target}\n`);
      expect(sha256File(target)).toBe(source);
    });
  });

  it('resumes an upload killed mid-way: S3 keeps the finished parts, none is sent again, the object equals the source', async () => {
    // Prepare: 96 MiB = 12 parts; a short stall before each first PUT keeps the first run slow enough to kill.
    const file = path.join(work, 'long take.mov');
    const source = writeTestFile(file, 96 * MiB);
    const first = startCli(['upload', file, '--folder', folder, '--parallel', '2', '--debug'], { env: { ...home.env, MEDIA_STORE_DEBUG_PUT_DELAY_MS: '300' } });
    const progressed = await eventually(async () => {
      if (first.child.exitCode !== null) return 'exited before 4 parts were stored';
      const [state] = uploadStates(home);
      return state && state.completedParts.length >= 4 ? 'killed after 4 parts' : undefined;
    }, 60_000, 20);
    expect(progressed).toBe('killed after 4 parts');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const [state] = uploadStates(home);
    // A part whose body had fully reached S3 before the kill may still land after it: read the
    // held parts once they have stopped changing, so "held before" is what the second run finds.
    const readStatus = () => api<UploadStatus>(`/uploads/${encodeURIComponent(state!.uploadId)}`, { token: token() });
    let status = await readStatus();
    for (let settled = false; !settled; ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = await readStatus();
      settled = JSON.stringify(again.body) === JSON.stringify(status.body);
      status = again;
    }
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('pending');
    const heldBefore = status.body.parts.filter((p) => p.size === 8 * MiB).map((p) => p.partNumber);
    const recordedBefore = state!.completedParts.map((p) => p.partNumber);

    // Act: the same command again, without the stall.
    const second = await runCli(['upload', file, '--folder', folder, '--debug'], { env: home.env });

    // Assess
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming, S3 holds parts/);
    expect(recordedBefore.every((n) => heldBefore.includes(n))).toBe(true);
    expect(heldBefore.length).toBeGreaterThanOrEqual(4);
    const sentAfter = partPuts(second.stderr);
    expect(sentAfter.filter((n) => heldBefore.includes(n))).toEqual([]);
    expect([...heldBefore, ...sentAfter].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(second.stdout).toMatch(/^uploaded .*long take\.mov 96\.0 MiB id=/);
    expect(uploadStates(home)).toEqual([]);
    // Over 64 MiB, so hashed while sending (the resumed run read the whole file beside its parts)
    // and declared on completion: the catalog records the file's SHA-256.
    expect(second.stderr).toMatch(/sha256 \S+ \(hashed while sending\)/);
    const recorded = await eventually(async () => (await listFolder()).find((f) => f.name === 'long take.mov' && f.sha256 !== undefined), 5000, 200);
    expect(recorded?.sha256).toBe(Buffer.from(source, 'hex').toString('base64'));

    const target = path.join(work, 'long take (downloaded).mov');
    const download = await runCli(['download', `${folder}/long take.mov`, target], { env: home.env });
    expect(download.code).toBe(0);
    expect(sha256File(target)).toBe(source);
  });

  it('uploads a small file with one presigned PUT', async () => {
    const file = path.join(work, 'IMG 0001 é.jpg');
    writeTestFile(file, 300 * 1024);

    const run = await runCli(['upload', file, '--folder', folder, '--debug', '--no-progress'], { env: home.env });

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/mode single/);
    expect(run.stderr).toMatch(/single PUT 307200 bytes/);
    expect(run.stdout).toMatch(/^uploaded .*IMG 0001 é\.jpg 300\.0 KiB id=/);
    // A small file declares its SHA-256 by default (S3 verifies it on the PUT); the catalog records it.
    const listed = await eventually(async () => (await listFolder()).find((f) => f.name === 'IMG 0001 é.jpg' && f.sha256 !== undefined), 5000, 200);
    expect(listed?.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('base64'));
  });

  it('lists the folder as a table', async () => {
    const table = await eventually(async () => {
      const run = await runCli(['ls', folder], { env: home.env });
      return run.stdout.includes('IMG 0001 é.jpg') && run.stdout.includes('long take.mov') ? run.stdout : undefined;
    }, 5000, 200);

    const lines = table!.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SIZE\s+TYPE\s+UPLOADED\s+ID$/);
    expect(lines.find((l) => l.startsWith('long take.mov'))).toMatch(/^long take\.mov\s+96\.0 MiB\s+video\/quicktime\s+\d{4}-\d\d-\d\dT\S+Z\s+\S+$/);
  });

  it('lists by type across folders, newest first', async () => {
    const run = await runCli(['ls', '--type', 'video', '--json'], { env: home.env });

    expect(run.code).toBe(0);
    const videos = (JSON.parse(run.stdout) as ListedFile[]).filter((f) => f.folder === folder);
    expect(videos.map((f) => f.name)).toEqual(['long take.mov', 'holiday 2024.mp4']);
    expect(videos.every((f) => f.fileType === 'video')).toBe(true);
  });

  it('moves a file into another folder, renames it, then deletes it', async () => {
    const moved = await runCli(['mv', `${folder}/IMG 0001 é.jpg`, `${folder}/kept/`], { env: home.env });
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(new RegExp(`^moved ${folder}/IMG 0001 é\\.jpg to ${folder}/kept/IMG 0001 é\\.jpg id=\\S+\\n$`));

    const listedMoved = await eventually(async () => {
      const run = await runCli(['ls', `${folder}/kept`, '--json'], { env: home.env });
      return (JSON.parse(run.stdout) as ListedFile[]).find((f) => f.name === 'IMG 0001 é.jpg');
    }, 5000, 200);
    expect(listedMoved).toMatchObject({ size: 300 * 1024 });

    const renamed = await runCli(['mv', `${folder}/kept/IMG 0001 é.jpg`, 'beach.jpg'], { env: home.env });
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toMatch(new RegExp(`^moved ${folder}/kept/IMG 0001 é\\.jpg to ${folder}/kept/beach\\.jpg`));

    const gone = await eventually(async () => {
      const target = await runCli(['rm', `${folder}/kept/beach.jpg`], { env: home.env });
      return target.code === 0 ? target : undefined;
    }, 5000, 200);
    expect(gone?.stdout).toBe(`deleted ${folder}/kept/beach.jpg\n`);
    const empty = await eventually(async () => {
      const run = await runCli(['ls', `${folder}/kept`, '--json'], { env: home.env });
      return (JSON.parse(run.stdout) as ListedFile[]).length === 0 ? true : undefined;
    }, 5000, 200);
    expect(empty).toBe(true);
  });

  it('answers a delete of an unknown id with one not-found line', async () => {
    const run = await runCli(['rm', Buffer.from('media/nowhere/none.jpg').toString('base64url')], { env: home.env });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^media-store: not found: no file with id \S+\n$/);
  });
});
