/**
 * The decoder box: the one way this service runs ffmpeg on a file somebody uploaded (anonymous
 * drop-link guests choose those bytes). ffmpeg opens exactly one object, with exactly one
 * demuxer chosen here from the object's first bytes, and nothing else:
 *
 * - **Containers**: MP4/QuickTime, Matroska/WebM, AVI, MPEG program and transport streams
 *   (`VIDEO_CONTAINERS`). The demuxer is forced (`-f`) and is the only one on ffmpeg's
 *   `-format_whitelist`, so a playlist or a list of files (HLS, DASH, concat, …) is never
 *   opened, whatever the file says or is called; anything else is refused before ffmpeg runs.
 * - **Decoders**: only those of the codecs cameras, phones and the web record (`VIDEO_DECODERS`,
 *   `AUDIO_DECODERS`), on ffmpeg's `-codec_whitelist`.
 * - **Protocols**: only what reading the one object needs (`file` for a local file; `https`
 *   over `tls`/`tcp`, or `http` over `tcp` on the local stack, for a presigned URL). None of
 *   the demuxers above opens another input, and QuickTime's external references stay off.
 * - **Process**: an empty environment (no AWS credentials, no proxy), no stdin, killed after
 *   `timeoutMs`; output capped at `maxOutputBytes` (`-fs`, and stdout is counted); decoded
 *   pictures capped at `MEDIA_LIMITS.maxInputPixels`; its log capped and the URL (a credential
 *   for the object) never repeated in it.
 *
 * Posters use it today; transcoding builds on `openVideo` + `runBoxed` with its own output options.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { MEDIA_LIMITS } from '../core/media';

// --- The ffmpeg in use -------------------------------------------------------------------

/**
 * The ffmpeg builds shipped in the process function's zip, one per Lambda architecture (both
 * ship; see scripts/build.ts). `build` is what `ffmpeg -version` prints. No maintained FFmpeg
 * CLI for linux x64 and arm64 ships inside an npm package without a download at install and
 * within Lambda's size limit (docs/security.md, section 3): these static builds are old, which
 * is why everything they parse goes through this box.
 */
export const FFMPEG_BUILDS = {
  x64: { package: '@ffmpeg-installer/linux-x64', version: '4.1.0', build: 'N-47683-g0e8eb07980', date: '2018-12-10' },
  arm64: { package: '@ffmpeg-installer/linux-arm64', version: '4.1.4', build: 'd81913e680', date: '2019-06-05' },
} as const;

type LambdaArch = keyof typeof FFMPEG_BUILDS;

export function lambdaArch(arch: string = process.arch): LambdaArch {
  return arch === 'arm64' ? 'arm64' : 'x64';
}

/** ffmpeg shipped in the zip for the architecture Lambda runs on, else (tests, benchmarks) the installed package. */
export function bundledFfmpegPath(root: string = __dirname): string {
  const { package: name } = FFMPEG_BUILDS[lambdaArch()];
  const candidate = path.join(root, 'node_modules', name, 'ffmpeg');
  if (existsSync(candidate)) return candidate;
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), 'ffmpeg');
}

// --- Containers --------------------------------------------------------------------------

/** ffmpeg demuxers the box opens: every video container the service accepts, and nothing else. */
export const VIDEO_CONTAINERS = ['mov', 'matroska', 'avi', 'mpeg', 'mpegts'] as const;
export type VideoContainer = (typeof VIDEO_CONTAINERS)[number];

/** Bytes read from the start of an object to tell its container. */
const SNIFF_BYTES = 4096;

/** First box types of MP4/QuickTime files (old QuickTime files may start with `wide`, `mdat` or `moov`). */
const MOV_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const TS_PACKET = 188;
const M2TS_PACKET = 192;

/** Sync byte 0x47 at `offset` and every `stride` after, as often as `head` allows (at least three packets). */
function syncBytes(head: Uint8Array, offset: number, stride: number): boolean {
  if (head.length < offset + 2 * stride + 1) return false;
  for (let at = offset; at < head.length; at += stride) if (head[at] !== 0x47) return false;
  return true;
}

/** The container named by a file's first bytes (at most `SNIFF_BYTES`), or `undefined`: the box does not open it. */
export function sniffContainer(head: Uint8Array): VideoContainer | undefined {
  const ascii = (from: number, to: number): string => Buffer.from(head.subarray(from, to)).toString('latin1');
  if (head.length >= 12 && MOV_FIRST_BOXES.has(ascii(4, 8))) {
    const size = Buffer.from(head.subarray(0, 4)).readUInt32BE(0);
    // 0 (to the end of the file), 1 (a 64-bit size follows) or a box at least as long as its header.
    if (size === 0 || size === 1 || size >= 8) return 'mov';
  }
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'matroska';
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'avi';
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return 'mpeg';
  if (syncBytes(head, 0, TS_PACKET) || syncBytes(head, 4, M2TS_PACKET)) return 'mpegts';
  return undefined;
}

/**
 * Decoders the box lets ffmpeg open (its names: the same codec may have several): what cameras,
 * phones and the web record. Fewer decoders, less of the old build's code reachable from a file.
 */
const VIDEO_DECODERS = ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'libdav1d', 'libaom-av1', 'mpeg4', 'msmpeg4v3', 'mpeg1video', 'mpeg2video', 'mjpeg', 'prores', 'dvvideo'] as const;
/** Audio decoders, for the transcoding work (posters decode no audio). */
const AUDIO_DECODERS = ['aac', 'mp3float', 'mp3', 'mp2float', 'mp2', 'ac3', 'eac3', 'opus', 'vorbis', 'flac', 'alac', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be'] as const;

// --- Sources -----------------------------------------------------------------------------

/** The one object ffmpeg reads: a presigned URL of it, or a local file (under the function's /tmp). */
export type VideoSource = { readonly url: string } | { readonly path: string };

/** A source whose container was read from its own first bytes: the only input `runBoxed` takes. */
export interface BoxedVideo {
  readonly source: VideoSource;
  readonly container: VideoContainer;
  /** ffmpeg's input, and the protocols reading it needs. */
  readonly input: string;
  readonly protocols: string;
}

type OpenedVideo =
  | {
      readonly ok: true;
      readonly video: BoxedVideo;
      /** The object's first bytes (at most `SNIFF_BYTES`): the probe reads the MP4 brand and Matroska DocType there. */
      readonly head: Uint8Array;
      /** The object's size, when the store said it. */
      readonly size?: number;
    }
  | { readonly ok: false; readonly reason: string };

const HEAD_TIMEOUT_MS = 10_000;

function inputOf(source: VideoSource): { input: string; protocols: string } {
  if ('path' in source) {
    if (!path.isAbsolute(source.path)) throw new Error('a video path must be absolute');
    // `file:` makes ffmpeg take the rest as a path, whatever characters it holds.
    return { input: `file:${source.path}`, protocols: 'file' };
  }
  const url = new URL(source.url);
  if (url.protocol === 'https:') return { input: source.url, protocols: 'https,tls,tcp' };
  if (url.protocol === 'http:') return { input: source.url, protocols: 'http,tcp' };
  throw new Error(`a video URL must be http(s), not ${url.protocol}`);
}

/** Bytes `offset`…`offset + length - 1` of the object (fewer at its end) and the object's size, when told. */
export async function readRange(source: VideoSource, offset: number, length: number): Promise<{ bytes: Buffer; size?: number }> {
  if ('path' in source) {
    const file = await open(source.path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      return { bytes: buffer.subarray(0, bytesRead), size: (await file.stat()).size };
    } finally {
      await file.close();
    }
  }
  const response = await fetch(source.url, { headers: { range: `bytes=${offset}-${offset + length - 1}` }, redirect: 'error', signal: AbortSignal.timeout(HEAD_TIMEOUT_MS) });
  // Past the end (an empty object has no first byte to range over).
  if (response.status === 416) return { bytes: Buffer.alloc(0) };
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    // The store failed, not the file: thrown, so the invocation is retried. The URL is a credential: not in the message.
    throw new Error(`reading the video answered ${response.status}`);
  }
  const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? (response.status === 200 ? response.headers.get('content-length') : null);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  // A server that ignores Range answers 200 with the whole object: only the asked bytes are read.
  const skip = response.status === 200 ? offset : 0;
  while (size < skip + length) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    size += value.length;
  }
  await reader.cancel();
  return { bytes: Buffer.concat(chunks).subarray(skip, skip + length), ...(total !== null && total !== undefined ? { size: Number(total) } : {}) };
}

/** Reads the object's first bytes and tells which demuxer may open it; a container outside the box is refused with a reason. */
export async function openVideo(source: VideoSource): Promise<OpenedVideo> {
  const { input, protocols } = inputOf(source);
  const { bytes: head, size } = await readRange(source, 0, SNIFF_BYTES);
  const container = sniffContainer(head);
  if (container === undefined) return { ok: false, reason: 'not a supported video container' };
  return { ok: true, video: { source, container, input, protocols }, head, ...(size !== undefined ? { size } : {}) };
}

// --- Running ffmpeg ----------------------------------------------------------------------

interface BoxedJob {
  /** Input options before `-i`, such as `-ss 1`. Protocol, format and input options belong to the box and are refused. */
  readonly inputOptions?: readonly string[];
  /**
   * Further inputs (`-i` 1, 2, …), each opened by `openVideo` and boxed like the first: the join
   * of the video workflow reads its segments and its audio track together.
   */
  readonly moreInputs?: readonly BoxedVideo[];
  /** Output options, then the output: `pipe:1` or a path under the function's /tmp. */
  readonly output: readonly string[];
  /** ffmpeg is killed after this long. */
  readonly timeoutMs: number;
  /** Largest output: ffmpeg stops writing a file there (`-fs`), and is killed when stdout goes beyond. */
  readonly maxOutputBytes: number;
}

export interface BoxedRun {
  /** `done`: exit 0; `failed`: another exit code; `timeout` / `too-large`: killed by the box. */
  readonly outcome: 'done' | 'failed' | 'timeout' | 'too-large';
  readonly code: number | null;
  /** What ffmpeg wrote to stdout (empty unless the output is `pipe:1` and it exited 0). */
  readonly stdout: Buffer;
  /** ffmpeg's log (the banner: duration, streams, tags), at most 64 KiB, with the URL replaced by `<url>`. */
  readonly log: string;
}

/** Options that choose what ffmpeg opens or how: only the box sets them (an output may still name its own `-f`). */
const BOX_INPUT_OPTIONS = /^-(i|f|protocol_whitelist|format_whitelist|codec_whitelist|enable_drefs|use_absolute_path|max_pixels|dump_attachment)$|^-(\/|filter_script|filter_complex_script)/;
const BOX_OUTPUT_OPTIONS = /^-(i|protocol_whitelist|format_whitelist|codec_whitelist|dump_attachment)$|^-(\/|filter_script|filter_complex_script)/;
const MAX_LOG_CHARS = 64 * 1024;

/** The argument list (without the binary): exported so tests can see exactly what the box asks of ffmpeg. */
export function boxedArgs(video: BoxedVideo, job: Pick<BoxedJob, 'inputOptions' | 'output' | 'maxOutputBytes' | 'moreInputs'>): string[] {
  const refused = [...(job.inputOptions ?? []).filter((o) => BOX_INPUT_OPTIONS.test(o)), ...job.output.filter((o) => BOX_OUTPUT_OPTIONS.test(o))];
  if (refused.length > 0) throw new Error(`${refused.join(' ')}: set by the video box, not by its callers`);
  const output = [...job.output];
  const target = output.pop();
  if (target === undefined) throw new Error('a boxed job needs an output');
  // Every input is opened alike: its own demuxer, the only one on its whitelist, its own protocols.
  const opened = (input: BoxedVideo, options: readonly string[]): string[] => [
    '-protocol_whitelist', input.protocols,
    '-format_whitelist', input.container,
    '-f', input.container,
    // QuickTime external references ("data references" naming other files or URLs): never followed.
    ...(input.container === 'mov' ? ['-enable_drefs', '0', '-use_absolute_path', '0'] : []),
    '-codec_whitelist', [...VIDEO_DECODERS, ...AUDIO_DECODERS].join(','),
    '-max_pixels', String(MEDIA_LIMITS.maxInputPixels),
    ...options,
    '-i', input.input,
  ];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'info',
    ...opened(video, job.inputOptions ?? []),
    ...(job.moreInputs ?? []).flatMap((input) => opened(input, [])),
    ...output,
    '-fs', String(job.maxOutputBytes),
    target,
  ];
}

/** Runs ffmpeg on one boxed video. Resolves for anything the file causes; rejects only when ffmpeg cannot be started. */
export function runBoxed(ffmpeg: string, video: BoxedVideo, job: BoxedJob): Promise<BoxedRun> {
  const args = boxedArgs(video, job);
  return new Promise((resolve, reject) => {
    // An empty environment: the function's AWS credentials and any proxy settings stay out of the decoder.
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    const chunks: Buffer[] = [];
    let size = 0;
    let log = '';
    let killed: 'timeout' | 'too-large' | undefined;
    const kill = (why: 'timeout' | 'too-large'): void => {
      killed ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), job.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > job.maxOutputBytes) kill('too-large');
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (log.length < MAX_LOG_CHARS) log += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const safeLog = ('url' in video.source ? log.split(video.source.url).join('<url>') : log).slice(0, MAX_LOG_CHARS);
      const outcome = killed ?? (code === 0 ? 'done' : 'failed');
      resolve({ outcome, code, stdout: outcome === 'done' ? Buffer.concat(chunks) : Buffer.alloc(0), log: safeLog });
    });
  });
}
