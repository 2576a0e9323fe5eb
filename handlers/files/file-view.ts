/**
 * What the files API returns for a file (listings, `GET /files/{id}`, `PATCH`): catalog
 * fields plus a presigned view URL. Also resolves the opaque file id of a path parameter.
 */
import type { CatalogFile } from '../core/catalog';
import type { DerivedName, MediaInfo, ProcessingStatus } from '../core/media';
import { NotFound } from '../core/errors';
import type { ObjectUrls } from '../core/object-urls';
import type { ObjectStore } from '../adapters/object-store';
import { keyOfFileId, parseObjectKey, type FileLocation } from '../core/paths';
import { VIDEO_COPY_TYPE, videoCopyNameOf, videoPlaybackOf, type VideoPlayback } from '../core/video-copies';

/**
 * The catalog fields a client sees (not the key, ETag, upload id, sequencer or status), what
 * processing found (size as displayed, date taken, camera, duration, codec…), a view URL and,
 * once processed, presigned URLs of the WebP thumbnail, preview (photos) or poster (videos).
 */
export interface FileView
  extends Pick<CatalogFile, 'id' | 'folder' | 'name' | 'size' | 'contentType' | 'fileType' | 'uploadedAt' | 'uploadedBy' | 'tags' | 'description' | 'sha256' | 'verifiedAt' | 'corruptAt' | 'processingReason'>,
    MediaInfo {
  /** `pending` until the thumbnails and metadata exist. */
  readonly processing: ProcessingStatus;
  readonly url: string;
  readonly urlExpiresAt: string;
  readonly thumbUrl?: string;
  readonly previewUrl?: string;
  readonly posterUrl?: string;
  /** A processed video: its playable copy and which to play. */
  readonly video?: VideoPlayback;
}

/** A page of files as the listings answer it (`GET /files`, `GET /timeline`). */
export interface FileViewPage {
  readonly files: readonly FileView[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface FilePageDeps {
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly viewUrlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

/** A page of files with their view URLs: one signer, every URL expiring at the same time. */
export async function filePage(files: readonly CatalogFile[], nextCursor: string | null, deps: FilePageDeps): Promise<FileViewPage> {
  const signing = { sign: await deps.objects.urlSigner(), ttlSeconds: deps.viewUrlTtlSeconds, now: (deps.now ?? (() => new Date()))() };
  const urlExpiresAt = urlExpiry(signing);
  return { files: files.map((file) => toFileView(file, signing, urlExpiresAt)), nextCursor };
}

/** Signs view URLs for files, all expiring at the same time. */
interface ViewSigning {
  readonly sign: ObjectUrls;
  readonly ttlSeconds: number;
  readonly now: Date;
}

export function urlExpiry(signing: Pick<ViewSigning, 'ttlSeconds' | 'now'>): string {
  return new Date(signing.now.getTime() + signing.ttlSeconds * 1000).toISOString();
}

export function toFileView(file: CatalogFile, signing: ViewSigning, urlExpiresAt: string = urlExpiry(signing)): FileView {
  return {
    id: file.id,
    folder: file.folder,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    fileType: file.fileType,
    uploadedAt: file.uploadedAt,
    uploadedBy: file.uploadedBy,
    tags: file.tags,
    ...(file.description !== undefined ? { description: file.description } : {}),
    ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
    ...(file.verifiedAt !== undefined ? { verifiedAt: file.verifiedAt } : {}),
    ...(file.corruptAt !== undefined ? { corruptAt: file.corruptAt } : {}),
    processing: file.processing ?? 'pending',
    ...(file.processingReason !== undefined ? { processingReason: file.processingReason } : {}),
    ...file.media,
    // Shown inline when it is passive media; active content (SVG, HTML…) downloads instead.
    url: signing.sign.get(file, 'inline', { expiresIn: signing.ttlSeconds, now: signing.now }),
    urlExpiresAt,
    ...(file.processing === 'ready' ? derivedUrls(file.derived ?? {}, signing) : {}),
    ...(file.video !== undefined ? { video: videoPlayback(file, file.video, signing) } : {}),
  };
}

/** A video's playback view, the copy signed (inline, as `name.mp4`) through the one signing function. */
export function videoPlayback(file: Pick<CatalogFile, 'name'>, video: NonNullable<CatalogFile['video']>, signing: Pick<ViewSigning, 'sign' | 'now'> & { readonly ttlSeconds: number }): VideoPlayback {
  return videoPlaybackOf(video, (key) => signing.sign.get({ key, name: videoCopyNameOf(file.name), contentType: VIDEO_COPY_TYPE }, 'inline', { expiresIn: signing.ttlSeconds, now: signing.now }));
}

/** What the process function writes every derived image as (core/media.ts). */
const DERIVED_CONTENT_TYPE = 'image/webp';

const DERIVED_URL_FIELDS: Readonly<Record<DerivedName, 'thumbUrl' | 'previewUrl' | 'posterUrl'>> = { thumb: 'thumbUrl', preview: 'previewUrl', poster: 'posterUrl' };

/** One presigned GET per derived image, expiring with the view URL. */
export function derivedUrls(derived: NonNullable<CatalogFile['derived']>, signing: ViewSigning): Partial<Record<'thumbUrl' | 'previewUrl' | 'posterUrl', string>> {
  const urls: Partial<Record<'thumbUrl' | 'previewUrl' | 'posterUrl', string>> = {};
  for (const [name, key] of Object.entries(derived) as [DerivedName, string | undefined][]) {
    if (key !== undefined) urls[DERIVED_URL_FIELDS[name]] = signing.sign.get({ key, name: `${name}.webp`, contentType: DERIVED_CONTENT_TYPE }, 'inline', { expiresIn: signing.ttlSeconds, now: signing.now });
  }
  return urls;
}

/**
 * The S3 key and location of a file id. Ids are opaque: anything that is not the id of a
 * catalog key is answered like an unknown file (404), not as malformed input.
 */
export function locateFile(id: string | undefined): FileLocation & { readonly key: string } {
  const key = id === undefined ? undefined : keyOfFileId(id);
  const location = key === undefined ? undefined : parseObjectKey(key);
  if (key === undefined || location === undefined) throw new NotFound('No such file');
  return { ...location, key };
}
