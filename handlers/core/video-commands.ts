/**
 * The ffmpeg arguments of a playable copy, built from the probe summary without I/O. They are
 * the caller's part of a decoder-box job (adapters/video-box.ts `BoxedJob`: `inputOptions`,
 * then `output` ending with the target); the box adds what opens the input.
 *
 * - `remuxArgs`: stream copy into an MP4 with its index first (`+faststart`); the audio is
 *   encoded to AAC only when it cannot be copied. Seconds even for GiB files.
 * - `transcodeArgs`: H.264 High + AAC in a faststart MP4, upright (the rotation is applied,
 *   not tagged; a remux keeps it as the display matrix, which browsers honour), SDR (PQ/HLG tone-mapped with zscale + tonemap), at most `maxHeight` lines on
 *   the short edge. A window (`startSeconds`, `durationSeconds`) encodes one segment of a
 *   long video with the same settings as every other segment: closed GOPs and a keyframe at
 *   every `KEYFRAME_SECONDS`, so segments cut at multiples of it join by stream copy.
 *
 * Metadata is not copied (`-map_metadata -1`): a copy served on a public share must not carry
 * the original's GPS position or camera tags.
 */
import { displayedSizeOf, type VideoProbe } from './video-probe';
import type { VideoDecision } from './video-decision';

/**
 * x264 settings of every transcoded copy (docs/media.md: why these). CRF 22 holds up beside the
 * source at ≤ 1080p; `veryfast` is about twice as fast as `medium` on this kind of CPU for a few
 * percent more bytes at the same CRF, which keeps a Lambda well under its 15 minutes per segment.
 */
export const VIDEO_ENCODING = {
  crf: 22,
  preset: 'veryfast',
  /** AAC stereo. */
  audioBitrate: '128k',
  audioChannels: 2,
  /** A keyframe at least this often: seeking lands within it, and segment cuts at its multiples are on keyframes. */
  keyframeSeconds: 2,
} as const;
export const KEYFRAME_SECONDS = VIDEO_ENCODING.keyframeSeconds;

type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow';

/** The caller's part of a boxed ffmpeg job: options before `-i`, then output options ending with the target. */
export interface CopyJobArgs {
  readonly inputOptions: readonly string[];
  readonly output: readonly string[];
}

export interface TranscodeOptions {
  /** Where ffmpeg writes the copy (a path under the function's /tmp). */
  readonly target: string;
  /** Lines of the short edge at most (module variable `video_max_height`). */
  readonly maxHeight: number;
  /** A segment: from this second of the original (input seeking, frame-exact when transcoding). */
  readonly startSeconds?: number;
  /** A segment: this many seconds. */
  readonly durationSeconds?: number;
  /** Which streams to write: both (default), only the video (segments), only the audio (encoded once, beside them). */
  readonly streams?: 'both' | 'video' | 'audio';
  /** `mp4` (default, `+faststart`) or `mpegts` (segments that a concat joins without edit lists). */
  readonly format?: 'mp4' | 'mpegts';
  readonly crf?: number;
  readonly preset?: X264Preset;
}

/** Size of the copy as displayed: upright, the short edge at most `maxHeight`, both even; never larger than the original. */
export function copySize(probe: Pick<VideoProbe, 'width' | 'height' | 'rotation'>, maxHeight: number): { width: number; height: number } | undefined {
  const size = displayedSizeOf(probe);
  if (size === undefined || size.width < 2 || size.height < 2) return undefined;
  const scale = Math.min(1, maxHeight / Math.min(size.width, size.height));
  const even = (n: number): number => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(size.width), height: even(size.height) };
}

const ZSCALE_TRANSFER = { pq: 'smpte2084', hlg: 'arib-std-b67' } as const;

/**
 * The video filter chain: tone-mapped to SDR BT.709 when HDR, scaled, 8-bit 4:2:0. ffmpeg's
 * autorotation (on by default) has already turned the picture upright before it, and it
 * clears the rotation of the output (with it off, ffmpeg 4.1 copies the original's display
 * matrix onto the turned picture).
 */
export function videoFilters(probe: VideoProbe, maxHeight: number): string {
  const size = copySize(probe, maxHeight);
  // Unknown size (a banner without it): keep the aspect ratio, cap the height.
  const scaleTo = size !== undefined ? `${size.width}:${size.height}` : `-2:'min(ih,${maxHeight})'`;
  const filters: string[] = [];
  if (probe.hdr !== undefined) {
    filters.push(
      `zscale=tin=${ZSCALE_TRANSFER[probe.hdr]}:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100`,
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=hable:desat=0',
      size !== undefined ? `zscale=t=bt709:m=bt709:r=tv:w=${size.width}:h=${size.height}` : 'zscale=t=bt709:m=bt709:r=tv',
    );
    if (size === undefined) filters.push(`scale=${scaleTo}`);
  } else {
    filters.push(`scale=${scaleTo}:flags=lanczos`);
  }
  filters.push('setsar=1', 'format=yuv420p');
  return filters.join(',');
}

const NO_METADATA = ['-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn'];

function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** H.264 High + AAC, upright, SDR, ≤ `maxHeight`: the whole video or one segment of it. */
export function transcodeArgs(probe: VideoProbe, options: TranscodeOptions): CopyJobArgs {
  const streams = options.streams ?? 'both';
  const format = options.format ?? 'mp4';
  const window = (name: string, value: number | undefined): string[] => {
    if (value === undefined) return [];
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds ≥ 0`);
    return [name === 'startSeconds' ? '-ss' : '-t', seconds(value)];
  };
  const video = streams === 'audio' ? ['-vn'] : [
    '-map', '0:v:0',
    '-vf', videoFilters(probe, options.maxHeight),
    '-c:v', 'libx264', '-profile:v', 'high', '-preset', options.preset ?? VIDEO_ENCODING.preset, '-crf', String(options.crf ?? VIDEO_ENCODING.crf),
    '-pix_fmt', 'yuv420p',
    // Closed GOPs, a keyframe every KEYFRAME_SECONDS from the segment's own start.
    '-flags', '+cgop', '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_SECONDS})`,
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709',
  ];
  const audio = streams === 'video' || probe.audioCodec === undefined ? ['-an'] : [
    '-map', '0:a:0',
    '-c:a', 'aac', '-b:a', VIDEO_ENCODING.audioBitrate, '-ac', String(VIDEO_ENCODING.audioChannels),
  ];
  return {
    inputOptions: window('startSeconds', options.startSeconds),
    output: [
      ...window('durationSeconds', options.durationSeconds),
      ...video,
      ...audio,
      ...NO_METADATA,
      '-max_muxing_queue_size', '1024',
      ...(format === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'mpegts']),
      options.target,
    ],
  };
}

/** Stream copy into an MP4 with its index first; the audio encoded only when the decision says so. */
export function remuxArgs(probe: VideoProbe, decision: Pick<VideoDecision, 'audio'>, options: { readonly target: string }): CopyJobArgs {
  const audio = decision.audio === 'none' || probe.audioCodec === undefined ? ['-an'] : decision.audio === 'copy' ? ['-map', '0:a:0', '-c:a', 'copy'] : ['-map', '0:a:0', '-c:a', 'aac', '-b:a', VIDEO_ENCODING.audioBitrate, '-ac', String(VIDEO_ENCODING.audioChannels)];
  return {
    // AVI stores no presentation times: ffmpeg makes them from the frame order.
    inputOptions: probe.container === 'avi' ? ['-fflags', '+genpts'] : [],
    output: [
      '-map', '0:v:0', '-c:v', 'copy', '-tag:v', 'avc1',
      ...audio,
      ...NO_METADATA,
      '-max_muxing_queue_size', '1024',
      '-movflags', '+faststart', '-f', 'mp4',
      options.target,
    ],
  };
}
