/**
 * The remux's fast path (core/mp4-faststart.ts): the box walk, the moov rewrite and the plan of
 * writes, on MP4s made at run time with Debian's ffmpeg (their copies checked by ffprobe and a
 * decode) and on synthesised boxes (a co64 file over 4 GiB read through a virtual reader,
 * hostile trees, random mutations).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { FASTSTART_LIMITS, planFaststartWrite, readMp4Layout, rewriteMoov } from '../../../../handlers/core/mp4-faststart';
import type { ReadAt } from '../../../../handlers/core/video-probe';
import { FIXTURE_FFMPEG } from '../../../support/video-fixtures';

const FFPROBE = path.join(path.dirname(FIXTURE_FFMPEG), 'ffprobe');
const MiB = 1024 * 1024;

const reader = (bytes: Buffer): ReadAt => async (offset, length) => bytes.subarray(offset, offset + length);

function box(type: string, ...payload: readonly Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}
const u32 = (...values: readonly number[]): Buffer => {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v, 4 * i));
  return out;
};
const u64 = (...values: readonly number[]): Buffer => {
  const out = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => out.writeBigUInt64BE(BigInt(v), 8 * i));
  return out;
};
const FULL = u32(0);

/** A minimal track: handler, one sample entry, `samples` samples of `sampleSize` bytes in chunks at `offsets`. */
function trak(handler: string, entry: string, offsets: readonly number[], sampleSize: number, samples: number, wide: boolean): Buffer {
  const stsd = box('stsd', FULL, u32(1), box(entry, Buffer.alloc(8)));
  const stsz = box('stsz', FULL, u32(sampleSize, samples));
  const chunks = wide ? box('co64', FULL, u32(offsets.length), u64(...offsets)) : box('stco', FULL, u32(offsets.length), u32(...offsets));
  return box('trak', box('tkhd', Buffer.alloc(84)), box('udta', box('\xa9xyz', Buffer.from('+48.8577+002.2950/'))),
    box('mdia', box('mdhd', Buffer.alloc(24)), box('hdlr', FULL, u32(0), Buffer.from(handler, 'latin1'), Buffer.alloc(12)),
      box('minf', box('stbl', stsd, box('stts', FULL, u32(0)), box('stsc', FULL, u32(0)), stsz, chunks))));
}

/** A virtual file: ftyp, one 64-bit mdat of `mediaBytes`, then `moov`; only the headers and the moov exist. */
function virtualFile(moov: Buffer, mediaBytes: number): { read: ReadAt; size: number; ftyp: Buffer } {
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(512), Buffer.from('isom', 'latin1'));
  const mdatHeader = Buffer.concat([u32(1), Buffer.from('mdat', 'latin1'), u64(16 + mediaBytes)]);
  const moovAt = ftyp.length + 16 + mediaBytes;
  const size = moovAt + moov.length;
  const read: ReadAt = async (offset, length) => {
    if (offset < ftyp.length) return ftyp.subarray(offset, offset + length);
    if (offset === ftyp.length) return mdatHeader.subarray(0, length);
    if (offset >= moovAt) return moov.subarray(offset - moovAt, offset - moovAt + length);
    throw new Error(`the media data was read at ${offset}`);
  };
  return { read, size, ftyp };
}

const ok = <T extends { ok: boolean }>(value: T): Extract<T, { ok: true }> => {
  if (!value.ok) throw new Error(`refused: ${(value as unknown as { reason: string }).reason}`);
  return value as Extract<T, { ok: true }>;
};

/** The copy as the adapter writes it: head, then the data range of the original. */
async function fastCopyOf(file: string, audio: 'copy' | 'none' = 'copy'): Promise<Buffer> {
  const bytes = readFileSync(file);
  const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
  const { rewritten } = ok(rewriteMoov(bytes.subarray(layout.ftyp.start, layout.ftyp.end), bytes.subarray(layout.moov.start, layout.moov.end), layout, audio));
  const copy = Buffer.concat([rewritten.head, bytes.subarray(rewritten.data.start, rewritten.data.end)]);
  expect(copy.length).toBe(rewritten.size);
  return copy;
}

function topLevel(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at < bytes.length;) {
    let size = bytes.readUInt32BE(at);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    types.push(bytes.toString('latin1', at + 4, at + 8));
    at += size;
  }
  return types;
}

const ffprobe = (file: string, entries: string): string => execFileSync(FFPROBE, ['-v', 'error', '-show_entries', entries, '-of', 'default=nw=1', file], { encoding: 'utf8' });

describe('mp4 faststart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp4-faststart-'));
  /** A clip made by Debian's ffmpeg: test pattern and tone, `extra` before the output. */
  const make = (name: string, extra: readonly string[], seconds = 2, video: readonly string[] = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p']): string => {
    const file = path.join(dir, name);
    execFileSync(FIXTURE_FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-threads', '1', ...video, ...extra, file]);
    return file;
  };
  const write = (name: string, bytes: Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };

  describe('on files made by ffmpeg', () => {
    let withTags: string;
    let appleLocation: string;
    let quickTimeStyle: string;
    beforeAll(() => {
      // The 3GPP location box (loci) and a title, as ffmpeg's MP4 muxer writes them.
      withTags = make('tags.mp4', ['-c:a', 'aac', '-metadata', 'location=+48.8577+002.2950/', '-metadata', 'title=Secret holiday', '-metadata', 'make=SecretCam']);
      // Apple's location key in moov/meta (keys + ilst), as an iPhone writes it.
      appleLocation = make('apple.mp4', ['-c:a', 'aac', '-movflags', 'use_metadata_tags', '-metadata', 'com.apple.quicktime.location.ISO6709=+48.8577+002.2950/']);
      // ©xyz in moov/udta (Android's way) and a `wide` box: the QuickTime muxer with an MP4 brand.
      quickTimeStyle = path.join(dir, 'xyz.mp4');
      execFileSync(FIXTURE_FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', withTags, '-c', 'copy', '-metadata', 'location=+48.8577+002.2950/', '-brand', 'mp42', '-f', 'mov', quickTimeStyle]);
    }, 60_000);

    it('walks the top-level boxes of a file with its index at the end', async () => {
      const bytes = readFileSync(withTags);
      const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
      expect(topLevel(bytes)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
      expect(layout.ftyp).toEqual({ start: 0, end: 32 });
      expect(layout.data.start).toBe(40);
      expect(layout.moov.end).toBe(bytes.length);
      expect(layout.data.end).toBe(layout.moov.start);
      expect(layout.mediaBytes).toBe(layout.data.end - layout.data.start - 8);
    });

    it.each([['tags.mp4 (loci, title, make)'], ['apple.mp4 (moov/meta location key)'], ['xyz.mp4 (©xyz in udta, a wide box)']])('makes a faststart copy of %s that decodes, lasts as long and carries no tag', async (label) => {
      // Prepare
      const source = { 'tags.mp4': withTags, 'apple.mp4': appleLocation, 'xyz.mp4': quickTimeStyle }[label.split(' ')[0] as string] as string;

      // Act
      const copy = write(`copy-${path.basename(source)}`, await fastCopyOf(source));

      // Assess
      const bytes = readFileSync(copy);
      expect(topLevel(bytes)).toEqual(['ftyp', 'moov', 'mdat']);
      expect(execFileSync(FIXTURE_FFMPEG, ['-v', 'error', '-i', copy, '-f', 'null', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
      expect(ffprobe(copy, 'format=duration')).toBe(ffprobe(source, 'format=duration'));
      expect(ffprobe(copy, 'stream=codec_name,duration,nb_frames')).toBe(ffprobe(source, 'stream=codec_name,duration,nb_frames'));
      expect(ffprobe(copy, 'format_tags')).not.toMatch(/location|title|make|48\.8577/i);
      for (const needle of ['48.8577', 'Secret', 'loci', '\xa9xyz', 'udta', 'keys', 'ilst']) expect(bytes.includes(Buffer.from(needle, 'latin1'))).toBe(false);
      expect(readFileSync(source).includes(Buffer.from(label.includes('loci') ? 'Secret' : '48.8577', 'latin1'))).toBe(true);
    }, 30_000);

    it('writes the same samples as the original: the decoded frames hash alike', async () => {
      const copy = write('copy-same.mp4', await fastCopyOf(withTags));
      const hashes = (file: string): string => execFileSync(FIXTURE_FFMPEG, ['-v', 'error', '-i', file, '-map', '0', '-f', 'framemd5', '-'], { encoding: 'utf8' }).split('\n').filter((l) => !l.startsWith('#')).join('\n');
      expect(hashes(copy)).toBe(hashes(withTags));
    }, 30_000);

    it('keeps a silent video silent (audio none)', async () => {
      const silent = make('silent.mp4', ['-an']);
      const copy = write('copy-silent.mp4', await fastCopyOf(silent, 'none'));
      expect(ffprobe(copy, 'stream=codec_type')).toBe('codec_type=video\n');
    }, 30_000);

    it.each([
      ['a file with its index first', ['-c:a', 'aac', '-movflags', '+faststart'], 'the moov comes before the media data'],
      ['a QuickTime file', ['-c:a', 'aac', '-f', 'mov'], 'a QuickTime file'],
      ['a fragmented MP4', ['-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov'], 'a fragmented MP4'],
    ])('refuses %s', async (_label, extra, reason) => {
      const bytes = readFileSync(make(`refused-${reason.replace(/\W/g, '')}.mp4`, extra));
      const walked = await readMp4Layout(reader(bytes), bytes.length);
      expect(walked).toEqual({ ok: false, reason });
    }, 30_000);

    it.each([
      ['HEVC video', ['-c:a', 'aac'], ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'], 'copy', 'video that is not avc1'],
      ['a second audio track', ['-map', '0:v', '-map', '1:a', '-map', '1:a', '-c:a', 'aac'], undefined, 'copy', 'not exactly one audio track'],
      ['an audio track where the decision says none', ['-c:a', 'aac'], undefined, 'none', 'an audio track where none was expected'],
      ['MP3 audio in an MP4 with its own sample entry', ['-c:a', 'mp3'], undefined, 'copy', undefined],
    ])('rewrites or refuses %s', async (label, extra, video, audio, reason) => {
      const bytes = readFileSync(make(`track-${label.replace(/\W/g, '')}.mp4`, extra, 1, video));
      const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
      const made = rewriteMoov(bytes.subarray(0, layout.ftyp.end), bytes.subarray(layout.moov.start, layout.moov.end), layout, audio as 'copy' | 'none');
      if (reason === undefined) expect(made.ok).toBe(true);
      else expect(made).toEqual({ ok: false, reason });
    }, 30_000);

    it('plans a file over 5 MiB as part 1 (head + first bytes, ≥ 5 MiB) and part copies covering the rest exactly', async () => {
      // Prepare: 6 s of lossless noise, ~16 MiB.
      const big = make('big.mp4', ['-c:a', 'aac'], 6, ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-vf', 'noise=alls=100:allf=t+u', '-qp', '0']);
      const bytes = readFileSync(big);
      expect(bytes.length).toBeGreaterThan(6 * MiB);
      const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
      const { rewritten } = ok(rewriteMoov(bytes.subarray(0, layout.ftyp.end), bytes.subarray(layout.moov.start, layout.moov.end), layout, 'copy'));

      // Act
      const plan = planFaststartWrite(rewritten, MiB);

      // Assess
      if (plan.kind !== 'multipart') throw new Error('expected a multipart plan');
      expect(rewritten.head.length + plan.firstPartDataBytes).toBe(5 * MiB);
      expect(plan.copies[0]).toMatchObject({ partNumber: 2, first: rewritten.data.start + plan.firstPartDataBytes });
      plan.copies.forEach((part, i) => {
        expect(part.partNumber).toBe(i + 2);
        if (i > 0) expect(part.first).toBe((plan.copies[i - 1]?.last as number) + 1);
        if (i < plan.copies.length - 1) expect(part.last - part.first + 1).toBe(MiB);
      });
      expect(plan.copies[plan.copies.length - 1]?.last).toBe(rewritten.data.end - 1);
      const assembled = Buffer.concat([rewritten.head, bytes.subarray(rewritten.data.start, rewritten.data.start + plan.firstPartDataBytes), ...plan.copies.map((p) => bytes.subarray(p.first, p.last + 1))]);
      const copy = write('copy-big.mp4', assembled);
      expect(execFileSync(FIXTURE_FFMPEG, ['-v', 'error', '-i', copy, '-f', 'null', '-'], { encoding: 'utf8' })).toBe('');
      expect(ffprobe(copy, 'format=duration')).toBe(ffprobe(big, 'format=duration'));
      expect(planFaststartWrite(rewritten)).toMatchObject({ kind: 'multipart', copies: [{ partNumber: 2, last: rewritten.data.end - 1 }] });
    }, 60_000);

    it('plans a file under 5 MiB as one PUT', async () => {
      const bytes = readFileSync(withTags);
      const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
      const { rewritten } = ok(rewriteMoov(bytes.subarray(0, layout.ftyp.end), bytes.subarray(layout.moov.start, layout.moov.end), layout, 'copy'));
      expect(planFaststartWrite(rewritten)).toEqual({ kind: 'single' });
    });

    it('never throws on a moov with random bytes changed: a copy or a reason', async () => {
      const bytes = readFileSync(withTags);
      const { layout } = ok(await readMp4Layout(reader(bytes), bytes.length));
      const ftyp = bytes.subarray(0, layout.ftyp.end);
      const moov = bytes.subarray(layout.moov.start, layout.moov.end);
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: moov.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }), (changes) => {
        const mutated = Buffer.from(moov);
        for (const [at, value] of changes) mutated[at] = value;
        const made = rewriteMoov(ftyp, mutated, layout, 'copy');
        if (made.ok) expect(made.rewritten.head.length).toBeLessThan(ftyp.length + moov.length + 64 * 1024);
        else expect(made.reason).toEqual(expect.any(String));
      }), { numRuns: 500 });
    });
  });

  describe('synthesised boxes', () => {
    const FOUR_GIB = 2 ** 32;

    it('writes co64 when an offset would pass 2^32 - 1, and stco when every one fits', async () => {
      // Prepare: 4.5 GiB of media data (after a 20-byte ftyp and a 16-byte mdat header) in two chunks of 1 MiB samples, the second past 4 GiB, the moov at the end.
      const mediaBytes = FOUR_GIB + 512 * MiB;
      const moov = box('moov', box('mvhd', Buffer.alloc(100)), box('udta', box('\xa9xyz', Buffer.from('+48.8577+002.2950/'))), trak('vide', 'avc1', [36, 36 + FOUR_GIB], MiB, mediaBytes / MiB, true));
      const file = virtualFile(moov, mediaBytes);
      expect(file.ftyp.length).toBe(20);

      // Act
      const { layout } = ok(await readMp4Layout(file.read, file.size));
      const { rewritten } = ok(rewriteMoov(file.ftyp, moov, layout, 'none'));

      // Assess
      expect(layout).toEqual({ size: file.size, ftyp: { start: 0, end: 20 }, moov: { start: 20 + 16 + mediaBytes, end: file.size }, data: { start: 20, end: 20 + 16 + mediaBytes }, mediaBytes });
      expect(rewritten.co64).toBe(true);
      const head = rewritten.head;
      const co64 = head.indexOf(Buffer.from('co64', 'latin1'));
      const shift = head.length - layout.data.start;
      expect(head.readBigUInt64BE(co64 + 12)).toBe(BigInt(36 + shift));
      expect(head.readBigUInt64BE(co64 + 20)).toBe(BigInt(36 + FOUR_GIB + shift));
      expect(head.includes(Buffer.from('udta', 'latin1'))).toBe(false);
      expect(head.includes(Buffer.from('48.8577', 'latin1'))).toBe(false);
      expect(rewritten.size).toBe(head.length + 16 + mediaBytes);
    });

    it('turns stco into co64 when the move pushes an offset past 2^32 - 1, and co64 into stco when all fit', async () => {
      // Offsets just under 2^32 in stco: the new moov before them pushes the last past it.
      const media = FOUR_GIB - 64;
      const near = box('moov', box('mvhd', Buffer.alloc(100)), trak('vide', 'avc1', [36, FOUR_GIB - 100], media / 2, 2, false));
      const nearFile = virtualFile(near, media);
      const { layout } = ok(await readMp4Layout(nearFile.read, nearFile.size));
      expect(ok(rewriteMoov(nearFile.ftyp, near, layout, 'none')).rewritten.co64).toBe(true);

      const small = box('moov', box('mvhd', Buffer.alloc(100)), trak('vide', 'avc1', [36], 1000, 1, true));
      const smallFile = virtualFile(small, 1000);
      const smallLayout = ok(await readMp4Layout(smallFile.read, smallFile.size)).layout;
      const { rewritten } = ok(rewriteMoov(smallFile.ftyp, small, smallLayout, 'none'));
      expect(rewritten.co64).toBe(false);
      const stco = rewritten.head.indexOf(Buffer.from('stco', 'latin1'));
      expect(rewritten.head.readUInt32BE(stco + 12)).toBe(36 - 20 + rewritten.head.length);
    });

    it.each([
      ['a track of another kind (timecode, telemetry)', [trak('vide', 'avc1', [36], 500, 1, false), trak('tmcd', 'tmcd', [536], 500, 1, false)], 'a track that is neither video nor audio'],
      ['bytes in the media data no sample uses', [trak('vide', 'avc1', [36], 400, 1, false)], 'media data beyond the samples of its tracks'],
      ['a chunk outside the media data', [trak('vide', 'avc1', [5000], 1000, 1, false)], 'a chunk outside the media data'],
      ['no video track', [trak('soun', 'mp4a', [36], 1000, 1, false)], 'no video track'],
    ])('refuses %s', async (_label, traks, reason) => {
      const moov = box('moov', box('mvhd', Buffer.alloc(100)), ...traks);
      const file = virtualFile(moov, 1000);
      const { layout } = ok(await readMp4Layout(file.read, file.size));
      expect(rewriteMoov(file.ftyp, moov, layout, 'none')).toEqual({ ok: false, reason });
    });

    it('refuses hostile trees without throwing: too deep, too many boxes, sizes past their parent, size 0 inside', async () => {
      let deep = box('stbl');
      for (let i = 0; i < 20; i += 1) deep = box('trak', deep);
      const many = Buffer.concat(Array.from({ length: FASTSTART_LIMITS.maxBoxesInMoov + 1 }, () => box('free')));
      const pastParent = Buffer.concat([u32(4000), Buffer.from('trak', 'latin1'), Buffer.alloc(8)]);
      const sizeZero = Buffer.concat([u32(0), Buffer.from('trak', 'latin1')]);
      const tiny = Buffer.concat([u32(3), Buffer.from('free', 'latin1')]);
      const cases: [Buffer, string][] = [
        [deep, 'the moov nests too deep'],
        [many, 'too many boxes in the moov'],
        [pastParent, "'trak' runs past its container"],
        [sizeZero, "'trak' has no size"],
        [tiny, "'free' is shorter than its header"],
      ];
      for (const [children, reason] of cases) {
        const moov = box('moov', box('mvhd', Buffer.alloc(100)), children);
        const file = virtualFile(moov, 1000);
        const { layout } = ok(await readMp4Layout(file.read, file.size));
        expect(rewriteMoov(file.ftyp, moov, layout, 'none')).toEqual({ ok: false, reason });
      }
    });

    it('refuses a broken or endless top level after a bounded number of reads', async () => {
      const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0));
      const truncated = Buffer.concat([ftyp, box('mdat', Buffer.alloc(100)).subarray(0, 50)]);
      expect(await readMp4Layout(reader(truncated), truncated.length)).toEqual({ ok: false, reason: "'mdat' runs past its container" });
      let reads = 0;
      const endless: ReadAt = async (offset) => { reads += 1; return offset === 0 ? ftyp : box('free'); };
      expect(await readMp4Layout(endless, 10 ** 12)).toEqual({ ok: false, reason: 'too many top-level boxes' });
      expect(reads).toBeLessThanOrEqual(FASTSTART_LIMITS.maxTopLevelBoxes + 1);
      const hugeMoov = Buffer.concat([ftyp, box('mdat', Buffer.alloc(8)), u32(FASTSTART_LIMITS.maxMoovBytes + 8), Buffer.from('moov', 'latin1')]);
      const hugeSize = ftyp.length + 16 + FASTSTART_LIMITS.maxMoovBytes + 8;
      expect(await readMp4Layout(async (offset, length) => hugeMoov.subarray(offset, offset + length), hugeSize)).toEqual({ ok: false, reason: "a moov over the fast path's limit" });
      const xmp = Buffer.concat([ftyp, box('uuid', Buffer.alloc(16)), box('mdat', Buffer.alloc(8)), box('moov')]);
      expect(await readMp4Layout(reader(xmp), xmp.length)).toEqual({ ok: false, reason: "a top-level 'uuid' box" });
      expect(await readMp4Layout(reader(Buffer.alloc(3)), 3)).toEqual({ ok: false, reason: 'too small to be an MP4' });
    });

    it('never throws on random top-level bytes', async () => {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), async (bytes) => {
        const walked = await readMp4Layout(reader(Buffer.from(bytes)), bytes.length);
        expect(typeof walked.ok).toBe('boolean');
      }), { numRuns: 500 });
    });
  });
});
