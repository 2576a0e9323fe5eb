/**
 * A streaming ZIP writer: store-only (media is compressed already), ZIP64 throughout so no
 * size or count limit applies, each entry's CRC and sizes in a data descriptor after its bytes,
 * so nothing is buffered beyond the chunk in hand.
 */
import { crc32 } from './crc32';

interface ZipSource {
  readonly name: string;
  readonly modified: Date;
  /** The entry's bytes, opened when its turn comes. */
  open(): Promise<ReadableStream<Uint8Array>>;
}

const UTF8_AND_DESCRIPTOR = 0x0808;
const ZIP64_VERSION = 45;
const MAX32 = 0xffffffff;

const encoder = new TextEncoder();

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

class Bytes {
  readonly array: Uint8Array;
  private readonly view: DataView;
  private at = 0;
  constructor(size: number) {
    this.array = new Uint8Array(size);
    this.view = new DataView(this.array.buffer);
  }
  u16(v: number): this {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
    return this;
  }
  u64(v: number): this {
    this.view.setBigUint64(this.at, BigInt(v), true);
    this.at += 8;
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.array.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }
}

interface Written {
  readonly name: Uint8Array;
  readonly crc: number;
  readonly size: number;
  readonly offset: number;
  readonly time: number;
  readonly date: number;
}

function localHeader(name: Uint8Array, time: number, date: number): Uint8Array {
  return new Bytes(30 + name.length + 20)
    .u32(0x04034b50).u16(ZIP64_VERSION).u16(UTF8_AND_DESCRIPTOR).u16(0).u16(time).u16(date)
    .u32(0).u32(MAX32).u32(MAX32).u16(name.length).u16(20).raw(name)
    .u16(0x0001).u16(16).u64(0).u64(0).array;
}

function dataDescriptor(crc: number, size: number): Uint8Array {
  return new Bytes(24).u32(0x08074b50).u32(crc).u64(size).u64(size).array;
}

function centralEntry(w: Written): Uint8Array {
  return new Bytes(46 + w.name.length + 28)
    .u32(0x02014b50).u16(ZIP64_VERSION).u16(ZIP64_VERSION).u16(UTF8_AND_DESCRIPTOR).u16(0).u16(w.time).u16(w.date)
    .u32(w.crc).u32(MAX32).u32(MAX32).u16(w.name.length).u16(28).u16(0).u16(0).u16(0).u32(0).u32(MAX32).raw(w.name)
    .u16(0x0001).u16(24).u64(w.size).u64(w.size).u64(w.offset).array;
}

function endRecords(count: number, centralSize: number, centralOffset: number): Uint8Array {
  const zip64End = centralOffset + centralSize;
  return new Bytes(56 + 20 + 22)
    .u32(0x06064b50).u64(44).u16(ZIP64_VERSION).u16(ZIP64_VERSION).u32(0).u32(0).u64(count).u64(count).u64(centralSize).u64(centralOffset)
    .u32(0x07064b50).u32(0).u64(zip64End).u32(1)
    .u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(MAX32).u32(MAX32).u16(0).array;
}

/** The ZIP of `sources`, in order, as a stream; it errors if a source fails. */
export function zipStream(sources: readonly ZipSource[]): ReadableStream<Uint8Array> {
  const written: Written[] = [];
  let offset = 0;
  let index = 0;
  let current: { reader: ReadableStreamDefaultReader<Uint8Array>; name: Uint8Array; crc: number; size: number; start: number; time: number; date: number } | undefined;

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const emit = (bytes: Uint8Array): void => {
        offset += bytes.length;
        controller.enqueue(bytes);
      };
      if (!current) {
        const source = sources[index];
        if (!source) {
          const central = written.map(centralEntry);
          const centralSize = central.reduce((s, b) => s + b.length, 0);
          const centralOffset = offset;
          for (const entry of central) emit(entry);
          emit(endRecords(written.length, centralSize, centralOffset));
          controller.close();
          return;
        }
        index += 1;
        const name = encoder.encode(source.name);
        const { time, date } = dosDateTime(source.modified);
        const start = offset;
        emit(localHeader(name, time, date));
        current = { reader: (await source.open()).getReader(), name, crc: 0, size: 0, start, time, date };
        return;
      }
      const { done, value } = await current.reader.read();
      if (done) {
        emit(dataDescriptor(current.crc, current.size));
        written.push({ name: current.name, crc: current.crc, size: current.size, offset: current.start, time: current.time, date: current.date });
        current = undefined;
        return;
      }
      current.crc = crc32(value, current.crc);
      current.size += value.length;
      emit(value);
    },
    async cancel(reason) {
      await current?.reader.cancel(reason);
    },
  });
}

/** Names unique within the archive: `a.jpg`, `a (2).jpg`, … */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    for (let n = 2; seen.has(candidate.toLowerCase()); n += 1) {
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}
