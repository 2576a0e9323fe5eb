/**
 * The export (issue 22 §4): the plan of a run against the sidecars of earlier runs, the sidecar
 * format's checks, and the verified, resumable download of one file against a real HTTP server
 * on a free port (Range honoured or not, bytes damaged in storage or in the partial file).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planExport, sidecarFor, type LocalEntry } from '../../../client/export-plan';
import { ExportFormatError, parseSidecar, sidecarOf, type ExportSidecar } from '../../../contract/export';
import type { FileItem } from '../../../contract/wire';
import { parseCommandLine } from '../../../cli/args';
import { ChecksumMismatch, downloadVerified, ExportFolder } from '../../../cli/export-folder';
import { createAgents, destroyAgents } from '../../../cli/transfer';

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');

const file = (over: Partial<FileItem> = {}): FileItem => ({
  id: 'id-a',
  folder: '/trips',
  name: 'a.jpg',
  size: 10,
  contentType: 'image/jpeg',
  fileType: 'image',
  uploadedAt: '2024-07-14T10:00:00.000Z',
  uploadedBy: 'ann',
  tags: ['sea'],
  sha256: sha(Buffer.from('aaaaaaaaaa')),
  urlExpiresAt: '2024-07-14T11:00:00.000Z',
  ...over,
});
/** `localSize` null: no local copy. */
const entry = (f: FileItem, localSize: number | null = f.size): LocalEntry => ({ sidecar: sidecarOf(f, '2024-07-15T00:00:00.000Z'), ...(localSize !== null ? { localSize } : {}) });

describe('planExport', () => {
  it('leaves a file alone when its sidecar records the same content and its local copy has the size', () => {
    const a = file();
    expect(planExport([a], new Map([['/trips/a.jpg', entry(a)]])).actions).toEqual([{ kind: 'unchanged', file: a }]);
  });

  it('rewrites only the sidecar when tags, description or date taken changed', () => {
    const a = file();
    const tagged = { ...a, tags: ['sea', 'family'], description: 'at the beach', takenAt: '2024-07-14T08:00:00.000Z' };
    expect(planExport([tagged], new Map([['/trips/a.jpg', entry(a)]])).actions).toEqual([{ kind: 'metadata', file: tagged }]);
  });

  it('downloads a file whose bytes changed, whose local copy is missing or of another size, or that is new', () => {
    const a = file();
    const changed = { ...a, sha256: sha(Buffer.from('bbbbbbbbbb')) };
    expect(planExport([changed], new Map([['/trips/a.jpg', entry(a)]])).actions[0]?.kind).toBe('download');
    expect(planExport([a], new Map([['/trips/a.jpg', entry(a, null)]])).actions[0]?.kind).toBe('download');
    expect(planExport([a], new Map([['/trips/a.jpg', entry(a, 9)]])).actions[0]?.kind).toBe('download');
    expect(planExport([a], new Map()).actions[0]?.kind).toBe('download');
  });

  it('copies locally a file whose content is already on disk under another path (a move in the library), and reports the old path as gone', () => {
    const a = file();
    const moved = { ...a, id: 'id-b', folder: '/archive' };
    const plan = planExport([moved], new Map([['/trips/a.jpg', entry(a)]]));
    expect(plan.actions).toEqual([{ kind: 'copy', file: moved, from: '/trips/a.jpg' }]);
    expect(plan.gone).toEqual(['/trips/a.jpg']);
  });

  it('without a SHA-256 in the catalog, takes the same id, size and upload time as the same content', () => {
    const { sha256: _, ...bare } = file();
    expect(planExport([bare], new Map([['/trips/a.jpg', entry(bare)]])).actions[0]?.kind).toBe('unchanged');
    // The SHA-256 an earlier run hashed from the bytes stays in the sidecar: no rewrite every run.
    const hashed = { ...entry(bare), sidecar: { ...entry(bare).sidecar, sha256: sha(Buffer.from('aaaaaaaaaa')) } };
    expect(planExport([bare], new Map([['/trips/a.jpg', hashed]])).actions[0]?.kind).toBe('unchanged');
    expect(planExport([{ ...bare, tags: ['x'] }], new Map([['/trips/a.jpg', hashed]])).actions[0]?.kind).toBe('metadata');
    expect(sidecarFor({ ...bare, tags: ['x'] }, 'now', hashed.sidecar).sha256).toBe(hashed.sidecar.sha256);
    const replaced = { ...bare, uploadedAt: '2024-08-01T00:00:00.000Z' };
    expect(planExport([replaced], new Map([['/trips/a.jpg', entry(bare)]])).actions[0]?.kind).toBe('download');
  });
});

describe('parseSidecar', () => {
  const good: ExportSidecar = sidecarOf(file({ description: 'd', takenAt: '2024-07-14T08:00:00.000Z' }), '2024-07-15T00:00:00.000Z');

  it('reads back what sidecarOf wrote', () => {
    expect(parseSidecar(JSON.stringify(good))).toEqual(good);
  });

  it.each([
    ['not JSON', '{not json', 'sidecar', /is not JSON/],
    ['an array', '[]', 'sidecar', /must be a JSON object/],
    ['a relative folder', JSON.stringify({ ...good, folder: 'trips' }), 'folder', /must start with "\/"/],
    ['a name with a slash', JSON.stringify({ ...good, name: '../x' }), 'name', /must be a file name/],
    ['a negative size', JSON.stringify({ ...good, size: -1 }), 'size', /whole number/],
    ['a short SHA-256', JSON.stringify({ ...good, sha256: 'abc' }), 'sha256', /base64 SHA-256/],
    ['tags as a string', JSON.stringify({ ...good, tags: 'sea' }), 'tags', /list of strings/],
    ['a date taken in words', JSON.stringify({ ...good, takenAt: 'yesterday' }), 'takenAt', /ISO 8601/],
    ['no uploader', JSON.stringify({ ...good, uploadedBy: undefined }), 'uploadedBy', /non-empty string/],
  ])('refuses a sidecar with %s, naming the field', (_label, json, field, message) => {
    let thrown: unknown;
    try {
      parseSidecar(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ExportFormatError);
    expect((thrown as ExportFormatError).field).toBe(field);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('ExportFolder.localPath', () => {
  const folder = new ExportFolder('/backup');
  it('puts a file under its folder path and refuses paths that would escape or hit the export\'s own folder', () => {
    expect(folder.localPath('/trips/2024/été.jpg')).toBe(path.join('/backup', 'trips', '2024', 'été.jpg'));
    expect(() => folder.localPath('/trips/../../etc/passwd')).toThrow(/unsafe path/);
    expect(() => folder.localPath('/.media-store/export.json')).toThrow(/export's own folder/);
  });
});

describe('parseCommandLine export', () => {
  it('takes one directory, --verify, --delete and --no-progress', () => {
    expect(parseCommandLine(['export', 'backup']).command).toEqual({ name: 'export', dir: 'backup', verify: false, delete: false, progress: true });
    expect(parseCommandLine(['export', 'b', '--verify', '--delete', '--no-progress']).command).toEqual({ name: 'export', dir: 'b', verify: true, delete: true, progress: false });
    expect(() => parseCommandLine(['export'])).toThrow('export takes one directory');
    expect(() => parseCommandLine(['export', 'b', '--force'])).toThrow('export does not take --force');
  });
});

describe('parseCommandLine import', () => {
  it('takes one directory, --upload-duplicates and --no-progress', () => {
    expect(parseCommandLine(['import', 'backup']).command).toEqual({ name: 'import', dir: 'backup', uploadDuplicates: false, progress: true });
    expect(parseCommandLine(['import', 'b', '--upload-duplicates', '--no-progress']).command).toEqual({ name: 'import', dir: 'b', uploadDuplicates: true, progress: false });
    expect(() => parseCommandLine(['import', 'a', 'b'])).toThrow('import takes one directory');
    expect(() => parseCommandLine(['import', 'b', '--delete'])).toThrow('import does not take --delete');
  });
});

describe('downloadVerified', () => {
  const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  let served = content;
  let honourRange = true;
  const ranges: (string | undefined)[] = [];
  let server: Server;
  let url: string;
  let dir: string;
  const agents = createAgents(2);

  beforeAll(async () => {
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      if (match && honourRange) {
        const start = Number(match[1]);
        response.writeHead(206, { 'content-length': served.length - start, 'content-range': `bytes ${start}-${served.length - 1}/${served.length}` });
        response.end(served.subarray(start));
        return;
      }
      response.writeHead(200, { 'content-length': served.length });
      response.end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/object`;
  });
  afterAll(async () => {
    destroyAgents(agents);
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'media-store-export-unit-'));
    served = content;
    honourRange = true;
    ranges.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const request = (over: Partial<Parameters<typeof downloadVerified>[0]> = {}) => ({
    url: async () => url,
    partial: path.join(dir, 'partial', 'x.part'),
    target: path.join(dir, 'out', 'x.jpg'),
    size: content.length,
    sha256: sha(content),
    agents,
    onBytes: () => undefined,
    ...over,
  });

  it('streams the file to its partial name and renames it into place once its SHA-256 matches', async () => {
    const done = await downloadVerified(request());
    expect(done).toEqual({ sha256: sha(content), received: content.length, resumedFrom: 0 });
    expect(readFileSync(path.join(dir, 'out', 'x.jpg')).equals(content)).toBe(true);
    expect(existsSync(path.join(dir, 'partial', 'x.part'))).toBe(false);
  });

  it('resumes a partial file with a Range request for the bytes it lacks', async () => {
    const r = request();
    mkdirSync(path.dirname(r.partial), { recursive: true });
    writeFileSync(r.partial, content.subarray(0, 100_000));

    const done = await downloadVerified(r);

    expect(ranges).toEqual(['bytes=100000-']);
    expect(done).toEqual({ sha256: sha(content), received: content.length - 100_000, resumedFrom: 100_000 });
    expect(readFileSync(r.target).equals(content)).toBe(true);
  });

  it('starts again from the first byte when the server ignores the Range', async () => {
    const r = request();
    mkdirSync(path.dirname(r.partial), { recursive: true });
    writeFileSync(r.partial, content.subarray(0, 100_000));
    honourRange = false;

    await downloadVerified(r);

    expect(readFileSync(r.target).equals(content)).toBe(true);
  });

  it('fetches once more from the start when the resumed bytes do not match (the partial was damaged)', async () => {
    const r = request();
    mkdirSync(path.dirname(r.partial), { recursive: true });
    const damaged = Buffer.from(content.subarray(0, 100_000));
    damaged[5] = damaged[5]! ^ 0xff;
    writeFileSync(r.partial, damaged);

    await downloadVerified(r);

    expect(ranges).toEqual(['bytes=100000-', undefined]);
    expect(readFileSync(r.target).equals(content)).toBe(true);
  });

  it('fails with ChecksumMismatch when the stored bytes differ from the catalog, the .part kept and nothing under the real name', async () => {
    served = Buffer.from(content);
    served[1000] = served[1000]! ^ 0x01;
    const r = request();

    await expect(downloadVerified(r)).rejects.toThrow(ChecksumMismatch);
    await expect(downloadVerified(r)).rejects.toThrow(`the downloaded bytes' SHA-256 is ${sha(served)}, the catalog's ${sha(content)}: kept as ${r.partial}`);
    expect(existsSync(r.target)).toBe(false);
    expect(readFileSync(r.partial).equals(served)).toBe(true);
  });
});
