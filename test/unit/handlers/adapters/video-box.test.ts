/**
 * The decoder box with the real bundled ffmpeg: every accepted container decodes, as a file
 * and over HTTP; a playlist or file list disguised as a video fetches nothing; the time and
 * output limits hold; and the ffmpeg in use is the recorded build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaRejected, localDecoders } from '../../../../handlers/adapters/media-decoders';
import { FFMPEG_BUILDS, VIDEO_CONTAINERS, boxedArgs, bundledFfmpegPath, lambdaArch, openVideo, runBoxed, sniffContainer, type BoxedVideo, type VideoContainer } from '../../../../handlers/adapters/video-box';
import { FUNCTIONS } from '../../../../contract/functions';
import { ffconcatList, fifoWatch, hlsPlaylist, recordingServer, type RecordingServer } from '../../../support/hostile-videos';

/** One small clip per accepted container, made with the bundled ffmpeg (nothing binary is committed). */
const FIXTURES: Readonly<Record<string, { container: VideoContainer; args: string[] }>> = {
  'clip.mp4': { container: 'mov', args: ['-c', 'copy', '-movflags', '+faststart'] },
  'clip.mov': { container: 'mov', args: ['-c', 'copy', '-f', 'mov'] },
  'clip.mkv': { container: 'matroska', args: ['-c', 'copy'] },
  'clip.webm': { container: 'matroska', args: ['-c:v', 'libvpx-vp9', '-b:v', '100k', '-deadline', 'realtime'] },
  'clip.avi': { container: 'avi', args: ['-c:v', 'mpeg4'] },
  'clip.mpg': { container: 'mpeg', args: ['-c:v', 'mpeg2video', '-f', 'vob'] },
  'clip.ts': { container: 'mpegts', args: ['-c', 'copy'] },
  'clip.m2ts': { container: 'mpegts', args: ['-c', 'copy', '-f', 'mpegts', '-mpegts_m2ts_mode', '1'] },
};
/** A codec no camera records (HuffYUV), in an accepted container. */
const UNLISTED_CODEC = { name: 'huffyuv.mkv', args: ['-c:v', 'huffyuv'] };

const FRAME_JOB = { output: ['-frames:v', '1', '-an', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'], timeoutMs: 15_000, maxOutputBytes: 16 * 1024 * 1024 } as const;

describe('video box', () => {
  const ffmpeg = bundledFfmpegPath();
  const dir = mkdtempSync(path.join(tmpdir(), 'video-box-'));
  const fixture = (name: string): string => path.join(dir, name);

  beforeAll(() => {
    const source = fixture('source.mp4');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', source]);
    for (const [name, { args }] of Object.entries(FIXTURES)) {
      execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, ...args, fixture(name)]);
    }
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, ...UNLISTED_CODEC.args, fixture(UNLISTED_CODEC.name)]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('sniffContainer', () => {
    it.each(Object.entries(FIXTURES))('names the demuxer of %s from its first bytes', (name, { container }) => {
      expect(sniffContainer(readFileSync(fixture(name)).subarray(0, 4096))).toBe(container);
    });

    it('opens nothing but the accepted containers: no playlist, file list, manifest or image', () => {
      const refused = [
        hlsPlaylist('http://127.0.0.1:1/seg.ts'),
        ffconcatList(['file:/etc/passwd']),
        Buffer.from('<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011"></MPD>'),
        Buffer.from('v=0\no=- 0 0 IN IP4 127.0.0.1\nm=video 5004 RTP/AVP 96\n'),
        Buffer.from('[playlist]\nFile1=http://127.0.0.1:1/a.mp4\n'),
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        Buffer.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79]),
        Buffer.from([0, 0, 0, 4, 0x66, 0x74, 0x79, 0x70, 0, 0, 0, 0]),
        Buffer.alloc(0),
      ];
      expect(refused.map((head) => sniffContainer(head))).toEqual(refused.map(() => undefined));
    });
  });

  describe('boxedArgs', () => {
    const video = (container: VideoContainer, source: BoxedVideo['source'], input: string, protocols: string): BoxedVideo => ({ container, source, input, protocols });

    it('forces the sniffed demuxer, allows only it, and only the protocols that read the one object', async () => {
      const opened = await openVideo({ path: fixture('clip.mp4') });
      expect(opened).toMatchObject({ ok: true, video: { container: 'mov', input: `file:${fixture('clip.mp4')}`, protocols: 'file' } });
      const args = boxedArgs((opened as { video: BoxedVideo }).video, { inputOptions: ['-ss', '1'], output: ['-f', 'image2pipe', 'pipe:1'], maxOutputBytes: 1000 });
      const input = args.slice(0, args.indexOf('-i') + 2);
      expect(input).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file', '-format_whitelist', 'mov', '-f', 'mov', '-enable_drefs', '0', '-ss', '1']));
      expect(args.slice(args.indexOf('-i') + 2)).toEqual(['-f', 'image2pipe', '-fs', '1000', 'pipe:1']);
      expect(boxedArgs(video('mpegts', { url: 'https://bucket.s3.amazonaws.com/k' }, 'https://bucket.s3.amazonaws.com/k', 'https,tls,tcp'), { output: ['pipe:1'], maxOutputBytes: 1 })).toEqual(
        expect.arrayContaining(['-protocol_whitelist', 'https,tls,tcp', '-format_whitelist', 'mpegts']),
      );
      await expect(openVideo({ url: 'ftp://127.0.0.1/clip.mp4' })).rejects.toThrow('a video URL must be http(s), not ftp:');
      await expect(openVideo({ path: 'clip.mp4' })).rejects.toThrow('a video path must be absolute');
    });

    it('throws when a caller sets what the box decides: protocols, formats, inputs', () => {
      const boxed = video('mov', { path: '/tmp/x' }, 'file:/tmp/x', 'file');
      for (const inputOptions of [['-f', 'hls'], ['-protocol_whitelist', 'http,tcp'], ['-format_whitelist', 'hls'], ['-enable_drefs', '1'], ['-i', 'http://127.0.0.1/seg.ts']]) {
        expect(() => boxedArgs(boxed, { inputOptions, output: ['pipe:1'], maxOutputBytes: 1 })).toThrow('set by the video box, not by its callers');
      }
      expect(() => boxedArgs(boxed, { output: ['-i', 'http://127.0.0.1/seg.ts', 'pipe:1'], maxOutputBytes: 1 })).toThrow('set by the video box');
    });
  });

  describe('with the bundled ffmpeg', () => {
    let store: RecordingServer;
    let target: RecordingServer;
    beforeAll(async () => {
      [store, target] = await Promise.all([recordingServer(), recordingServer()]);
    });
    afterAll(async () => Promise.all([store.close(), target.close()]));
    beforeEach(() => {
      store.requests.length = 0;
      target.requests.length = 0;
    });

    it.each(VIDEO_CONTAINERS.map((c) => [c, Object.keys(FIXTURES).filter((n) => FIXTURES[n]!.container === c).join(', ')] as const))('decodes %s (%s) as a local file and over HTTP', async (_container, names) => {
      for (const name of names.split(', ')) {
        store.serve(`/${name}`, readFileSync(fixture(name)));
        const [fromFile, fromUrl] = await Promise.all([localDecoders().videoFrame({ path: fixture(name) }), localDecoders().videoFrame({ url: `${store.origin}/${name}` })]);
        for (const frame of [fromFile, fromUrl]) {
          expect(frame.images.find((i) => i.name === 'poster')).toMatchObject({ width: 160, height: 120 });
          expect(frame.banner).toMatch(/Duration: 00:00:0[12]/);
        }
      }
    });

    it('opens no decoder outside the list: a HuffYUV video in Matroska is refused', async () => {
      await expect(localDecoders().videoFrame({ path: fixture(UNLISTED_CODEC.name) })).rejects.toThrow('video could not be decoded');
      const opened = await openVideo({ path: fixture(UNLISTED_CODEC.name) });
      if (!opened.ok) throw new Error(opened.reason);
      expect((await runBoxed(ffmpeg, opened.video, FRAME_JOB)).log).toContain('Codec (huffyuv) not on whitelist');
    });

    it('sends no request to a server that a playlist uploaded as video/mp4 names, and refuses it', async () => {
      store.serve('/clip.mp4', hlsPlaylist(`${target.origin}/seg.ts`));
      const grab = localDecoders().videoFrame({ url: `${store.origin}/clip.mp4` });
      await expect(grab).rejects.toThrow(MediaRejected);
      await expect(grab).rejects.toThrow('not a supported video container');
      expect(target.requests).toEqual([]);
      // Only the first bytes were read, to tell the container.
      expect(store.requests).toEqual(['/clip.mp4']);
    });

    it('follows no playlist even through a demuxer forced onto it: ffmpeg fetches nothing but the one object', async () => {
      store.serve('/clip.mp4', hlsPlaylist(`${target.origin}/seg.ts`));
      for (const container of VIDEO_CONTAINERS) {
        const run = await runBoxed(ffmpeg, { container, source: { url: `${store.origin}/clip.mp4` }, input: `${store.origin}/clip.mp4`, protocols: 'http,tcp' }, FRAME_JOB);
        expect(run.outcome).toBe('failed');
      }
      expect(target.requests).toEqual([]);
      expect(new Set(store.requests)).toEqual(new Set(['/clip.mp4']));
    });

    it('reads no local file that a playlist or an ffconcat list in a file names', async () => {
      const secret = fifoWatch(fixture('secret.ts'));
      const lists = {
        'hls.mp4': hlsPlaylist('secret.ts'),
        'concat.mp4': ffconcatList(['secret.ts', `file:${secret.path}`, 'file:/etc/passwd', `${target.origin}/seg.ts`]),
      };
      try {
        for (const [name, bytes] of Object.entries(lists)) {
          writeFileSync(fixture(name), bytes);
          await expect(localDecoders().videoFrame({ path: fixture(name) })).rejects.toThrow('not a supported video container');
          for (const container of VIDEO_CONTAINERS) {
            const run = await runBoxed(ffmpeg, { container, source: { path: fixture(name) }, input: `file:${fixture(name)}`, protocols: 'file' }, { ...FRAME_JOB, timeoutMs: 5000 });
            expect(run.outcome).toBe('failed');
            expect(run.log).not.toContain('root:');
          }
        }
      } finally {
        expect(await secret.openedAndClose()).toBe(false);
      }
      expect(target.requests).toEqual([]);
    });

    it('gives ffmpeg none of the function\'s environment: no credentials, no proxy', async () => {
      const proxy = await recordingServer();
      const saved = process.env.http_proxy;
      process.env.http_proxy = proxy.origin;
      try {
        store.serve('/clip.mkv', readFileSync(fixture('clip.mkv')));
        const frame = await localDecoders().videoFrame({ url: `${store.origin}/clip.mkv` });
        expect(frame.images).toHaveLength(2);
        expect(proxy.requests).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.http_proxy;
        else process.env.http_proxy = saved;
        await proxy.close();
      }
    });

    it('kills ffmpeg at the time limit and at the output limit', async () => {
      const opened = await openVideo({ path: fixture('clip.mkv') });
      if (!opened.ok) throw new Error(opened.reason);
      expect(await runBoxed(ffmpeg, opened.video, { ...FRAME_JOB, timeoutMs: 1 })).toMatchObject({ outcome: 'timeout', stdout: Buffer.alloc(0) });
      expect(await runBoxed(ffmpeg, opened.video, { ...FRAME_JOB, maxOutputBytes: 100 })).toMatchObject({ outcome: 'too-large', stdout: Buffer.alloc(0) });
      expect((await runBoxed(ffmpeg, opened.video, FRAME_JOB)).outcome).toBe('done');
    });

    it('never repeats the presigned URL in its log', async () => {
      const url = `${store.origin}/clip.ts?X-Amz-Signature=secret`;
      store.serve('/clip.ts?X-Amz-Signature=secret', readFileSync(fixture('clip.ts')));
      const opened = await openVideo({ url });
      if (!opened.ok) throw new Error(opened.reason);
      const run = await runBoxed(ffmpeg, opened.video, FRAME_JOB);
      expect(run.log).toContain('<url>');
      expect(run.log).not.toContain('X-Amz-Signature');
    });
  });

  describe('the ffmpeg in use', () => {
    it('is the recorded build for this architecture, pinned in package-lock and shipped in the process function', () => {
      const build = FFMPEG_BUILDS[lambdaArch()];
      const banner = execFileSync(bundledFfmpegPath(), ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0];
      expect(banner).toContain(build.build);
      const lock = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
      for (const recorded of Object.values(FFMPEG_BUILDS)) {
        expect(lock.packages[`node_modules/${recorded.package}`]?.version).toBe(recorded.version);
        expect(FUNCTIONS.process.packages).toContain(recorded.package);
      }
    });
  });
});
