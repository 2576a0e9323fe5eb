/**
 * `GET /s/{token}`: a share's page, as a chat app's link preview reads it. The site's
 * CloudFront sends `/s/*` here (the local stack's server too): the app's own `index.html` (the
 * shell the module read from the web build, `APP_SHELL_HTML`) with Open Graph tags injected, so
 * a crawler sees a title, a description and a picture, and a browser boots the app as before.
 *
 * What the tags say is no more than the share shows a visitor: a view share without a password
 * names its label or file (the app's own heading) and shows a preview of the shared file, or of
 * the album's first processed file, through a URL presigned like the share's others (never past
 * its end; derived images only, never an original). A password-protected share, a drop link and
 * a link that is not (or no longer) a share say only what kind of link it is: no name, no
 * picture; an unknown link is a 404 (the app then says it is not available).
 *
 * The page is the same for every client (no User-Agent sniffing), never cached (`no-store`: a
 * revoked share's preview goes at once, and its presigned URL expires), kept out of search
 * indexes (`noindex`), and not logged in the share's access log: the app's own `GET
 * /public/shares/{token}` that follows is the visit.
 */
import type { CatalogFile } from '../core/catalog';
import type { DerivedName } from '../core/media';
import { urlTtlWithin } from '../core/shares';
import type { FileCatalog } from '../adapters/files-repository';
import type { ObjectStore } from '../adapters/object-store';
import type { ApiResult } from '../http/types';
import { derivedUrls } from '../files/file-view';
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

/** What a link preview shows. */
interface SharePreview {
  readonly title: string;
  readonly description: string;
  /** A presigned URL of a derived image (preview, poster or thumbnail). */
  readonly image?: string;
}

/** Files of an album looked at for its picture (the first processed one by name). */
const ALBUM_PREVIEW_CANDIDATES = 20;

const GENERIC: Readonly<Record<'protected' | 'drop' | 'missing', SharePreview>> = {
  protected: { title: 'A protected share', description: 'Open the link and enter its password to see what was shared.' },
  drop: { title: 'Send files', description: 'A link to upload photos and videos to media-store.' },
  missing: { title: 'This link is not available', description: 'The share has ended, was revoked, or never existed.' },
};

const KIND_OF: Readonly<Record<string, string>> = { image: 'A photo', video: 'A video' };

/** The derived image a preview shows: the preview, else a video's poster, else the thumbnail. */
function pictureOf(file: CatalogFile): DerivedName | undefined {
  if (file.processing !== 'ready') return undefined;
  return (['preview', 'poster', 'thumb'] as const).find((name) => file.derived?.[name] !== undefined);
}

/** What the preview of an opened share says: only what the share itself shows its visitor. */
async function previewOf(opened: OpenedShare, deps: SharePageDeps, now: Date): Promise<SharePreview> {
  const { share } = opened;
  if (share.mode === 'drop') return GENERIC.drop;
  if (share.passwordHash !== undefined) return GENERIC.protected;
  let pictured: CatalogFile | undefined = opened.file;
  if (pictured === undefined) {
    const page = await deps.files.listFolder(opened.folder, { limit: ALBUM_PREVIEW_CANDIDATES });
    pictured = page.files.find((f) => pictureOf(f) !== undefined);
  }
  const title = share.label ?? (opened.file ? opened.file.name : 'Shared album');
  const description = opened.file ? `${KIND_OF[opened.file.fileType] ?? 'A file'} shared with you on media-store.` : 'An album shared with you on media-store.';
  const picture = pictured === undefined ? undefined : pictureOf(pictured);
  if (pictured === undefined || picture === undefined) return { title, description };
  const signing = { sign: await deps.objects.urlSigner(), ttlSeconds: urlTtlWithin(share.expiresAt, deps.viewUrlTtlSeconds, now), now };
  const [image] = Object.values(derivedUrls({ [picture]: pictured.derived?.[picture] }, signing));
  return image === undefined ? { title, description } : { title, description, image };
}

/** Text or an attribute value made inert in HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BARE_SHELL = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<title>media-store</title>\n</head>\n<body><p>media-store</p></body>\n</html>\n';

/** The shell with the preview's title and Open Graph tags, every value escaped. */
export function renderSharePage(shell: string, preview: SharePreview): string {
  const base = shell.includes('</head>') ? shell : BARE_SHELL;
  const meta = (attribute: 'name' | 'property', key: string, value: string): string => `<meta ${attribute}="${key}" content="${escapeHtml(value)}" />`;
  const tags = [
    meta('name', 'robots', 'noindex, nofollow'),
    meta('property', 'og:type', 'website'),
    meta('property', 'og:site_name', 'media-store'),
    meta('property', 'og:title', preview.title),
    meta('property', 'og:description', preview.description),
    ...(preview.image !== undefined ? [meta('property', 'og:image', preview.image)] : []),
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

/** The page for `token`: 200 with the share's preview, 404 with a generic one when there is no such share. */
export async function sharePage(token: string | undefined, deps: SharePageDeps): Promise<ApiResult> {
  const now = (deps.now ?? (() => new Date()))();
  let preview: SharePreview;
  let statusCode = 200;
  try {
    preview = await previewOf(await openShare(token, deps, now), deps, now);
  } catch (error) {
    if (!(error instanceof ShareNotFound)) throw error;
    preview = GENERIC.missing;
    statusCode = 404;
  }
  return { statusCode, headers: { ...SHARE_PAGE_HEADERS }, body: renderSharePage(deps.appShell, preview) };
}
