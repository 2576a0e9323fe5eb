/**
 * Media processing rules, without I/O: which files are processed and how, what the derived
 * images are called, and what a photo's EXIF tags or a video's ffmpeg banner mean for the
 * catalog (date taken with its UTC offset, orientation, displayed size, camera, GPS,
 * duration, codec, whether a browser can play it).
 */
import { createHash } from 'node:crypto';

/** `pending` until the process function ran; `unsupported` for files it does not render. */
export type ProcessingStatus = 'pending' | 'ready' | 'failed' | 'unsupported';
export const PROCESSING_STATUSES: readonly ProcessingStatus[] = ['pending', 'ready', 'failed', 'unsupported'];

/** How a content type is rendered: `sharp` decodes it, `heic` needs the WASM HEVC decoder, `video` ffmpeg. */
type MediaKind = 'sharp' | 'heic' | 'video';

const SHARP_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff']);
const HEIC_TYPES = new Set(['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence']);
/** Videos in the decoder box's containers (MP4/QuickTime, Matroska/WebM, AVI, MPEG-PS/TS), by the types browsers and cameras give them. */
const VIDEO_TYPES = new Set([
  'video/mp4', 'video/quicktime', 'video/webm', 'video/x-m4v', 'video/3gpp', 'video/3gpp2',
  'video/x-matroska', 'video/matroska',
  'video/x-msvideo', 'video/avi', 'video/msvideo',
  'video/mpeg', 'video/mp2t', 'video/vnd.dlna.mpeg-tts', 'video/mp2p',
]);

export function mediaKindOf(contentType: string): MediaKind | undefined {
  const type = contentType.trim().toLowerCase();
  if (SHARP_TYPES.has(type)) return 'sharp';
  if (HEIC_TYPES.has(type)) return 'heic';
  if (VIDEO_TYPES.has(type)) return 'video';
  return undefined;
}

/** The status a freshly catalogued file starts with. */
export function initialProcessing(contentType: string): ProcessingStatus {
  return mediaKindOf(contentType) === undefined ? 'unsupported' : 'pending';
}

/** What the process function is asked to do for a key (sent by the sync function and `npm run reprocess`). */
export interface ProcessRequest {
  readonly kind: 'created' | 'removed';
  /** S3 key of the original. */
  readonly key: string;
  /**
   * A reprocess's own run (`npm run reprocess`): a video's copy is made again even when this
   * version's copy was made, or failed, before. Without it (S3 events) one version gets one run.
   */
  readonly run?: string;
}

/** A run id: letters, digits and dashes, short enough for a Step Functions execution name. */
const RUN_ID = /^[A-Za-z0-9-]{1,16}$/;

export function parseProcessRequest(event: unknown): ProcessRequest | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { kind, key, run } = event as Record<string, unknown>;
  if ((kind !== 'created' && kind !== 'removed') || typeof key !== 'string' || key === '') return undefined;
  if (run !== undefined && (typeof run !== 'string' || !RUN_ID.test(run))) return undefined;
  return { kind, key, ...(run !== undefined ? { run } : {}) };
}

import { DERIVED_PREFIX } from '../../contract/bucket';

export { DERIVED_PREFIX };
export type DerivedName = 'thumb' | 'preview' | 'poster';
/** Long edge of each derived image, pixels. */
export const DERIVED_EDGE: Readonly<Record<DerivedName, number>> = { thumb: 256, preview: 1280, poster: 1280 };
/**
 * The size of a derived image of a file displayed at `width`×`height`: scaled to fit
 * `DERIVED_EDGE` on its long edge, never enlarged (as media-decoders.ts renders it; within a
 * pixel of sharp's rounding). Undefined when the file's size is unknown.
 */
export function derivedSizeOf(size: { readonly width?: number; readonly height?: number } | undefined, name: DerivedName): { width: number; height: number } | undefined {
  const width = size?.width ?? 0;
  const height = size?.height ?? 0;
  if (!(width > 0 && height > 0)) return undefined;
  const scale = Math.min(1, DERIVED_EDGE[name] / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** WebP quality of each derived image (a 256 px thumbnail stays well under 20 KB). */
export const DERIVED_QUALITY: Readonly<Record<DerivedName, number>> = { thumb: 70, preview: 78, poster: 78 };

/** The folder of one original's derived images: a hash, so any key (up to 749 bytes) fits. */
export function derivedPrefixOf(key: string): string {
  return `${DERIVED_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40)}/`;
}

/** One derived image of one version (ETag) of an original: a new upload never reuses an old name. */
export function derivedKeyOf(key: string, etag: string, name: DerivedName): string {
  return `${derivedPrefixOf(key)}${etag.replace(/[^A-Za-z0-9-]/g, '')}-${name}.webp`;
}

/** Decoder limits: a file over them is `failed`, never decoded. */
export const MEDIA_LIMITS = {
  /** sharp's `limitInputPixels`: 100 MP (a 200 MP phone photo is refused rather than risk the memory). */
  maxInputPixels: 100_000_000,
  /** The WASM HEIC decoder holds the whole RGBA image in memory. */
  maxHeicPixels: 50_000_000,
  /** Images are read whole into memory. */
  maxImageBytes: 200 * 1024 * 1024,
  /** ffmpeg is killed after this long. */
  ffmpegTimeoutMs: 20_000,
  /** Seek position of the poster frame, seconds (0 for shorter videos). */
  posterAtSeconds: 1,
} as const;

/** What the catalog records about a photo or video (all optional: files often lack some). */
export interface MediaInfo {
  /** As displayed (after EXIF orientation or video rotation). */
  readonly width?: number;
  readonly height?: number;
  /**
   * When the photo or video was taken: a UTC instant (`…Z`) when the file says its UTC offset,
   * else the camera's wall-clock time without zone (`2024-07-14T18:30:05`).
   */
  readonly takenAt?: string;
  /** The UTC offset the file gave for `takenAt`, e.g. `+02:00`. */
  readonly takenAtOffset?: string;
  /** EXIF orientation 1-8 of the original (the derived images are already rotated). */
  readonly orientation?: number;
  readonly cameraMake?: string;
  readonly cameraModel?: string;
  /** Only recorded when the module allows exposing GPS (`expose_gps`). */
  readonly latitude?: number;
  readonly longitude?: number;
  readonly durationSeconds?: number;
  readonly codec?: string;
  /** Whether browsers can play the video inline (H.264/VP8/VP9/AV1 in MP4 or WebM). */
  readonly browserPlayable?: boolean;
}

// --- Photos: EXIF -------------------------------------------------------------------------

/** The EXIF tags read (exifr with `reviveValues: false`: dates stay strings, so offsets are kept). */
export interface ExifTags {
  readonly Make?: unknown;
  readonly Model?: unknown;
  readonly Orientation?: unknown;
  readonly DateTimeOriginal?: unknown;
  readonly CreateDate?: unknown;
  readonly SubSecTimeOriginal?: unknown;
  readonly OffsetTimeOriginal?: unknown;
  readonly OffsetTime?: unknown;
  readonly GPSLatitude?: unknown;
  readonly GPSLatitudeRef?: unknown;
  readonly GPSLongitude?: unknown;
  readonly GPSLongitudeRef?: unknown;
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** `+02:00` from `+02:00`, `+0200` or `Z`; `undefined` for anything else or an impossible offset. */
export function parseUtcOffset(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === 'Z') return '+00:00';
  const match = OFFSET.exec(text);
  if (match === null) return undefined;
  const [, sign, hh, mm] = match as unknown as [string, string, string, string];
  if (Number(hh) > 14 || Number(mm) > 59) return undefined;
  return `${sign}${hh}:${mm}`;
}

/**
 * The date taken from EXIF date/time text and optional offset and sub-seconds. With an offset
 * the result is the UTC instant; without one, the wall-clock time as written (no zone).
 * Placeholders such as `0000:00:00 00:00:00` and impossible dates give `undefined`.
 */
export function takenAtOf(dateTime: unknown, offset?: unknown, subSeconds?: unknown): Pick<MediaInfo, 'takenAt' | 'takenAtOffset'> {
  if (typeof dateTime !== 'string') return {};
  const match = EXIF_DATE.exec(dateTime.trim().replace(/\0+$/, ''));
  if (match === null) return {};
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (y < 1900 || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return {};
  const millis = typeof subSeconds === 'string' && /^\d{1,9}$/.test(subSeconds.trim()) ? Math.floor(Number(`0.${subSeconds.trim()}`) * 1000) : 0;
  const utcOffset = parseUtcOffset(offset);
  if (utcOffset === undefined) {
    return { takenAt: new Date(wall + millis).toISOString().replace(/(\.000)?Z$/, '') };
  }
  const [, sign, hh, mm] = OFFSET.exec(utcOffset) as unknown as [string, string, string, string];
  const offsetMs = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60_000;
  return { takenAt: new Date(wall + millis - offsetMs).toISOString(), takenAtOffset: utcOffset };
}

/** EXIF orientation 1-8; anything else counts as 1 (as browsers do). */
export function orientationOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 8 ? value : 1;
}

/** Width and height as displayed: orientations 5-8 turn the image a quarter. */
export function displayedSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}

/** A camera string: trimmed, NULs and control characters dropped, at most 64 characters. */
export function cameraText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 64);
  return text === '' ? undefined : text;
}

/** Degrees from EXIF `[deg, min, sec]` (or decimal degrees) and a N/S/E/W reference. */
export function gpsCoordinate(value: unknown, ref: unknown, max: number): number | undefined {
  let degrees: number | undefined;
  if (typeof value === 'number') degrees = value;
  else if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const [d, m, s] = value as [number, number, number];
    degrees = d + m / 60 + s / 3600;
  }
  if (degrees === undefined || !Number.isFinite(degrees) || Math.abs(degrees) > max) return undefined;
  const negative = ref === 'S' || ref === 'W';
  return Math.round((negative ? -Math.abs(degrees) : degrees) * 1e6) / 1e6;
}

/**
 * The catalog's view of a photo: its decoded size and the EXIF tags it carries. GPS is kept
 * only when `exposeGps` says so.
 */
export function photoInfo(size: { width: number; height: number }, tags: ExifTags | undefined, exposeGps: boolean): MediaInfo {
  const orientation = orientationOf(tags?.Orientation);
  const taken = takenAtOf(tags?.DateTimeOriginal ?? tags?.CreateDate, tags?.OffsetTimeOriginal ?? tags?.OffsetTime, tags?.SubSecTimeOriginal);
  const make = cameraText(tags?.Make);
  const model = cameraText(tags?.Model);
  const latitude = exposeGps ? gpsCoordinate(tags?.GPSLatitude, tags?.GPSLatitudeRef, 90) : undefined;
  const longitude = exposeGps ? gpsCoordinate(tags?.GPSLongitude, tags?.GPSLongitudeRef, 180) : undefined;
  return {
    ...displayedSize(size.width, size.height, orientation),
    ...taken,
    orientation,
    ...(make !== undefined ? { cameraMake: make } : {}),
    ...(model !== undefined ? { cameraModel: model } : {}),
    ...(latitude !== undefined && longitude !== undefined ? { latitude, longitude } : {}),
  };
}

// --- Videos: ffmpeg's banner --------------------------------------------------------------

const PLAYABLE_CODECS = new Set(['h264', 'vp8', 'vp9', 'av1']);
const PLAYABLE_CONTAINERS = new Set(['video/mp4', 'video/webm', 'video/x-m4v']);

/**
 * What ffmpeg's stderr banner (`ffmpeg -i`) says about a video: `Duration:`, the first video
 * stream's codec and size, its rotation (`rotate` tag or display matrix) and creation time
 * (Apple's `com.apple.quicktime.creationdate` keeps the UTC offset; `creation_time` is UTC).
 */
export function videoInfo(banner: string, contentType: string): MediaInfo {
  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(banner);
  const durationSeconds = duration ? Math.round((Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])) * 1000) / 1000 : undefined;
  const stream = /Stream #\d+:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Video: ([a-z0-9_]+)[^\n]*?, (\d{1,5})x(\d{1,5})/.exec(banner);
  const codec = stream?.[1];
  const rotate = /^\s*rotate\s*:\s*(-?\d+)/m.exec(banner)?.[1] ?? /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(banner)?.[1];
  const quarterTurn = rotate !== undefined && Math.abs(Math.round(Number(rotate))) % 180 === 90;
  const size = stream ? { width: Number(stream[2]), height: Number(stream[3]) } : undefined;
  const displayed = size ? (quarterTurn ? { width: size.height, height: size.width } : size) : undefined;
  const taken = videoTakenAt(banner);
  return {
    ...(displayed ?? {}),
    ...taken,
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(codec !== undefined ? { codec } : {}),
    browserPlayable: codec !== undefined && PLAYABLE_CODECS.has(codec) && PLAYABLE_CONTAINERS.has(contentType.toLowerCase()),
  };
}

function videoTakenAt(banner: string): Pick<MediaInfo, 'takenAt' | 'takenAtOffset'> {
  const apple = /com\.apple\.quicktime\.creationdate\s*:\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-]\d{2}:?\d{2}|Z)/.exec(banner);
  if (apple) {
    const [, y, mo, d, h, mi, s, offset] = apple as unknown as string[];
    return takenAtOf(`${y}:${mo}:${d} ${h}:${mi}:${s}`, offset);
  }
  const utc = /creation_time\s*:\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(banner);
  if (utc) {
    const [, y, mo, d, h, mi, s] = utc as unknown as string[];
    // Cameras that do not know the time write the container's epoch (1904 or 1970).
    if (Number(y) < 1980) return {};
    return takenAtOf(`${y}:${mo}:${d} ${h}:${mi}:${s}`, 'Z');
  }
  return {};
}

/**
 * Sort key of the `byTaken` index: the date taken (or the upload time when none is known)
 * then the name, so a folder lists in shooting order and names break ties.
 */
export function takenSortKey(takenAt: string | undefined, uploadedAt: string, name: string): string {
  const when = takenAt ?? uploadedAt;
  const instant = /Z$/.test(when) ? when : `${when}Z`;
  return `${new Date(Date.parse(instant) || Date.parse(uploadedAt)).toISOString()}#${name}`;
}
