/**
 * The native and WASM decoders behind the process function: sharp (libvips) for photos,
 * heic-decode (libheif, WASM) for iPhone HEIC/HEIF, exifr for EXIF, and a static ffmpeg for
 * video posters. Every input is treated as hostile: pixel counts are capped before decoding,
 * ffmpeg runs time-boxed in its own process, and anything a decoder refuses becomes a
 * `MediaRejected` with a short reason (the file is `failed`, the function carries on).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Sharp, SharpOptions } from 'sharp';
import { DERIVED_EDGE, DERIVED_QUALITY, MEDIA_LIMITS, type DerivedName, type ExifTags } from '../core/media';

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

export interface DecodedPhoto {
  /** As stored, before EXIF orientation. */
  readonly width: number;
  readonly height: number;
  readonly tags?: ExifTags;
  readonly images: readonly RenderedImage[];
}

export interface GrabbedFrame {
  /** ffmpeg's stderr banner (duration, streams, tags). */
  readonly banner: string;
  readonly images: readonly RenderedImage[];
}

export interface MediaDecoders {
  /** JPEG, PNG, WebP, GIF, AVIF, TIFF: thumbnail and preview, auto-oriented, metadata stripped. */
  photo(bytes: Buffer): Promise<DecodedPhoto>;
  /** HEIC/HEIF (HEVC) through the WASM decoder, then as a photo. */
  heic(bytes: Buffer): Promise<DecodedPhoto>;
  /** Poster and thumbnail of the frame at ~1 s, read over HTTP Range from `url`. */
  videoFrame(url: string): Promise<GrabbedFrame>;
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

    async videoFrame(url) {
      const ffmpeg = options.ffmpegPath ?? bundledFfmpegPath();
      let grabbed = await runFfmpeg(ffmpeg, url, MEDIA_LIMITS.posterAtSeconds);
      // A video shorter than the seek position yields no frame: take the first one.
      if (grabbed.frame.length === 0 && grabbed.code !== -1) grabbed = await runFfmpeg(ffmpeg, url, 0);
      if (grabbed.code === -1) throw new MediaRejected('video took too long to decode');
      if (grabbed.frame.length === 0) throw new MediaRejected(grabbed.code === 0 ? 'video has no frame' : 'video could not be decoded');
      try {
        const images = await renderDerived(sharp(grabbed.frame), 'poster');
        return { banner: grabbed.banner, images };
      } catch (error) {
        throw decodeFailure(error);
      }
    },
  };
}

/** ffmpeg shipped in the zip for the architecture Lambda runs on (see scripts/build.ts). */
export function bundledFfmpegPath(root: string = __dirname): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const candidate = path.join(root, 'node_modules', '@ffmpeg-installer', `linux-${arch}`, 'ffmpeg');
  if (existsSync(candidate)) return candidate;
  // Running from source (tests, benchmarks): the installed package.
  return path.join(path.dirname(require.resolve(`@ffmpeg-installer/linux-${arch}/package.json`)), 'ffmpeg');
}

const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const MAX_BANNER_CHARS = 64 * 1024;

/** One frame as PNG on stdout, killed after `MEDIA_LIMITS.ffmpegTimeoutMs`. ffmpeg rotates it as displayed. */
function runFfmpeg(ffmpeg: string, url: string, atSeconds: number): Promise<{ frame: Buffer; banner: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'info',
      '-protocol_whitelist', 'http,https,tcp,tls',
      '-ss', String(atSeconds), '-i', url,
      '-frames:v', '1', '-an', '-sn',
      // Never more than the poster needs: a hostile 16k video is scaled down by ffmpeg itself.
      '-vf', `scale=w='min(${DERIVED_EDGE.poster * 2},iw)':h='min(${DERIVED_EDGE.poster * 2},ih)':force_original_aspect_ratio=decrease`,
      '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1',
    ];
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let banner = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, MEDIA_LIMITS.ffmpegTimeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FRAME_BYTES) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (banner.length < MAX_BANNER_CHARS) banner += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Never echo the presigned URL (it is a credential for the object) into logs or reasons.
      const safeBanner = banner.split(url).join('<url>');
      if (timedOut) resolve({ frame: Buffer.alloc(0), banner: safeBanner, code: -1 });
      else resolve({ frame: code === 0 ? Buffer.concat(chunks) : Buffer.alloc(0), banner: safeBanner, code });
    });
  });
}
