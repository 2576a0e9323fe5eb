/** Changing the library over HTTP: details, rename, move, name clashes, roles, delete, failures. */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { adminS3, catalogRow, fileWhen, keyOf, listFolder, objectAt, objectExists, uploadFile, type FileBody } from './support/files';
import { jpegLike, sha256 } from './support/media';

/** Waits until the sync function applied an event to the key's row (its sequencer is a real one). */
async function syncedRow(key: string): Promise<Record<string, unknown> | undefined> {
  return eventually(async () => {
    const row = await catalogRow(key);
    return row !== undefined && typeof row.sequencer === 'string' && !/^0+$/.test(row.sequencer) ? row : undefined;
  }, 5000);
}

describe('PATCH /files/{id} and DELETE /files/{id}', () => {
  const context = e2eContext();
  const base = `/e2e-change-${randomBytes(4).toString('hex')}`;
  let editor: string;
  let viewer: string;
  let s3: S3Client;

  /** Uploads a file with tags and a description and waits until it is catalogued. */
  async function catalogued(folder: string, name: string, bytes = jpegLike(5000)): Promise<{ id: string; file: FileBody; bytes: Buffer }> {
    const id = await uploadFile(editor, folder, name, bytes, { tags: ['trip'], description: 'first day' });
    const file = await fileWhen(editor, id);
    if (file === undefined) throw new Error(`${name} was not catalogued`);
    return { id, file, bytes };
  }

  beforeAll(async () => {
    [editor, viewer] = await Promise.all([login(context.editor), login(context.viewer)]);
    s3 = adminS3();
  });

  afterAll(() => s3.destroy());

  it('changes tags and description without touching the object', async () => {
    const { id } = await catalogued(base, 'details.jpg');

    const response = await api<FileBody>(`/files/${id}`, { method: 'PATCH', token: editor, json: { tags: ['a', 'b'], description: 'new words' } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, tags: ['a', 'b'], description: 'new words' });
    expect((await api<FileBody>(`/files/${id}`, { token: viewer })).body).toMatchObject({ tags: ['a', 'b'], description: 'new words' });
  });

  it('renames: same bytes at the new key, old key gone, listing shows the new name, metadata kept after sync', async () => {
    // Prepare
    const { id, file, bytes } = await catalogued(base, 'before.jpg');
    const original = await objectAt(s3, keyOf(id));
    // Act
    const response = await api<FileBody>(`/files/${id}`, { method: 'PATCH', token: editor, json: { name: 'after "renamed" é.jpg' } });
    // Assess
    expect(response.status).toBe(200);
    const moved = response.body;
    expect(moved).toMatchObject({ folder: base, name: 'after "renamed" é.jpg', uploadedBy: context.editor.username, uploadedAt: file.uploadedAt, tags: ['trip'], description: 'first day' });
    const copy = await objectAt(s3, keyOf(moved.id));
    expect(copy && sha256(copy.bytes)).toBe(sha256(bytes));
    expect(copy?.contentType).toBe('image/jpeg');
    expect(copy?.metadata['upload-id']).toBe(original?.metadata['upload-id']);
    expect(await objectExists(s3, keyOf(id))).toBe(false);
    // Right away (previews) and after the Copy and Delete events (sync): the same answer.
    const names = (await listFolder(viewer, base)).map((f) => f.name);
    expect(names).toContain('after "renamed" é.jpg');
    expect(names).not.toContain('before.jpg');
    expect(await syncedRow(keyOf(moved.id))).toMatchObject({ status: 'available', uploadedBy: context.editor.username, uploadedAt: file.uploadedAt, tags: ['trip'], description: 'first day' });
    expect(await eventually(async () => ((await catalogRow(keyOf(id)))?.status === 'deleted' ? true : undefined), 5000)).toBe(true);
    expect((await api(`/files/${id}`, { token: viewer })).status).toBe(404);
    expect((await api<FileBody>(`/files/${moved.id}`, { token: viewer })).body).toMatchObject({ uploadedBy: context.editor.username, tags: ['trip'] });
  });

  it('moves to another folder with new tags; the new row keeps uploader and upload time', async () => {
    const { id, file, bytes } = await catalogued(base, 'travel.jpg');

    const response = await api<FileBody>(`/files/${id}`, { method: 'PATCH', token: editor, json: { folder: `${base}/archive`, tags: ['archived'] } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ folder: `${base}/archive`, name: 'travel.jpg', tags: ['archived'], description: 'first day' });
    expect(sha256((await objectAt(s3, `media${base}/archive/travel.jpg`))?.bytes ?? Buffer.alloc(0))).toBe(sha256(bytes));
    expect(await objectExists(s3, keyOf(id))).toBe(false);
    expect(await syncedRow(`media${base}/archive/travel.jpg`)).toMatchObject({ uploadedBy: context.editor.username, uploadedAt: file.uploadedAt, tags: ['archived'] });
    expect((await listFolder(viewer, `${base}/archive`)).map((f) => f.name)).toEqual(['travel.jpg']);
  });

  it('answers 409 on a name clash, and overwrite: true replaces the other file', async () => {
    // Prepare
    const mover = await catalogued(base, 'mover.jpg', jpegLike(4000));
    const taken = await catalogued(base, 'taken.jpg', jpegLike(6000));
    // Act
    const clash = await api(`/files/${mover.id}`, { method: 'PATCH', token: editor, json: { name: 'taken.jpg' } });
    // Assess: nothing moved.
    expect(clash.status).toBe(409);
    expectErrorBody(clash);
    expect(sha256((await objectAt(s3, keyOf(taken.id)))?.bytes ?? Buffer.alloc(0))).toBe(sha256(taken.bytes));
    expect(await objectExists(s3, keyOf(mover.id))).toBe(true);

    const replaced = await api<FileBody>(`/files/${mover.id}`, { method: 'PATCH', token: editor, json: { name: 'taken.jpg', overwrite: true } });

    expect(replaced.status).toBe(200);
    expect(replaced.body.id).toBe(taken.id);
    expect(sha256((await objectAt(s3, keyOf(taken.id)))?.bytes ?? Buffer.alloc(0))).toBe(sha256(mover.bytes));
    expect(await objectExists(s3, keyOf(mover.id))).toBe(false);
    expect(await syncedRow(keyOf(taken.id))).toMatchObject({ size: mover.bytes.length });
    expect((await api<FileBody>(`/files/${taken.id}`, { token: viewer })).body.size).toBe(mover.bytes.length);
  });

  it('refuses viewers with 403 on PATCH and DELETE and changes nothing', async () => {
    const { id } = await catalogued(base, 'protected.jpg');

    const patch = await api(`/files/${id}`, { method: 'PATCH', token: viewer, json: { name: 'x.jpg' } });
    const remove = await api(`/files/${id}`, { method: 'DELETE', token: viewer });

    expect([patch.status, remove.status]).toEqual([403, 403]);
    expectErrorBody(patch);
    expectErrorBody(remove);
    expect(await objectExists(s3, keyOf(id))).toBe(true);
    expect((await api(`/files/${id}`, { token: viewer })).status).toBe(200);
  });

  it.each([
    ['a name with a slash', { name: 'a/b.jpg' }, 400],
    ['a name "."', { name: '..' }, 400],
    ['a folder with ".."', { folder: '/a/../b' }, 400],
    ['a key over 1024 bytes', { folder: `/${Array.from({ length: 5 }, () => 'x'.repeat(250)).join('/')}` }, 400],
    ['a key over the catalog\'s 749 bytes', { folder: `/${'x'.repeat(250)}/${'y'.repeat(250)}/${'z'.repeat(230)}` }, 400],
    ['an unknown field', { size: 1 }, 400],
  ])('leaves the original intact when moving to an invalid destination: %s', async (_what, body, status) => {
    const { id, bytes } = await catalogued(base, `intact-${randomBytes(3).toString('hex')}.jpg`);

    const response = await api(`/files/${id}`, { method: 'PATCH', token: editor, json: body });

    expect(response.status).toBe(status);
    expectErrorBody(response);
    expect(sha256((await objectAt(s3, keyOf(id)))?.bytes ?? Buffer.alloc(0))).toBe(sha256(bytes));
    expect((await api(`/files/${id}`, { token: viewer })).status).toBe(200);
  });

  it('answers 404 for PATCH and DELETE of an unknown id', async () => {
    const unknown = Buffer.from(`media${base}/nothing.jpg`).toString('base64url');
    const patch = await api(`/files/${unknown}`, { method: 'PATCH', token: editor, json: { name: 'y.jpg' } });
    const remove = await api(`/files/${unknown}`, { method: 'DELETE', token: editor });
    expect([patch.status, remove.status]).toEqual([404, 404]);
    expectErrorBody(remove);
  });

  it('deletes: 204, gone from the listing at once, then tombstoned by sync', async () => {
    const { id } = await catalogued(base, 'doomed.jpg');

    const response = await fetch(`${context.apiUrl}/files/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${editor}` } });

    expect(response.status).toBe(204);
    expect((await listFolder(viewer, base)).map((f) => f.id)).not.toContain(id);
    expect((await api(`/files/${id}`, { token: viewer })).status).toBe(404);
    expect(await objectExists(s3, keyOf(id))).toBe(false);
    expect(await syncedRow(keyOf(id))).toMatchObject({ status: 'deleted' });
    expect((await api(`/files/${id}`, { method: 'DELETE', token: editor })).status).toBe(404);
  });
});
