/**
 * The decision table of playable copies (core/video-decision.ts): every row by example, then
 * its promises as properties over any probe fast-check makes.
 */
import fc from 'fast-check';
import { decideVideoCopy, LARGE_BITRATE, type VideoCopySettings } from '../../../../handlers/core/video-decision';
import { VIDEO_CONTAINER_KINDS, type VideoProbe } from '../../../../handlers/core/video-probe';

const DEFAULTS: VideoCopySettings = { copiesEnabled: true, maxHeight: 1080 };
const H264_MP4: VideoProbe = { container: 'mp4', videoCodec: 'h264', profile: 'High', pixelFormat: 'yuv420p', bitDepth: 8, rotation: 0, width: 1920, height: 1080, durationSeconds: 10, bitrate: 8_000_000, audioCodec: 'aac', moov: 'start' };
const probe = (change: Partial<VideoProbe>): VideoProbe => ({ ...H264_MP4, ...change });

describe('decideVideoCopy', () => {
  describe('plays as stored (none)', () => {
    it.each([
      ['H.264/AAC in MP4 with its index first', probe({})],
      ['H.264/MP3 in MP4', probe({ audioCodec: 'mp3' })],
      ['H.264 without audio in MP4', probe({ audioCodec: undefined })],
      ['H.264 in MP4 turned a quarter (browsers honour the matrix)', probe({ rotation: 90, width: 1920, height: 1080 })],
      ['VP9/Opus in WebM', probe({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', moov: undefined })],
      ['VP8/Vorbis in WebM', probe({ container: 'webm', videoCodec: 'vp8', audioCodec: 'vorbis', moov: undefined })],
      ['AV1 without audio in WebM', probe({ container: 'webm', videoCodec: 'av1', audioCodec: undefined, moov: undefined })],
    ])('%s: no copy', (_, original) => {
      const decision = decideVideoCopy(original, DEFAULTS);
      expect(decision).toMatchObject({ action: 'none', alsoSmallCopy: false });
      expect(decision.copy).toBeUndefined();
    });
  });

  describe('remux (stream copy, index first)', () => {
    it.each([
      ['the index at the end', probe({ moov: 'end' }), 'copy'],
      ['H.264 in QuickTime', probe({ container: 'mov', moov: 'start' }), 'copy'],
      ['H.264 in Matroska', probe({ container: 'matroska', moov: undefined }), 'copy'],
      ['H.264 in AVI', probe({ container: 'avi', moov: undefined, audioCodec: 'mp3' }), 'copy'],
      ['H.264 in MPEG-TS (camcorder .mts)', probe({ container: 'mpegts', moov: undefined, audioCodec: 'ac3' }), 'encode'],
      ['H.264 with PCM audio in QuickTime', probe({ container: 'mov', audioCodec: 'pcm_s16le' }), 'encode'],
      ['H.264 with AC-3 in MP4, index first (only the audio is encoded)', probe({ audioCodec: 'ac3' }), 'encode'],
      ['H.264 without audio in Matroska', probe({ container: 'matroska', moov: undefined, audioCodec: undefined }), 'none'],
    ])('%s: remux, audio %s', (_, original, audio) => {
      expect(decideVideoCopy(original, DEFAULTS)).toMatchObject({ action: 'remux', copy: 'remux', audio, alsoSmallCopy: false });
    });
  });

  describe('transcode (H.264 High + AAC)', () => {
    it.each([
      ['HEVC in QuickTime (iPhone)', probe({ container: 'mov', videoCodec: 'hevc', profile: 'Main', rotation: 90 })],
      ['HEVC in MP4', probe({ videoCodec: 'hevc' })],
      ['10-bit HEVC HLG', probe({ videoCodec: 'hevc', bitDepth: 10, pixelFormat: 'yuv420p10le', hdr: 'hlg' })],
      ['H.264 High 10', probe({ bitDepth: 10, pixelFormat: 'yuv420p10le', profile: 'High 10' })],
      ['H.264 4:2:2', probe({ pixelFormat: 'yuv422p', profile: 'High 4:2:2' })],
      ['H.264 tagged PQ', probe({ hdr: 'pq' })],
      ['ProRes in QuickTime', probe({ container: 'mov', videoCodec: 'prores', audioCodec: 'pcm_s24le' })],
      ['MPEG-2 in MPEG-PS', probe({ container: 'mpeg', videoCodec: 'mpeg2video', audioCodec: 'mp2', moov: undefined })],
      ['MPEG-4 Part 2 in AVI', probe({ container: 'avi', videoCodec: 'mpeg4', audioCodec: 'mp3', moov: undefined })],
      ['H.264 in an MPEG program stream (no stream copy taken from it)', probe({ container: 'mpeg', moov: undefined })],
      ['VP9 in Matroska (not WebM)', probe({ container: 'matroska', videoCodec: 'vp9', audioCodec: 'opus', moov: undefined })],
      ['VP9 in MP4', probe({ videoCodec: 'vp9', audioCodec: 'opus' })],
      ['VP9 HDR (PQ) in WebM: SDR everywhere', probe({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', bitDepth: 10, pixelFormat: 'yuv420p10le', hdr: 'pq', moov: undefined })],
      ['VP9 with AAC in WebM (a WebM browsers refuse)', probe({ container: 'webm', videoCodec: 'vp9', audioCodec: 'aac', moov: undefined })],
    ])('%s: transcode', (_, original) => {
      const decision = decideVideoCopy(original, DEFAULTS);
      expect(decision).toMatchObject({ action: 'transcode', copy: 'transcode', alsoSmallCopy: false });
      expect(decision.audio).toBe(original.audioCodec === undefined ? 'none' : 'encode');
    });

    it('says why in a few words', () => {
      expect(decideVideoCopy(probe({ container: 'mov', videoCodec: 'hevc', bitDepth: 10, hdr: 'hlg' }), DEFAULTS).why).toBe('HDR (HLG), 10-bit, hevc in MOV: transcode to H.264 + AAC');
    });
  });

  describe('large originals', () => {
    it.each([
      ['4K H.264 MP4', probe({ width: 3840, height: 2160 }), 'none'],
      ['1080p H.264 MP4 at 30 Mbit/s', probe({ bitrate: 30_000_000 }), 'none'],
      ['portrait 4K H.264 in QuickTime', probe({ container: 'mov', width: 3840, height: 2160, rotation: 90 }), 'remux'],
      ['4K VP9 WebM', probe({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', width: 3840, height: 2160, moov: undefined }), 'none'],
    ])('%s also gets a small copy, made by the transcode', (_, original, action) => {
      expect(decideVideoCopy(original, DEFAULTS)).toMatchObject({ action, alsoSmallCopy: true, copy: 'transcode', audio: 'encode' });
    });

    it('a portrait 1080p video (1080 wide) is not large', () => {
      expect(decideVideoCopy(probe({ width: 1920, height: 1080, rotation: 90 }), DEFAULTS)).toMatchObject({ action: 'none', alsoSmallCopy: false });
    });

    it('reads "large" against video_max_height', () => {
      expect(decideVideoCopy(probe({}), { copiesEnabled: true, maxHeight: 720 })).toMatchObject({ alsoSmallCopy: true, copy: 'transcode' });
      expect(decideVideoCopy(probe({ width: 3840, height: 2160 }), { copiesEnabled: true, maxHeight: 2160 })).toMatchObject({ alsoSmallCopy: false });
    });

    it('exactly 20 Mbit/s is not large; one bit more is', () => {
      expect(decideVideoCopy(probe({ bitrate: LARGE_BITRATE }), DEFAULTS).alsoSmallCopy).toBe(false);
      expect(decideVideoCopy(probe({ bitrate: LARGE_BITRATE + 1 }), DEFAULTS).alsoSmallCopy).toBe(true);
    });
  });

  it('makes no copy when video copies are off, but still says what the original needs', () => {
    const off = { copiesEnabled: false, maxHeight: 1080 };
    expect(decideVideoCopy(probe({ videoCodec: 'hevc' }), off)).toMatchObject({ action: 'transcode' });
    expect(decideVideoCopy(probe({ videoCodec: 'hevc' }), off).copy).toBeUndefined();
    expect(decideVideoCopy(probe({ moov: 'end' }), off).copy).toBeUndefined();
  });

  it('a file without a video stream gets no copy', () => {
    expect(decideVideoCopy(probe({ videoCodec: undefined, width: undefined, height: undefined }), DEFAULTS)).toMatchObject({ action: 'none', alsoSmallCopy: false });
  });

  describe('over any probe', () => {
    const anyProbe: fc.Arbitrary<VideoProbe> = fc.record(
      {
        container: fc.constantFrom(...VIDEO_CONTAINER_KINDS),
        videoCodec: fc.constantFrom('h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'mpeg2video', 'prores', 'mjpeg'),
        pixelFormat: fc.constantFrom('yuv420p', 'yuvj420p', 'yuv420p10le', 'yuv422p', 'yuv444p'),
        bitDepth: fc.constantFrom(8, 10, 12),
        rotation: fc.constantFrom(0, 90, 180, 270) as fc.Arbitrary<VideoProbe['rotation']>,
        hdr: fc.constantFrom('pq', 'hlg') as fc.Arbitrary<'pq' | 'hlg'>,
        width: fc.integer({ min: 16, max: 8192 }),
        height: fc.integer({ min: 16, max: 8192 }),
        bitrate: fc.integer({ min: 1, max: 200_000_000 }),
        audioCodec: fc.constantFrom('aac', 'mp3', 'opus', 'vorbis', 'ac3', 'pcm_s16le', 'mp2'),
        moov: fc.constantFrom('start', 'end') as fc.Arbitrary<'start' | 'end'>,
      },
      { requiredKeys: ['container', 'rotation'] },
    );
    const anySettings = fc.record({ copiesEnabled: fc.boolean(), maxHeight: fc.integer({ min: 240, max: 4320 }) });

    it('copies exactly when copies are on and the original does not play as stored or is large', () => {
      fc.assert(
        fc.property(anyProbe, anySettings, (original, settings) => {
          const decision = decideVideoCopy(original, settings);
          const wanted = decision.action !== 'none' || decision.alsoSmallCopy;
          expect(decision.copy !== undefined).toBe(settings.copiesEnabled && wanted);
        }),
      );
    });

    it('never leaves HDR, more than 8 bits, HEVC or a QuickTime/AVI/MPEG container as it is', () => {
      fc.assert(
        fc.property(anyProbe, anySettings, (original, settings) => {
          const risky = original.hdr !== undefined || (original.videoCodec === 'h264' && (original.bitDepth ?? 8) > 8) || original.videoCodec === 'hevc' || ['mov', 'avi', 'mpeg', 'mpegts', 'matroska'].includes(original.container);
          if (risky && original.videoCodec !== undefined) expect(decideVideoCopy(original, settings).action).not.toBe('none');
        }),
      );
    });

    it('remuxes only 8-bit SDR H.264 and a small copy is always a transcode', () => {
      fc.assert(
        fc.property(anyProbe, anySettings, (original, settings) => {
          const decision = decideVideoCopy(original, settings);
          if (decision.action === 'remux') expect([original.videoCodec, original.hdr, original.bitDepth ?? 8]).toEqual(['h264', undefined, 8]);
          if (decision.alsoSmallCopy && settings.copiesEnabled) expect(decision.copy).toBe('transcode');
          if (decision.action === 'transcode') expect(decision.alsoSmallCopy).toBe(false);
        }),
      );
    });
  });
});
