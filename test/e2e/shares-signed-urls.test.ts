/**
 * What a share's visitor can fetch, over HTTP on the local stack (issue 17, sections 2 and 9):
 *
 * - an SVG that runs a script, reached through an album share, a file share and their download
 *   links (the ZIP's), is only ever served as an attachment of type application/octet-stream:
 *   checked in the presigned URL and in the headers the local S3 answers with;
 * - a share without downloads gives a photo's thumbnail and preview, never a URL of the
 *   original; a video streams inline through a URL that lives about twice its length; nothing
 *   else is signed, and downloads and links are a 403 naming the problem.
 */
import { randomBytes } from 'node:crypto';
import type { FileLinks, PublicFile, PublicShare } from '../../contract/wire';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { uploadFile } from './support/files';
import { sha256 } from './support/media';
import { png, video } from '../support/media-samples';

jest.setTimeout(180_000);

interface CreatedShare {
  token: string;
  share: { id: string; expiresAt: string | null };
}

const PROCESSING_TIMEOUT_MS = 60_000;
const EVIL_SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>fetch("/steal?c="+document.cookie)</script><rect width="10" height="10"/></svg>');

async function fetched(url: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), bytes: Buffer.from(await response.arrayBuffer()) };
}

/** The URL is signed to be an application/octet-stream attachment, and the local S3 serves it so. */
async function expectServedAsAttachment(url: string | undefined, name: string): Promise<void> {
  expect(url).toEqual(expect.any(String));
  const query = new URL(url as string).searchParams;
  expect(query.get('response-content-disposition')).toMatch(new RegExp(`^attachment; filename="${name.replace('.', '\\.')}"`));
  expect(query.get('response-content-type')).toBe('application/octet-stream');
  const got = await fetched(url as string);
  expect(got.status).toBe(200);
  expect(got.disposition).toMatch(/^attachment/);
  expect(got.type).toBe('application/octet-stream');
  expect(sha256(got.bytes)).toBe(sha256(EVIL_SVG));
}

describe('URLs signed for share visitors', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  const album = `/signed-${tag}`;
  let editor: string;
  let svgId: string;
  let photoId: string;
  let videoId: string;
  let photoKeyPath: string;

  const share = async (json: Record<string, unknown>): Promise<CreatedShare> => {
    const response = await api<CreatedShare>('/shares', { token: editor, json });
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${response.text}`);
    return response.body;
  };
  const open = (token: string) => api<PublicShare>(`/public/shares/${token}`);
  const byName = (files: readonly PublicFile[] | undefined, name: string): PublicFile => {
    const file = files?.find((f) => f.name === name);
    if (file === undefined) throw new Error(`${name} is not in the share`);
    return file;
  };

  beforeAll(async () => {
    editor = await login(context.editor);
    // image/svg+xml passes the default allow-list (image/*): any uploader, a drop link's guest too, can store one.
    svgId = await uploadFile(editor, album, 'evil.svg', EVIL_SVG, { contentType: 'image/svg+xml' });
    photoId = await uploadFile(editor, album, 'photo.png', await png(800, 600), { contentType: 'image/png' });
    videoId = await uploadFile(editor, album, 'clip.mp4', video('mp4'), { contentType: 'video/mp4' });
    photoKeyPath = `media${album}/photo.png`;
    for (const id of [photoId, videoId]) {
      const done = await eventually(async () => {
        const file = await api<{ processing?: string }>(`/files/${id}`, { token: editor });
        return file.status === 200 && file.body.processing !== undefined && file.body.processing !== 'pending' ? file.body.processing : undefined;
      }, PROCESSING_TIMEOUT_MS, 250);
      expect(done).toBe('ready');
    }
  });

  describe('active content', () => {
    it('serves an SVG with a script in an album share only as an application/octet-stream attachment', async () => {
      // Prepare
      const created = await share({ folder: album, allowDownload: true });
      // Act
      const opened = await open(created.token);
      // Assess
      expect(opened.status).toBe(200);
      await expectServedAsAttachment(byName(opened.body.files, 'evil.svg').url, 'evil.svg');
    });

    it('serves an SVG with a script in a file share only as an application/octet-stream attachment: its view, download and download route', async () => {
      const created = await share({ fileId: svgId, allowDownload: true });
      const opened = await open(created.token);
      expect(opened.status).toBe(200);
      await expectServedAsAttachment(opened.body.file?.url, 'evil.svg');
      await expectServedAsAttachment(opened.body.file?.downloadUrl, 'evil.svg');
      const route = await api<{ url: string }>(`/public/shares/${created.token}/files/${svgId}/download`);
      expect(route.status).toBe(200);
      await expectServedAsAttachment(route.body.url, 'evil.svg');
    });

    it('signs the ZIP\'s link of an SVG as an application/octet-stream attachment, and a photo\'s as an attachment of its own type', async () => {
      const created = await share({ folder: album, allowDownload: true });
      const response = await api<FileLinks>(`/public/shares/${created.token}/links`, { json: { ids: [svgId, photoId] } });
      expect(response.status).toBe(200);
      const [svg, photo] = response.body.links.map((l) => ('url' in l ? l.url : undefined));
      await expectServedAsAttachment(svg, 'evil.svg');
      const got = await fetched(photo as string);
      expect(got.disposition).toMatch(/^attachment; filename="photo\.png"/);
      expect(got.type).toBe('image/png');
    });

    it('serves the SVG as an attachment to its signed-in owner too: listing, file view and download', async () => {
      const listed = await api<{ files: { name: string; url: string }[] }>(`/files?folder=${encodeURIComponent(album)}`, { token: editor });
      await expectServedAsAttachment(listed.body.files.find((f) => f.name === 'evil.svg')?.url, 'evil.svg');
      const view = await api<{ url: string }>(`/files/${svgId}`, { token: editor });
      await expectServedAsAttachment(view.body.url, 'evil.svg');
      const links = await api<FileLinks>('/files/links', { token: editor, json: { ids: [svgId] } });
      const [link] = links.body.links;
      await expectServedAsAttachment(link !== undefined && 'url' in link ? link.url : undefined, 'evil.svg');
    });
  });

  describe('shares without downloads', () => {
    it('give an album\'s photo its thumbnail and preview, never a URL of the original, and an SVG no URL at all', async () => {
      // Prepare
      const created = await share({ folder: album });
      // Act
      const opened = await open(created.token);
      // Assess
      expect(opened.status).toBe(200);
      expect(opened.body.share.allowDownload).toBe(false);
      const photo = byName(opened.body.files, 'photo.png');
      expect(photo.url).toBeUndefined();
      expect(photo.downloadUrl).toBeUndefined();
      const preview = await fetched(photo.previewUrl as string);
      expect(preview.status).toBe(200);
      expect(preview.type).toBe('image/webp');
      expect((await fetched(photo.thumbUrl as string)).type).toBe('image/webp');
      // No URL of the answer reaches the original photo or the SVG.
      const urls = JSON.stringify(opened.body).match(/https?:\/\/[^"]+/g) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(decodeURIComponent(new URL(url).pathname)).not.toMatch(new RegExp(`${photoKeyPath}$|evil\\.svg$`));
      expect(byName(opened.body.files, 'evil.svg').url).toBeUndefined();
    });

    it('give a shared photo file its preview only', async () => {
      const created = await share({ fileId: photoId });
      const opened = await open(created.token);
      expect(opened.status).toBe(200);
      expect(opened.body.file).toMatchObject({ name: 'photo.png', previewUrl: expect.any(String), thumbUrl: expect.any(String) });
      expect(opened.body.file).not.toHaveProperty('url');
      expect(opened.body.file).not.toHaveProperty('downloadUrl');
    });

    it('stream a video inline from a URL living at most 15 minutes (twice a short video\'s length)', async () => {
      const created = await share({ folder: album });
      const opened = await open(created.token);
      const clip = byName(opened.body.files, 'clip.mp4');
      expect(clip.posterUrl).toEqual(expect.any(String));
      const query = new URL(clip.url as string).searchParams;
      expect(Number(query.get('X-Amz-Expires'))).toBe(900);
      expect(query.get('response-content-disposition')).toBeNull();
      expect(Date.parse(clip.urlExpiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
      const got = await fetched(clip.url as string);
      expect(got.status).toBe(200);
      expect(got.type).toBe('video/mp4');
      expect(got.disposition).toBeNull();
    });

    it('refuse a file\'s download and the ZIP\'s links with a 403 DownloadNotAllowed, signing nothing', async () => {
      const created = await share({ folder: album });
      for (const response of [
        await api(`/public/shares/${created.token}/files/${photoId}/download`),
        await api(`/public/shares/${created.token}/links`, { json: { ids: [photoId, videoId] } }),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body).toEqual({ error: { code: 'DownloadNotAllowed', message: 'This share does not allow downloads' } });
      }
    });
  });
});
