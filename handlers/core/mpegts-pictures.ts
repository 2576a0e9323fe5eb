/**
 * Counts the pictures of the first video stream of an MPEG transport stream, chunk by chunk
 * without I/O: ffmpeg's muxer writes one PES packet per picture, so each packet that starts a
 * video PES (stream id 0xE0-0xEF) is one picture. The video workflow reads its own segments
 * with it: ffmpeg exits 0 with an empty output when no picture of a window could be decoded.
 */

const PACKET = 188;
const SYNC = 0x47;

export class TsPictureCounter {
  private videoPid: number | undefined;
  private rest: Buffer = Buffer.alloc(0);
  private counted = 0;

  /** Pictures seen so far. */
  get pictures(): number {
    return this.counted;
  }

  /** Reads the next bytes of the stream (any length; a packet may straddle two chunks). */
  push(chunk: Uint8Array): void {
    const bytes = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    for (; at + PACKET <= bytes.length; at += PACKET) {
      if (bytes[at] !== SYNC) throw new Error(`not an MPEG transport stream: no sync byte at packet ${this.counted}`);
      this.packet(bytes.subarray(at, at + PACKET));
    }
    this.rest = Buffer.from(bytes.subarray(at));
  }

  private packet(packet: Buffer): void {
    const unitStart = ((packet[1] as number) & 0x40) !== 0;
    if (!unitStart) return;
    const pid = (((packet[1] as number) & 0x1f) << 8) | (packet[2] as number);
    const control = ((packet[3] as number) >> 4) & 3;
    if ((control & 1) === 0) return;
    const payload = 4 + ((control & 2) !== 0 ? 1 + (packet[4] as number) : 0);
    const isVideoPes = packet[payload] === 0 && packet[payload + 1] === 0 && packet[payload + 2] === 1 && ((packet[payload + 3] as number) & 0xf0) === 0xe0;
    if (!isVideoPes) return;
    this.videoPid ??= pid;
    if (pid === this.videoPid) this.counted += 1;
  }
}

/**
 * Pictures a window should hold: its length at the original's frame rate; `undefined` when the
 * probe did not tell the rate, or an open-ended window the duration.
 */
export function expectedPictures(window: { readonly startSeconds: number; readonly durationSeconds?: number }, probe: { readonly frameRate?: number; readonly durationSeconds?: number }): number | undefined {
  const seconds = window.durationSeconds ?? (probe.durationSeconds !== undefined ? probe.durationSeconds - window.startSeconds : undefined);
  if (probe.frameRate === undefined || !(probe.frameRate > 0) || seconds === undefined || !(seconds > 0)) return undefined;
  return Math.round(seconds * probe.frameRate);
}

/**
 * A segment must hold at least this share of its window's pictures: below it, most of the
 * window could not be decoded (ffmpeg's own `-max_error_rate` gives up at 2/3 of frames
 * failing), and a copy with seconds of frozen picture is no copy.
 */
export const MIN_PICTURE_SHARE = 1 / 3;
