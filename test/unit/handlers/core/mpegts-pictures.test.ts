import { expectedPictures, TsPictureCounter } from '../../../../handlers/core/mpegts-pictures';

/** One 188-byte transport packet: `pes` starts a PES of that stream id; padding with an adaptation field when asked. */
function packet(pid: number, options: { pes?: number; adaptation?: number } = {}): Buffer {
  const bytes = Buffer.alloc(188, 0xff);
  bytes[0] = 0x47;
  bytes[1] = (options.pes !== undefined ? 0x40 : 0) | (pid >> 8);
  bytes[2] = pid & 0xff;
  bytes[3] = (options.adaptation !== undefined ? 0x30 : 0x10);
  let at = 4;
  if (options.adaptation !== undefined) {
    bytes[4] = options.adaptation;
    at += 1 + options.adaptation;
  }
  if (options.pes !== undefined) bytes.set([0, 0, 1, options.pes], at);
  return bytes;
}

describe('mpegts pictures', () => {
  describe('TsPictureCounter', () => {
    it('counts the PES starts of the first video stream, across chunks that split packets; audio, tables and continuations are not pictures', () => {
      // Prepare
      const stream = Buffer.concat([
        packet(0, { pes: undefined }),
        packet(0x100, { pes: 0xe0 }), packet(0x100), packet(0x100),
        packet(0x101, { pes: 0xc0 }),
        packet(0x100, { pes: 0xe0, adaptation: 7 }),
        packet(0x102, { pes: 0xe1 }),
        packet(0x100, { pes: 0xe0 }),
      ]);
      const counter = new TsPictureCounter();
      // Act
      for (let at = 0; at < stream.length; at += 100) counter.push(stream.subarray(at, at + 100));
      // Assert
      expect(counter.pictures).toBe(3);
    });

    it('refuses bytes that are not a transport stream', () => {
      expect(() => new TsPictureCounter().push(Buffer.alloc(376, 1))).toThrow(/not an MPEG transport stream/);
    });

    it('expects a window to hold its length at the frame rate, an open-ended one up to the duration', () => {
      expect(expectedPictures({ startSeconds: 4, durationSeconds: 2 }, { frameRate: 30, durationSeconds: 10 })).toBe(60);
      expect(expectedPictures({ startSeconds: 8 }, { frameRate: 25, durationSeconds: 10.5 })).toBe(63);
      expect(expectedPictures({ startSeconds: 8 }, { frameRate: 25 })).toBeUndefined();
      expect(expectedPictures({ startSeconds: 0, durationSeconds: 2 }, {})).toBeUndefined();
    });
  });
});
