/**
 * The probe summary (core/video-probe.ts) on real files: each fixture of issue 19 made with
 * Debian's ffmpeg, read the way the process function reads it (the bundled ffmpeg in the
 * decoder box, the first bytes, the MP4 box walk), and what the decision table makes of it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundledFfmpegPath, openVideo, runBoxed } from '../../../../handlers/adapters/video-box';
import { remuxArgs, transcodeArgs } from '../../../../handlers/core/video-commands';
import { localDecoders } from '../../../../handlers/adapters/media-decoders';
import { decideVideoCopy } from '../../../../handlers/core/video-decision';
import { containerKindOf, displayedSizeOf, moovPosition, parseVideoBanner, type ReadAt } from '../../../../handlers/core/video-probe';
import { makeVideoFixtures, VIDEO_FIXTURE_NAMES, VIDEO_FIXTURES, type VideoFixtureName } from '../../../support/video-fixtures';

/** Top-level boxes: [type, size], the payload zero-filled. */
function boxes(...list: readonly (readonly [string, number])[]): Buffer {
  return Buffer.concat(list.map(([type, size]) => {
    const box = Buffer.alloc(size);
    box.writeUInt32BE(size, 0);
    box.write(type, 4, 'latin1');
    return box;
  }));
}
const DEFAULTS = { copiesEnabled: true, maxHeight: 1080 } as const;
const reader = (bytes: Buffer): ReadAt => async (offset, length) => bytes.subarray(offset, offset + length);

describe('video probe', () => {
  describe('moovPosition', () => {
    it('finds the index before or after the media data', async () => {
      const start = boxes(['ftyp', 24], ['moov', 100], ['mdat', 1000]);
      const end = boxes(['ftyp', 24], ['free', 8], ['mdat', 1000], ['moov', 100]);
      expect(await moovPosition(reader(start), start.length)).toBe('start');
      expect(await moovPosition(reader(end), end.length)).toBe('end');
    });

    it('follows a 64-bit box size (media data over 4 GiB) without reading the box', async () => {
      const header = Buffer.alloc(16);
      header.writeUInt32BE(1, 0);
      header.write('wide', 4, 'latin1');
      header.writeBigUInt64BE(5n * 2n ** 32n, 8);
      const reads: number[] = [];
      const read: ReadAt = async (offset) => {
        reads.push(offset);
        if (offset === 0) return header;
        const mdat = Buffer.alloc(16);
        mdat.writeUInt32BE(8, 0);
        mdat.write('mdat', 4, 'latin1');
        return mdat;
      };
      expect(await moovPosition(read, 6 * 2 ** 32)).toBe('end');
      expect(reads).toEqual([0, 5 * 2 ** 32]);
    });

    it('gives up on a broken walk instead of looping', async () => {
      const zero = boxes(['ftyp', 24]);
      const broken = Buffer.concat([zero, Buffer.from([0, 0, 0, 3, 0x66, 0x72, 0x65, 0x65])]);
      expect(await moovPosition(reader(broken), broken.length)).toBeUndefined();
      expect(await moovPosition(reader(Buffer.alloc(0)), 0)).toBeUndefined();
      let reads = 0;
      const endless: ReadAt = async () => { reads += 1; return boxes(['free', 8]); };
      expect(await moovPosition(endless, 10 ** 9)).toBeUndefined();
      expect(reads).toBeLessThanOrEqual(64);
    });
  });

  describe('containerKindOf', () => {
    it('tells QuickTime from MP4 by the brand and WebM from Matroska by the DocType', () => {
      const ftyp = (brand: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from(`ftyp${brand}\0\0\0\0`, 'latin1')]);
      expect(containerKindOf('mov', ftyp('qt  '))).toBe('mov');
      expect(containerKindOf('mov', ftyp('isom'))).toBe('mp4');
      const ebml = (docType: string): Buffer => Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType, 'latin1')]);
      expect(containerKindOf('matroska', ebml('webm'))).toBe('webm');
      expect(containerKindOf('matroska', ebml('matroska'))).toBe('matroska');
    });
  });

  describe('parseVideoBanner', () => {
    it('reads rotation from the display matrix when there is no rotate tag (counter-clockwise there)', () => {
      const banner = '  Duration: 00:00:01.00, start: 0.000000, bitrate: 100 kb/s\n    Stream #0:0: Video: h264 (High), yuv420p, 640x480, 30 fps\n    Side data:\n      displaymatrix: rotation of -90.00 degrees\n';
      expect(parseVideoBanner(banner, 'mp4')).toMatchObject({ rotation: 90, width: 640, height: 480, bitrate: 100_000, frameRate: 30 });
    });

    it('leaves out what the banner does not say', () => {
      expect(parseVideoBanner('garbage', 'avi')).toEqual({ container: 'avi', rotation: 0 });
    });
  });

  describe('on real fixtures, as the process function reads them', () => {
    let paths: Record<VideoFixtureName, string>;
    beforeAll(() => {
      paths = makeVideoFixtures();
    }, 120_000);

    const expected: Record<VideoFixtureName, Record<string, unknown>> = {
      'iphone-hevc-rotated.mov': { container: 'mov', videoCodec: 'hevc', profile: 'Main', bitDepth: 8, rotation: 90, width: 320, height: 180, audioCodec: 'aac', moov: 'end' },
      'hevc-hlg-10bit.mp4': { container: 'mp4', videoCodec: 'hevc', profile: 'Main 10', bitDepth: 10, hdr: 'hlg', rotation: 0, moov: 'end' },
      'hevc-pq-10bit.mov': { container: 'mov', videoCodec: 'hevc', bitDepth: 10, hdr: 'pq', moov: 'end' },
      'h264-moov-at-end.mp4': { container: 'mp4', videoCodec: 'h264', profile: 'High', bitDepth: 8, audioCodec: 'aac', moov: 'end' },
      'h264.mkv': { container: 'matroska', videoCodec: 'h264', audioCodec: 'aac' },
      'mpeg4-part2.avi': { container: 'avi', videoCodec: 'mpeg4', audioCodec: 'mp3' },
      'mpeg2.mpg': { container: 'mpeg', videoCodec: 'mpeg2video', audioCodec: 'mp2' },
      'vp9.webm': { container: 'webm', videoCodec: 'vp9', profile: 'Profile 0', audioCodec: 'opus' },
    };

    it.each(VIDEO_FIXTURE_NAMES)('%s: summary, displayed size, duration and decision', async (name) => {
      const fixture = VIDEO_FIXTURES[name];
      const { probe, images } = await localDecoders().videoFrame({ path: paths[name] });
      expect(probe).toMatchObject(expected[name]);
      expect(probe.hdr).toBe(name.includes('hlg') ? 'hlg' : name.includes('pq') ? 'pq' : undefined);
      expect(displayedSizeOf(probe)).toEqual({ width: fixture.width, height: fixture.height });
      expect(probe.durationSeconds).toBeCloseTo(fixture.durationSeconds, 0);
      expect(probe.bitrate).toBeGreaterThan(0);
      expect(decideVideoCopy(probe, { copiesEnabled: true, maxHeight: 1080 }).action).toBe(fixture.action);
      expect(images.map((i) => i.name).sort()).toEqual(['poster', 'thumb']);
    });

    it('a remux of the MP4 with its index at the end has it first, and plays as stored', async () => {
      const target = path.join(mkdtempSync(path.join(tmpdir(), 'video-remux-')), 'copy.mp4');
      const opened = await openVideo({ path: paths['h264-moov-at-end.mp4'] });
      if (!opened.ok) throw new Error(opened.reason);
      const probe = (await localDecoders().videoFrame({ path: paths['h264-moov-at-end.mp4'] })).probe;
      const run = await runBoxed(bundledFfmpegPath(), opened.video, { ...remuxArgs(probe, decideVideoCopy(probe, DEFAULTS), { target }), timeoutMs: 30_000, maxOutputBytes: 1 << 26 });
      expect(run.outcome).toBe('done');
      const copy = (await localDecoders().videoFrame({ path: target })).probe;
      expect(copy).toMatchObject({ container: 'mp4', videoCodec: 'h264', audioCodec: 'aac', moov: 'start' });
      expect(copy.durationSeconds).toBeCloseTo(probe.durationSeconds ?? 0, 1);
      expect(decideVideoCopy(copy, DEFAULTS)).toMatchObject({ action: 'none' });
    });

    it('a transcode of the rotated iPhone clip is upright H.264 + AAC that plays as stored', async () => {
      const target = path.join(mkdtempSync(path.join(tmpdir(), 'video-transcode-')), 'copy.mp4');
      const opened = await openVideo({ path: paths['iphone-hevc-rotated.mov'] });
      if (!opened.ok) throw new Error(opened.reason);
      const probe = (await localDecoders().videoFrame({ path: paths['iphone-hevc-rotated.mov'] })).probe;
      const run = await runBoxed(bundledFfmpegPath(), opened.video, { ...transcodeArgs(probe, { target, maxHeight: 1080 }), timeoutMs: 60_000, maxOutputBytes: 1 << 26 });
      expect(run.outcome).toBe('done');
      const copy = (await localDecoders().videoFrame({ path: target })).probe;
      expect(copy).toMatchObject({ container: 'mp4', videoCodec: 'h264', profile: 'High', bitDepth: 8, rotation: 0, width: 180, height: 320, audioCodec: 'aac', moov: 'start' });
      expect(decideVideoCopy(copy, DEFAULTS)).toMatchObject({ action: 'none' });
    }, 60_000);
  });
});
