/**
 * Real media to upload: small PNGs, and a ≥ 100 MiB H.264 MP4 — from @ffmpeg-installer/ffmpeg
 * when installed, else recorded by Chromium's own MediaRecorder from a canvas — padded to size
 * with a top-level `free` box, which players skip.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A `width`×`height` PNG of one colour with a diagonal stripe. */
export function png(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const stripe = Math.abs(x - y) < 4;
      row.set(stripe ? [255, 255, 255] : rgb, 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function ffmpegPath(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/** A few seconds of H.264 video as MP4 bytes. */
async function shortMp4(page: Page, dir: string): Promise<Buffer> {
  const ffmpeg = ffmpegPath();
  if (ffmpeg) {
    const out = path.join(dir, 'short.mp4');
    execFileSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=4:size=320x240:rate=25', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out]);
    return readFileSync(out);
  }
  const base64 = await page.evaluate<string>(`(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 320; canvas.height = 240;
    const ctx = canvas.getContext('2d');
    const type = 'video/mp4;codecs=avc1';
    if (!MediaRecorder.isTypeSupported(type)) throw new Error('this Chromium cannot record H.264 MP4');
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: type });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.start(200);
    const started = performance.now();
    let frame = 0;
    await new Promise((done) => {
      const draw = () => {
        ctx.fillStyle = 'hsl(' + ((frame * 7) % 360) + ' 70% 45%)';
        ctx.fillRect(0, 0, 320, 240);
        ctx.fillStyle = '#fff';
        ctx.font = '48px sans-serif';
        ctx.fillText(String(frame++), 20, 140);
        if (performance.now() - started < 4000) requestAnimationFrame(draw); else done();
      };
      draw();
    });
    recorder.stop();
    await new Promise((r) => (recorder.onstop = r));
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  })()`);
  return Buffer.from(base64, 'base64');
}

/** Writes an MP4 of at least `minBytes` to `file`: a real short video, then a `free` box. */
export async function largeMp4(page: Page, file: string, minBytes: number): Promise<number> {
  const video = await shortMp4(page, path.dirname(file));
  const padding = Math.max(8, minBytes - video.length);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, video);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(padding, 0);
    header.write('free', 4, 'ascii');
    writeSync(fd, header);
    const block = Buffer.alloc(4 * 1024 * 1024, 0);
    for (let left = padding - 8; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  } finally {
    closeSync(fd);
  }
  return video.length + padding;
}
