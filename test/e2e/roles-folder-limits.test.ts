/**
 * Roles and folder limits over HTTP. The stack's `familyEditor` may use /family and
 * /trips/2024 only: it uploads, lists and creates folders there, is refused (403
 * FolderForbidden) anywhere else — /family2 included — and sees the folder tree only as
 * the way to its folders. Viewers read but never write.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { hashPassword } from '../../handlers/core/password';
import { e2eContext } from './support/context';
import { api, eventually, expectErrorBody, login } from './support/http';
import { jpegLike } from './support/media';
import { claimsOf } from './support/tokens';

// Logins hash with scrypt and the machine is shared: allow for a busy local stack.
jest.setTimeout(30_000);

interface Upload {
  readonly url: string;
  readonly headers: Record<string, string>;
}

describe('roles and folder limits', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  let family: string;
  let viewer: string;
  let admin: string;

  const startUpload = (token: string, folder: string, fileName = 'p.jpg', size = 2048) =>
    api<Upload>('/uploads', { token, json: { folder, fileName, contentType: 'image/jpeg', size } });

  beforeAll(async () => {
    [family, viewer, admin] = await Promise.all([login(context.familyEditor), login(context.viewer), login(context.admin)]);
    // Folders the limited editor must not see, made by the admin.
    for (const path of [`/family2/${tag}`, `/trips/2023/${tag}`, `/trips/2024/${tag}`, `/work-${tag}`]) expect((await api('/folders', { token: admin, json: { path } })).status).toBeLessThan(300);
  });

  it('puts the folder limits into the token at login', () => {
    expect(claimsOf(family)).toMatchObject({ role: 'editor', folders: ['/family', '/trips/2024'] });
  });

  it('lets a limited editor upload inside its folders and list them', async () => {
    // Prepare
    const folder = `/family/${tag}`;
    const bytes = jpegLike(2048);
    // Act
    const upload = await startUpload(family, folder);
    expect(upload.status).toBe(201);
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: bytes })).status).toBe(200);
    // Assess
    const listed = await eventually(async () => {
      const response = await api<{ files: { name: string }[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token: family });
      expect(response.status).toBe(200);
      return response.body.files.some((f) => f.name === 'p.jpg') ? true : undefined;
    }, 5000);
    expect(listed).toBe(true);
    expect((await startUpload(family, `/trips/2024/${tag}`)).status).toBe(201);
  });

  it('returns a limited editor only the files of its folders in type listings', async () => {
    // Prepare: an image outside the limits, uploaded by the admin.
    const bytes = jpegLike(1024);
    const upload = await startUpload(admin, `/work-${tag}`, 'outside.jpg', bytes.length);
    expect((await fetch(upload.body.url, { method: 'PUT', headers: upload.body.headers, body: bytes })).status).toBe(200);
    const adminSees = await eventually(async () => {
      const response = await api<{ files: { folder: string }[] }>('/files?type=image&limit=1000', { token: admin });
      return response.body.files.some((f) => f.folder === `/work-${tag}`) ? true : undefined;
    }, 5000);
    expect(adminSees).toBe(true);
    // Act
    const response = await api<{ files: { folder: string; name: string }[] }>('/files?type=image&limit=1000', { token: family });
    // Assess
    expect(response.status).toBe(200);
    expect(response.body.files.some((f) => f.folder === `/family/${tag}` && f.name === 'p.jpg')).toBe(true);
    for (const file of response.body.files) expect(['/family', '/trips/2024'].some((limit) => file.folder === limit || file.folder.startsWith(`${limit}/`))).toBe(true);
  });

  it.each([['/family2'], [`/family2/${tag}`], ['/trips/2023'], ['/trips'], ['/'], ['/famil'], ['/work']])(
    'refuses uploads, listings and new folders in %s (403 FolderForbidden)',
    async (folder) => {
      // Act
      const responses = await Promise.all([
        startUpload(family, folder),
        api(`/files?folder=${encodeURIComponent(folder)}`, { token: family }),
        api('/folders', { token: family, json: { path: `${folder === '/' ? '' : folder}/${tag}-new` } }),
      ]);
      // Assess
      for (const response of responses) {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ error: { code: 'FolderForbidden' } });
      }
    },
  );

  it('matches the limits after unicode normalization, not by raw bytes', async () => {
    // "/family" spelled with a decomposed character elsewhere must not slip through either.
    expect((await startUpload(family, '/fami\u006c\u0301y')).status).toBe(403);
    expect((await startUpload(family, `/family/${tag}/Cafe\u0301`)).status).toBe(201);
  });

  it('shows the limited editor the folder tree only as the way to its folders', async () => {
    // Act
    const root = await api<{ folders: { path: string }[] }>('/folders?parent=/', { token: family });
    const trips = await api<{ folders: { path: string }[] }>('/folders?parent=/trips', { token: family });
    const work = await api(`/folders?parent=${encodeURIComponent(`/work-${tag}`)}`, { token: family });
    // Assess
    expect(root.status).toBe(200);
    expect(root.body.folders.map((f) => f.path).sort()).toEqual(['/family', '/trips']);
    expect(trips.body.folders.map((f) => f.path)).toEqual(['/trips/2024']);
    expect(work.status).toBe(403);
    // The admin sees everything.
    const adminRoot = await api<{ folders: { path: string }[] }>('/folders?parent=/', { token: admin });
    expect(adminRoot.body.folders.map((f) => f.path)).toEqual(expect.arrayContaining(['/family', '/family2', '/trips', `/work-${tag}`]));
  });

  it('lets a limited editor create and delete folders inside its folders', async () => {
    const path = `/family/${tag}/album`;
    expect((await api('/folders', { token: family, json: { path } })).status).toBe(201);
    expect((await api(`/folders?path=${encodeURIComponent(path)}`, { method: 'DELETE', token: family })).status).toBe(204);
    const outside = await api(`/folders?path=${encodeURIComponent(`/family2/${tag}`)}`, { method: 'DELETE', token: family });
    expect(outside.status).toBe(403);
  });

  it('never lets a viewer upload or create folders (403), but lets it read', async () => {
    // Act
    const responses = await Promise.all([
      startUpload(viewer, `/family/${tag}`),
      api('/uploads/batch', { token: viewer, json: { files: [{ folder: '/v', fileName: 'a.jpg', contentType: 'image/jpeg', size: 10 }] } }),
      api('/folders', { token: viewer, json: { path: `/viewer-${tag}` } }),
    ]);
    // Assess
    for (const response of responses) {
      expect(response.status).toBe(403);
      expectErrorBody(response);
    }
    expect((await api(`/files?folder=${encodeURIComponent(`/family/${tag}`)}`, { token: viewer })).status).toBe(200);
  });
});

describe('a stored folder limit that cannot be read', () => {
  const context = e2eContext();

  it.each([
    ['a string', { S: '/family' }],
    ['a string set', { SS: ['/family'] }],
    ['an empty list', { L: [] }],
    ['a list of numbers', { L: [{ N: '1' }] }],
  ])('fails closed when it is %s: no folder at all, never every folder', async (label, folders) => {
    // Prepare: a user whose limit was written by something other than the users API.
    const username = `unreadable-${label.replace(/\W+/g, '-')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const dynamodb = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials });
    await dynamodb.send(
      new PutItemCommand({
        TableName: context.tableName,
        Item: { pk: { S: `USER#${username}` }, sk: { S: 'PROFILE' }, username: { S: username }, role: { S: 'editor' }, passwordHash: { S: await hashPassword(password) }, folders },
      }),
    );
    dynamodb.destroy();
    // Act
    const session = await api<{ token: string; user: { folders: string[] | null } }>('/auth/login', { json: { username, password } });
    const root = await api('/files?folder=/family', { token: session.body.token });
    // Assess
    expect(session.status).toBe(200);
    expect(session.body.user.folders).toEqual([]);
    expect(root.status).toBe(403);
  });
});
