/**
 * Real media files for the processing tests and `npm run bench:media`, made on the spot with
 * sharp and the packaged ffmpeg (only the HEIC is committed: nothing here encodes HEVC stills).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { bundledFfmpegPath } from '../../handlers/adapters/video-box';
import { crc32 } from 'node:zlib';

export const HEIC_SAMPLE = path.resolve(__dirname, '..', 'fixtures', 'media', 'sample.heic');

/** A photo with something to see (so WebP sizes are realistic): gradients and shapes. */
function scene(width: number, height: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1e78c8"/><stop offset="1" stop-color="#f0c040"/></linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>
      <circle cx="${width * 0.7}" cy="${height * 0.3}" r="${height * 0.15}" fill="#fff7d0"/>
      <rect x="0" y="0" width="${width / 4}" height="${height / 4}" fill="#c02020"/>
      <path d="M0 ${height * 0.8} Q ${width / 2} ${height * 0.55} ${width} ${height * 0.8} V ${height} H 0 Z" fill="#205020"/>
    </svg>`,
  );
}

/** Noise-free photo texture at the given size, JPEG quality 85. */
async function photo(width: number, height: number): Promise<Sharp> {
  const base = await sharp(scene(width, height)).png().toBuffer();
  return sharp(base);
}

export interface JpegOptions {
  readonly width: number;
  readonly height: number;
  /** EXIF orientation. @default 1 */
  readonly orientation?: number;
  /** Adds GPS (Barcelona), camera and date taken with offset. @default true */
  readonly exif?: boolean;
}

/** A JPEG as a phone writes it: camera, date taken with UTC offset, GPS, orientation. */
export async function cameraJpeg(options: JpegOptions): Promise<Buffer> {
  let image = (await photo(options.width, options.height)).jpeg({ quality: 85 });
  if (options.exif !== false) {
    image = image.withExif({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R6' },
      IFD2: { DateTimeOriginal: '2024:07:14 18:30:05', OffsetTimeOriginal: '+02:00', SubSecTimeOriginal: '25' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '41/1 23/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 10/1 0/1' },
    });
  }
  if (options.orientation !== undefined) image = image.withMetadata({ orientation: options.orientation });
  return image.toBuffer();
}

export async function png(width: number, height: number): Promise<Buffer> {
  return (await photo(width, height)).png().toBuffer();
}

/** The first half of a JPEG: a truncated upload. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await cameraJpeg({ width: 800, height: 600, exif: false });
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/**
 * A decompression bomb: a tiny PNG whose header claims 30,000 × 30,000 pixels (900 MP, 2.7 GB
 * decoded). A decoder without a pixel cap would try to allocate it.
 */
export function pngBomb(side = 30_000): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  // A few rows of zeros: the rest would decompress from almost nothing.
  const rows = deflateSync(Buffer.alloc((side + 1) * 16), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A 2 s H.264 test pattern, 320 × 240: MP4, or QuickTime turned a quarter (a phone held
 * upright: stored landscape, shown portrait) with a creation time, or re-encoded as MPEG-4
 * Part 2 in MP4 (a codec browsers do not play). `unique`: written into the file's metadata, so
 * its bytes (and SHA-256) differ from every other sample's: the apps skip a file whose content is
 * already in the library (issue 22), and tests share one stack.
 */
export function video(kind: 'mp4' | 'rotated-mov' | 'mpeg4-mp4', unique?: string): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-sample-'));
  try {
    const ffmpeg = bundledFfmpegPath();
    const mp4 = path.join(dir, 'v.mp4');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', ...(unique !== undefined ? ['-metadata', `comment=${unique}`] : []), mp4]);
    if (kind === 'mp4') return readFileSync(mp4);
    if (kind === 'mpeg4-mp4') {
      // An MP4 whose codec browsers do not play (MPEG-4 Part 2), as an HEVC MP4 is for most: no HEVC encoder ships on npm.
      const part2 = path.join(dir, 'part2.mp4');
      execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', mp4, '-c:v', 'mpeg4', '-q:v', '5', part2]);
      return readFileSync(part2);
    }
    const mov = path.join(dir, 'v.mov');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', mp4, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-metadata', 'creation_time=2024-07-14T16:30:05Z', '-f', 'mov', mov]);
    return readFileSync(mov);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
