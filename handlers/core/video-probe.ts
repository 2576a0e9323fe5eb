/**
 * The probe summary of a video: what deciding on a playable copy (core/video-decision.ts) and
 * the player need to know, read without I/O from three cheap sources the process function
 * already has:
 *
 * - ffmpeg's banner (`ffmpeg -i` stderr, written by the decoder box while it grabs the poster):
 *   codecs, profile, pixel format (bit depth), colour transfer (HDR), size, rotation, duration,
 *   bitrate. The bundled ffmpeg has no ffprobe; the banner of its 4.1 build is parsed here.
 * - the object's first bytes (the box reads them to choose the demuxer): the MP4 brand (`qt  `
 *   is QuickTime) and the Matroska DocType (`webm`).
 * - a walk over the top-level MP4 boxes (`moovPosition`): whether the index (`moov`) comes
 *   before the media data (`mdat`), so a browser can start playing at once.
 */
/** The container as a browser sees it (finer than ffmpeg's demuxer: mp4 and mov share one). */
type VideoContainerKind = 'mp4' | 'mov' | 'webm' | 'matroska' | 'avi' | 'mpeg' | 'mpegts';
export const VIDEO_CONTAINER_KINDS: readonly VideoContainerKind[] = ['mp4', 'mov', 'webm', 'matroska', 'avi', 'mpeg', 'mpegts'];

/** High dynamic range transfer: PQ (SMPTE ST 2084, HDR10/Dolby Vision) or HLG (ARIB STD-B67, phones). */
type VideoHdr = 'pq' | 'hlg';

/** Clockwise degrees the stored picture must turn to be upright. */
type VideoRotation = 0 | 90 | 180 | 270;

/** Where an MP4/QuickTime file keeps its index: `start` (before the media data, "faststart") or `end`. */
type MoovPosition = 'start' | 'end';

export interface VideoProbe {
  readonly container: VideoContainerKind;
  /** ffmpeg's codec name of the first video stream (`h264`, `hevc`, `vp9`, `mpeg4`, …). */
  readonly videoCodec?: string;
  /** As ffmpeg names it: `High`, `Main 10`, `Profile 0`, … */
  readonly profile?: string;
  /** Bits per sample of the pixel format (8 unless the format says 10 or 12). */
  readonly bitDepth?: number;
  readonly pixelFormat?: string;
  readonly rotation: VideoRotation;
  readonly hdr?: VideoHdr;
  /** As stored (before rotation). */
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  readonly durationSeconds?: number;
  /** Overall bitrate, bits per second. */
  readonly bitrate?: number;
  /** ffmpeg's codec name of the first audio stream; absent when there is none. */
  readonly audioCodec?: string;
  /** MP4/QuickTime only. */
  readonly moov?: MoovPosition;
}

const DEMUXER_KINDS = { mov: ['mp4', 'mov'], matroska: ['webm', 'matroska'], avi: ['avi'], mpeg: ['mpeg'], mpegts: ['mpegts'] } as const;

/** The container kind from the demuxer the box chose and the object's first bytes. */
export function containerKindOf(demuxer: keyof typeof DEMUXER_KINDS, head: Uint8Array): VideoContainerKind {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (demuxer === 'mov') {
    // `ftyp` major brand `qt  `: QuickTime; any other brand (isom, mp42, M4V, …) or none: MP4.
    return bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && bytes.toString('latin1', 8, 12) === 'qt  ' ? 'mov' : 'mp4';
  }
  if (demuxer === 'matroska') {
    // EBML DocType element (0x4282), a one-byte size of 4, then `webm`.
    const docType = bytes.indexOf(Buffer.from([0x42, 0x82, 0x84]));
    return docType >= 0 && docType < 64 && bytes.toString('latin1', docType + 3, docType + 7) === 'webm' ? 'webm' : 'matroska';
  }
  return demuxer;
}

/**
 * Reads `length` bytes at `offset` of the object (fewer at its end). The box walk asks for 16
 * bytes per top-level box, so it costs a handful of ranged reads whatever the file's size.
 */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** Top-level boxes walked before giving up (real files have 3 to 6). */
const MAX_TOP_LEVEL_BOXES = 64;

/**
 * Whether `moov` comes before `mdat` among the top-level boxes of an MP4/QuickTime file of
 * `size` bytes; `undefined` when the walk finds neither (a broken file: the decoder decides).
 */
export async function moovPosition(readAt: ReadAt, size: number): Promise<MoovPosition | undefined> {
  let offset = 0;
  for (let boxes = 0; boxes < MAX_TOP_LEVEL_BOXES && offset + 8 <= size; boxes += 1) {
    const header = Buffer.from(await readAt(offset, 16));
    if (header.length < 8) return undefined;
    const type = header.toString('latin1', 4, 8);
    if (type === 'moov') return 'start';
    if (type === 'mdat') return 'end';
    let boxSize = header.readUInt32BE(0);
    if (boxSize === 1) {
      if (header.length < 16) return undefined;
      const large = header.readBigUInt64BE(8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      boxSize = Number(large);
    }
    // 0 runs to the end of the file; anything shorter than a header cannot be walked.
    if (boxSize === 0 || boxSize < 8) return undefined;
    offset += boxSize;
  }
  return undefined;
}

const TRANSFERS: Readonly<Record<string, VideoHdr>> = { smpte2084: 'pq', 'arib-std-b67': 'hlg' };

function secondsOf(h: string, m: string, s: string): number {
  return Math.round((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000) / 1000;
}

/** Degrees clockwise, 0-359, to a quarter turn (anything else counts as upright, as players do). */
function quarterTurn(degrees: number): VideoRotation {
  const normal = ((Math.round(degrees) % 360) + 360) % 360;
  return normal === 90 || normal === 180 || normal === 270 ? normal : 0;
}

/**
 * The probe summary from ffmpeg's banner (`container` and `moov` come from the bytes). Only
 * the first input's first video and audio streams count. Unknown or absent fields stay absent.
 */
export function parseVideoBanner(banner: string, container: VideoContainerKind, moov?: MoovPosition): VideoProbe {
  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(banner);
  const bitrate = /Duration:[^\n]*bitrate:\s*(\d+) kb\/s/.exec(banner);
  const videoLine = /Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Video: ([^\n]*)/.exec(banner)?.[1];
  const audioLine = /Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Audio: ([a-z0-9_]+)/.exec(banner)?.[1];

  let video: Partial<VideoProbe> = {};
  if (videoLine !== undefined) {
    const codec = /^([a-z0-9_]+)/.exec(videoLine)?.[1];
    const profile = /^[a-z0-9_]+ \(([^)]+)\)/.exec(videoLine)?.[1];
    // The pixel format follows the codec's parentheses: `yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67, progressive)`.
    const format = /, ((?:yuv|yuvj|gbr|gray|nv|p0|rgb|bgr)[a-z0-9]*)(?:\(([^)]*)\))?/.exec(videoLine);
    const pixelFormat = format?.[1];
    const depth = pixelFormat !== undefined ? /p(9|10|12|14|16)(?:le|be)?$/.exec(pixelFormat)?.[1] : undefined;
    const transfer = format?.[2]?.split(',').map((part) => part.trim()).find((part) => part.includes('/'))?.split('/')[2];
    const size = /, (\d{1,5})x(\d{1,5})/.exec(videoLine);
    const fps = /, (\d+(?:\.\d+)?) fps/.exec(videoLine);
    const hdr = transfer !== undefined ? TRANSFERS[transfer] : undefined;
    video = {
      ...(codec !== undefined ? { videoCodec: codec } : {}),
      ...(profile !== undefined && !/ \/ 0x/.test(profile) ? { profile } : {}),
      ...(pixelFormat !== undefined ? { pixelFormat, bitDepth: depth !== undefined ? Number(depth) : 8 } : {}),
      ...(hdr !== undefined ? { hdr } : {}),
      ...(size ? { width: Number(size[1]), height: Number(size[2]) } : {}),
      ...(fps ? { frameRate: Number(fps[1]) } : {}),
    };
  }
  // ffmpeg 4.1 writes the clockwise turn as the `rotate` tag; newer builds only the display
  // matrix, whose angle is counter-clockwise.
  const rotateTag = /^\s*rotate\s*:\s*(-?\d+)/m.exec(banner)?.[1];
  const matrix = /displaymatrix: rotation of (-?\d+(?:\.\d+)?) degrees/.exec(banner)?.[1];
  const rotation = rotateTag !== undefined ? quarterTurn(Number(rotateTag)) : matrix !== undefined ? quarterTurn(-Number(matrix)) : 0;
  return {
    container,
    ...video,
    rotation,
    ...(duration ? { durationSeconds: secondsOf(duration[1] as string, duration[2] as string, duration[3] as string) } : {}),
    ...(bitrate ? { bitrate: Number(bitrate[1]) * 1000 } : {}),
    ...(audioLine !== undefined ? { audioCodec: audioLine } : {}),
    ...(moov !== undefined ? { moov } : {}),
  };
}

/** Width and height as displayed (a quarter turn swaps them). */
export function displayedSizeOf(probe: Pick<VideoProbe, 'width' | 'height' | 'rotation'>): { width: number; height: number } | undefined {
  if (probe.width === undefined || probe.height === undefined) return undefined;
  return probe.rotation === 90 || probe.rotation === 270 ? { width: probe.height, height: probe.width } : { width: probe.width, height: probe.height };
}
