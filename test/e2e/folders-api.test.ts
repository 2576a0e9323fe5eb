/**
 * Folders over HTTP: empty folders list, ancestors appear with their descendants, folders of
 * uploaded files list without being created, only empty folders can be deleted, viewers
 * only read.
 */
import { randomBytes } from 'node:crypto';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { jpegLike } from './support/media';

// Logins hash with scrypt and the machine is shared: allow for a busy local stack.
jest.setTimeout(30_000);

interface FolderRef {
  readonly path: string;
  readonly parent: string;
  readonly name: string;
}

describe('folders', () => {
  const context = e2eContext();
  const base = `/e2e-folders-${randomBytes(4).toString('hex')}`;
  let editor: string;
  let viewer: string;

  const create = (path: unknown, token = editor) => api<{ folder: FolderRef; created: boolean }>('/folders', { token, json: { path } });
  const children = async (parent: string, token = editor): Promise<string[]> => {
    const response = await api<{ folders: FolderRef[] }>(`/folders?parent=${encodeURIComponent(parent)}`, { token });
    expect(response.status).toBe(200);
    return response.body.folders.map((f) => f.name);
  };
  const remove = (path: string, token = editor) => api(`/folders?path=${encodeURIComponent(path)}`, { method: 'DELETE', token });

  beforeAll(async () => {
    [editor, viewer] = await Promise.all([login(context.editor), login(context.viewer)]);
  });

  it('creates an empty folder with its ancestors (201), and answers 200 when it exists', async () => {
    // Act
    const first = await create(`${base}/a/b/c`);
    const again = await create(`${base}/a/b/c/`);
    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ folder: { path: `${base}/a/b/c`, parent: `${base}/a/b`, name: 'c' }, created: true });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
  });

  it('lists the direct subfolders of a parent, empty ones included, sorted by name', async () => {
    // Prepare
    expect((await create(`${base}/a/Zeta`)).status).toBe(201);
    expect((await create(`${base}/a/alpha`)).status).toBe(201);
    // Act + Assess
    expect(await children('/')).toContain(base.slice(1));
    expect(await children(base)).toEqual(['a']);
    expect(await children(`${base}/a`)).toEqual(['Zeta', 'alpha', 'b']);
    expect(await children(`${base}/a/b/c`)).toEqual([]);
    expect(await children(`${base}/a/b`, viewer)).toEqual(['c']);
  });

  it('lists the folders of an uploaded file without anyone creating them', async () => {
    // Prepare: upload into a folder chain that was never created.
    const bytes = jpegLike(4096);
    const upload = await api<{ url: string; headers: Record<string, string> }>('/uploads', {
      token: editor,
      json: { folder: `${base}/photos/2024 été`, fileName: 'one.jpg', contentType: 'image/jpeg', size: bytes.length },
    });
    expect(upload.status).toBe(201);
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: bytes })).status).toBe(200);
    // Act
    const listed = await eventually(async () => {
      const response = await api<{ folders: FolderRef[] }>(`/folders?parent=${encodeURIComponent(`${base}/photos`)}`, { token: editor });
      return response.status === 200 && response.body.folders.some((f) => f.name === '2024 été') ? true : undefined;
    }, 5000);
    // Assess
    expect(listed).toBe(true);
    expect(await children(base)).toEqual(['a', 'photos']);
  });

  it('deletes only empty folders: 409 FolderNotEmpty with a subfolder or a file, 204 when empty, then 404', async () => {
    // Act
    const withSubfolder = await remove(`${base}/a`);
    const withFile = await remove(`${base}/photos/2024 été`);
    const empty = await remove(`${base}/a/b/c`);
    const missing = await remove(`${base}/a/b/c`);
    // Assess
    for (const response of [withSubfolder, withFile]) {
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ error: { code: 'FolderNotEmpty' } });
    }
    expect(empty.status).toBe(204);
    expect(await children(`${base}/a/b`)).toEqual([]);
    expect(missing.status).toBe(404);
    expectErrorBody(missing);
    // An emptied parent can go too; creating it again works.
    expect((await remove(`${base}/a/b`)).status).toBe(204);
    expect((await create(`${base}/a/b`)).status).toBe(201);
  });

  it('lets viewers list but not create or delete folders (403)', async () => {
    const created = await create(`${base}/viewer-made`, viewer);
    const deleted = await remove(`${base}/a/alpha`, viewer);
    for (const response of [created, deleted]) {
      expect(response.status).toBe(403);
      expectErrorBody(response);
    }
    expect(await children(`${base}/a`, viewer)).toContain('alpha');
    expect(await children(base)).not.toContain('viewer-made');
  });

  it('answers 400 naming the field for bad paths, and 404 for an unknown parent', async () => {
    // Act
    const responses = await Promise.all([
      create('/'),
      create(`${base}/../etc`),
      create(`${base}//x`),
      create(42),
      api('/folders', { token: editor, json: { path: `${base}/x`, owner: 'me' } }),
      api('/folders?parent=%2Fa%2F..%2Fb', { token: editor }),
      api('/folders', { method: 'DELETE', token: editor }),
      remove('/'),
    ]);
    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400]);
    responses.forEach(expectErrorBody);
    expect((await api(`/folders?parent=${encodeURIComponent(`${base}/nope`)}`, { token: editor })).status).toBe(404);
  });
});
