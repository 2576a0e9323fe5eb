import { randomBytes } from 'node:crypto';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { jpegLike } from './support/media';

interface Page {
  files: { id: string; name: string; folder: string }[];
  nextCursor: string | null;
}

/** POST /uploads then PUT the bytes to the presigned URL, as a client does. */
async function upload(token: string, folder: string, fileName: string): Promise<string> {
  const bytes = jpegLike(4096);
  const created = await api<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', {
    token,
    json: { folder, fileName, contentType: 'image/jpeg', size: bytes.length },
  });
  expect(created.status).toBe(201);
  const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes });
  expect(put.status).toBe(200);
  return created.body.fileId;
}

const list = (token: string, query: string) => api<Page>(`/files?${query}`, { token });

describe('GET /files pages through a folder', () => {
  const context = e2eContext();
  const folder = `/e2e-pages-${randomBytes(4).toString('hex')}`;
  let token: string;
  let ids: string[];

  beforeAll(async () => {
    token = await login(context.editor);
    ids = await Promise.all(['a.jpg', 'b.jpg', 'c.jpg'].map((name) => upload(token, folder, name)));
    const all = await eventually(async () => {
      const page = await list(token, `folder=${encodeURIComponent(folder)}`);
      return page.body.files.length === 3 ? page.body.files : undefined;
    }, 2000);
    expect(all).toBeDefined();
  });

  it('returns `limit` files and a cursor, then the rest and no cursor', async () => {
    const first = await list(token, `folder=${encodeURIComponent(folder)}&limit=2`);
    const second = await list(token, `folder=${encodeURIComponent(folder)}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);

    expect(first.status).toBe(200);
    expect(first.body.files.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.files.map((f) => f.name)).toEqual(['c.jpg']);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.files, ...second.body.files].map((f) => f.id).sort()).toEqual([...ids].sort());
  });

  it('refuses a cursor from another folder with a 400 error body', async () => {
    const first = await list(token, `folder=${encodeURIComponent(folder)}&limit=1`);

    const response = await list(token, `folder=${encodeURIComponent(`${folder}-other`)}&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('lists a file uploaded to the root folder under folder "/"', async () => {
    const name = `root-${randomBytes(4).toString('hex')}.jpg`;
    const id = await upload(token, '/', name);

    const files = await eventually(async () => {
      const page = await list(token, 'folder=%2F&limit=100');
      return page.body.files.some((f) => f.id === id) ? page.body.files : undefined;
    }, 2000);

    expect(files?.find((f) => f.id === id)).toMatchObject({ folder: '/', name });
    expect(Buffer.from(id, 'base64url').toString('utf8')).toBe(`media/${name}`);
  });
});

describe('GET /files on a folder holding exactly `limit` files', () => {
  const context = e2eContext();
  const folder = `/e2e-exact-${randomBytes(4).toString('hex')}`;
  // Large enough that DynamoDB itself stops at the page's last row and reports more may follow.
  const COUNT = 60;
  let token: string;

  beforeAll(async () => {
    token = await login(context.editor);
    for (let i = 0; i < COUNT; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, COUNT - i) }, (_, j) => upload(token, folder, `f${String(i + j).padStart(3, '0')}.jpg`)));
    }
    const all = await eventually(async () => {
      const page = await list(token, `folder=${encodeURIComponent(folder)}&limit=1000`);
      return page.body.files.length === COUNT ? true : undefined;
    }, 10_000);
    expect(all).toBe(true);
  }, 60_000);

  it('returns every file and no cursor to an empty page', async () => {
    const page = await list(token, `folder=${encodeURIComponent(folder)}&limit=${COUNT}`);

    expect(page.status).toBe(200);
    expect(page.body.files).toHaveLength(COUNT);
    expect(page.body.nextCursor).toBeNull();
  });

  it('returns a cursor while files follow, and the last page has no cursor', async () => {
    const first = await list(token, `folder=${encodeURIComponent(folder)}&limit=${COUNT / 2}`);
    const second = await list(token, `folder=${encodeURIComponent(folder)}&limit=${COUNT / 2}&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);

    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.files).toHaveLength(COUNT / 2);
    expect(second.body.nextCursor).toBeNull();
  });

  it('does the same by date taken (sort=taken), whose cursor the name order refuses', async () => {
    const whole = await list(token, `folder=${encodeURIComponent(folder)}&sort=taken&limit=${COUNT}`);
    const first = await list(token, `folder=${encodeURIComponent(folder)}&sort=taken&limit=${COUNT / 2}`);
    const second = await list(token, `folder=${encodeURIComponent(folder)}&sort=taken&limit=${COUNT / 2}&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);
    const misused = await list(token, `folder=${encodeURIComponent(folder)}&limit=${COUNT / 2}&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);

    expect(whole.status).toBe(200);
    expect(whole.body.files).toHaveLength(COUNT);
    expect(whole.body.nextCursor).toBeNull();
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.files).toHaveLength(COUNT / 2);
    expect(second.body.nextCursor).toBeNull();
    expect(new Set([...first.body.files, ...second.body.files].map((f) => f.id)).size).toBe(COUNT);
    expect(misused.status).toBe(400);
    expect(misused.body).toMatchObject({ error: { code: 'InvalidCursor' } });
  });
});
