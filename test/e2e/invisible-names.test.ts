/**
 * Names with invisible characters (issue 17, section 7): every route where a file or folder
 * name enters the store answers 400 naming the character, so `invoice\u200B.pdf` can no longer
 * sit beside `invoice.pdf`; a name stored before the rule still lists, opens and can be renamed.
 */
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { e2eContext } from './support/context';
import { adminS3, fileWhen, listFolder, uploadFile } from './support/files';
import { api, eventually, expectErrorBody, login, type ApiResponse } from './support/http';
import { jpegLike } from './support/media';

interface ErrorBody {
  error: { code: string; message: string };
}

function expectRefusal(response: ApiResponse, field: string, described: string): void {
  expect(response.status).toBe(400);
  expectErrorBody(response);
  expect((response.body as ErrorBody).error).toEqual({ code: 'ValidationError', message: expect.stringContaining(`${field}: must not contain ${described}`) });
}

describe('names with invisible characters', () => {
  const context = e2eContext();
  const base = `/e2e-names-${randomBytes(4).toString('hex')}`;
  let editor: string;
  let fileId: string;

  beforeAll(async () => {
    editor = await login(context.editor);
    fileId = await uploadFile(editor, base, 'invoice.jpg', jpegLike(800));
    expect(await fileWhen(editor, fileId, () => true, 5000)).toBeDefined();
  });

  it.each([
    ['U+200B ZERO WIDTH SPACE', '\u200B'],
    ['U+200F RIGHT-TO-LEFT MARK', '\u200F'],
    ['U+2060 WORD JOINER', '\u2060'],
    ['U+FEFF ZERO WIDTH NO-BREAK SPACE', '\uFEFF'],
    ['U+2028 LINE SEPARATOR', '\u2028'],
    ['U+2029 PARAGRAPH SEPARATOR', '\u2029'],
  ])('refuses an upload whose file name carries %s, naming it', async (described, character) => {
    const response = await api('/uploads', { token: editor, json: { folder: base, fileName: `invoice${character}.jpg`, contentType: 'image/jpeg', size: 100 } });

    expectRefusal(response, 'fileName', described);
  });

  it('refuses an upload into a look-alike folder, and the same item of a batch', async () => {
    const single = await api('/uploads', { token: editor, json: { folder: `${base}/family\u200B`, fileName: 'a.jpg', contentType: 'image/jpeg', size: 100 } });
    const batch = await api<{ uploads: { index: number; error?: { code: string; message: string } }[] }>('/uploads/batch', {
      token: editor,
      json: { files: [{ folder: base, fileName: 'ok\u200D.jpg', contentType: 'image/jpeg', size: 100 }] },
    });

    expectRefusal(single, 'folder', 'U+200B ZERO WIDTH SPACE');
    expect(batch.body.uploads[0]?.error).toEqual({ code: 'ValidationError', message: expect.stringContaining('fileName: must not contain U+200D ZERO WIDTH JOINER') });
  });

  it('refuses a folder created with an invisible character', async () => {
    const response = await api('/folders', { token: editor, json: { path: `${base}/family\u2060` } });

    expectRefusal(response, 'path', 'U+2060 WORD JOINER');
  });

  it('refuses a rename or a move to a name with an invisible character, and leaves the file as it was', async () => {
    const rename = await api(`/files/${fileId}`, { method: 'PATCH', token: editor, json: { name: 'invoice\u200B.jpg' } });
    const move = await api(`/files/${fileId}`, { method: 'PATCH', token: editor, json: { folder: `${base}/\uFEFFelsewhere` } });

    expectRefusal(rename, 'name', 'U+200B ZERO WIDTH SPACE');
    expectRefusal(move, 'folder', 'U+FEFF ZERO WIDTH NO-BREAK SPACE');
    expect((await listFolder(editor, base)).map((f) => f.name)).toEqual(['invoice.jpg']);
  });

  it('refuses a drop-link guest\'s file name, and a share label, with an invisible character', async () => {
    const created = await api<{ token: string }>('/shares', { token: editor, json: { folder: base, mode: 'drop', maxBytes: 1_000_000, maxFiles: 5 } });
    expect(created.status).toBe(201);
    const guest = await api(`/public/shares/${created.body.token}/uploads`, { json: { fileName: 'invoice\u200E.jpg', contentType: 'image/jpeg', size: 100 } });
    const label = await api('/shares', { token: editor, json: { folder: base, label: 'Grandma\u200B' } });

    expectRefusal(guest, 'fileName', 'U+200E LEFT-TO-RIGHT MARK');
    expectRefusal(label, 'label', 'U+200B ZERO WIDTH SPACE');
  });

  it('still lists, opens and renames a file and folder stored with an invisible character before the rule', async () => {
    // Prepare: an object written straight to the bucket, as an upload before the rule could.
    const folder = `${base}/legacy\u200B`;
    await adminS3().send(new PutObjectCommand({ Bucket: context.bucketName, Key: `media${folder}/old\u200B.jpg`, Body: jpegLike(700), ContentType: 'image/jpeg' }));
    const listed = await eventually(async () => (await listFolder(editor, folder)).find((f) => f.name === 'old\u200B.jpg'), 10_000);
    expect(listed).toBeDefined();
    // Act
    // The sync marks the file's folders just after its row: the folder lists a moment later.
    const subfolders = await eventually(async () => {
      const answer = await api<{ folders: { path: string }[] }>(`/folders?parent=${encodeURIComponent(base)}`, { token: editor });
      return answer.body.folders.length > 0 ? answer.body.folders : undefined;
    }, 10_000);
    const opened = await api<{ name: string }>(`/files/${listed!.id}`, { token: editor });
    const renamed = await api<{ name: string }>(`/files/${listed!.id}`, { method: 'PATCH', token: editor, json: { name: 'old.jpg' } });
    // Assess
    expect(subfolders?.map((f) => f.path)).toEqual([folder]);
    expect(opened.status).toBe(200);
    expect(opened.body.name).toBe('old\u200B.jpg');
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('old.jpg');
    expect(await eventually(async () => ((await listFolder(editor, folder)).some((f) => f.name === 'old.jpg') ? true : undefined), 10_000)).toBe(true);
  });
});
