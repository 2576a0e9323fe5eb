/**
 * Share pages over HTTP on the local stack (`GET /s/<token>`, as the site's `/s/*` behaviour
 * sends them to the API): what a chat app's crawler reads — the app's own index.html with
 * Open Graph tags that show no more than the share does, a preview picture that answers at a
 * URL lasting as long as the share (`/s/<token>/preview`, a redirect to a presigned derived
 * image), with its type, size and alt — and nothing of a protected share, a drop link or an
 * ended share.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { e2eContext } from './support/context';
import { api, eventually, login } from './support/http';
import { uploadFile } from './support/files';
import sharp from 'sharp';
import { png } from '../support/media-samples';

jest.setTimeout(180_000);

const CRAWLERS = {
  facebook: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  slack: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  whatsapp: 'WhatsApp/2.23.20.0',
};

/** The value of an Open Graph (or name=) meta tag, HTML entities decoded. */
function tag(html: string, key: string): string | undefined {
  const raw = new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
  return raw?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

describe('share pages for link previews', () => {
  const context = e2eContext();
  const tag8 = randomBytes(4).toString('hex');
  const folder = `/private-trip-${tag8}`;
  const appScript = /<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(path.resolve(__dirname, '../../dist/web/index.html'), 'utf8'))?.[1];
  let editor: string;
  let photoId: string;

  const share = async (json: Record<string, unknown>): Promise<{ token: string; share: { id: string } }> => {
    const response = await api<{ token: string; share: { id: string } }>('/shares', { token: editor, json });
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${response.text}`);
    return response.body;
  };
  const page = (token: string, userAgent: string) => api<string>(`/s/${token}`, { headers: { 'user-agent': userAgent, accept: 'text/html' } });

  beforeAll(async () => {
    editor = await login(context.editor);
    photoId = await uploadFile(editor, folder, `sunset-${tag8}.png`, await png(640, 400), { contentType: 'image/png', tags: ['secret-tag'], description: 'a private description' });
    const ready = await eventually(async () => {
      const file = await api<{ processing?: string }>(`/files/${photoId}`, { token: editor });
      return file.status === 200 && file.body.processing === 'ready' ? true : undefined;
    }, 60_000, 250);
    expect(ready).toBe(true);
  });

  it('gives a crawler a shared photo\'s name and a preview picture that answers, in the app\'s own page, uncached', async () => {
    // Prepare
    const created = await share({ fileId: photoId, expires: 600 });
    // Act
    const response = await page(created.token, CRAWLERS.facebook);
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The site's headers, as CloudFront's policy sets them: the app's CSP (scripts from the site only).
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = response.text;
    expect(tag(html, 'og:title')).toBe(`sunset-${tag8}.png`);
    expect(tag(html, 'og:description')).toBe('A photo shared with you on media-store.');
    expect(html).toContain(`<title>sunset-${tag8}.png</title>`);
    // The picture: on the page's own origin, under the share's path (the site's /s/* sends it to the API too).
    const image = tag(html, 'og:image') as string;
    expect(image).toBe(`${context.apiUrl}/s/${created.token}/preview`);
    expect(tag(html, 'og:image:type')).toBe('image/webp');
    expect(tag(html, 'og:image:alt')).toBe(`Preview of sunset-${tag8}.png`);
    expect(tag(html, 'twitter:card')).toBe('summary_large_image');
    // It redirects to the derived preview presigned now, within the share's 600 s, uncached.
    const redirect = await fetch(image, { redirect: 'manual', headers: { 'user-agent': CRAWLERS.facebook } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const location = new URL(redirect.headers.get('location') as string);
    expect(location.origin).toBe(new URL(context.s3Endpoint).origin);
    expect(location.pathname).toContain('/derived/');
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeGreaterThan(500);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(600);
    // Followed as a crawler does: the image itself, its size the one the tags announce.
    const picture = await fetch(image, { headers: { 'user-agent': CRAWLERS.facebook } });
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/webp');
    const decoded = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
    expect([decoded.width, decoded.height]).toEqual([640, 400]);
    expect([tag(html, 'og:image:width'), tag(html, 'og:image:height')]).toEqual(['640', '400']);
    // Pages open the connection to the media bucket early.
    expect(response.headers.get('link')).toBe(`<${new URL(context.s3Endpoint).origin}>; rel=preconnect`);
    // The app boots from it: the build's own script.
    expect(appScript).toBeDefined();
    expect(html).toContain(`src="${appScript}"`);
    // Nothing the share does not show: no folder, uploader, tags or description.
    for (const hidden of [folder.slice(1), context.editor.username, 'secret-tag', 'a private description']) expect(html).not.toContain(hidden);
  });

  it('gives an album its label and its first photo\'s preview', async () => {
    const created = await share({ folder, label: 'Our summer', expires: 600 });
    const response = await page(created.token, CRAWLERS.slack);
    expect(response.status).toBe(200);
    expect(tag(response.text, 'og:title')).toBe('Our summer');
    expect(tag(response.text, 'og:image:alt')).toBe('A picture from the album Our summer');
    expect((await fetch(tag(response.text, 'og:image') as string)).status).toBe(200);
    for (const hidden of [folder.slice(1), `sunset-${tag8}`, context.editor.username]) expect(response.text).not.toContain(hidden);
  });

  it('names nothing and shows no picture of a password-protected share or a drop link', async () => {
    const locked = await share({ fileId: photoId, password: 'correct horse battery', expires: 600 });
    const drop = await share({ folder, mode: 'drop', label: `Wedding drop ${tag8}`, maxBytes: 10_000_000, maxFiles: 5, expires: 600 });
    for (const [created, title] of [[locked, 'A protected share'], [drop, 'Send files']] as const) {
      const response = await page(created.token, CRAWLERS.whatsapp);
      expect(response.status).toBe(200);
      expect(tag(response.text, 'og:title')).toBe(title);
      expect(tag(response.text, 'og:image')).toBeUndefined();
      for (const hidden of [folder.slice(1), `sunset-${tag8}`, `Wedding drop ${tag8}`, 'X-Amz-', '/preview']) expect(response.text).not.toContain(hidden);
      // Nor does the picture URL answer for them: 404 JSON, never a redirect.
      const picture = await api<{ message: string }>(`/s/${created.token}/preview`);
      expect(picture.status).toBe(404);
      expect(picture.headers.get('content-type')).toContain('application/json');
      expect(picture.headers.get('location')).toBeNull();
    }
  });

  it('answers a revoked share with 404 and a generic page at once', async () => {
    const created = await share({ fileId: photoId, expires: 600 });
    expect((await page(created.token, CRAWLERS.facebook)).status).toBe(200);
    expect((await api(`/shares/${created.share.id}`, { method: 'DELETE', token: editor })).status).toBe(204);
    const response = await page(created.token, CRAWLERS.facebook);
    expect(response.status).toBe(404);
    expect(tag(response.text, 'og:title')).toBe('This link is not available');
    expect(response.text).not.toContain(`sunset-${tag8}`);
    expect(response.text).toContain(`src="${appScript}"`);
    // Its picture goes with it.
    expect((await api(`/s/${created.token}/preview`)).status).toBe(404);
  });
});
