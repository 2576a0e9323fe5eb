/**
 * `POST /uploads/batch` over HTTP: many presigned uploads in one request, the bytes PUT to
 * each URL, every file listed; per-item failures reported in place (207) without costing
 * the good items; malformed batches refused whole (400).
 */
import { randomBytes } from 'node:crypto';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { jpegLike } from './support/media';

type Item = { index: number; upload: { mode: string; url: string; headers: Record<string, string>; fileId: string } } | { index: number; error: { code: string; message: string } };

// Logins hash with scrypt and the machine is shared: allow for a busy local stack.
jest.setTimeout(30_000);

interface BatchResponse {
  readonly uploads: Item[];
  readonly created: number;
  readonly failed: number;
}

describe('POST /uploads/batch', () => {
  const context = e2eContext();
  const folder = `/e2e-batch-${randomBytes(4).toString('hex')}`;
  let editor: string;

  beforeAll(async () => {
    editor = await login(context.editor);
  });

  it('returns a presigned upload per file; both PUTs land and both files list', async () => {
    // Prepare
    const files = [jpegLike(3000), jpegLike(5000)];
    // Act
    const response = await api<BatchResponse>('/uploads/batch', {
      token: editor,
      json: { files: files.map((bytes, i) => ({ folder, fileName: `batch ${i}.jpg`, contentType: 'image/jpeg', size: bytes.length, tags: ['batch'] })) },
    });
    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ created: 2, failed: 0 });
    const uploads = response.body.uploads.map((item) => ('upload' in item ? item.upload : undefined));
    expect(response.body.uploads.map((item) => item.index)).toEqual([0, 1]);
    for (const [i, upload] of uploads.entries()) {
      expect(upload?.mode).toBe('single');
      const put = await fetch(upload!.url, { method: 'PUT', headers: upload!.headers, body: files[i] });
      expect(put.status).toBe(200);
    }
    const listed = await eventually(async () => {
      const list = await api<{ files: { name: string; size: number; id: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token: editor });
      return list.body.files.length === 2 ? list.body.files : undefined;
    }, 5000);
    expect(listed?.map((f) => [f.name, f.size])).toEqual([
      ['batch 0.jpg', 3000],
      ['batch 1.jpg', 5000],
    ]);
    expect(listed?.map((f) => f.id)).toEqual(uploads.map((u) => u?.fileId));
  });

  it('reports bad items in place (207) and still signs the good ones', async () => {
    // Act
    const response = await api<BatchResponse>('/uploads/batch', {
      token: await login(context.familyEditor),
      json: {
        files: [
          { folder: '/family/batch', fileName: 'ok.jpg', contentType: 'image/jpeg', size: 10 },
          { folder: '/family/batch', fileName: 'page.html', contentType: 'text/html', size: 10 },
          { folder: '/family2', fileName: 'ok.jpg', contentType: 'image/jpeg', size: 10 },
          { folder: '/family/batch', fileName: 'ok.jpg', contentType: 'image/jpeg', size: 20 },
          { folder: '/family/../x', fileName: 'x.jpg', contentType: 'image/jpeg', size: 10 },
          'not an object',
        ],
      },
    });
    // Assess
    expect(response.status).toBe(207);
    expect(response.body).toMatchObject({ created: 1, failed: 5 });
    expect(response.body.uploads.map((item) => ('error' in item ? item.error.code : 'ok'))).toEqual([
      'ok',
      'UnsupportedMediaType',
      'FolderForbidden',
      'DuplicateInBatch',
      'ValidationError',
      'ValidationError',
    ]);
  });

  it.each([
    ['no files array', {}],
    ['an empty list', { files: [] }],
    ['more than 100 files', { files: Array.from({ length: 101 }, (_, i) => ({ folder, fileName: `${i}.jpg`, contentType: 'image/jpeg', size: 1 })) }],
    ['an unknown field', { files: [], dryRun: true }],
    ['a list instead of an object', []],
  ])('refuses %s with 400', async (_name, json) => {
    const response = await api('/uploads/batch', { token: editor, json });
    expect(response.status).toBe(400);
    expectErrorBody(response);
  });
});

describe('POST /uploads/batch onto existing files', () => {
  const context = e2eContext();
  const folder = `/e2e-batch-exists-${randomBytes(4).toString('hex')}`;

  it('reports FileExists for the item naming an existing file, creates the others, and replaces it with overwrite: true', async () => {
    const editor = await login(context.editor);
    const bytes = jpegLike(3000);
    const first = await api<BatchResponse>('/uploads/batch', { token: editor, json: { files: [{ folder, fileName: 'kept.jpg', contentType: 'image/jpeg', size: bytes.length }] } });
    const created = first.body.uploads[0] as Extract<Item, { upload: unknown }>;
    expect((await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: bytes })).status).toBe(200);
    const listed = await eventually(async () => {
      const page = await api<{ files: { name: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token: editor });
      return page.body.files.some((f) => f.name === 'kept.jpg') ? true : undefined;
    }, 3000);
    expect(listed).toBe(true);

    const second = await api<BatchResponse>('/uploads/batch', {
      token: editor,
      json: {
        files: [
          { folder, fileName: 'kept.jpg', contentType: 'image/jpeg', size: 10 },
          { folder, fileName: 'new.jpg', contentType: 'image/jpeg', size: 10 },
          { folder, fileName: 'kept.jpg', contentType: 'image/jpeg', size: 10, overwrite: true },
        ],
      },
    });

    expect(second.status).toBe(207);
    expect(second.body.uploads[0]).toEqual({ index: 0, error: { code: 'FileExists', message: expect.any(String) } });
    expect(second.body.uploads[1]).toMatchObject({ index: 1, upload: { mode: 'single' } });
    // The same name twice in one batch is still refused, whatever overwrite says.
    expect(second.body.uploads[2]).toMatchObject({ index: 2, error: { code: 'DuplicateInBatch' } });
  });
});
