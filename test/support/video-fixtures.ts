/**
 * Small videos of every kind issue 19 names, made at run time with Debian's ffmpeg
 * (`apt-get install ffmpeg`: 5.x with libx265, libx264, libvpx), so nothing binary is
 * committed: 3 s, 320x180 (the rotated one is stored sideways), a test pattern and a tone.
 * A newer ffmpeg than the bundled 2018 build makes them, as phones and cameras would: the
 * service's ffmpeg only reads them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's ffmpeg (the fixtures' maker; the service never runs it). */
export const FIXTURE_FFMPEG = process.env.FIXTURE_FFMPEG ?? '/usr/bin/ffmpeg';

interface VideoFixture {
  readonly contentType: string;
  /** What the decision table should say for it with the default settings. */
  readonly action: 'none' | 'remux' | 'transcode';
  /** As displayed (upright). */
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
  /** Encoder arguments after the two lavfi inputs (video 0, audio 1), before the output. */
  readonly args: readonly string[];
  /** Display rotation written afterwards by a stream copy (ffmpeg 5 tags only a copied stream): counter-clockwise degrees, as ffmpeg 5 takes them. */
  readonly rotateTag?: number;
}

const X265 = ['-c:v', 'libx265', '-tag:v', 'hvc1', '-preset', 'ultrafast', '-x265-params', 'log-level=error'];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];
const HDR_TAGS = (transfer: string): string[] => ['-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc'];

export const VIDEO_FIXTURES = {
  /** An iPhone-style portrait clip: HEVC in QuickTime, stored landscape with a quarter turn to display. */
  'iphone-hevc-rotated.mov': { contentType: 'video/quicktime', action: 'transcode', width: 180, height: 320, durationSeconds: 3, args: [...X265, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mov'], rotateTag: -90 },
  /** 10-bit HEVC HDR with the HLG transfer (phones' HDR video). */
  'hevc-hlg-10bit.mp4': { contentType: 'video/mp4', action: 'transcode', width: 320, height: 180, durationSeconds: 3, args: [...X265, ...HDR_TAGS('arib-std-b67'), '-c:a', 'aac'] },
  /** 10-bit HEVC HDR10 (PQ) in QuickTime. */
  'hevc-pq-10bit.mov': { contentType: 'video/quicktime', action: 'transcode', width: 320, height: 180, durationSeconds: 3, args: [...X265, ...HDR_TAGS('smpte2084'), '-c:a', 'aac', '-f', 'mov'] },
  /** H.264/AAC MP4 with its index after the media data (ffmpeg's default without +faststart). */
  'h264-moov-at-end.mp4': { contentType: 'video/mp4', action: 'remux', width: 320, height: 180, durationSeconds: 3, args: [...X264, '-c:a', 'aac'] },
  /** H.264/AAC in Matroska. */
  'h264.mkv': { contentType: 'video/x-matroska', action: 'remux', width: 320, height: 180, durationSeconds: 3, args: [...X264, '-c:a', 'aac'] },
  /** MPEG-4 Part 2 (Xvid) with MP3 in AVI: an old camera's. */
  'mpeg4-part2.avi': { contentType: 'video/x-msvideo', action: 'transcode', width: 320, height: 180, durationSeconds: 3, args: ['-c:v', 'mpeg4', '-vtag', 'xvid', '-q:v', '5', '-c:a', 'libmp3lame'] },
  /** MPEG-2 with MP2 audio in an MPEG program stream (DVD camcorders). */
  'mpeg2.mpg': { contentType: 'video/mpeg', action: 'transcode', width: 320, height: 180, durationSeconds: 3, args: ['-c:v', 'mpeg2video', '-q:v', '5', '-c:a', 'mp2', '-f', 'mpeg'] },
  /** VP9/Opus WebM: plays as stored, must not be copied. */
  'vp9.webm': { contentType: 'video/webm', action: 'none', width: 320, height: 180, durationSeconds: 3, args: ['-c:v', 'libvpx-vp9', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'] },
} as const satisfies Record<string, VideoFixture>;

export type VideoFixtureName = keyof typeof VIDEO_FIXTURES;
export const VIDEO_FIXTURE_NAMES = Object.keys(VIDEO_FIXTURES) as VideoFixtureName[];

/** Whether Debian's ffmpeg is there to make the fixtures. */
export function canMakeVideoFixtures(): boolean {
  return existsSync(FIXTURE_FFMPEG);
}

/** Where the fixtures are kept between test files (made once per machine; a new name per change of VIDEO_FIXTURES). */
const VIDEO_FIXTURE_DIR = path.join(tmpdir(), 'media-store-video-fixtures-v1');

/** Makes the named fixtures in `dir` (once: an existing file is kept; made under another name, then renamed) and returns their paths. */
export function makeVideoFixtures(dir: string = VIDEO_FIXTURE_DIR, names: readonly VideoFixtureName[] = VIDEO_FIXTURE_NAMES): Record<VideoFixtureName, string> {
  if (!canMakeVideoFixtures()) throw new Error(`video fixtures need Debian's ffmpeg at ${FIXTURE_FFMPEG} (apt-get install ffmpeg)`);
  mkdirSync(dir, { recursive: true });
  const paths = {} as Record<VideoFixtureName, string>;
  for (const name of names) {
    const fixture: VideoFixture = VIDEO_FIXTURES[name];
    const target = path.join(dir, name);
    paths[name] = target;
    if (existsSync(target)) continue;
    const stored = fixture.rotateTag !== undefined ? { width: fixture.height, height: fixture.width } : fixture;
    const made = path.join(dir, `making-${process.pid}-${name}`);
    execFileSync(FIXTURE_FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${stored.width}x${stored.height}:rate=25:duration=${fixture.durationSeconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${fixture.durationSeconds}`,
      '-threads', '1', ...fixture.args, made,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (fixture.rotateTag !== undefined) {
      execFileSync(FIXTURE_FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', made, '-c', 'copy', '-metadata:s:v:0', `rotate=${fixture.rotateTag}`, '-f', 'mov', target], { stdio: ['ignore', 'ignore', 'pipe'] });
      rmSync(made);
    } else {
      renameSync(made, target);
    }
  }
  return paths;
}
