/**
 * Share pages (`GET /s/{token}`, handlers/shares/share-page.ts): the app's shell with Open Graph
 * tags that say no more than the share shows its visitor, every value escaped; their picture
 * (`GET /s/{token}/preview`), a redirect to the derived image presigned when it is fetched.
 */
import type { CatalogFile } from '../../../../handlers/core/catalog';
import { ObjectUrls } from '../../../../handlers/core/object-urls';
import { fileIdOf } from '../../../../handlers/core/paths';
import { hashShareToken, newShareToken } from '../../../../handlers/core/shares';
import type { Share } from '../../../../handlers/adapters/shares-repository';
import { escapeHtml, renderSharePage, sharePage, sharePreviewImage, type SharePageDeps } from '../../../../handlers/shares/share-page';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const SHELL = [
  '<!doctype html>',
  '<html lang="en">',
  '  <head>',
  '    <meta charset="utf-8" />',
  '    <title>media-store</title>',
  '    <meta name="description" content="Your photos and videos, private." />',
  '    <script type="module" crossorigin src="/assets/index-abc.js"></script>',
  '  </head>',
  '  <body><div id="app"></div></body>',
  '</html>',
].join('\n');

function catalogFile(name: string, contentType: string, extra: Partial<CatalogFile> = {}): CatalogFile {
  const fileType = contentType.startsWith('image/') ? 'image' : contentType.startsWith('video/') ? 'video' : 'other';
  return {
    id: fileIdOf(`media/Private trip/${name}`), key: `media/Private trip/${name}`, folder: '/Private trip', name, size: 10, contentType, fileType,
    uploadedAt: '2026-05-01T00:00:00.000Z', uploadedBy: 'ana', tags: ['secret-tag'], description: 'a private description', sequencer: '1', status: 'available',
    processing: 'ready', derived: { thumb: `derived/${name}-thumb`, preview: `derived/${name}-preview` },
    ...extra,
  } as CatalogFile;
}

const PENDING = catalogFile('a-pending.jpg', 'image/jpeg', { processing: 'pending', derived: {} });
const PHOTO = catalogFile('beach <b>"&".jpg', 'image/jpeg', { media: { width: 4000, height: 3000 } });
const VIDEO = catalogFile('clip.mp4', 'video/mp4', { derived: { thumb: 'derived/clip-thumb', poster: 'derived/clip-poster' }, media: { width: 720, height: 1280 } });
const ORIGIN = 'https://photos.example.org';

function world(share: Partial<Share>, album: readonly CatalogFile[] = [PENDING, PHOTO, VIDEO]) {
  const token = newShareToken();
  const row: Share = {
    id: 'AAAAAAAAAAAAAAAA', owner: 'ana', target: { kind: 'folder', folder: '/Private trip' }, mode: 'view', allowDownload: false,
    expiresAt: '2026-06-01T12:10:00.000Z', createdAt: '2026-05-30T00:00:00.000Z', sessionKey: Buffer.alloc(32, 1).toString('base64url'), folderGeneration: 'g1', ...share,
  };
  const deps = {
    shares: { byTokenHash: async (hash: string) => (hash === hashShareToken(token) ? row : undefined) },
    users: { getAccess: async (name: string) => (name === 'ana' ? { username: 'ana', role: 'editor' } : undefined) },
    files: {
      getRow: async (_folder: string, name: string) => ({ file: album.find((f) => f.name === name), version: { exists: true } }),
      listFolder: async () => ({ files: album }),
    },
    folders: { marker: async () => ({ generation: 'g1' }) },
    objects: { urlSigner: async () => new ObjectUrls((input) => `https://s3.example/${input.key}?e=${input.expiresIn}&a=1`) },
    viewUrlTtlSeconds: 3600,
    appShell: SHELL,
    now: () => NOW,
  } as unknown as SharePageDeps;
  return { deps, token };
}

const fileTarget = (file: CatalogFile) => ({ kind: 'file' as const, fileId: file.id, folder: file.folder, name: file.name, uploadedAt: file.uploadedAt });
const tag = (html: string, property: string): string | undefined => new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)" />`).exec(html)?.[1];
const pictureUrl = (token: string) => `${ORIGIN}/s/${token}/preview`;

describe('share pages', () => {
  it('give a shared photo its name as title and, as og:image, the share\'s own picture URL on the page\'s origin with its type, size and alt', async () => {
    // Prepare
    const { deps, token } = world({ target: fileTarget(PHOTO) });
    // Act
    const page = await sharePage(token, deps, ORIGIN);
    // Assess
    const html = page.body as string;
    expect(page.statusCode).toBe(200);
    expect(tag(html, 'og:title')).toBe(escapeHtml(PHOTO.name));
    expect(html).toContain(`<title>${escapeHtml(PHOTO.name)}</title>`);
    expect(tag(html, 'og:description')).toBe('A photo shared with you on media-store.');
    // A URL that lasts as long as the share (no signature in the page to expire).
    expect(tag(html, 'og:image')).toBe(pictureUrl(token));
    expect(tag(html, 'og:image:secure_url')).toBe(pictureUrl(token));
    expect(html).not.toContain('s3.example');
    // The preview's size: 4000×3000 fitted to 1280 on the long edge.
    expect(tag(html, 'og:image:type')).toBe('image/webp');
    expect([tag(html, 'og:image:width'), tag(html, 'og:image:height')]).toEqual(['1280', '960']);
    expect(tag(html, 'og:image:alt')).toBe(escapeHtml(`Preview of ${PHOTO.name}`));
    expect(tag(html, 'twitter:image:alt')).toBe(escapeHtml(`Preview of ${PHOTO.name}`));
    expect(tag(html, 'twitter:card')).toBe('summary_large_image');
    // The app still boots: the shell's own script, one title, one description.
    expect(html).toContain('<script type="module" crossorigin src="/assets/index-abc.js"></script>');
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html.match(/name="description"/g)).toHaveLength(1);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' });
  });

  it('escape every injected value: a file name cannot open a tag or close an attribute', async () => {
    const { deps, token } = world({ target: fileTarget(PHOTO), label: '"/><script>alert(1)</script>' });
    const html = (await sharePage(token, deps, ORIGIN)).body as string;
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('"/><script>');
    expect(tag(html, 'og:title')).toBe('&#34;/&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('give an album its label (or "Shared album") and the first processed file\'s picture; never the folder\'s path nor the file\'s name', async () => {
    for (const [label, title, alt] of [[undefined, 'Shared album', 'A picture from a shared album'], ['Summer', 'Summer', 'A picture from the album Summer']] as const) {
      const { deps, token } = world(label === undefined ? {} : { label });
      const html = (await sharePage(token, deps, ORIGIN)).body as string;
      expect(tag(html, 'og:title')).toBe(title);
      expect(tag(html, 'og:description')).toBe('An album shared with you on media-store.');
      expect(tag(html, 'og:image')).toBe(pictureUrl(token));
      expect(tag(html, 'og:image:alt')).toBe(alt);
      for (const secret of ['Private trip', 'secret-tag', 'a private description', 'ana', 'media/', 'beach']) expect(html).not.toContain(secret);
      // The picture is the album's first processed file's preview (PENDING has none).
      const picture = await sharePreviewImage(token, deps);
      expect(picture.headers?.location).toBe(`https://s3.example/${PHOTO.derived?.preview}?e=600&a=1`);
    }
  });

  it('show a video\'s poster when it has no preview, sized as the poster is rendered', async () => {
    const { deps, token } = world({ target: fileTarget(VIDEO) });
    const html = (await sharePage(token, deps, ORIGIN)).body as string;
    expect(tag(html, 'og:description')).toBe('A video shared with you on media-store.');
    expect([tag(html, 'og:image:width'), tag(html, 'og:image:height')]).toEqual(['720', '1280']);
    expect(tag(html, 'og:image:alt')).toBe('A frame of the video clip.mp4');
    expect((await sharePreviewImage(token, deps)).headers?.location).toBe('https://s3.example/derived/clip-poster?e=600&a=1');
  });

  it('answer the picture URL with a 302 to the preview (never the original) presigned now, within the share\'s remaining life, uncached', async () => {
    // Prepare
    const { deps, token } = world({ target: fileTarget(PHOTO), expiresAt: '2026-06-01T12:10:00.000Z' });
    // Act
    const picture = await sharePreviewImage(token, deps);
    // Assess: 10 minutes left of the share, though view URLs may live an hour.
    expect(picture.statusCode).toBe(302);
    expect(picture.headers).toMatchObject({ location: `https://s3.example/${PHOTO.derived?.preview}?e=600&a=1`, 'cache-control': 'no-store' });
    const lasting = world({ target: fileTarget(PHOTO), expiresAt: null });
    expect((await sharePreviewImage(lasting.token, lasting.deps)).headers?.location).toContain('e=3600');
  });

  it('refuse the picture of a protected share, a drop link, an album without pictures or no share with 404', async () => {
    const cases = [world({ target: fileTarget(PHOTO), passwordHash: 'scrypt$x' }), world({ mode: 'drop' }), world({}, [PENDING])];
    for (const { deps, token } of cases) await expect(sharePreviewImage(token, deps)).rejects.toMatchObject({ statusCode: 404 });
    await expect(sharePreviewImage(newShareToken(), cases[0]!.deps)).rejects.toMatchObject({ statusCode: 404, message: 'No such share' });
  });

  it('leave the picture out when the page\'s origin is unknown, rather than give a relative URL', async () => {
    const { deps, token } = world({ target: fileTarget(PHOTO) });
    const html = (await sharePage(token, deps, undefined)).body as string;
    expect(tag(html, 'og:title')).toBe(escapeHtml(PHOTO.name));
    expect(tag(html, 'og:image')).toBeUndefined();
    expect(tag(html, 'twitter:card')).toBe('summary');
  });

  it('give a password-protected share, a drop link and an album without pictures no name and no picture', async () => {
    const cases = [
      [{ target: fileTarget(PHOTO), passwordHash: 'scrypt$x' }, 'A protected share'],
      [{ mode: 'drop' as const, label: 'Wedding uploads' }, 'Send files'],
    ] as const;
    for (const [share, title] of cases) {
      const { deps, token } = world(share);
      const page = await sharePage(token, deps, ORIGIN);
      const html = page.body as string;
      expect(page.statusCode).toBe(200);
      expect(tag(html, 'og:title')).toBe(title);
      expect(tag(html, 'og:image')).toBeUndefined();
      expect(tag(html, 'twitter:card')).toBe('summary');
      for (const secret of ['beach', 'Wedding', 'Private trip', 's3.example', '/preview']) expect(html).not.toContain(secret);
    }
    const empty = world({}, [PENDING]);
    const html = (await sharePage(empty.token, empty.deps, ORIGIN)).body as string;
    expect(tag(html, 'og:title')).toBe('Shared album');
    expect(tag(html, 'og:image')).toBeUndefined();
  });

  it('answer a link that is no share with 404 and a generic page that still boots the app', async () => {
    const { deps } = world({});
    for (const token of [newShareToken(), 'not a token', undefined]) {
      const page = await sharePage(token, deps, ORIGIN);
      expect(page.statusCode).toBe(404);
      expect(tag(page.body as string, 'og:title')).toBe('This link is not available');
      expect(page.body).toContain('/assets/index-abc.js');
    }
  });

  it('carry the tags in a bare page when the module had no web build', () => {
    const html = renderSharePage('', { title: 'T', description: 'D' });
    expect(html).toContain('<title>T</title>');
    expect(tag(html, 'og:title')).toBe('T');
    expect(html.match(/<\/head>/g)).toHaveLength(1);
  });
});
