/**
 * One original → its derived images and metadata. Created: read the catalog row (the file
 * must still be available), decode the object, write the WebP thumbnail and preview (or
 * poster) under `derived/`, then record the results on the row — only while it still
 * describes the same object version (ETag) — and remove derived images of older versions.
 * Removed: delete every derived image of the key unless a file is back under it.
 *
 * A file the decoders refuse ends `failed` with a short reason and the invocation succeeds,
 * so a hostile file is never retried in a loop; S3 or DynamoDB errors are thrown, so Lambda
 * retries them and finally sends the event to the dead-letter queue.
 */
import type { CatalogFile } from '../core/catalog';
import type { Logger } from '../core/logger';
import { derivedKeyOf, derivedPrefixOf, MEDIA_LIMITS, mediaKindOf, photoInfo, videoInfo, type DerivedName, type MediaInfo, type ProcessRequest } from '../core/media';
import { parseObjectKey } from '../core/paths';
import type { FileCatalog, ProcessingResult, WriteOutcome } from '../adapters/files-repository';
import { MediaRejected, type MediaDecoders, type RenderedImage } from '../adapters/media-decoders';
import { ObjectTooLarge, type MediaObjects, type ObjectStore } from '../adapters/object-store';
import { decideVideoCopy, type VideoCopySettings } from '../core/video-decision';
import { storedVideoOf, type VideoCopyStarter } from '../core/video-copies';
import type { VideoProbe } from '../core/video-probe';
import { copyRunId, eventRun } from '../core/video-segments';

export interface ProcessDeps {
  readonly files: Pick<FileCatalog, 'getRow' | 'recordProcessing'>;
  readonly objects: MediaObjects & Pick<ObjectStore, 'urlSigner'>;
  readonly decoders: MediaDecoders;
  readonly videoPosters: boolean;
  readonly exposeGps: boolean;
  /** Module variables `video_copies_enabled` and `video_max_height`. */
  readonly videoCopySettings: VideoCopySettings;
  /** Makes a video's playable copy when the decision asks for one (inline, or the video workflow). */
  readonly videoCopies: VideoCopyStarter;
  readonly logger: Logger;
}

export type ProcessOutcome =
  | { readonly outcome: 'ready' | 'failed' | 'unsupported'; readonly key: string; readonly reason?: string; readonly write: WriteOutcome }
  | { readonly outcome: 'skipped'; readonly key: string; readonly reason: string }
  | { readonly outcome: 'removed'; readonly key: string; readonly deleted: number };

/** Lifetime of the URL ffmpeg reads the video through. */
const VIDEO_URL_TTL_SECONDS = 300;

export async function processRequest(request: ProcessRequest, deps: ProcessDeps): Promise<ProcessOutcome> {
  const location = parseObjectKey(request.key);
  if (location === undefined) return { outcome: 'skipped', key: request.key, reason: 'not-a-catalog-key' };
  const row = await deps.files.getRow(location.folder, location.name);
  const file = row.file;
  if (file === undefined || file.key !== request.key) {
    // Gone (or never catalogued): nothing may keep its images.
    const stale = await deps.objects.list(derivedPrefixOf(request.key));
    await deps.objects.deleteMany(stale);
    if (request.kind === 'removed' || stale.length > 0) deps.logger.info('derived images removed', { key: request.key, deleted: stale.length });
    return request.kind === 'removed' ? { outcome: 'removed', key: request.key, deleted: stale.length } : { outcome: 'skipped', key: request.key, reason: 'file-gone' };
  }
  // A removal that finds a file (re-uploaded since) renders that file instead.
  return renderFile(file, deps, request.run);
}

async function renderFile(file: CatalogFile, deps: ProcessDeps, run: string | undefined): Promise<ProcessOutcome> {
  const started = Date.now();
  const etag = file.etag;
  if (etag === undefined) return { outcome: 'skipped', key: file.key, reason: 'no-etag' };
  const kind = mediaKindOf(file.contentType);
  const record = async (result: ProcessingResult): Promise<WriteOutcome> => {
    const write = await deps.files.recordProcessing(file.folder, file.name, etag, result, file.uploadedAt);
    const written = Object.values(result.derived ?? {}) as string[];
    if (write === 'stale') {
      // The object changed while it was rendered: its images belong to nobody.
      await deps.objects.deleteMany(written);
    } else {
      const current = new Set(written);
      const older = (await deps.objects.list(derivedPrefixOf(file.key))).filter((k) => !current.has(k));
      await deps.objects.deleteMany(older);
    }
    return write;
  };

  if (kind === undefined || (kind === 'video' && !deps.videoPosters)) {
    const write = await record({ processing: 'unsupported' });
    return { outcome: 'unsupported', key: file.key, write };
  }
  try {
    const { media, images, probe } = await decode(file, kind, deps);
    const decision = probe !== undefined ? decideVideoCopy(probe, deps.videoCopySettings) : undefined;
    const derived: Partial<Record<DerivedName, string>> = {};
    await Promise.all(
      images.map(async (image) => {
        const key = derivedKeyOf(file.key, etag, image.name);
        await deps.objects.write(key, image.body, 'image/webp');
        derived[image.name] = key;
      }),
    );
    const derivedBytes = images.reduce((n, image) => n + image.body.length, 0);
    const write = await record({ processing: 'ready', media, derived, ...(images.length > 0 ? { derivedBytes } : {}), ...(probe !== undefined && decision !== undefined ? { video: storedVideoOf(probe, decision) } : {}) });
    deps.logger.info('file processed', { key: file.key, kind, ms: Date.now() - started, write, bytes: Object.fromEntries(images.map((i) => [i.name, i.body.length])), ...(decision !== undefined ? { video: decision.action, copy: decision.copy } : {}) });
    // The row now says the copy is pending: whoever makes it records the outcome there.
    if (write === 'applied' && probe !== undefined && decision?.copy !== undefined) {
      // A repeated event or a retry names the same run; a restored video (same ETag) a new one.
      await deps.videoCopies.startVideoCopy({ key: file.key, etag, runId: copyRunId(file.key, etag, run ?? eventRun(file.sequencer)), folder: file.folder, name: file.name, probe, decision });
    }
    return { outcome: 'ready', key: file.key, write };
  } catch (error) {
    const rejected = error instanceof MediaRejected ? error : error instanceof ObjectTooLarge ? new MediaRejected('file too large to process') : undefined;
    if (rejected === undefined) throw error;
    const write = await record({ processing: 'failed', reason: rejected.reason });
    deps.logger.warn('file not processed', { key: file.key, kind, reason: rejected.reason, cause: rejected.cause instanceof Error ? rejected.cause.message : undefined });
    return { outcome: 'failed', key: file.key, reason: rejected.reason, write };
  }
}

async function decode(file: CatalogFile, kind: 'sharp' | 'heic' | 'video', deps: ProcessDeps): Promise<{ media: MediaInfo; images: readonly RenderedImage[]; probe?: VideoProbe }> {
  if (kind === 'video') {
    const url = (await deps.objects.urlSigner()).get(file, 'inline', { expiresIn: VIDEO_URL_TTL_SECONDS });
    const frame = await deps.decoders.videoFrame({ url });
    return { media: videoInfo(frame.banner, file.contentType), images: frame.images, probe: frame.probe };
  }
  if (file.size > MEDIA_LIMITS.maxImageBytes) throw new MediaRejected('file too large to process');
  const bytes = await deps.objects.read(file.key, MEDIA_LIMITS.maxImageBytes);
  const photo = kind === 'heic' ? await deps.decoders.heic(bytes) : await deps.decoders.photo(bytes);
  return { media: photoInfo({ width: photo.width, height: photo.height }, photo.tags, deps.exposeGps), images: photo.images };
}
