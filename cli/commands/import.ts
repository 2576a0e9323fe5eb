/**
 * `media-store import <dir> [--upload-duplicates] [--no-progress]`: uploads a folder back into
 * the library (issue 22 §4, docs/backup.md) under the same folder paths. An export's sidecars
 * (contract/export.ts) are honoured: content type, tags and description go with each upload;
 * the date taken comes back from the bytes themselves (processing reads it, as for any upload).
 * A plain folder imports too. Every sidecar is checked before anything is sent: one that does
 * not parse ends the run naming the file and the field. Files whose content the library already
 * holds are skipped (where, said), as `upload` does; a run that stopped resumes (the upload
 * pipeline's state files, and files already there skipped). The importer becomes the uploader.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../client/errors';
import { libraryPath } from '../../client/export-plan';
import type { RetryPolicy } from '../../client/retry';
import { EXPORT_MANIFEST, EXPORT_META_DIR, EXPORT_SIDECARS_DIR, ExportFormatError, parseManifest, parseSidecar, type ExportSidecar } from '../../contract/export';
import { stateDir } from '../config';
import { copiesInLibrary, eachLimited, hashFirst } from '../dedupe';
import { CliError, describeError } from '../errors';
import type { CommandContext } from '../io';
import { progressOnStderr } from '../progress';
import { formatBytes } from '../progress-format';
import { displayPath } from '../resolve-file';
import { UploadStateStore } from '../upload-state';
import { uploadFile } from '../uploader';

export interface ImportOptions {
  readonly dir: string;
  readonly uploadDuplicates: boolean;
  readonly progress: boolean;
  readonly retry: RetryPolicy;
}

interface LocalFile {
  readonly absolute: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly sidecar?: ExportSidecar;
}

const FOLDERS_AT_ONCE = 4;

/** The folders and files under `root` (not `.media-store`), as library paths. */
function walk(root: string): { folders: string[]; files: Omit<LocalFile, 'sidecar'>[] } {
  const folders: string[] = [];
  const files: Omit<LocalFile, 'sidecar'>[] = [];
  const visit = (dir: string, folder: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (folder === '/' && entry.name === EXPORT_META_DIR) continue;
      const absolute = path.join(dir, entry.name);
      const name = entry.name.normalize('NFC');
      if (entry.isDirectory()) {
        const child = `${folder === '/' ? '' : folder}/${name}`;
        folders.push(child);
        visit(absolute, child);
      } else if (entry.isFile()) files.push({ absolute, folder, name, size: statSync(absolute).size });
    }
  };
  visit(root, '/');
  return { folders, files };
}

/** Every sidecar of an export, checked; throws naming each one that does not parse, before anything is sent. */
function readSidecars(root: string): Map<string, ExportSidecar> {
  const meta = path.join(root, EXPORT_META_DIR);
  const manifest = path.join(meta, EXPORT_MANIFEST);
  const sidecars = new Map<string, ExportSidecar>();
  if (!existsSync(manifest)) return sidecars;
  try {
    parseManifest(readFileSync(manifest, 'utf8'));
  } catch (error) {
    if (error instanceof ExportFormatError) throw new CliError(`${manifest}: not a media-store export manifest: ${error.message}`);
    throw error;
  }
  const base = path.join(meta, EXPORT_SIDECARS_DIR);
  const problems: string[] = [];
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        const where = `/${path.relative(base, full).split(path.sep).join('/').slice(0, -'.json'.length)}`.normalize('NFC');
        try {
          const sidecar = parseSidecar(readFileSync(full, 'utf8'));
          if (libraryPath(sidecar) !== where) throw new ExportFormatError('folder', `and name say ${libraryPath(sidecar)}, but the sidecar is that of ${where}`);
          sidecars.set(where, sidecar);
        } catch (error) {
          if (!(error instanceof ExportFormatError)) throw error;
          problems.push(`${full}: ${error.message}`);
        }
      }
    }
  };
  visit(base);
  if (problems.length > 0) throw new CliError(`${problems.length} sidecar${problems.length === 1 ? '' : 's'} not readable, nothing imported:\n  ${problems.join('\n  ')}`);
  return sidecars;
}

export async function importLibrary(context: CommandContext, options: ImportOptions): Promise<void> {
  const { io } = context;
  const root = path.resolve(io.cwd, options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`${root} is not a directory`);
  const sidecars = readSidecars(root);
  const tree = walk(root);
  const files: LocalFile[] = tree.files.map((f) => {
    const sidecar = sidecars.get(libraryPath(f));
    return sidecar !== undefined ? { ...f, sidecar } : f;
  });

  // Every folder, so empty ones come back too (creating one makes its ancestors).
  await eachLimited(tree.folders, FOLDERS_AT_ONCE, (folder) => context.api.call('POST /folders', { body: { path: folder } }));

  const checksums = await hashFirst(files, true);
  const copies = await copiesInLibrary(context.api, checksums.flatMap((c) => (c ? [c.sha256] : [])));
  const states = new UploadStateStore(stateDir(io.env));
  const progress = progressOnStderr(io, files, options.progress);
  const failures: string[] = [];
  let uploaded = 0;
  let sentBytes = 0;
  let present = 0;
  let skipped = 0;
  try {
    for (const [index, file] of files.entries()) {
      const where = libraryPath(file);
      const precomputed = checksums[index];
      if (precomputed !== undefined && file.sidecar?.sha256 !== undefined && file.sidecar.sha256 !== precomputed.sha256) {
        io.stderr(`media-store: ${where}: its bytes differ from its sidecar's SHA-256 (changed since the export): imported as they are now\n`);
      }
      const found = precomputed !== undefined ? (copies.get(precomputed.sha256) ?? []) : [];
      const here = found.find((c) => c.folder === file.folder && c.name === file.name);
      if (here !== undefined || (found.length > 0 && !options.uploadDuplicates)) {
        progress.skip(file.size);
        progress.end();
        if (here !== undefined) present += 1;
        else skipped += 1;
        io.stdout(here !== undefined ? `already there ${where}\n` : `skipped ${where}: already in your library as ${displayPath(found[0] as (typeof found)[number])} id=${(found[0] as (typeof found)[number]).id}\n`);
        continue;
      }
      let track = -1;
      try {
        const result = await uploadFile({
          api: context.api,
          filePath: file.absolute,
          folder: file.folder,
          name: file.name,
          ...(file.sidecar !== undefined ? { contentType: file.sidecar.contentType, tags: file.sidecar.tags } : {}),
          ...(file.sidecar?.description !== undefined ? { description: file.sidecar.description } : {}),
          ...(precomputed !== undefined ? { precomputed } : {}),
          checksums: true,
          retry: options.retry,
          states,
          ...(context.debug ? { debug: context.debug } : {}),
          listener: {
            start: (size, stored) => {
              track = progress.begin(where, size, stored);
            },
            bytes: (delta) => {
              sentBytes += delta;
              progress.advance(track, delta);
            },
          },
        });
        progress.finish(track, `${where}: done`);
        progress.end();
        io.stdout(`uploaded ${displayPath(result)} ${formatBytes(result.size)} id=${result.fileId}\n`);
        uploaded += 1;
      } catch (error) {
        // A refusal of this one file (a name taken by other content, a type the module refuses…) does not stop the others.
        if (!(error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429)) throw error;
        progress.end();
        failures.push(`${where}: ${describeError(error, { url: context.apiUrl })}`);
      }
    }
  } finally {
    progress.end();
  }
  io.stdout(
    `imported ${files.length} file${files.length === 1 ? '' : 's'} and ${tree.folders.length} folder${tree.folders.length === 1 ? '' : 's'} from ${root}: ` +
      `${uploaded} uploaded (${formatBytes(sentBytes)}), ${present} already there, ${skipped} already in your library elsewhere${sidecars.size > 0 ? `, ${files.filter((f) => f.sidecar !== undefined).length} with their sidecar` : ''}\n`,
  );
  if (skipped > 0) io.stderr(`${skipped} already in your library elsewhere: skipped (--upload-duplicates sends them anyway)\n`);
  if (failures.length > 0) throw new CliError(`${failures.length} file${failures.length === 1 ? '' : 's'} not imported:\n  ${failures.join('\n  ')}`);
}
