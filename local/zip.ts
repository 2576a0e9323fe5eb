/**
 * Reads the Lambda bundle zips with node alone (no unzip binary, no extra package):
 * the central directory, stored and deflated entries, CRC-checked.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits the archive records (e.g. 0o755 for a native binary), if any. */
  readonly mode?: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export function readZip(file: string): ZipEntry[] {
  const zip = readFileSync(file);
  const eocd = findEndOfCentralDirectory(zip, file);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  if (offset === 0xffffffff) throw new Error(`${file}: zip64 archives are not supported`);

  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`${file}: corrupt central directory`);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const madeByUnix = zip.readUInt8(offset + 5) === 3;
    const unixMode = (zip.readUInt32LE(offset + 38) >>> 16) & 0o777;
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;

    if (zip.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new Error(`${file}: corrupt entry ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${file}: entry ${name} uses unsupported compression method ${method}`);
    if (crc32(data) >>> 0 !== crc) throw new Error(`${file}: CRC mismatch in ${name}`);
    entries.push({ name, data, ...(madeByUnix && unixMode !== 0 ? { mode: unixMode } : {}) });
  }
  return entries;
}

/** Extracts every entry under `dir` with its recorded mode (executables stay executable), refusing names that would escape it. */
export function extractZip(file: string, dir: string): string[] {
  const root = path.resolve(dir);
  const names: string[] = [];
  for (const entry of readZip(file)) {
    const target = path.resolve(root, entry.name);
    if (!target.startsWith(root + path.sep)) throw new Error(`${file}: entry ${entry.name} escapes the target directory`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, entry.data, entry.mode !== undefined ? { mode: entry.mode } : {});
    if (entry.mode !== undefined) chmodSync(target, entry.mode); // writeFileSync's mode only applies to new files, and the umask trims it
    names.push(entry.name);
  }
  return names;
}

function findEndOfCentralDirectory(zip: Buffer, file: string): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes at the very end.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) return i;
  }
  throw new Error(`${file} is not a zip archive`);
}

/** Writes a zip of stored (uncompressed) entries: enough for throwaway test bundles. */
export function writeZip(file: string, entries: readonly ZipEntry[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_FILE_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_FILE_HEADER, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, directory, end]));
}
