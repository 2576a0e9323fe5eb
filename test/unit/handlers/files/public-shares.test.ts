import type { CatalogFile } from '../../../../handlers/core/catalog';
import { ObjectUrls } from '../../../../handlers/core/object-urls';
import { fileIdOf } from '../../../../handlers/core/paths';
import { hashShareToken, newShareToken } from '../../../../handlers/core/shares';
import type { Share } from '../../../../handlers/adapters/shares-repository';
import { downloadFromShare, shareLinks, streamUrlTtl, viewShare, type PublicSharesDeps } from '../../../../handlers/files/public-shares';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const TTL = 3600;

function catalogFile(name: string, contentType: string, extra: Partial<CatalogFile> = {}): CatalogFile {
  const fileType = contentType.startsWith('image/') ? 'image' : contentType.startsWith('video/') ? 'video' : 'other';
  return {
    id: fileIdOf(`media/album/${name}`), key: `media/album/${name}`, folder: '/album', name, size: 10, contentType, fileType,
    uploadedAt: '2026-05-01T00:00:00.000Z', uploadedBy: 'ana', tags: [], sequencer: '1', status: 'available',
    processing: 'ready', derived: { thumb: `derived/${name}-thumb.webp`, preview: `derived/${name}-preview.webp` },
    ...extra,
  } as CatalogFile;
}

const PHOTO = catalogFile('beach.jpg', 'image/jpeg');
const VIDEO = catalogFile('clip.mp4', 'video/mp4', { derived: { thumb: 'derived/clip-thumb.webp', poster: 'derived/clip-poster.webp' }, media: { durationSeconds: 1200 } });
const SVG = catalogFile('evil.svg', 'image/svg+xml', { processing: 'failed', derived: {} });
const PDF = catalogFile('notes.pdf', 'application/pdf', { processing: 'skipped' as never, derived: {} });
const ALBUM = [PHOTO, VIDEO, SVG, PDF];

/** A view share of /album (or of one of its files) by a live editor, with URLs that show what was signed. */
function world(share: Partial<Share>) {
  const token = newShareToken();
  const row: Share = {
    id: 'AAAAAAAAAAAAAAAA', owner: 'ana', target: { kind: 'folder', folder: '/album' }, mode: 'view', allowDownload: false,
    expiresAt: '2026-06-02T00:00:00.000Z', createdAt: '2026-05-30T00:00:00.000Z', sessionKey: Buffer.alloc(32, 1).toString('base64url'), folderGeneration: 'g1', ...share,
  };
  const byKey = new Map(ALBUM.map((f) => [f.key, f]));
  const deps = {
    shares: {
      byTokenHash: async (hash: string) => (hash === hashShareToken(token) ? row : undefined),
    },
    accessLog: { record: async () => undefined, recordMany: async () => undefined },
    users: { getAccess: async (name: string) => (name === 'ana' ? { username: 'ana', role: 'editor' } : undefined) },
    files: {
      getRow: async (_folder: string, name: string) => ({ file: ALBUM.find((f) => f.name === name), version: { exists: true } }),
      listFolder: async () => ({ files: ALBUM }),
      getFiles: async (keys: readonly string[]) => new Map(keys.flatMap((k) => (byKey.has(k) ? [[k, byKey.get(k) as CatalogFile] as const] : []))),
    },
    folders: { marker: async () => ({ generation: 'g1' }) },
    objects: { urlSigner: async () => new ObjectUrls((input) => `https://s3/${input.key}?e=${input.expiresIn}${input.query ? `&${new URLSearchParams(input.query as Record<string, string>).toString()}` : ''}`) },
    viewUrlTtlSeconds: TTL,
    throttle: { maxFailures: 5, lockoutSeconds: 900 },
    now: () => NOW,
  } as unknown as PublicSharesDeps;
  const visit = { token, ip: '203.0.113.9', event: { headers: {} } as never };
  return { deps, visit };
}

const byName = (files: readonly { name: string }[] | undefined, name: string) => files?.find((f) => f.name === name) as Record<string, string | undefined>;

describe('public shares', () => {
  describe('without downloads', () => {
    it('give a photo its thumbnail and preview, never a URL of the original, and nothing to download', async () => {
      // Prepare
      const { deps, visit } = world({ allowDownload: false });
      // Act
      const { files } = await viewShare(visit, { limit: 60 }, deps);
      // Assess
      const photo = byName(files, 'beach.jpg');
      expect(photo.url).toBeUndefined();
      expect(photo.downloadUrl).toBeUndefined();
      expect(photo.thumbUrl).toBe(`https://s3/derived/beach.jpg-thumb.webp?e=${TTL}`);
      expect(photo.previewUrl).toBe(`https://s3/derived/beach.jpg-preview.webp?e=${TTL}`);
      expect(JSON.stringify(files)).not.toContain('https://s3/media/album/beach.jpg');
      // Neither the SVG nor the PDF is handed out: they have no preview a visitor may see instead.
      for (const name of ['evil.svg', 'notes.pdf']) expect(byName(files, name).url).toBeUndefined();
    });

    it('give a shared photo file no original and no download URL', async () => {
      const { deps, visit } = world({ allowDownload: false, target: { kind: 'file', fileId: PHOTO.id, folder: '/album', name: PHOTO.name, uploadedAt: PHOTO.uploadedAt } });
      const { file } = await viewShare(visit, { limit: 60 }, deps);
      expect(file).toMatchObject({ name: 'beach.jpg', previewUrl: expect.any(String) });
      expect(file).not.toHaveProperty('url');
      expect(file).not.toHaveProperty('downloadUrl');
    });

    it('stream a video\'s original inline through a URL that lives about twice its length', async () => {
      const { deps, visit } = world({ allowDownload: false });
      const { files } = await viewShare(visit, { limit: 60 }, deps);
      const video = byName(files, 'clip.mp4');
      expect(video.url).toBe('https://s3/media/album/clip.mp4?e=2400');
      expect(video.urlExpiresAt).toBe(new Date(NOW.getTime() + 2400 * 1000).toISOString());
      expect(video.posterUrl).toBeDefined();
    });

    it('refuse a single download and a ZIP\'s links with 403 DownloadNotAllowed', async () => {
      const { deps, visit } = world({ allowDownload: false });
      for (const attempt of [() => downloadFromShare(visit, PHOTO.id, deps), () => shareLinks(visit, [PHOTO.id, VIDEO.id], deps)]) {
        await expect(attempt()).rejects.toMatchObject({ statusCode: 403, code: 'DownloadNotAllowed', message: 'This share does not allow downloads' });
      }
    });
  });

  describe('with downloads', () => {
    it('show a photo\'s original inline and serve an SVG only as an application/octet-stream attachment', async () => {
      const { deps, visit } = world({ allowDownload: true });
      const { files } = await viewShare(visit, { limit: 60 }, deps);
      expect(byName(files, 'beach.jpg').url).toBe(`https://s3/media/album/beach.jpg?e=${TTL}`);
      const svg = new URL(byName(files, 'evil.svg').url as string);
      expect(svg.searchParams.get('response-content-disposition')).toMatch(/^attachment; filename="evil\.svg"/);
      expect(svg.searchParams.get('response-content-type')).toBe('application/octet-stream');
    });

    it('sign a ZIP\'s links and a file share\'s download URL as attachments, an SVG as application/octet-stream', async () => {
      const { deps, visit } = world({ allowDownload: true });
      const { links } = await shareLinks(visit, [SVG.id, PHOTO.id], deps);
      const [svg, photo] = links.map((l) => new URL((l as { url: string }).url).searchParams);
      expect(svg?.get('response-content-type')).toBe('application/octet-stream');
      expect(svg?.get('response-content-disposition')).toMatch(/^attachment/);
      expect(photo?.get('response-content-type')).toBeNull();
      expect(photo?.get('response-content-disposition')).toMatch(/^attachment; filename="beach\.jpg"/);
      const single = world({ allowDownload: true, target: { kind: 'file', fileId: SVG.id, folder: '/album', name: SVG.name, uploadedAt: SVG.uploadedAt } });
      const { file } = await viewShare(single.visit, { limit: 60 }, single.deps);
      for (const url of [file?.url, file?.downloadUrl]) expect(new URL(url as string).searchParams.get('response-content-type')).toBe('application/octet-stream');
      const { url } = await downloadFromShare(single.visit, SVG.id, single.deps);
      expect(new URL(url).searchParams.get('response-content-type')).toBe('application/octet-stream');
    });
  });

  describe('streamUrlTtl', () => {
    it('lives twice the video\'s length, at least 15 minutes, never past the share\'s URLs', () => {
      expect(streamUrlTtl(60, 3600)).toBe(900);
      expect(streamUrlTtl(undefined, 3600)).toBe(900);
      expect(streamUrlTtl(1200.4, 3600)).toBe(2401);
      expect(streamUrlTtl(7200, 3600)).toBe(3600);
      expect(streamUrlTtl(60, 120)).toBe(120);
    });
  });
});
