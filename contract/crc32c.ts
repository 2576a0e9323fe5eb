/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF),
 * the part checksum both clients sign into each part's URL and S3 verifies
 * (`x-amz-checksum-crc32c`: the 4 bytes big-endian, in base64; contract/multipart.ts
 * `PART_CHECKSUM_ALGORITHM`).
 *
 * Slicing-by-8 over 32-bit words: ~770 MiB/s on one core here, as fast as hash-wasm's
 * WebAssembly CRC-32C (~780 MiB/s) and 4× its SHA-256 (~190 MiB/s), with nothing to instantiate:
 * a page whose CSP forbids WebAssembly still hashes its parts, and the CLI's hashing worker
 * (plain JavaScript evaluated in the thread) runs the very same function (`crc32cUpdateWith`'s
 * source). Incremental: a part is read in chunks.
 *
 * Runs in the browser too (the web app's hashing Workers): no Node imports or globals.
 */

/**
 * The eight 256-entry tables of slicing-by-8. Self-contained (no outer names): the CLI's worker
 * evaluates its source text.
 */
export function crc32cTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  for (let t = 0; t < 8; t += 1) tables.push(new Uint32Array(256));
  const first = tables[0] as Uint32Array;
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n += 1) {
    let c = first[n] as number;
    for (let t = 1; t < 8; t += 1) {
      c = (first[c & 0xff] as number) ^ (c >>> 8);
      (tables[t] as Uint32Array)[n] = c >>> 0;
    }
  }
  return tables;
}

/**
 * The CRC-32C register after `bytes`, from `crc` (inverted: 0xFFFFFFFF to start, the checksum is
 * `(crc ^ 0xFFFFFFFF) >>> 0`). Eight bytes a step, read as two 32-bit words once the bytes are
 * 4-byte aligned on a little-endian host (every browser and Node platform), byte by byte
 * otherwise. Self-contained (no outer names): the CLI's worker evaluates its source text.
 */
export function crc32cUpdateWith(tables: readonly Uint32Array[], crc: number, bytes: Uint8Array): number {
  const t0 = tables[0] as Uint32Array, t1 = tables[1] as Uint32Array, t2 = tables[2] as Uint32Array, t3 = tables[3] as Uint32Array;
  const t4 = tables[4] as Uint32Array, t5 = tables[5] as Uint32Array, t6 = tables[6] as Uint32Array, t7 = tables[7] as Uint32Array;
  const length = bytes.length;
  let i = 0;
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  if (littleEndian) {
    while (i < length && (bytes.byteOffset + i) % 4 !== 0) crc = (t0[(crc ^ (bytes[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
    const steps = Math.floor((length - i) / 8);
    if (steps > 0) {
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, steps * 2);
      for (let w = 0; w < words.length; w += 2) {
        const a = crc ^ (words[w] as number);
        const b = words[w + 1] as number;
        crc =
          (t7[a & 0xff] as number) ^ (t6[(a >>> 8) & 0xff] as number) ^ (t5[(a >>> 16) & 0xff] as number) ^ (t4[a >>> 24] as number) ^
          (t3[b & 0xff] as number) ^ (t2[(b >>> 8) & 0xff] as number) ^ (t1[(b >>> 16) & 0xff] as number) ^ (t0[b >>> 24] as number);
      }
      i += steps * 8;
    }
  }
  while (i < length) crc = (t0[(crc ^ (bytes[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
  return crc;
}

const TABLES = crc32cTables();

/** CRC-32C over bytes fed in any number of `update` calls. */
export class Crc32c {
  /** The running register (inverted). */
  private crc = 0xffffffff;

  update(bytes: Uint8Array): this {
    this.crc = crc32cUpdateWith(TABLES, this.crc, bytes);
    return this;
  }

  /** The checksum as a number (0 to 2³²-1). */
  value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }

  /** The checksum as S3 takes it: its 4 bytes big-endian, base64 (8 characters). */
  base64(): string {
    return crc32cBase64(this.value());
  }
}

/** `value`'s 4 bytes big-endian in base64: the form of `x-amz-checksum-crc32c`. */
export function crc32cBase64(value: number): string {
  return btoa(String.fromCharCode((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
}

/** CRC-32C of `bytes` in S3's base64 form. */
export const crc32cOf = (bytes: Uint8Array): string => new Crc32c().update(bytes).base64();
