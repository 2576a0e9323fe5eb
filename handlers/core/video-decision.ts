/**
 * Which playable copy a video needs, if any: a pure decision table over the probe summary
 * (core/video-probe.ts) and the module's settings. The cheapest copy that plays in Chrome,
 * Firefox, Safari and Edge, on a phone too:
 *
 * | the original                                                        | action      |
 * |---------------------------------------------------------------------|-------------|
 * | H.264 (8-bit 4:2:0, SDR) + AAC/MP3/no audio, in MP4, `moov` first    | `none`      |
 * | VP8/VP9/AV1 (SDR) + Opus/Vorbis/no audio, in WebM                    | `none`      |
 * | H.264 (8-bit 4:2:0, SDR) in MP4 with `moov` last, MOV, MKV, AVI, TS  | `remux`     |
 * | anything else (HEVC, 10-bit, HDR, MPEG-2, MPEG-4 Part 2, ProRes, …)  | `transcode` |
 *
 * `remux` copies the streams into an MP4 with the index first (`audio: 'encode'` when the
 * audio is not AAC/MP3: only the audio is encoded). `transcode` makes H.264 High + AAC,
 * upright, SDR, at most `maxHeight` lines. An original above `maxHeight` or
 * `LARGE_BITRATE` that would otherwise play (or only need a remux) `alsoSmallCopy`: phones
 * stream that on a mobile link; the one copy made (`copy`) is then the transcode.
 */
import { displayedSizeOf, type VideoProbe } from './video-probe';

export interface VideoCopySettings {
  /** Module variable `video_copies_enabled`: off, no copy is ever made (the table still says what would be). */
  readonly copiesEnabled: boolean;
  /** Module variable `video_max_height`: lines of the short edge of a transcoded copy (1080: "1080p", portrait too). */
  readonly maxHeight: number;
}

/** Above this overall bitrate an original is "large": 20 Mbit/s (a phone's 4K is 40-60, its 1080p 15-20). */
export const LARGE_BITRATE = 20_000_000;

export type VideoAction = 'none' | 'remux' | 'transcode';

export interface VideoDecision {
  /** What the original needs to play everywhere. */
  readonly action: VideoAction;
  /** The original plays (or would after a remux) but is above `maxHeight` or `LARGE_BITRATE`. */
  readonly alsoSmallCopy: boolean;
  /**
   * The one copy to make: `transcode` for `transcode` and for every `alsoSmallCopy` (that
   * copy also plays everywhere), `remux` for a `remux` alone; absent for `none` or when
   * copies are off.
   */
  readonly copy?: 'remux' | 'transcode';
  /** For a remux: copy the audio stream, encode it to AAC, or there is none. */
  readonly audio: 'copy' | 'encode' | 'none';
  /** Why, in a few words (logs, docs, the row). */
  readonly why: string;
}

/** Audio the MP4 a browser plays may carry as it is. */
const MP4_AUDIO = new Set(['aac', 'mp3']);
const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1']);
const WEBM_AUDIO = new Set(['opus', 'vorbis']);
/** Containers a stream copy of H.264 is taken out of. */
const REMUXABLE = new Set(['mp4', 'mov', 'matroska', 'avi', 'mpegts']);
/** Pixel formats every browser's H.264 decoder takes (High 10, 4:2:2 and 4:4:4 are not among them). */
const BROWSER_H264_PIXELS = new Set(['yuv420p', 'yuvj420p']);

/** H.264 every browser decodes: 8-bit 4:2:0, SDR. */
function browserH264(probe: VideoProbe): boolean {
  return probe.videoCodec === 'h264' && probe.hdr === undefined && (probe.bitDepth ?? 8) === 8 && (probe.pixelFormat === undefined || BROWSER_H264_PIXELS.has(probe.pixelFormat));
}

/** Whether the original is large enough to deserve a ≤ `maxHeight` copy for phones. */
function isLarge(probe: VideoProbe, maxHeight: number): boolean {
  const size = displayedSizeOf(probe);
  const shortEdge = size === undefined ? 0 : Math.min(size.width, size.height);
  return shortEdge > maxHeight || (probe.bitrate ?? 0) > LARGE_BITRATE;
}

function classify(probe: VideoProbe): Pick<VideoDecision, 'action' | 'audio' | 'why'> {
  const audio = probe.audioCodec;
  if (probe.videoCodec === undefined) return { action: 'none', audio: 'none', why: 'no video stream' };
  if (probe.container === 'webm' && WEBM_VIDEO.has(probe.videoCodec) && probe.hdr === undefined && (audio === undefined || WEBM_AUDIO.has(audio))) {
    return { action: 'none', audio: audio === undefined ? 'none' : 'copy', why: `${probe.videoCodec} in WebM plays as stored` };
  }
  if (browserH264(probe)) {
    const audioAction = audio === undefined ? 'none' : MP4_AUDIO.has(audio) ? 'copy' : 'encode';
    if (probe.container === 'mp4' && probe.moov === 'start' && audioAction !== 'encode') return { action: 'none', audio: audioAction, why: 'H.264 in MP4 with its index first plays as stored' };
    if (REMUXABLE.has(probe.container)) {
      const what = probe.container === 'mp4' ? (probe.moov === 'end' ? 'index at the end' : audioAction === 'encode' ? `${audio ?? ''} audio` : 'index not found') : `H.264 in ${probe.container.toUpperCase()}`;
      return { action: 'remux', audio: audioAction, why: `${what}: remux to MP4 with its index first` };
    }
  }
  const reasons = [
    probe.hdr !== undefined ? `HDR (${probe.hdr.toUpperCase()})` : undefined,
    (probe.bitDepth ?? 8) > 8 ? `${probe.bitDepth}-bit` : undefined,
    `${probe.videoCodec} in ${probe.container.toUpperCase()}`,
  ].filter((reason): reason is string => reason !== undefined);
  return { action: 'transcode', audio: audio === undefined ? 'none' : 'encode', why: `${reasons.join(', ')}: transcode to H.264 + AAC` };
}

/** The decision table: what the original needs and the one copy to make of it. */
export function decideVideoCopy(probe: VideoProbe, settings: VideoCopySettings): VideoDecision {
  const { action, audio, why } = classify(probe);
  const alsoSmallCopy = action !== 'transcode' && probe.videoCodec !== undefined && isLarge(probe, settings.maxHeight);
  const copy = !settings.copiesEnabled ? undefined : action === 'transcode' || alsoSmallCopy ? 'transcode' : action === 'remux' ? 'remux' : undefined;
  return {
    action,
    alsoSmallCopy,
    ...(copy !== undefined ? { copy } : {}),
    audio: copy === 'transcode' ? (probe.audioCodec === undefined ? 'none' : 'encode') : audio,
    why: alsoSmallCopy ? `${why}; larger than ${settings.maxHeight}p or ${LARGE_BITRATE / 1_000_000} Mbit/s: also a ${settings.maxHeight}p copy` : why,
  };
}
