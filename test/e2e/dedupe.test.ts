/**
 * No duplicate uploads (issue 22 §2) over HTTP against the shared local stack: `POST /files/exists`
 * answers where a content already is among the files the caller may see, and the CLI skips the
 * files already in the library (saying where), unless `--upload-duplicates`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { cliHome, runCli, type CliHome } from './support/cli';

jest.setTimeout(180_000);

interface Found {
  readonly found: readonly { readonly sha256: string; readonly copies: readonly { id: string; folder: string; name: string; size: number }[] }[];
}

const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('base64');

describe('no duplicate uploads', () => {
  const context = e2eContext();
  const run = randomBytes(4).toString('hex');
  // Outside the family editor's folders (/family, /trips/2024).
  const first = `/dedupe-${run}/first`;
  const again = `/dedupe-${run}/again`;
  let home: CliHome;
  let work: string;
  let files: string[];
  let editorToken: string;

  beforeAll(async () => {
    home = cliHome(context.apiUrl);
    work = mkdtempSync(path.join(tmpdir(), 'media-store-dedupe-'));
    files = ['a.jpg', 'b.jpg', 'c.png'].map((name, i) => {
      const file = path.join(work, name);
      writeFileSync(file, randomBytes(20_000 + i * 1000));
      return file;
    });
    const loggedIn = await runCli(['login', '--username', context.editor.username, '--password-stdin'], { env: home.env, stdin: context.editor.password });
    expect(loggedIn).toMatchObject({ code: 0 });
    // The CLI's session, for the API calls too (one password check less on a busy machine).
    editorToken = (JSON.parse(readFileSync(home.configFile, 'utf8')) as { token: string }).token;
    const uploaded = await runCli(['upload', ...files, '--folder', first, '--no-progress'], { env: home.env });
    expect(uploaded.code).toBe(0);
    expect(uploaded.stdout.match(/^uploaded /gm)).toHaveLength(3);
    // The sync function catalogues them: wait until the three are listed with their SHA-256.
    const listed = await eventually(async () => {
      const page = await api<{ files: { sha256?: string }[] }>(`/files?folder=${encodeURIComponent(first)}`, { token: editorToken });
      return page.body.files.filter((f) => f.sha256 !== undefined).length === 3 ? true : undefined;
    }, 30_000, 200);
    expect(listed).toBe(true);
  });

  afterAll(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers which contents are already in the library and where, leaving unknown ones out', async () => {
    const unknown = createHash('sha256').update(randomBytes(16)).digest('base64');
    const response = await api<Found>('/files/exists', { token: editorToken, json: { sha256: [sha256Of(files[0]!), unknown] } });

    expect(response.status).toBe(200);
    expect(response.body.found).toEqual([{ sha256: sha256Of(files[0]!), copies: [expect.objectContaining({ folder: first, name: 'a.jpg', size: 20_000 })] }]);
  });

  it('never tells a user limited to other folders that the content exists', async () => {
    const response = await api<Found>('/files/exists', { token: await login(context.familyEditor), json: { sha256: files.map(sha256Of) } });

    expect(response.status).toBe(200);
    expect(response.body.found).toEqual([]);
  });

  it('refuses bad input with a 400 naming the field, and callers without a token with a 401', async () => {
    const bad = await api<{ error: { code: string; message: string } }>('/files/exists', { token: editorToken, json: { sha256: ['not-a-digest'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/^sha256\[0\]: must be a SHA-256 in base64/) });
    const tooMany = await api<{ error: { message: string } }>('/files/exists', { token: editorToken, json: { sha256: Array.from({ length: 101 }, () => sha256Of(files[0]!)) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/1 to 100/);
    expect((await api('/files/exists', { json: { sha256: [sha256Of(files[0]!)] } })).status).toBe(401);
  });

  it('skips the files already in the library when uploading them again elsewhere, saying where each copy is, and sends none of their bytes', async () => {
    const result = await runCli(['upload', ...files, '--folder', again, '--no-progress'], { env: home.env });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`skipped ${files[0]}: already in your library as ${first}/a.jpg id=`);
    expect(result.stdout.match(/^skipped /gm)).toHaveLength(3);
    expect(result.stdout).not.toMatch(/^uploaded /m);
    expect(result.stderr).toContain('3 already in your library: skipped (--upload-duplicates sends them anyway)');
    expect(result.stderr).toContain('sent 0 bytes of 63000 (0 uploaded, 3 already in your library)');
    const listed = await api<{ files: unknown[] }>(`/files?folder=${encodeURIComponent(again)}`, { token: editorToken });
    expect(listed.body.files ?? []).toEqual([]);
  });

  it('uploads them anyway with --upload-duplicates, and then lists both copies as duplicates for an admin', async () => {
    const result = await runCli(['upload', files[0]!, files[1]!, '--folder', again, '--no-progress', '--upload-duplicates'], { env: home.env });

    expect(result.code).toBe(0);
    expect(result.stdout.match(/^uploaded /gm)).toHaveLength(2);
    expect(result.stderr).toContain('sent 41000 bytes of 41000 (2 uploaded, 0 already in your library)');
    const adminToken = await login(context.admin);
    const group = await eventually(async () => {
      const answer = await api<{ groups: { sha256: string; extraBytes: number; copies: { folder: string; name: string }[] }[] }>('/files/duplicates', { token: adminToken });
      const found = answer.body.groups.find((g) => g.sha256 === sha256Of(files[0]!));
      return found && found.copies.length === 2 ? found : undefined;
    }, 10_000, 200);
    expect(group).toMatchObject({ extraBytes: 20_000, copies: [{ folder: first, name: 'a.jpg' }, { folder: again, name: 'a.jpg' }] });
    expect((await api('/files/duplicates', { token: editorToken })).status).toBe(403);
  });
});
