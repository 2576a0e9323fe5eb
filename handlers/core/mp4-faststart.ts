/**
 * "qt-faststart in the cloud": the remux of an H.264 MP4 whose index (`moov`) comes after its
 * media data (`mdat`), without ffmpeg and without reading the media data. Pure: the bytes come
 * through an injected `ReadAt`, and what is written is a plan of byte ranges the adapter
 * (adapters/faststart-copies.ts) carries out with S3 (part 1 uploaded, the rest copied server
 * side with UploadPartCopy).
 *
 * 1. `readMp4Layout` walks the top-level box headers (8 or 16 bytes each, 64-bit sizes too):
 *    `ftyp` first (its major brand not QuickTime's `qt  `), then only `mdat` boxes (adjacent)
 *    and `free`/`skip`/`wide` padding, then exactly one `moov`, then only padding (dropped).
 *    Anything else (fragments, a `moov` first, `uuid`/`meta`/`udta` at the top, more than
 *    `FASTSTART_LIMITS.maxTopLevelBoxes` boxes, a `moov` over `maxMoovBytes`) is refused.
 * 2. `rewriteMoov` keeps `mvhd`, the one video `trak` (sample entry `avc1`) and the one audio
 *    `trak` (`mp4a`; none when the decision says `none`), as ffmpeg's `-map 0:v:0 -map 0:a:0`
 *    would; inside them it drops `udta`, `meta`, `uuid` and `tref`, and at the `moov` level
 *    everything else (`udta`, `meta` with Apple's location key, `iods`, …): the promise of
 *    `-map_metadata -1` holds here too. A file with any other track (timecode, chapters, a
 *    camera's telemetry or GPS track, a second audio) is refused, because that track's samples
 *    would stay in the copied media data; so is one whose sample sizes do not add up to the
 *    media data (bytes no kept sample uses). Every `stco`/`co64` chunk offset is checked to lie
 *    in the media data and shifted by the data's move; when one would pass 2^32 - 1, every
 *    table is written as `co64`.
 * 3. `planFaststartWrite`: part 1 = `ftyp` + new `moov` + the data's first bytes up to S3's
 *    5 MiB part minimum, then the rest of the data as part copies; a small file is one PUT.
 *
 * Every size is checked before it is used: a box never runs past its parent, a walk never
 * passes `maxBoxesInMoov` boxes or `maxDepth` levels, and nothing larger than `maxMoovBytes`
 * (plus one part) is held. A refusal is a reason, never a throw: the caller then remuxes with
 * ffmpeg in the decoder box as before (docs/security.md, "MP4 box parser").
 */
import { copyPartRanges, copyPartSize, DEFAULT_COPY_PART_BYTES, MAX_COPY_PARTS, type CopyPart } from './copy-parts';
import type { ReadAt } from './video-probe';

const MiB = 1024 * 1024;

export const FASTSTART_LIMITS = {
  /** Top-level boxes walked (real files have 3 to 6; each costs a ranged read). */
  maxTopLevelBoxes: 64,
  /** Largest `ftyp` (it lists brands: a few dozen bytes). */
  maxFtypBytes: 4096,
  /** Largest `moov` read into memory; a larger index is left to ffmpeg (an hour of 60 fps video has ~4 MiB). */
  maxMoovBytes: 64 * MiB,
  /** Boxes parsed inside `moov`, all levels together. */
  maxBoxesInMoov: 10_000,
  /** Nesting walked inside `moov` (moov/trak/mdia/minf/stbl is 5). */
  maxDepth: 8,
  /** S3's smallest part but the last. */
  minPartBytes: 5 * MiB,
} as const;

const UINT32_MAX = 0xffff_ffff;

export type Refusal = { readonly ok: false; readonly reason: string };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

export interface ByteRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export interface Mp4Layout {
  readonly size: number;
  readonly ftyp: ByteRange;
  readonly moov: ByteRange;
  /** From the first `mdat`'s header to the last one's end: what the copy carries after its new `moov`. */
  readonly data: ByteRange;
  /** The `mdat` payloads' bytes (the data without the `mdat` headers). */
  readonly mediaBytes: number;
}

interface BoxHeader {
  readonly type: string;
  readonly start: number;
  readonly headerSize: number;
  readonly size: number;
}

/** A box header at `at` of `bytes` (relative offsets), within `end`; `size` 0 runs to `end` when `toEnd` allows it. */
function headerAt(bytes: Uint8Array, at: number, end: number, toEnd: boolean): BoxHeader | Refusal {
  if (at + 8 > end || at + 8 > bytes.length) return refuse('a box header runs past its container');
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.toString('latin1', at + 4, at + 8);
  let size = view.readUInt32BE(at);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > end || at + 16 > bytes.length) return refuse(`the 64-bit size of '${printable(type)}' runs past its container`);
    const large = view.readBigUInt64BE(at + 8);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) return refuse(`'${printable(type)}' is too large`);
    size = Number(large);
    headerSize = 16;
  } else if (size === 0) {
    if (!toEnd) return refuse(`'${printable(type)}' has no size`);
    size = end - at;
  }
  if (size < headerSize) return refuse(`'${printable(type)}' is shorter than its header`);
  if (at + size > end) return refuse(`'${printable(type)}' runs past its container`);
  return { type, start: at, headerSize, size };
}

/** A box type as text for a reason (a hostile file's bytes never reach a log as they are). */
function printable(type: string): string {
  return type.replace(/[^\x20-\x7e]/g, '?');
}

const isRefusal = <T>(value: T | Refusal): value is Refusal => typeof value === 'object' && value !== null && (value as Refusal).ok === false;

const PADDING = new Set(['free', 'skip', 'wide']);

/** The top-level boxes of an MP4 of `size` bytes, and whether it is one the fast path takes. */
export async function readMp4Layout(readAt: ReadAt, size: number): Promise<{ readonly ok: true; readonly layout: Mp4Layout } | Refusal> {
  if (!Number.isSafeInteger(size) || size < 16) return refuse('too small to be an MP4');
  const boxes: BoxHeader[] = [];
  let offset = 0;
  while (offset < size) {
    if (boxes.length === FASTSTART_LIMITS.maxTopLevelBoxes) return refuse('too many top-level boxes');
    const bytes = await readAt(offset, 16);
    // The header's own offsets are relative to what was read; the container is the rest of the file.
    const header = headerAt(bytes, 0, size - offset, true);
    if (isRefusal(header)) return header;
    boxes.push({ ...header, start: offset });
    offset += header.size;
  }
  const [ftyp] = boxes;
  if (ftyp?.type !== 'ftyp') return refuse('the file does not start with ftyp');
  if (ftyp.size > FASTSTART_LIMITS.maxFtypBytes || ftyp.size < 16) return refuse('an ftyp of an unusual size');
  const brand = Buffer.from(await readAt(8, 4)).toString('latin1');
  // QuickTime files (sound descriptions v1/v2, `wide`, QuickTime-only atoms) stay with ffmpeg's MP4 muxer.
  if (brand === 'qt  ') return refuse('a QuickTime file');
  if (boxes.some((box) => box.type === 'moof' || box.type === 'mfra')) return refuse('a fragmented MP4');
  const moovs = boxes.filter((box) => box.type === 'moov');
  if (moovs.length !== 1) return refuse(moovs.length === 0 ? 'no moov' : 'more than one moov');
  const moovIndex = boxes.indexOf(moovs[0] as BoxHeader);
  const moov = moovs[0] as BoxHeader;
  if (boxes.slice(moovIndex + 1).some((box) => box.type === 'mdat')) return refuse('the moov comes before the media data');
  if (boxes.slice(moovIndex + 1).some((box) => !PADDING.has(box.type))) return refuse('boxes after the moov');
  const between = boxes.slice(1, moovIndex);
  const mdats = between.filter((box) => box.type === 'mdat');
  if (mdats.length === 0) return refuse('the moov comes before the media data');
  if (between.some((box) => box.type !== 'mdat' && !PADDING.has(box.type))) return refuse(`a top-level '${printable(between.find((b) => b.type !== 'mdat' && !PADDING.has(b.type))?.type ?? '')}' box`);
  const first = between.indexOf(mdats[0] as BoxHeader);
  const last = between.indexOf(mdats[mdats.length - 1] as BoxHeader);
  if (last - first + 1 !== mdats.length) return refuse('padding between media data boxes');
  if (moov.size > FASTSTART_LIMITS.maxMoovBytes) return refuse('a moov over the fast path\'s limit');
  const firstMdat = mdats[0] as BoxHeader;
  const lastMdat = mdats[mdats.length - 1] as BoxHeader;
  return {
    ok: true,
    layout: {
      size,
      ftyp: { start: 0, end: ftyp.size },
      moov: { start: moov.start, end: moov.start + moov.size },
      data: { start: firstMdat.start, end: lastMdat.start + lastMdat.size },
      mediaBytes: mdats.reduce((sum, box) => sum + box.size - box.headerSize, 0),
    },
  };
}

// --- The moov --------------------------------------------------------------------------------

/** A parsed box: its type and the bytes of its payload (a view into the moov read). */
interface Box {
  readonly type: string;
  readonly payload: Buffer;
  /** Parsed children of the containers the rewrite walks into. */
  readonly children?: readonly Box[];
}

/** Boxes the rewrite walks into, from `moov` down to the sample tables. */
const WALKED = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/** Dropped wherever they are found in a kept track: metadata (udta, meta, uuid) and references to dropped tracks (tref). */
const DROPPED_IN_TRACKS = new Set(['udta', 'meta', 'uuid', 'tref']);

function parseChildren(payload: Buffer, depth: number, budget: { boxes: number }): Box[] | Refusal {
  if (depth > FASTSTART_LIMITS.maxDepth) return refuse('the moov nests too deep');
  const boxes: Box[] = [];
  let at = 0;
  while (at < payload.length) {
    budget.boxes += 1;
    if (budget.boxes > FASTSTART_LIMITS.maxBoxesInMoov) return refuse('too many boxes in the moov');
    const header = headerAt(payload, at, payload.length, false);
    if (isRefusal(header)) return header;
    const inner = payload.subarray(at + header.headerSize, at + header.size);
    if (WALKED.has(header.type)) {
      const children = parseChildren(inner, depth + 1, budget);
      if (isRefusal(children)) return children;
      boxes.push({ type: header.type, payload: inner, children });
    } else {
      boxes.push({ type: header.type, payload: inner });
    }
    at += header.size;
  }
  return boxes;
}

const childOf = (box: Box | undefined, type: string): Box | undefined => box?.children?.find((child) => child.type === type);
const childrenOf = (box: Box | undefined, type: string): Box[] => (box?.children ?? []).filter((child) => child.type === type);

interface Track {
  readonly trak: Box;
  readonly handler: string;
  readonly sampleEntry: string;
  readonly chunkOffsets: readonly number[];
  readonly mediaBytes: number;
}

/** A full box's payload must hold its version and flags plus `need` bytes. */
function fullBox(box: Box | undefined, need: number): Buffer | undefined {
  return box !== undefined && box.payload.length >= 4 + need ? box.payload : undefined;
}

function readTrack(trak: Box): Track | Refusal {
  const mdia = childOf(trak, 'mdia');
  const hdlr = fullBox(childOf(mdia, 'hdlr'), 8);
  const stbl = childOf(childOf(mdia, 'minf'), 'stbl');
  if (childrenOf(trak, 'mdia').length !== 1 || hdlr === undefined || stbl === undefined) return refuse('a track without its media, handler or sample table');
  const handler = hdlr.toString('latin1', 8, 12);
  const stsd = fullBox(childOf(stbl, 'stsd'), 4 + 8);
  if (stsd === undefined) return refuse('a track without sample descriptions');
  if (stsd.readUInt32BE(4) !== 1) return refuse('a track with several sample descriptions');
  const sampleEntry = stsd.toString('latin1', 12, 16);
  const tables = [...childrenOf(stbl, 'stco'), ...childrenOf(stbl, 'co64')];
  if (tables.length !== 1) return refuse('a track without exactly one chunk offset table');
  const table = tables[0] as Box;
  const wide = table.type === 'co64';
  const entry = wide ? 8 : 4;
  const offsets = fullBox(table, 4);
  if (offsets === undefined) return refuse('a short chunk offset table');
  const count = offsets.readUInt32BE(4);
  if (offsets.length !== 8 + count * entry) return refuse('a chunk offset table of the wrong size');
  const chunkOffsets: number[] = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const at = 8 + i * entry;
    const value = wide ? offsets.readBigUInt64BE(at) : BigInt(offsets.readUInt32BE(at));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) return refuse('a chunk offset past any file');
    chunkOffsets[i] = Number(value);
  }
  if (childOf(stbl, 'stz2') !== undefined) return refuse('compact sample sizes (stz2)');
  const stsz = fullBox(childOf(stbl, 'stsz'), 8);
  if (stsz === undefined) return refuse('a track without sample sizes');
  const sampleSize = stsz.readUInt32BE(4);
  const samples = stsz.readUInt32BE(8);
  let mediaBytes = 0;
  if (sampleSize !== 0) {
    mediaBytes = sampleSize * samples;
  } else {
    if (stsz.length !== 12 + 4 * samples) return refuse('a sample size table of the wrong size');
    for (let i = 0; i < samples; i += 1) mediaBytes += stsz.readUInt32BE(12 + 4 * i);
  }
  return { trak, handler, sampleEntry, chunkOffsets, mediaBytes };
}

export interface RewrittenHead {
  /** `ftyp` + the new `moov`: the copy's first bytes, before the data range. */
  readonly head: Buffer;
  /** Bytes of the original carried after `head`, unchanged. */
  readonly data: ByteRange;
  /** The copy's size. */
  readonly size: number;
  /** Whether the chunk offsets are 64-bit in the copy. */
  readonly co64: boolean;
}

/**
 * The copy's `ftyp` + `moov` from the original's (`ftyp` and `moov`: their whole boxes) and its
 * layout; `audio`: the decision's (`copy` keeps the one audio track, `none` wants none).
 */
export function rewriteMoov(ftyp: Buffer, moov: Buffer, layout: Mp4Layout, audio: 'copy' | 'none'): { readonly ok: true; readonly rewritten: RewrittenHead } | Refusal {
  if (ftyp.length !== layout.ftyp.end - layout.ftyp.start || moov.length !== layout.moov.end - layout.moov.start) return refuse('the boxes read do not match the layout');
  const header = headerAt(moov, 0, moov.length, false);
  if (isRefusal(header) || header.type !== 'moov' || header.size !== moov.length) return refuse('not a moov');
  const children = parseChildren(moov.subarray(header.headerSize), 1, { boxes: 1 });
  if (isRefusal(children)) return children;
  const root: Box = { type: 'moov', payload: moov.subarray(header.headerSize), children };
  if (childOf(root, 'mvex') !== undefined) return refuse('a fragmented MP4');
  const mvhd = childrenOf(root, 'mvhd');
  if (mvhd.length !== 1) return refuse('a moov without exactly one mvhd');
  const tracks: Track[] = [];
  for (const trak of childrenOf(root, 'trak')) {
    const track = readTrack(trak);
    if (isRefusal(track)) return track;
    tracks.push(track);
  }
  const video = tracks.filter((t) => t.handler === 'vide');
  const sound = tracks.filter((t) => t.handler === 'soun');
  if (tracks.length !== video.length + sound.length) return refuse('a track that is neither video nor audio');
  if (video.length !== 1) return refuse(video.length === 0 ? 'no video track' : 'more than one video track');
  if (video[0]?.sampleEntry !== 'avc1') return refuse('video that is not avc1');
  if (sound.length !== (audio === 'copy' ? 1 : 0)) return refuse(audio === 'copy' ? 'not exactly one audio track' : 'an audio track where none was expected');
  if (sound.some((t) => t.sampleEntry !== 'mp4a')) return refuse('audio that is not mp4a');
  // Every sample byte of the media data belongs to a kept track: nothing else is carried.
  if (tracks.reduce((sum, t) => sum + t.mediaBytes, 0) !== layout.mediaBytes) return refuse('media data beyond the samples of its tracks');
  const { data } = layout;
  if (tracks.some((t) => t.chunkOffsets.some((o) => o < data.start || o >= data.end))) return refuse('a chunk outside the media data');

  // `shift` undefined: only the size is wanted (offsets left zero; an original offset past 2^32 fits no stco).
  const build = (co64: boolean, shift?: number): Buffer => serialize({ ...root, children: [mvhd[0] as Box, ...tracks.map((t) => t.trak)] }, co64, shift);
  // The new moov's size does not depend on the offsets' values, only on their width.
  const shiftFor = (moovSize: number): number => ftyp.length + moovSize - data.start;
  // A loop, not Math.max(...): a long video has more chunks than a call has arguments.
  let maxOffset = 0;
  for (const track of tracks) for (const offset of track.chunkOffsets) if (offset > maxOffset) maxOffset = offset;
  let co64 = false;
  let shift = shiftFor(build(false).length);
  if (maxOffset + shift > UINT32_MAX) {
    co64 = true;
    shift = shiftFor(build(true).length);
  }
  const newMoov = build(co64, shift);
  const head = Buffer.concat([ftyp, newMoov]);
  return { ok: true, rewritten: { head, data, size: head.length + data.end - data.start, co64 } };
}

function boxBytes(type: string, payload: readonly Buffer[]): Buffer {
  const size = 8 + payload.reduce((sum, part) => sum + part.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...payload]);
}

function chunkOffsetTable(table: Box, co64: boolean, shift: number | undefined): Buffer {
  const wide = table.type === 'co64';
  const count = table.payload.readUInt32BE(4);
  const out = Buffer.alloc(8 + count * (co64 ? 8 : 4));
  table.payload.copy(out, 0, 0, 8);
  for (let i = 0; shift !== undefined && i < count; i += 1) {
    const old = wide ? Number(table.payload.readBigUInt64BE(8 + i * 8)) : table.payload.readUInt32BE(8 + i * 4);
    if (co64) out.writeBigUInt64BE(BigInt(old + shift), 8 + i * 8);
    else out.writeUInt32BE(old + shift, 8 + i * 4);
  }
  return boxBytes(co64 ? 'co64' : 'stco', [out]);
}

/** A kept box as bytes: walked containers rebuilt without what is dropped, chunk offsets shifted, the rest as it was. */
function serialize(box: Box, co64: boolean, shift: number | undefined): Buffer {
  if (box.type === 'stco' || box.type === 'co64') return chunkOffsetTable(box, co64, shift);
  if (box.children === undefined) return boxBytes(box.type, [box.payload]);
  const kept = box.type === 'moov' ? box.children : box.children.filter((child) => !DROPPED_IN_TRACKS.has(child.type));
  return boxBytes(box.type, kept.map((child) => serialize(child, co64, shift)));
}

// --- The writes --------------------------------------------------------------------------------

export type FaststartWritePlan =
  /** One PutObject of `head` + the whole data range. */
  | { readonly kind: 'single' }
  /** Part 1 = `head` + the data's first `firstPartDataBytes`; then `copies` (source byte ranges, part numbers from 2). */
  | { readonly kind: 'multipart'; readonly firstPartDataBytes: number; readonly copies: readonly CopyPart[] };

/** How the copy is written: part 1 at least S3's 5 MiB minimum, the rest copied server side in parts of `partBytes`. */
export function planFaststartWrite(rewritten: Pick<RewrittenHead, 'head' | 'data'>, partBytes: number = DEFAULT_COPY_PART_BYTES): FaststartWritePlan {
  const dataBytes = rewritten.data.end - rewritten.data.start;
  const firstPartDataBytes = Math.min(dataBytes, Math.max(0, FASTSTART_LIMITS.minPartBytes - rewritten.head.length));
  const rest = dataBytes - firstPartDataBytes;
  if (rest === 0) return { kind: 'single' };
  const from = rewritten.data.start + firstPartDataBytes;
  const copies = copyPartRanges(rest, copyPartSize(rest, partBytes)).map((part) => ({ partNumber: part.partNumber + 1, first: from + part.first, last: from + part.last }));
  if (copies.length + 1 > MAX_COPY_PARTS) throw new RangeError(`planFaststartWrite: ${copies.length + 1} parts are more than ${MAX_COPY_PARTS}`);
  return { kind: 'multipart', firstPartDataBytes, copies };
}
