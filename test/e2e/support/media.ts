import { createHash, randomBytes } from 'node:crypto';

/** A JPEG-looking buffer (SOI + JFIF APP0 … EOI) of `size` bytes; the middle is random. */
export function jpegLike(size: number): Buffer {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const tail = Buffer.from([0xff, 0xd9]);
  return Buffer.concat([head, randomBytes(size - head.length - tail.length), tail]);
}

export const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');
