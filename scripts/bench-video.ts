/**
 * `npm run bench:video`: the four figures of issue 19's "Speed", each beside its baseline, on
 * in-memory local stacks running the plan's state machine and the very transcode zip:
 *
 * 1. transcode throughput of the function (one run: the Whole step, no fan-out) against the same ffmpeg command
 *    (core/video-commands.ts `transcodeArgs`, the bundled ffmpeg) run by hand on the same file
 *    — goal ≥ 0.9×;
 * 2. a 60 s 1080p HEVC clip: seconds from its upload's PUT to a ready copy, with the load
 *    average — goal ≤ 90 s;
 * 3. remux of a faststart-less MP4 of BENCH_VIDEO_REMUX_MIB (1024) against copying the same
 *    bytes through the same path (presigned GET → /tmp → upload to derived/), the peak RSS of
 *    the transcode function's process and of any ffmpeg it ran — goal ≤ 1.5×, bounded memory;
 * 4. a clip of BENCH_VIDEO_LONG_SECONDS (600) with 1 worker against BENCH_VIDEO_WORKERS (2) at
 *    once (60 s segments), with the AWS arithmetic beside it.
 *
 * Clips are made with Debian's ffmpeg. BENCH_VIDEO_ONLY=1,3 runs some figures only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { transcodeArgs } from '../handlers/core/video-commands';
import { parseVideoBanner } from '../handlers/core/video-probe';
import { bundledFfmpegPath, boxedArgs, openVideo } from '../handlers/adapters/video-box';
import { S3FileTransfers } from '../handlers/adapters/file-transfers';
import type { LocalStack } from '../local/stack';
import { adminTokenOf, startOwnStack } from '../test/e2e/support/own-stack';
import { ffmpegBanner, VideoCopyRunner } from '../test/support/video-copy-run';
import { FIXTURE_FFMPEG } from '../test/support/video-fixtures';

const ONLY = new Set((process.env.BENCH_VIDEO_ONLY ?? '1,2,3,4').split(',').map(Number));
const THROUGHPUT_SECONDS = Number(process.env.BENCH_VIDEO_THROUGHPUT_SECONDS ?? 20);
const REMUX_MIB = Number(process.env.BENCH_VIDEO_REMUX_MIB ?? 1024);
const LONG_SECONDS = Number(process.env.BENCH_VIDEO_LONG_SECONDS ?? 600);
const WORKERS = Number(process.env.BENCH_VIDEO_WORKERS ?? 2);
const GOALS = { throughputRatio: 0.9, playableSeconds: 90, remuxRatio: 1.5 };

const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** A test-pattern clip with a tone, as a phone would record it. */
function makeClip(file: string, durationSeconds: number, size: string, codec: 'hevc' | 'h264', extra: readonly string[] = []): void {
  const video = codec === 'hevc' ? ['-c:v', 'libx265', '-tag:v', 'hvc1', '-preset', 'ultrafast', '-x265-params', 'log-level=error'] : ['-c:v', 'libx264', '-preset', 'ultrafast'];
  execFileSync(FIXTURE_FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=30:d=${durationSeconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:d=${durationSeconds}`,
    ...video, '-pix_fmt', 'yuv420p', '-c:a', 'aac', ...extra, file,
  ]);
}

interface Stack {
  readonly stack: LocalStack;
  readonly runner: VideoCopyRunner;
  stop(): Promise<void>;
}

async function ownStack(work: string, variables: Record<string, number>): Promise<Stack> {
  // Every clip in one presigned PUT (the runner's upload), however large: the threshold at its 5 GiB maximum.
  const { stack, adminPassword } = await startOwnStack(work, { multipart_threshold_bytes: 5 * 1024 ** 3, ...variables });
  const runner = new VideoCopyRunner(stack, await adminTokenOf(stack, adminPassword));
  return { stack, runner, stop: async () => { runner.destroy(); await stack.stop(); } };
}

/** Uploads a clip and makes its copy; milliseconds from the PUT's end to the ended execution. */
async function timedCopy(stack: Stack, folder: string, file: string, container: 'mov' | 'mp4' = 'mov'): Promise<{ ms: number; state?: string }> {
  const name = path.basename(file);
  await stack.runner.upload(folder, name, readFileSync(file), container === 'mov' ? 'video/quicktime' : 'video/mp4');
  const started = performance.now();
  const { execution, row } = await stack.runner.copy(folder, name, { timeoutMs: 3_600_000 });
  if (execution?.status !== 'SUCCEEDED') throw new Error(`${name}: no copy made (${execution?.status ?? 'none started'} ${execution?.error ?? ''})`);
  return { ms: performance.now() - started, ...(row?.video?.copy?.state !== undefined ? { state: row.video.copy.state } : {}) };
}

/** Runs ffmpeg as the box would (same arguments), timing it; polls its peak RSS. */
function timedFfmpeg(args: readonly string[]): Promise<{ ms: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bundledFfmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssOf(child.pid))), 200);
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`ffmpeg exited ${code}: ${log}`));
      else resolve({ ms: performance.now() - started, peakRssMb: peak / 1024 });
    });
  });
}

/** VmHWM of a process, KiB (0 once it is gone). */
function peakRssOf(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The NUL-separated command line of a process, or undefined once it is gone. */
function commandLineOf(pid: string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** The parent of a process (field 4 of /proc/<pid>/stat, after the parenthesised name). */
function parentOf(pid: string): string | undefined {
  try {
    return /\)\s+\S+\s+(\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Peak RSS (VmHWM) of what makes the copy while the watch runs: the transcode function's
 * processes on the local stack (the Node sandbox the runtime spawns per warm instance, told by
 * `"functionName":"…-transcode"` in its command line) and any ffmpeg they start (their
 * children). VmHWM is a process's own peak since it started, so a sandbox's figure covers every
 * step it ran; each process is read every 100 ms and once more when the watch stops.
 */
function watchTranscodeRss(): () => { functionMb: number; ffmpegMb: number | undefined } {
  const sandboxes = new Set<string>();
  const children = new Set<string>();
  let functionPeak = 0;
  let ffmpegPeak: number | undefined;
  const poll = (): void => {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      const argv = commandLineOf(pid);
      if (argv === undefined) continue;
      if (argv.some((arg) => /"functionName":"[^"]*-transcode"/.test(arg))) sandboxes.add(pid);
      else if (path.basename(argv[0] ?? '') === 'ffmpeg' && sandboxes.has(parentOf(pid) ?? '')) children.add(pid);
    }
    for (const pid of sandboxes) functionPeak = Math.max(functionPeak, peakRssOf(Number(pid)));
    for (const pid of children) {
      const peak = peakRssOf(Number(pid));
      if (peak > 0) ffmpegPeak = Math.max(ffmpegPeak ?? 0, peak);
    }
  };
  const timer = setInterval(poll, 100);
  return () => {
    clearInterval(timer);
    poll();
    return { functionMb: functionPeak / 1024, ffmpegMb: ffmpegPeak === undefined ? undefined : ffmpegPeak / 1024 };
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'media-store-bench-video-'));
  const rows: string[][] = [];
  console.log(`bench:video on ${cpus().length} cores, load average ${load()} at start`);
  try {
    if (ONLY.has(1)) {
      // 1. The function against the same command by hand, one segment (no fan-out), same file.
      const clip = path.join(work, 'throughput.mov');
      makeClip(clip, THROUGHPUT_SECONDS, '1920x1080', 'hevc', ['-f', 'mov']);
      const probe = parseVideoBanner(ffmpegBanner(clip), 'mov');
      const opened = await openVideo({ path: clip });
      if (!opened.ok) throw new Error(opened.reason);
      const target = path.join(work, 'by-hand.mp4');
      const byHand = await timedFfmpeg(boxedArgs(opened.video, { ...transcodeArgs(probe, { target, maxHeight: 1080 }), maxOutputBytes: 10 * 1024 ** 3 }));
      const stack = await ownStack(work, { video_segment_seconds: 600 });
      const fn = await timedCopy(stack, '/bench', clip).finally(() => stack.stop());
      const ratio = byHand.ms / fn.ms;
      rows.push(['1. transcode throughput, function / by hand', `${(THROUGHPUT_SECONDS / (fn.ms / 1000)).toFixed(2)} vs ${(THROUGHPUT_SECONDS / (byHand.ms / 1000)).toFixed(2)} s of video per s = ${ratio.toFixed(2)}×`, `≥ ${GOALS.throughputRatio}×`, load()]);
    }
    if (ONLY.has(2)) {
      // 2. A 60 s 1080p HEVC clip, upload to playable copy, default settings.
      const clip = path.join(work, 'phone-60s.mov');
      makeClip(clip, 60, '1920x1080', 'hevc', ['-f', 'mov']);
      const stack = await ownStack(work, {});
      const copy = await timedCopy(stack, '/bench', clip).finally(() => stack.stop());
      rows.push(['2. 60 s 1080p HEVC: upload done → copy ready', `${seconds(copy.ms)} s (${copy.state ?? '?'})`, `≤ ${GOALS.playableSeconds} s`, load()]);
    }
    if (ONLY.has(3)) {
      // 3. Remux of a faststart-less MP4 against the floor: the same bytes through the same path.
      const piece = path.join(work, 'piece.mp4');
      // 18 Mbit/s: at most 20 (LARGE_BITRATE) and 1080p, or the decision table makes a 1080p transcode
      // instead (alsoSmallCopy) — which is what this figure measured at 40 Mbit/s before (6.53×).
      makeClip(piece, 10, '1920x1080', 'h264', ['-b:v', '18M', '-maxrate', '18M', '-bufsize', '36M']);
      const loops = Math.max(1, Math.ceil((REMUX_MIB * 1024 * 1024) / statSync(piece).size) - 1);
      const big = path.join(work, 'moov-at-end.mp4');
      execFileSync(FIXTURE_FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(loops), '-i', piece, '-c', 'copy', big]);
      const mib = statSync(big).size / 1024 ** 2;
      const stack = await ownStack(work, {});
      try {
        const name = path.basename(big);
        await stack.runner.upload('/bench', name, readFileSync(big), 'video/mp4');
        const row = await stack.runner.row('/bench', name);
        for (let i = 0; i < 300 && (await stack.runner.row('/bench', name))?.etag === undefined; i++) await new Promise((r) => setTimeout(r, 100));
        const s3 = new S3Client({ region: stack.stack.region, credentials: stack.stack.credentials, endpoint: stack.stack.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
        const transfers = new S3FileTransfers({ bucket: stack.stack.bucketName, client: s3 });
        const key = (await stack.runner.row('/bench', name))?.key ?? row?.key ?? '';
        const watch = watchTranscodeRss();
        const remux = await stack.runner.copy('/bench', name, { timeoutMs: 3_600_000 });
        const peak = watch();
        const copyRow = await stack.runner.row('/bench', name);
        if (copyRow?.video?.copy?.state !== 'ready') throw new Error(`remux: no copy made (${copyRow?.video?.copy?.state ?? 'none'})`);
        // A remux keeps every sample: its size is the original's but for the index.
        if (Math.abs((copyRow.video.copy.bytes ?? 0) - statSync(big).size) > statSync(big).size / 100) throw new Error(`remux: the copy (${copyRow.video.copy.bytes ?? 0} bytes) is no remux of ${statSync(big).size} bytes`);
        // The floor: the same bytes through the same path (the object to /tmp, /tmp to derived/), without ffmpeg.
        const copied = path.join(work, 'floor.mp4');
        const floorStarted = performance.now();
        await transfers.download(key, copied);
        await transfers.upload(`derived/bench-floor/${name}`, copied, 'video/mp4');
        const floorMs = performance.now() - floorStarted;
        rmSync(copied, { force: true });
        const remuxMs = (remux.execution?.stopDate?.getTime() ?? 0) - (remux.execution?.startDate?.getTime() ?? 0);
        rows.push([`3. remux of ${mib.toFixed(0)} MiB, moov at the end / the same bytes copied`, `${seconds(remuxMs)} s / ${seconds(floorMs)} s = ${(remuxMs / floorMs).toFixed(2)}×; peak RSS: transcode function ${peak.functionMb.toFixed(0)} MB, ffmpeg ${peak.ffmpegMb === undefined ? 'not run' : `${peak.ffmpegMb.toFixed(0)} MB`}`, `≤ ${GOALS.remuxRatio}×, bounded`, load()]);
        s3.destroy();
      } finally {
        await stack.stop();
      }
    }
    if (ONLY.has(4)) {
      // 4. A long clip, 60 s segments, 1 worker against WORKERS.
      const clip = path.join(work, 'long.mov');
      makeClip(clip, LONG_SECONDS, '1280x720', 'hevc', ['-f', 'mov']);
      const times: number[] = [];
      for (const workers of [1, WORKERS]) {
        const stack = await ownStack(work, { video_segment_seconds: 60, video_max_parallel_segments: workers });
        times.push((await timedCopy(stack, '/bench', clip).finally(() => stack.stop())).ms);
      }
      const segments = Math.ceil(LONG_SECONDS / 60);
      rows.push([`4. ${LONG_SECONDS / 60}-min 720p HEVC, 1 worker vs ${WORKERS}`, `${seconds(times[0] as number)} s vs ${seconds(times[1] as number)} s = ${((times[0] as number) / (times[1] as number)).toFixed(2)}× (${cpus().length} cores)`, `AWS: ${segments} segments + audio at once ≈ one segment's time + join`, load()]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const header = ['figure', 'measured', 'goal / baseline', 'load average (1/5/15 min)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(`| ${line.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
