/**
 * `GET /s/{token}`: a share's page, as a chat app's link preview reads it. The site's
 * CloudFront sends `/s/*` here (the local stack's server too): the app's own `index.html` (the
 * shell the module read from the web build, `APP_SHELL_HTML`) with Open Graph tags injected, so
 * a crawler sees a title, a description and a picture, and a browser boots the app as before.
 *
 * What the tags say is no more than the share shows a visitor: a view share without a password
 * names its label or file (the app's own heading) and shows a preview of the shared file, or of
 * the album's first processed file (derived images only, never an original). Its `og:image` is
 * the share's own `/s/<token>/preview` on the page's origin, which answers a 302 to that image
 * presigned at the moment it is fetched (never past the share's end): the page's URL lasts as
 * long as the share, whenever a chat app's image proxy fetches it. A password-protected share,
 * a drop link and a link that is not (or no longer) a share say only what kind of link it is:
 * no name, no picture; an unknown link is a 404 (the app then says it is not available).
 *
 * The page is the same for every client (no User-Agent sniffing), never cached (`no-store`: a
 * revoked share's preview and picture go at once), kept out of search
 * indexes (`noindex`), and not logged in the share's access log: the app's own `GET
 * /public/shares/{token}` that follows is the visit.
 */
import type { CatalogFile } from '../core/catalog';
import { NotFound } from '../core/errors';
import { derivedSizeOf, type DerivedName } from '../core/media';
import { urlTtlWithin } from '../core/shares';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import type { ApiResult } from '../http/types';
import { redirect } from '../http/response';
import { derivedUrls } from '../files/file-view';
import { SHARE_PAGE_PREFIX, SHARE_PREVIEW_SUFFIX } from '../../contract/site';
import { openShare, ShareNotFound, type OpenedShare, type OpenShareDeps } from './open-share';

export interface SharePageDeps extends OpenShareDeps {
  readonly files: OpenShareDeps['files'] & Pick<FileCatalog, 'listFolder'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** The web app's `index.html`; empty when the module had no web build (then a bare page carries the tags). */
  readonly appShell: string;
  /** @default the clock */
  readonly now?: () => Date;
}

/** A link preview's picture: what `og:image` and its `og:image:*` tags say. */
interface PreviewImage {
  /** Absolute: `https://<site>/s/<token>/preview`. */
  readonly url: string;
  readonly type: 'image/webp';
  /** Says no more than the page's title does. */
  readonly alt: string;
  /** Of the derived image, when the catalog knows the file's size. */
  readonly width?: number;
  readonly height?: number;
}

/** What a link preview shows. */
interface SharePreview {
  readonly title: string;
  readonly description: string;
  readonly image?: PreviewImage;
}

/** The derived image a share's preview shows, and the file it is of. */
interface SharePicture {
  readonly file: CatalogFile;
  readonly name: DerivedName;
}

/** Files of an album looked at for its picture (the first processed one by name). */
const ALBUM_PREVIEW_CANDIDATES = 20;

const GENERIC: Readonly<Record<'protected' | 'drop' | 'missing', SharePreview>> = {
  protected: { title: 'A protected share', description: 'Open the link and enter its password to see what was shared.' },
  drop: { title: 'Send files', description: 'A link to upload photos and videos to media-store.' },
  missing: { title: 'This link is not available', description: 'The share has ended, was revoked, or never existed.' },
};

const KIND_OF: Readonly<Record<string, string>> = { image: 'A photo', video: 'A video' };

/** The derived image a preview shows of a file: the preview, else a video's poster, else the thumbnail. */
function derivedPictureOf(file: CatalogFile): DerivedName | undefined {
  if (file.processing !== 'ready') return undefined;
  return (['preview', 'poster', 'thumb'] as const).find((name) => file.derived?.[name] !== undefined);
}

/** The picture of an opened share: none for a drop link or a password-protected share, else the file's or the album's first processed one. */
async function pictureOf(opened: OpenedShare, deps: Pick<SharePageDeps, 'files'>): Promise<SharePicture | undefined> {
  if (opened.share.mode === 'drop' || opened.share.passwordHash !== undefined) return undefined;
  const candidates = opened.file !== undefined ? [opened.file] : (await deps.files.listFolder(opened.folder, { limit: ALBUM_PREVIEW_CANDIDATES })).files;
  for (const file of candidates) {
    const name = derivedPictureOf(file);
    if (name !== undefined) return { file, name };
  }
  return undefined;
}

/** The share's stable picture URL on `origin`. */
function previewImageUrl(origin: string, token: string): string {
  return `${origin}${SHARE_PAGE_PREFIX}${encodeURIComponent(token)}${SHARE_PREVIEW_SUFFIX}`;
}

/**
 * What the preview of an opened share says: only what the share itself shows its visitor.
 * `imageUrl` is where its picture answers (undefined: no picture, e.g. the page's origin is unknown).
 */
function previewOf(opened: OpenedShare, picture: SharePicture | undefined, imageUrl: string | undefined): SharePreview {
  const { share } = opened;
  if (share.mode === 'drop') return GENERIC.drop;
  if (share.passwordHash !== undefined) return GENERIC.protected;
  const title = share.label ?? (opened.file ? opened.file.name : 'Shared album');
  const description = opened.file ? `${KIND_OF[opened.file.fileType] ?? 'A file'} shared with you on media-store.` : 'An album shared with you on media-store.';
  if (picture === undefined || imageUrl === undefined) return { title, description };
  // The alt names the title only (label, the shared file's name, or "Shared album"), never the
  // name of an album's file the page does not show.
  const alt = opened.file
    ? `${picture.name === 'poster' ? 'A frame of the video' : 'Preview of'} ${title}`
    : share.label !== undefined ? `A picture from the album ${title}` : 'A picture from a shared album';
  const size = derivedSizeOf(picture.file.media, picture.name);
  return { title, description, image: { url: imageUrl, type: 'image/webp', alt, ...(size ?? {}) } };
}

/** Text or an attribute value made inert in HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BARE_SHELL = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<title>media-store</title>\n</head>\n<body><p>media-store</p></body>\n</html>\n';

const meta = (attribute: 'name' | 'property', key: string, value: string): string => `<meta ${attribute}="${key}" content="${escapeHtml(value)}" />`;

/** `og:image` and what crawlers lay the card out with before fetching it: type, size, alt (and Twitter's own alt). */
function imageTags(image: PreviewImage): string[] {
  return [
    meta('property', 'og:image', image.url),
    ...(image.url.startsWith('https:') ? [meta('property', 'og:image:secure_url', image.url)] : []),
    meta('property', 'og:image:type', image.type),
    ...(image.width !== undefined && image.height !== undefined ? [meta('property', 'og:image:width', String(image.width)), meta('property', 'og:image:height', String(image.height))] : []),
    meta('property', 'og:image:alt', image.alt),
    meta('name', 'twitter:image:alt', image.alt),
  ];
}

/** The shell with the preview's title and Open Graph tags, every value escaped. */
export function renderSharePage(shell: string, preview: SharePreview): string {
  const base = shell.includes('</head>') ? shell : BARE_SHELL;
  const tags = [
    meta('name', 'robots', 'noindex, nofollow'),
    meta('property', 'og:type', 'website'),
    meta('property', 'og:site_name', 'media-store'),
    meta('property', 'og:title', preview.title),
    meta('property', 'og:description', preview.description),
    ...(preview.image !== undefined ? imageTags(preview.image) : []),
    meta('name', 'twitter:card', preview.image !== undefined ? 'summary_large_image' : 'summary'),
  ];
  const title = `<title>${escapeHtml(preview.title)}</title>`;
  const described = meta('name', 'description', preview.description);
  let html = /<title>[^<]*<\/title>/.test(base) ? base.replace(/<title>[^<]*<\/title>/, () => title) : base.replace('</head>', () => `${title}\n</head>`);
  html = /<meta name="description"[^>]*>/.test(html) ? html.replace(/<meta name="description"[^>]*>/, () => described) : html.replace('</head>', () => `${described}\n</head>`);
  return html.replace('</head>', () => `  ${tags.join('\n    ')}\n  </head>`);
}

/** Headers of the page: HTML never cached nor indexed; a CSP of its own that the site's headers policy replaces with the app's. */
const SHARE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src https:; frame-ancestors 'none'",
};

/**
 * The page for `token`: 200 with the share's preview, 404 with a generic one when there is no
 * such share. `origin` is the page's own (http/page-origin.ts), for the picture's absolute URL.
 */
export async function sharePage(token: string | undefined, deps: SharePageDeps, origin: string | undefined): Promise<ApiResult> {
  const now = (deps.now ?? (() => new Date()))();
  let preview: SharePreview;
  let statusCode = 200;
  try {
    const opened = await openShare(token, deps, now);
    const picture = await pictureOf(opened, deps);
    preview = previewOf(opened, picture, origin === undefined || token === undefined ? undefined : previewImageUrl(origin, token));
  } catch (error) {
    if (!(error instanceof ShareNotFound)) throw error;
    preview = GENERIC.missing;
    statusCode = 404;
  }
  return { statusCode, headers: { ...SHARE_PAGE_HEADERS }, body: renderSharePage(deps.appShell, preview) };
}

/**
 * `GET /s/{token}/preview`: 302 to the share's picture, presigned now for at most
 * `viewUrlTtlSeconds` and never past the share's end (a crawler follows it at once; the next
 * fetch gets a new one). 404 JSON when the link is no share or its page shows no picture
 * (drop link, password, nothing processed yet). Not a visit: not in the access log.
 */
export async function sharePreviewImage(token: string | undefined, deps: SharePageDeps): Promise<ApiResult> {
  const now = (deps.now ?? (() => new Date()))();
  const opened = await openShare(token, deps, now);
  const picture = await pictureOf(opened, deps);
  if (picture === undefined) throw new NotFound('This link has no preview picture');
  const signing = { sign: await deps.objects.urlSigner(), ttlSeconds: urlTtlWithin(opened.share.expiresAt, deps.viewUrlTtlSeconds, now), now };
  const [url] = Object.values(derivedUrls({ [picture.name]: picture.file.derived?.[picture.name] }, signing));
  if (url === undefined) throw new NotFound('This link has no preview picture');
  return redirect(url);
}
