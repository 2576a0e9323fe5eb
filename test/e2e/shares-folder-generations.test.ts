/**
 * A folder share (album or drop link) is a share of the very folder it was made of, over HTTP
 * on the local stack: once that folder is deleted, its shares stay ended, whether a folder of
 * the same path is created again with POST /folders, by an upload landing there (the sync marks
 * the folders of a file's path) or by a file moved there. A new share of the new folder works.
 * Shares stored before folder generations existed (no `folderGeneration` on the token row)
 * keep opening while their folder exists. There is no folder rename or move in the API (files
 * only), so a file moved into the old path is the one way another folder "moves in".
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CreatedGuestUpload, CreatedShare, PublicShare } from '../../contract/wire';
import { hashShareToken } from '../../handlers/core/shares';
import { folderMarkerKey } from '../../contract/table';
import { folderRef } from '../../handlers/core/folders';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { listFolder, uploadFile, type FileBody } from './support/files';
import { jpegLike } from './support/media';
import { documents } from './support/multipart';

jest.setTimeout(120_000);

const NO_SUCH_SHARE = { error: { code: 'NotFound', message: 'No such share' } };
const CATALOG_TIMEOUT_MS = 10_000;

describe('folder shares end with the folder they were made of', () => {
  const context = e2eContext();
  const base = `/share-generations-${randomBytes(4).toString('hex')}`;
  const table = documents(context);
  let editor: string;

  const share = async (json: Record<string, unknown>): Promise<CreatedShare> => {
    const response = await api<CreatedShare>('/shares', { token: editor, json });
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${response.text}`);
    return response.body;
  };
  const open = (token: string) => api<PublicShare>(`/public/shares/${token}`);
  const shareRow = async (token: string) =>
    (await table.send(new GetCommand({ TableName: context.tableName, Key: { pk: `SHARE#${hashShareToken(token)}`, sk: 'SHARE' }, ConsistentRead: true }))).Item;

  /** Whether GET /folders lists `path` in its parent: its marker is available. */
  const listed = async (path: string): Promise<boolean> => {
    const { parent, name } = folderRef(path);
    const response = await api<{ folders: { name: string }[] }>(`/folders?parent=${encodeURIComponent(parent)}`, { token: editor });
    return response.status === 200 && response.body.folders.some((f) => f.name === name);
  };
  /** Uploads a file and waits until the catalog has it and its folder's marker (the sync writes the row first). */
  const catalogued = async (folder: string, name: string): Promise<string> => {
    const id = await uploadFile(editor, folder, name, jpegLike(1500));
    const ready = await eventually(async () => ((await api<FileBody>(`/files/${id}`, { token: editor })).status === 200 && (await listed(folder)) ? true : undefined), CATALOG_TIMEOUT_MS);
    expect(ready).toBe(true);
    return id;
  };
  /** Deletes the file, then the emptied folder (the file's tombstone may take a moment). */
  const deleteFolderWith = async (path: string, fileId: string): Promise<void> => {
    expect((await api(`/files/${fileId}`, { token: editor, method: 'DELETE' })).status).toBe(204);
    const deleted = await eventually(async () => ((await api(`/folders?path=${encodeURIComponent(path)}`, { token: editor, method: 'DELETE' })).status === 204 ? true : undefined), CATALOG_TIMEOUT_MS, 200);
    expect(deleted).toBe(true);
    expect(await listed(path)).toBe(false);
  };

  beforeAll(async () => {
    editor = await login(context.editor);
  });

  afterAll(() => {
    table.destroy();
  });

  it('ends an album share when its folder is deleted, and keeps it ended when a file landing there creates the folder again', async () => {
    // Prepare
    const trip = `${base}/trip`;
    const before = await catalogued(trip, 'before.jpg');
    const created = await share({ folder: trip });
    const opened = await open(created.token);
    expect(opened.status).toBe(200);
    expect(opened.body.files?.map((f) => f.name)).toEqual(['before.jpg']);
    // Act: delete the folder, then upload into its path (the sync marks the folder anew).
    await deleteFolderWith(trip, before);
    expect((await open(created.token)).body).toEqual(NO_SUCH_SHARE);
    await catalogued(trip, 'after.jpg');
    // Assess: the old link shows nothing of the new folder; a new share of it does.
    const old = await open(created.token);
    expect(old.status).toBe(404);
    expect(old.body).toEqual(NO_SUCH_SHARE);
    const fresh = await open((await share({ folder: trip })).token);
    expect(fresh.status).toBe(200);
    expect(fresh.body.files?.map((f) => f.name)).toEqual(['after.jpg']);
  });

  it('keeps an album share ended when its folder is created again with POST /folders', async () => {
    // Prepare
    const album = `${base}/album`;
    const first = await catalogued(album, 'one.jpg');
    const created = await share({ folder: album, allowDownload: true });
    expect((await open(created.token)).status).toBe(200);
    // Act
    await deleteFolderWith(album, first);
    expect((await api('/folders', { token: editor, json: { path: album } })).status).toBe(201);
    await catalogued(album, 'two.jpg');
    // Assess
    const old = await open(created.token);
    expect(old.status).toBe(404);
    expect(old.body).toEqual(NO_SUCH_SHARE);
    const fresh = await open((await share({ folder: album })).token);
    expect(fresh.status).toBe(200);
    expect(fresh.body.files?.map((f) => f.name)).toEqual(['two.jpg']);
  });

  it('keeps an album share ended when a file moved into the deleted folder\'s path brings the folder back', async () => {
    // Prepare
    const target = `${base}/moved-into`;
    const elsewhere = `${base}/elsewhere`;
    const original = await catalogued(target, 'original.jpg');
    const traveller = await catalogued(elsewhere, 'traveller.jpg');
    const created = await share({ folder: target });
    expect((await open(created.token)).status).toBe(200);
    await deleteFolderWith(target, original);
    // Act: the API moves files, not folders; a file moved there marks the path again.
    const moved = await api<FileBody>(`/files/${traveller}`, { token: editor, method: 'PATCH', json: { folder: target } });
    expect(moved.status).toBe(200);
    expect(await eventually(async () => ((await listed(target)) ? true : undefined), CATALOG_TIMEOUT_MS)).toBe(true);
    // Assess
    const old = await open(created.token);
    expect(old.status).toBe(404);
    expect(old.body).toEqual(NO_SUCH_SHARE);
    const fresh = await open((await share({ folder: target })).token);
    expect(fresh.status).toBe(200);
    expect(fresh.body.files?.map((f) => f.name)).toEqual(['traveller.jpg']);
  });

  it('ends a drop link when its folder is deleted and created again: no upload through it; a new drop link takes one', async () => {
    // Prepare
    const inbox = `${base}/inbox`;
    expect((await api('/folders', { token: editor, json: { path: inbox } })).status).toBe(201);
    const created = await share({ folder: inbox, mode: 'drop', maxBytes: 1024 * 1024, maxFiles: 3, label: 'Cousins' });
    expect((await open(created.token)).body.share).toMatchObject({ mode: 'drop', usedFiles: 0 });
    // Act
    expect((await api(`/folders?path=${encodeURIComponent(inbox)}`, { token: editor, method: 'DELETE' })).status).toBe(204);
    expect((await api('/folders', { token: editor, json: { path: inbox } })).status).toBe(201);
    // Assess: the old link neither opens nor takes uploads.
    const old = await open(created.token);
    expect(old.status).toBe(404);
    expect(old.body).toEqual(NO_SUCH_SHARE);
    const refused = await api(`/public/shares/${created.token}/uploads`, { json: { fileName: 'late.jpg', contentType: 'image/jpeg', size: 1000 } });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual(NO_SUCH_SHARE);
    // A new drop link of the new folder takes a guest's file.
    const fresh = await share({ folder: inbox, mode: 'drop', maxBytes: 1024 * 1024, maxFiles: 3, label: 'Cousins' });
    const bytes = jpegLike(1000);
    const start = await api<CreatedGuestUpload>(`/public/shares/${fresh.token}/uploads`, { json: { fileName: 'cake.jpg', contentType: 'image/jpeg', size: bytes.length } });
    expect(start.status).toBe(201);
    if (start.body.mode !== 'single') throw new Error(`expected a single PUT upload, got ${start.body.mode}`);
    expect((await fetch(start.body.url, { method: 'PUT', headers: start.body.headers, body: bytes })).status).toBe(200);
    const landed = await eventually(async () => (await listFolder(editor, inbox)).find((f) => f.name === 'cake.jpg'), CATALOG_TIMEOUT_MS);
    expect(landed).toMatchObject({ size: bytes.length, uploadedBy: 'share:Cousins' });
  });

  it('records the folder generation on the stored share, and keeps opening a share stored before generations while its folder exists', async () => {
    // Prepare: a share as stored before this change has no folderGeneration on its token row.
    const old = `${base}/from-before`;
    const file = await catalogued(old, 'kept.jpg');
    const created = await share({ folder: old });
    const stored = await shareRow(created.token);
    expect(typeof stored?.folderGeneration).toBe('string');
    await table.send(new UpdateCommand({ TableName: context.tableName, Key: { pk: `SHARE#${hashShareToken(created.token)}`, sk: 'SHARE' }, UpdateExpression: 'REMOVE folderGeneration' }));
    expect((await shareRow(created.token))?.folderGeneration).toBeUndefined();
    // Act
    const opened = await open(created.token);
    // Assess: it still opens; deleting the folder still ends it.
    expect(opened.status).toBe(200);
    expect(opened.body.files?.map((f) => f.name)).toEqual(['kept.jpg']);
    await deleteFolderWith(old, file);
    expect((await open(created.token)).body).toEqual(NO_SUCH_SHARE);
  });

  it('pins a folder whose marker predates generations when it is shared, so its deletion still ends the share', async () => {
    // Prepare: a marker as written before this change has no generation.
    const legacy = `${base}/legacy-marker`;
    expect((await api('/folders', { token: editor, json: { path: legacy } })).status).toBe(201);
    const { parent, name } = folderRef(legacy);
    await table.send(new UpdateCommand({ TableName: context.tableName, Key: folderMarkerKey(parent, name), UpdateExpression: 'REMOVE generation' }));
    // Act
    const created = await share({ folder: legacy });
    // Assess
    expect((await open(created.token)).status).toBe(200);
    expect(typeof (await shareRow(created.token))?.folderGeneration).toBe('string');
    expect((await api(`/folders?path=${encodeURIComponent(legacy)}`, { token: editor, method: 'DELETE' })).status).toBe(204);
    expect((await api('/folders', { token: editor, json: { path: legacy } })).status).toBe(201);
    const after = await open(created.token);
    expect(after.status).toBe(404);
    expect(after.body).toEqual(NO_SUCH_SHARE);
  });
});
