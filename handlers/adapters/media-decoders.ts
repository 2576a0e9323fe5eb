/**
 * The native and WASM decoders behind the process function: sharp (libvips) for photos,
 * heic-decode (libheif, WASM) for iPhone HEIC/HEIF, exifr for EXIF, and a static ffmpeg for
 * video posters. Every input is treated as hostile: pixel counts are capped before decoding,
 * ffmpeg runs in the decoder box (video-box.ts: one object, one demuxer, no network beyond it,
 * time- and size-boxed, in its own process), and anything a decoder refuses becomes a
 * `MediaRejected` with a short reason (the file is `failed`, the function carries on).
 */
import type { Sharp, SharpOptions } from 'sharp';
import { DERIVED_EDGE, DERIVED_QUALITY, MEDIA_LIMITS, type DerivedName, type ExifTags } from '../core/media';
import { containerKindOf, moovPosition, parseVideoBanner, type VideoProbe } from '../core/video-probe';
import { bundledFfmpegPath, openVideo, readRange, runBoxed, type BoxedRun, type BoxedVideo, type VideoSource } from './video-box';

/** The file cannot be rendered (corrupt, hostile, too large, unsupported): `failed`, not retried. */
export class MediaRejected extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'MediaRejected';
  }
}

export interface RenderedImage {
  readonly name: DerivedName;
  readonly body: Buffer;
  readonly width: number;
  readonly height: number;
}

interface DecodedPhoto {
  /** As stored, before EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly tags?: ExifTags;
  readonly images: readonly RenderedImage[];
}

interface GrabbedFrame {
  /** ffmpeg's stderr banner (duration, streams, tags). */
  readonly banner: string;
  /** The probe summary: the banner, the first bytes and (MP4/QuickTime) where the index is. */
  readonly probe: VideoProbe;
  readonly images: readonly RenderedImage[];
}

export interface MediaDecoders {
  /** JPEG, PNG, WebP, GIF, AVIF, TIFF: thumbnail and preview, auto-oriented, metadata stripped. */
  photo(bytes: Buffer): Promise<DecodedPhoto>;
  /** HEIC/HEIF (HEVC) through the WASM decoder, then as a photo. */
  heic(bytes: Buffer): Promise<DecodedPhoto>;
  /** Poster, thumbnail and probe summary of the frame at ~1 s, through the decoder box (a presigned URL is read over HTTP Range). */
  videoFrame(source: VideoSource): Promise<GrabbedFrame>;
}

type SharpFactory = (input?: Buffer, options?: SharpOptions) => Sharp;
let sharpModule: SharpFactory | undefined;
function sharp(input: Buffer, options: SharpOptions = {}): Sharp {
  // Loaded on first use: the native addon (shipped beside the bundle) costs ~100 ms at cold start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sharpModule ??= require('sharp') as SharpFactory;
  return sharpModule(input, { limitInputPixels: MEDIA_LIMITS.maxInputPixels, failOn: 'error', sequentialRead: true, ...options });
}

/** The preview (or poster) once, and the thumbnail from it: one full decode per file. */
async function renderDerived(pipeline: Sharp, large: 'preview' | 'poster'): Promise<RenderedImage[]> {
  const edge = DERIVED_EDGE[large];
  const { data, info } = await pipeline
    .rotate()
    .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const encode = async (name: DerivedName, resize: boolean): Promise<RenderedImage> => {
    let image = sharp(data, raw);
    if (resize) image = image.resize(DERIVED_EDGE[name], DERIVED_EDGE[name], { fit: 'inside', withoutEnlargement: true });
    const out = await image.webp({ quality: DERIVED_QUALITY[name], effort: 4, smartSubsample: true }).toBuffer({ resolveWithObject: true });
    return { name, body: out.data, width: out.info.width, height: out.info.height };
  };
  return Promise.all([encode(large, false), encode('thumb', true)]);
}

async function readExif(bytes: Buffer): Promise<ExifTags | undefined> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exifr = require('exifr') as typeof import('exifr');
    // reviveValues:false keeps dates as text, so OffsetTimeOriginal is not lost to a local Date.
    const tags = (await exifr.parse(bytes, { tiff: true, exif: true, gps: true, ifd1: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, reviveValues: false, translateValues: false, translateKeys: true })) as ExifTags | undefined;
    return tags ?? undefined;
  } catch {
    // Broken EXIF is common and harmless: the photo still renders without it.
    return undefined;
  }
}

function decodeFailure(error: unknown): MediaRejected {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new MediaRejected('image exceeds the pixel limit', { cause: error });
  if (/unsupported image format/i.test(message)) return new MediaRejected('not a supported image format', { cause: error });
  return new MediaRejected('image could not be decoded', { cause: error });
}

async function photoFrom(bytes: Buffer, options: SharpOptions = {}): Promise<Omit<DecodedPhoto, 'tags'>> {
  try {
    const metadata = await sharp(bytes, options).metadata();
    const images = await renderDerived(sharp(bytes, options), 'preview');
    return { width: metadata.width ?? 0, height: metadata.height ?? 0, images };
  } catch (error) {
    throw decodeFailure(error);
  }
}

interface HeicImage {
  readonly width: number;
  readonly height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
type HeicDecoder = { all(input: { buffer: Buffer }): Promise<HeicImage[] & { dispose(): void }> };

export function localDecoders(options: { ffmpegPath?: string } = {}): MediaDecoders {
  return {
    async photo(bytes) {
      const [photo, tags] = await Promise.all([photoFrom(bytes), readExif(bytes)]);
      return { ...photo, ...(tags !== undefined ? { tags } : {}) };
    },

    async heic(bytes) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const decoder = require('heic-decode') as HeicDecoder;
      let images: Awaited<ReturnType<HeicDecoder['all']>>;
      try {
        images = await decoder.all({ buffer: bytes });
      } catch (error) {
        throw new MediaRejected('HEIC could not be decoded', { cause: error });
      }
      try {
        const primary = images[0];
        if (primary === undefined) throw new MediaRejected('HEIC holds no image');
        // The size is known from the container before any pixel is decoded.
        if (primary.width * primary.height > MEDIA_LIMITS.maxHeicPixels) throw new MediaRejected('image exceeds the pixel limit');
        let decoded: Awaited<ReturnType<HeicImage['decode']>>;
        try {
          decoded = await primary.decode();
        } catch (error) {
          throw new MediaRejected('HEIC could not be decoded', { cause: error });
        }
        const raw = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
        // libheif applies the HEIF rotation itself; the EXIF orientation is informational only.
        const photo = await photoFrom(raw, { raw: { width: decoded.width, height: decoded.height, channels: 4 } });
        const tags = await readExif(bytes);
        return { ...photo, ...(tags !== undefined ? { tags: { ...tags, Orientation: 1 } } : {}) };
      } finally {
        images.dispose();
      }
    },

    async videoFrame(source) {
      const ffmpeg = options.ffmpegPath ?? bundledFfmpegPath();
      const opened = await openVideo(source);
      if (!opened.ok) throw new MediaRejected(opened.reason);
      let grabbed = await grabFrame(ffmpeg, opened.video, MEDIA_LIMITS.posterAtSeconds);
      // A video shorter than the seek position yields no frame: take the first one.
      if (grabbed.stdout.length === 0 && grabbed.outcome !== 'timeout') grabbed = await grabFrame(ffmpeg, opened.video, 0);
      if (grabbed.outcome === 'timeout') throw new MediaRejected('video took too long to decode');
      if (grabbed.stdout.length === 0) throw new MediaRejected(grabbed.outcome === 'done' ? 'video has no frame' : 'video could not be decoded');
      const kind = containerKindOf(opened.video.container, opened.head);
      // A few 16-byte reads over the top-level boxes, whatever the file's size.
      const moov = opened.video.container === 'mov' && opened.size !== undefined ? await moovPosition(async (offset, length) => (await readRange(source, offset, length)).bytes, opened.size) : undefined;
      const probe = parseVideoBanner(grabbed.log, kind, moov);
      try {
        const images = await renderDerived(sharp(grabbed.stdout), 'poster');
        return { banner: grabbed.log, probe, images };
      } catch (error) {
        throw decodeFailure(error);
      }
    },
  };
}

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** One frame as PNG on stdout, through the decoder box. ffmpeg rotates it as displayed. */
function grabFrame(ffmpeg: string, video: BoxedVideo, atSeconds: number): Promise<BoxedRun> {
  return runBoxed(ffmpeg, video, {
    inputOptions: ['-ss', String(atSeconds)],
    output: [
      '-frames:v', '1', '-an', '-sn', '-dn',
      // Never more than the poster needs: a hostile 16k video is scaled down by ffmpeg itself.
      '-vf', `scale=w='min(${DERIVED_EDGE.poster * 2},iw)':h='min(${DERIVED_EDGE.poster * 2},ih)':force_original_aspect_ratio=decrease`,
      '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1',
    ],
    timeoutMs: MEDIA_LIMITS.ffmpegTimeoutMs,
    maxOutputBytes: MAX_FRAME_BYTES,
  });
}
