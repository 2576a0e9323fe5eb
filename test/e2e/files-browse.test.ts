/** Reading the library over HTTP: by type (newest first), by id, downloads, links for many files. */
import { randomBytes } from 'node:crypto';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { fileWhen, uploadFile, type FileBody, type FilePage } from './support/files';
import { jpegLike, sha256 } from './support/media';

describe('GET /files?type= lists a type newest first', () => {
  const context = e2eContext();
  const folder = `/e2e-type-${randomBytes(4).toString('hex')}`;
  let token: string;
  const ids: string[] = [];

  beforeAll(async () => {
    token = await login(context.editor);
    // One after the other, each catalogued before the next: distinct upload times.
    for (const name of ['first.mp4', 'second.mp4', 'third.mp4']) {
      const id = await uploadFile(token, folder, name, randomBytes(64), { contentType: 'video/mp4' });
      expect(await fileWhen(token, id)).toBeDefined();
      ids.push(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

  it('pages with limit and cursor, newest first, only files of the type', async () => {
    // Act: walk every page of two.
    const seen: FileBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `type=video&limit=2${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api<FilePage>(`/files?${query}`, { token });
      expect(page.status).toBe(200);
      expect(page.body.files.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.files);
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 500);
    // Assess
    expect(seen.every((f) => f.fileType === 'video')).toBe(true);
    const times = seen.map((f) => f.uploadedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(seen.filter((f) => ids.includes(f.id)).map((f) => f.name)).toEqual(['third.mp4', 'second.mp4', 'first.mp4']);
    expect(new Set(seen.map((f) => f.id)).size).toBe(seen.length);
  });

  it('carries a view URL per file that serves the bytes', async () => {
    const page = await api<FilePage>('/files?type=video&limit=1', { token });
    const response = await fetch(page.body.files[0]?.url ?? '');
    expect(response.status).toBe(200);
  });

  it('refuses a folder cursor for a type listing and a type cursor for a folder listing', async () => {
    const byType = await api<FilePage>('/files?type=video&limit=1', { token });
    const byFolder = await api<FilePage>(`/files?folder=${encodeURIComponent(folder)}&limit=1`, { token });

    const typeWithFolderCursor = await api(`/files?type=video&cursor=${encodeURIComponent(byFolder.body.nextCursor ?? '')}`, { token });
    const folderWithTypeCursor = await api(`/files?folder=${encodeURIComponent(folder)}&cursor=${encodeURIComponent(byType.body.nextCursor ?? '')}`, { token });
    const otherType = await api(`/files?type=image&cursor=${encodeURIComponent(byType.body.nextCursor ?? '')}`, { token });

    for (const response of [typeWithFolderCursor, folderWithTypeCursor, otherType]) {
      expect(response.status).toBe(400);
      expectErrorBody(response);
    }
  });

  it.each(['audio', '', 'IMAGE'])('refuses type=%j with a 400', async (type) => {
    const response = await api(`/files?type=${encodeURIComponent(type)}`, { token });
    expect(response.status).toBe(400);
    expectErrorBody(response);
  });
});

describe('GET /files/{id} and /files/{id}/download', () => {
  const context = e2eContext();
  const folder = `/e2e-get-${randomBytes(4).toString('hex')}/Été 2024`;
  const name = 'Ünïcode "quoted" 🎉 (1).jpg';
  const bytes = jpegLike(3000);
  let token: string;
  let id: string;

  beforeAll(async () => {
    token = await login(context.viewer);
    const editor = await login(context.editor);
    id = await uploadFile(editor, folder, name, bytes, { tags: ['beach', 'family'], description: 'At the "beach"' });
    expect(await fileWhen(token, id)).toBeDefined();
  });

  it('returns the metadata and a view URL', async () => {
    const response = await api<FileBody>(`/files/${id}`, { token });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, folder, name, size: bytes.length, contentType: 'image/jpeg', fileType: 'image', uploadedBy: context.editor.username, tags: ['beach', 'family'], description: 'At the "beach"' });
    const view = await fetch(response.body.url);
    expect(sha256(Buffer.from(await view.arrayBuffer()))).toBe(sha256(bytes));
  });

  it.each([
    ['an unknown id', Buffer.from('media/none/x.jpg').toString('base64url')],
    ['a garbage id', 'not%20an%20id!'],
    ['the id of a key outside media/', Buffer.from('other/x.jpg').toString('base64url')],
  ])('answers 404 with an error body for %s', async (_what, unknown) => {
    const response = await api(`/files/${unknown}`, { token });
    expect(response.status).toBe(404);
    expectErrorBody(response);
    const download = await api(`/files/${unknown}/download`, { token });
    expect(download.status).toBe(404);
    expectErrorBody(download);
  });

  it('redirects a download to S3, which answers with an attachment named like the file', async () => {
    // Act
    const response = await fetch(`${context.apiUrl}/files/${id}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    const location = response.headers.get('location') ?? '';
    const download = await fetch(location);
    // Assess
    expect(response.status).toBe(302);
    expect(location.startsWith(context.s3Endpoint)).toBe(true);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="_n_code _quoted_ _ (1).jpg"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%22quoted%22%20%F0%9F%8E%89%20%281%29.jpg`,
    );
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));
  });
});

describe('POST /files/links', () => {
  const context = e2eContext();
  const folder = `/e2e-links-${randomBytes(4).toString('hex')}`;
  let token: string;
  let ids: string[];

  beforeAll(async () => {
    const editor = await login(context.editor);
    token = await login(context.viewer);
    ids = await Promise.all(Array.from({ length: 12 }, (_, i) => uploadFile(editor, folder, `photo ${i}.jpg`, jpegLike(100 + i))));
    const listed = await eventually(async () => {
      const page = await api<FilePage>(`/files?folder=${encodeURIComponent(folder)}`, { token });
      return page.body.files.length === ids.length ? true : undefined;
    }, 10_000);
    expect(listed).toBe(true);
  }, 20_000);

  it('returns a download link per id, in order, and reports unknown ids per item', async () => {
    // Prepare
    const unknown = Buffer.from(`media${folder}/missing.jpg`).toString('base64url');
    // Act
    const response = await api<{ links: ({ id: string; name: string; url: string } | { id: string; error: { code: string } })[] }>('/files/links', {
      token,
      json: { ids: [...ids, unknown, 'garbage'] },
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.body.links.map((l) => l.id)).toEqual([...ids, unknown, 'garbage']);
    expect(response.body.links.slice(-2)).toEqual([
      { id: unknown, error: { code: 'NotFound', message: expect.any(String) } },
      { id: 'garbage', error: { code: 'NotFound', message: expect.any(String) } },
    ]);
    const downloads = await Promise.all(response.body.links.slice(0, ids.length).map((l) => fetch((l as { url: string }).url)));
    downloads.forEach((d, i) => {
      expect(d.status).toBe(200);
      expect(d.headers.get('content-disposition')).toBe(`attachment; filename="photo ${i}.jpg"; filename*=UTF-8''photo%20${i}.jpg`);
    });
  });

  it.each([
    ['no ids', { ids: [] }],
    ['too many ids', { ids: Array.from({ length: 1001 }, () => 'a') }],
    ['ids of the wrong type', { ids: [1, 2] }],
    ['a body without ids', { files: ['a'] }],
  ])('refuses %s with a 400', async (_what, body) => {
    const response = await api('/files/links', { token, json: body });
    expect(response.status).toBe(400);
    expectErrorBody(response);
  });
});

describe('a folder-limited caller learns nothing about other folders', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  let editor: string;
  let family: string;
  let hiddenId: string;

  beforeAll(async () => {
    editor = await login(context.editor);
    family = await login(context.familyEditor);
    const visibleId = await uploadFile(family, `/family/${tag}`, 'visible.png', randomBytes(32), { contentType: 'image/png' });
    expect(await fileWhen(family, visibleId)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Newest image of all: the first row a type listing reads, hidden from the family editor.
    hiddenId = await uploadFile(editor, `/private-${tag}`, 'hidden.png', randomBytes(32), { contentType: 'image/png' });
    expect(await fileWhen(editor, hiddenId)).toBeDefined();
  }, 20_000);

  it('fills a type listing page with visible files and hands out a cursor that decodes to nothing readable', async () => {
    const page = await api<FilePage>('/files?type=image&limit=1', { token: family });

    expect(page.status).toBe(200);
    expect(page.body.files).toHaveLength(1);
    expect(page.body.files.every((f) => f.folder === '/family' || f.folder.startsWith('/family/') || f.folder.startsWith('/trips/2024'))).toBe(true);
    const decoded = Buffer.from(page.body.nextCursor ?? '', 'base64url').toString('latin1');
    expect(decoded).not.toContain(hiddenId);
    expect(decoded).not.toContain('media/');
    expect(decoded).not.toContain(tag);
  });

  it('refuses a cursor issued to another user, and a tampered one, with 400 InvalidCursor', async () => {
    const admins = await api<FilePage>('/files?type=image&limit=1', { token: await login(context.admin) });
    const own = await api<FilePage>('/files?type=image&limit=1', { token: family });
    const raw = Buffer.from(own.body.nextCursor ?? '', 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;

    const foreign = await api('/files?type=image&limit=1&cursor=' + encodeURIComponent(admins.body.nextCursor ?? ''), { token: family });
    const tampered = await api('/files?type=image&limit=1&cursor=' + raw.toString('base64url'), { token: family });

    for (const response of [foreign, tampered]) {
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'InvalidCursor', message: expect.any(String) } });
    }
  });

  it('answers links for a file in a forbidden folder exactly like links for a missing file', async () => {
    const missingId = Buffer.from(`media/private-${tag}/never-uploaded.png`).toString('base64url');

    const response = await api<{ links: { id: string; error?: unknown }[] }>('/files/links', { token: family, json: { ids: [hiddenId, missingId] } });

    expect(response.status).toBe(200);
    const [forbidden, missing] = response.body.links;
    expect(forbidden?.error).toEqual({ code: 'NotFound', message: expect.any(String) });
    expect(forbidden?.error).toEqual(missing?.error);
  });
});

describe('active content is served as an attachment', () => {
  const context = e2eContext();
  const folder = `/e2e-active-${randomBytes(4).toString('hex')}`;

  it('answers the view URL of an SVG with Content-Disposition attachment and a type that never renders', async () => {
    const token = await login(context.editor);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
    const id = await uploadFile(token, folder, 'drawing.svg', svg, { contentType: 'image/svg+xml' });
    const file = await fileWhen(token, id);

    const view = await fetch((file as FileBody).url);

    expect(view.status).toBe(200);
    expect(view.headers.get('content-disposition')).toBe(`attachment; filename="drawing.svg"; filename*=UTF-8''drawing.svg`);
    expect(view.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await view.arrayBuffer()).equals(svg)).toBe(true);
  });

  it('keeps a JPEG inline', async () => {
    const token = await login(context.editor);
    const id = await uploadFile(token, folder, 'photo.jpg', jpegLike(64));
    const file = await fileWhen(token, id);

    const view = await fetch((file as FileBody).url);

    expect(view.status).toBe(200);
    expect(view.headers.get('content-disposition')).toBeNull();
    expect(view.headers.get('content-type')).toBe('image/jpeg');
  });
});
