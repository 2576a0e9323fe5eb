/**
 * The ffmpeg arguments of playable copies (core/video-commands.ts): what each builder asks of
 * ffmpeg, that the decoder box accepts it, and the copy's size over any original.
 */
import fc from 'fast-check';
import { boxedArgs, type BoxedVideo } from '../../../../handlers/adapters/video-box';
import { copySize, KEYFRAME_SECONDS, remuxArgs, transcodeArgs, videoFilters, VIDEO_ENCODING } from '../../../../handlers/core/video-commands';
import type { VideoProbe } from '../../../../handlers/core/video-probe';

const HEVC: VideoProbe = { container: 'mov', videoCodec: 'hevc', pixelFormat: 'yuv420p', bitDepth: 8, rotation: 90, width: 3840, height: 2160, durationSeconds: 60, audioCodec: 'aac', moov: 'end' };
const BOXED: BoxedVideo = { source: { path: '/tmp/in.mov' }, container: 'mov', input: 'file:/tmp/in.mov', protocols: 'file' };
const after = (args: readonly string[], option: string): string | undefined => args[args.indexOf(option) + 1];

describe('video copy commands', () => {
  describe('copySize', () => {
    it('turns a portrait 4K phone video upright and brings its short edge to 1080', () => {
      expect(copySize(HEVC, 1080)).toEqual({ width: 1080, height: 1920 });
    });

    it('never enlarges, and keeps odd sizes even', () => {
      expect(copySize({ width: 641, height: 361, rotation: 0 }, 1080)).toEqual({ width: 642, height: 362 });
      expect(copySize({ width: 320, height: 180, rotation: 0 }, 1080)).toEqual({ width: 320, height: 180 });
    });

    it('is unknown without a size', () => {
      expect(copySize({ rotation: 0 }, 1080)).toBeUndefined();
    });

    it('over any size: even, short edge within the cap (or the original), aspect kept within a pixel', () => {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 16384 }), fc.integer({ min: 2, max: 16384 }), fc.constantFrom(0, 90, 180, 270) as fc.Arbitrary<VideoProbe['rotation']>, fc.integer({ min: 240, max: 4320 }), (width, height, rotation, maxHeight) => {
          const size = copySize({ width, height, rotation }, maxHeight);
          if (size === undefined) throw new Error('a size was given');
          const [w, h] = rotation % 180 === 90 ? [height, width] : [width, height];
          expect(size.width % 2 + (size.height % 2)).toBe(0);
          expect(Math.min(size.width, size.height)).toBeLessThanOrEqual(Math.min(w, h, maxHeight) + 1);
          const scale = Math.min(1, maxHeight / Math.min(w, h));
          expect(Math.abs(size.width - w * scale)).toBeLessThanOrEqual(1.01);
          expect(Math.abs(size.height - h * scale)).toBeLessThanOrEqual(1.01);
        }),
      );
    });
  });

  describe('transcodeArgs', () => {
    const job = transcodeArgs(HEVC, { target: '/tmp/out.mp4', maxHeight: 1080 });

    it('makes H.264 High + AAC in an MP4 with its index first, at the chosen CRF and preset', () => {
      expect(after(job.output, '-c:v')).toBe('libx264');
      expect(after(job.output, '-profile:v')).toBe('high');
      expect(after(job.output, '-crf')).toBe(String(VIDEO_ENCODING.crf));
      expect(after(job.output, '-preset')).toBe(VIDEO_ENCODING.preset);
      expect(after(job.output, '-pix_fmt')).toBe('yuv420p');
      expect(after(job.output, '-c:a')).toBe('aac');
      expect(after(job.output, '-movflags')).toBe('+faststart');
      expect(job.output.at(-1)).toBe('/tmp/out.mp4');
    });

    it('scales to the upright size (ffmpeg turns the picture first) and copies no metadata (no GPS on a shared copy)', () => {
      expect(after(job.output, '-vf')).toBe('scale=1080:1920:flags=lanczos,setsar=1,format=yuv420p');
      expect(job.inputOptions).not.toContain('-noautorotate');
      expect(after(job.output, '-map_metadata')).toBe('-1');
    });

    it('puts closed GOPs and a keyframe every KEYFRAME_SECONDS, so segments cut there join by stream copy', () => {
      expect(after(job.output, '-flags')).toBe('+cgop');
      expect(after(job.output, '-force_key_frames')).toBe(`expr:gte(t,n_forced*${KEYFRAME_SECONDS})`);
    });

    it('tone-maps PQ and HLG to SDR BT.709 with zscale and tonemap', () => {
      for (const [hdr, transfer] of [['pq', 'smpte2084'], ['hlg', 'arib-std-b67']] as const) {
        const filters = videoFilters({ ...HEVC, rotation: 0, width: 1920, height: 1080, hdr, bitDepth: 10 }, 1080);
        expect(filters).toBe(`zscale=tin=${transfer}:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv:w=1920:h=1080,setsar=1,format=yuv420p`);
      }
      expect(after(job.output, '-color_trc')).toBe('bt709');
    });

    it('caps the height by expression when the size is unknown', () => {
      expect(videoFilters({ container: 'avi', videoCodec: 'mpeg4', rotation: 0 }, 720)).toBe("scale=-2:'min(ih,720)':flags=lanczos,setsar=1,format=yuv420p");
    });

    it('encodes one segment: seeks before the input, stops after the duration, same encoder settings', () => {
      const segment = transcodeArgs(HEVC, { target: '/tmp/seg-3.ts', maxHeight: 1080, startSeconds: 30, durationSeconds: 10, streams: 'video', format: 'mpegts' });
      expect(segment.inputOptions).toEqual(['-ss', '30']);
      expect(after(segment.output, '-t')).toBe('10');
      expect(segment.output).toContain('-an');
      expect(after(segment.output, '-f')).toBe('mpegts');
      expect(segment.output).not.toContain('-movflags');
      const settings = (args: readonly string[]): string[] => ['-vf', '-c:v', '-profile:v', '-preset', '-crf', '-flags', '-force_key_frames'].map((o) => after(args, o) ?? '');
      expect(settings(segment.output)).toEqual(settings(job.output));
    });

    it('encodes only the audio when asked (the fan-out encodes it once, beside the video segments)', () => {
      const audio = transcodeArgs(HEVC, { target: '/tmp/audio.m4a', maxHeight: 1080, streams: 'audio' });
      expect(audio.output).toContain('-vn');
      expect(audio.output).not.toContain('libx264');
      expect(after(audio.output, '-c:a')).toBe('aac');
    });

    it('writes no audio stream for a silent original', () => {
      const silent = transcodeArgs({ ...HEVC, audioCodec: undefined }, { target: '/tmp/out.mp4', maxHeight: 1080 });
      expect(silent.output).toContain('-an');
      expect(silent.output).not.toContain('0:a:0');
    });

    it('refuses a window that is not a number of seconds', () => {
      expect(() => transcodeArgs(HEVC, { target: '/tmp/o.mp4', maxHeight: 1080, startSeconds: -1 })).toThrow('startSeconds');
      expect(() => transcodeArgs(HEVC, { target: '/tmp/o.mp4', maxHeight: 1080, durationSeconds: Number.NaN })).toThrow('durationSeconds');
    });

    it('is accepted by the decoder box, which still sets the input alone', () => {
      const args = boxedArgs(BOXED, { ...job, maxOutputBytes: 1 << 30 });
      expect(args.filter((a) => a === '-i')).toHaveLength(1);
      expect(after(args, '-format_whitelist')).toBe('mov');
      expect(args.at(-1)).toBe('/tmp/out.mp4');
    });
  });

  describe('remuxArgs', () => {
    const h264 = { ...HEVC, videoCodec: 'h264', width: 1920, height: 1080 };

    it('copies video and audio into an MP4 with its index first, without metadata', () => {
      const job = remuxArgs(h264, { audio: 'copy' }, { target: '/tmp/out.mp4' });
      expect(after(job.output, '-c:v')).toBe('copy');
      expect(after(job.output, '-c:a')).toBe('copy');
      expect(after(job.output, '-movflags')).toBe('+faststart');
      expect(after(job.output, '-map_metadata')).toBe('-1');
      expect(job.output).not.toContain('-vf');
      expect(job.inputOptions).toEqual([]);
    });

    it('encodes only the audio when it cannot be copied, and drops it when there is none', () => {
      expect(after(remuxArgs(h264, { audio: 'encode' }, { target: '/tmp/o.mp4' }).output, '-c:a')).toBe('aac');
      expect(remuxArgs(h264, { audio: 'none' }, { target: '/tmp/o.mp4' }).output).toContain('-an');
    });

    it('makes presentation times for AVI, which stores none', () => {
      expect(remuxArgs({ ...h264, container: 'avi' }, { audio: 'copy' }, { target: '/tmp/o.mp4' }).inputOptions).toEqual(['-fflags', '+genpts']);
    });

    it('is accepted by the decoder box', () => {
      expect(() => boxedArgs(BOXED, { ...remuxArgs(h264, { audio: 'copy' }, { target: '/tmp/o.mp4' }), maxOutputBytes: 1 << 30 })).not.toThrow();
    });
  });
});
