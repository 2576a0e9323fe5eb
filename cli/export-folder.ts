/**
 * An export folder on disk (contract/export.ts): where a library file and its sidecar go, the
 * manifest that marks the folder, reading back what earlier runs left, and the verified
 * download of one file (to a `.part` named after its content, resumed with a Range request,
 * hashed while streaming, renamed into place only when its SHA-256 matches the catalog's).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  EXPORT_MANIFEST,
  EXPORT_META_DIR,
  EXPORT_PARTIAL_DIR,
  EXPORT_SIDECARS_DIR,
  ExportFormatError,
  parseManifest,
  parseSidecar,
  type ExportManifest,
  type ExportSidecar,
} from '../contract/export';
import { libraryPath, type LocalEntry } from '../client/export-plan';
import { CliError } from './errors';
import { getFromToFile, READ_CHUNK_BYTES, type Agents } from './transfer';

/** The downloaded bytes differ from the catalog's SHA-256: the `.part` is kept, the run fails. */
export class ChecksumMismatch extends CliError {}

/** A folder or file name that cannot be a local path as it is (`..`, `.`, the export's own folder at the root). */
export class UnsafePath extends CliError {}

/** A library path's segments, refused when one could escape the folder or hit `.media-store`. */
function safeSegments(libraryPath: string): string[] {
  const segments = libraryPath.split('/').slice(1);
  const bad = segments.find((s) => s === '' || s === '.' || s === '..' || (path.sep === '\\' && s.includes('\\')) || s.includes('\0'));
  if (bad !== undefined) throw new UnsafePath(`refusing the unsafe path "${libraryPath}"`);
  if (segments[0] === EXPORT_META_DIR) throw new UnsafePath(`cannot export "${libraryPath}": ${EXPORT_META_DIR} at the root is the export's own folder`);
  return segments;
}

export class ExportFolder {
  readonly meta: string;

  constructor(readonly root: string) {
    this.meta = path.join(root, EXPORT_META_DIR);
  }

  get manifestFile(): string {
    return path.join(this.meta, EXPORT_MANIFEST);
  }

  /** Where a library file goes: `<root>/<folder>/<name>`; refuses names that would escape or hit `.media-store`. */
  localPath(libraryFilePath: string): string {
    return path.join(this.root, ...safeSegments(libraryFilePath));
  }

  /** Where a library folder goes (`/` is the root). */
  localFolder(libraryFolder: string): string {
    return libraryFolder === '/' ? this.root : path.join(this.root, ...safeSegments(libraryFolder));
  }

  sidecarPath(libraryFilePath: string): string {
    this.localPath(libraryFilePath);
    return `${path.join(this.meta, EXPORT_SIDECARS_DIR, ...libraryFilePath.split('/').slice(1))}.json`;
  }

  /** A partial download, named after its content so a resume never mixes two files' bytes. */
  partialPath(sha256: string | undefined, id: string): string {
    const key = sha256 !== undefined ? Buffer.from(sha256, 'base64').toString('hex') : `id-${createHash('sha256').update(id).digest('hex')}`;
    return path.join(this.meta, EXPORT_PARTIAL_DIR, `${key}.part`);
  }

  /**
   * Makes the folder an export, or checks it is one: a missing or empty folder becomes one; a
   * folder with anything else in it and no manifest is refused (never mixed into someone's files).
   */
  open(apiUrl: string, now: Date): ExportManifest {
    if (existsSync(this.manifestFile)) {
      try {
        return parseManifest(readFileSync(this.manifestFile, 'utf8'));
      } catch (error) {
        if (error instanceof ExportFormatError) throw new CliError(`${this.manifestFile}: not a media-store export manifest: ${error.message}`);
        throw error;
      }
    }
    if (existsSync(this.root)) {
      if (!statSync(this.root).isDirectory()) throw new CliError(`cannot write the export in ${this.root}: it is a file`);
      if (readdirSync(this.root).length > 0) throw new CliError(`${this.root} is not empty and is not a media-store export (no ${EXPORT_META_DIR}/${EXPORT_MANIFEST}): export into a new or empty directory`);
    }
    const manifest: ExportManifest = { format: EXPORT_FORMAT, version: EXPORT_FORMAT_VERSION, apiUrl, createdAt: now.toISOString() };
    try {
      this.writeManifest(manifest);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is a file' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'disk full' : undefined;
      if (reason !== undefined) throw new CliError(`cannot write the export in ${this.root}: ${reason}`, { cause: error });
      throw error;
    }
    return manifest;
  }

  writeManifest(manifest: ExportManifest): void {
    writeAtomically(this.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** The sidecars earlier runs wrote, by library path, with the size of each local copy; unreadable ones are reported and left out (their files are checked again). */
  readEntries(warn: (message: string) => void): Map<string, LocalEntry> {
    const entries = new Map<string, LocalEntry>();
    const base = path.join(this.meta, EXPORT_SIDECARS_DIR);
    const walk = (dir: string): void => {
      let names: import('node:fs').Dirent[];
      try {
        names = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of names) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && entry.name.endsWith('.json')) {
          const where = `/${path.relative(base, full).split(path.sep).join('/').slice(0, -'.json'.length)}`;
          let sidecar: ExportSidecar;
          try {
            sidecar = parseSidecar(readFileSync(full, 'utf8'));
          } catch (error) {
            if (!(error instanceof ExportFormatError)) throw error;
            warn(`${full}: not a sidecar (${error.message}); its file is checked again`);
            continue;
          }
          if (libraryPath(sidecar) !== where) {
            warn(`${full}: names ${libraryPath(sidecar)}, not ${where}; its file is checked again`);
            continue;
          }
          let localSize: number | undefined;
          try {
            const stat = statSync(this.localPath(where));
            if (stat.isFile()) localSize = stat.size;
          } catch {
            localSize = undefined;
          }
          entries.set(where, { sidecar, ...(localSize !== undefined ? { localSize } : {}) });
        }
      }
    };
    walk(base);
    return entries;
  }

  writeSidecar(sidecar: ExportSidecar): void {
    writeAtomically(this.sidecarPath(libraryPath(sidecar)), `${JSON.stringify(sidecar, null, 2)}\n`);
  }

  removeSidecar(libraryFilePath: string): void {
    rmSync(this.sidecarPath(libraryFilePath), { force: true });
  }
}

/** Writes beside the target, then renames: a reader never sees half a file. */
function writeAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/** Base64 SHA-256 of a file's bytes from `start`, streamed; the hash object is returned to continue. */
export async function hashFile(file: string, hash = createHash('sha256'), onBytes?: (bytes: number) => void): Promise<ReturnType<typeof createHash>> {
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash;
}

interface VerifiedDownload {
  readonly url: () => Promise<string>;
  readonly partial: string;
  readonly target: string;
  readonly size: number;
  /** Base64; without it the bytes are taken as they come (and their SHA-256 returned). */
  readonly sha256?: string;
  readonly agents: Agents;
  readonly onBytes: (bytes: number) => void;
  readonly chunkDelayMs?: number;
}

/**
 * Downloads into the partial file (resuming the bytes it holds), checks size and SHA-256, then
 * renames it to the target. A resumed download that does not match is fetched once more from
 * the start (the bytes held may have been the damaged ones); a fresh one that does not match
 * fails with `ChecksumMismatch`, the `.part` kept for inspection.
 */
export async function downloadVerified(request: VerifiedDownload): Promise<{ sha256: string; received: number; resumedFrom: number }> {
  mkdirSync(path.dirname(request.partial), { recursive: true });
  let held = sizeOf(request.partial) ?? 0;
  if (held > request.size) {
    rmSync(request.partial, { force: true });
    held = 0;
  }
  const resumedFrom = held;
  let received = 0;
  for (let attempt = 0; ; attempt++) {
    let hash = held > 0 ? await hashFile(request.partial) : createHash('sha256');
    if (held < request.size || held === 0) {
      const answer = await getFromToFile({
        url: await request.url(),
        filePath: request.partial,
        agents: request.agents,
        start: held,
        onChunk: (chunk) => {
          hash.update(chunk);
          received += chunk.length;
          request.onBytes(chunk.length);
        },
        ...(request.chunkDelayMs !== undefined ? { chunkDelayMs: request.chunkDelayMs } : {}),
      });
      // The server ignored the Range and sent the whole file: hash what was written.
      if (answer.restarted) hash = await hashFile(request.partial);
    }
    const digest = hash.digest('base64');
    const size = sizeOf(request.partial) ?? 0;
    if (size === request.size && (request.sha256 === undefined || digest === request.sha256)) {
      mkdirSync(path.dirname(request.target), { recursive: true });
      renameSync(request.partial, request.target);
      return { sha256: digest, received, resumedFrom };
    }
    if (held > 0 && attempt === 0) {
      rmSync(request.partial, { force: true });
      held = 0;
      continue;
    }
    throw new ChecksumMismatch(
      size !== request.size
        ? `${request.target}: received ${size} bytes where the catalog says ${request.size}; kept as ${request.partial}`
        : `${request.target}: the downloaded bytes' SHA-256 is ${digest}, the catalog's ${request.sha256}: kept as ${request.partial}`,
    );
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
