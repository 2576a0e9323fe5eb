/**
 * `media-store export <dir> [--verify] [--delete]`: mirrors the library the user may see into a
 * local folder (issue 22 §4, docs/backup.md): the originals under their folder paths and a
 * sidecar of each in `.media-store/files/` (contract/export.ts). A second run transfers only what
 * changed (client/export-plan.ts); an interrupted one resumes its partial downloads; every
 * downloaded byte is checked against the catalog's SHA-256. Files gone from the library are
 * reported and kept unless `--delete`; `--verify` re-reads every local copy too.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../client/errors';
import { libraryPath, planExport, sidecarFor, type ExportAction } from '../../client/export-plan';
import { withRetry, type RetryPolicy } from '../../client/retry';
import { sidecarOf } from '../../contract/export';
import type { FileItem } from '../../contract/wire';
import { eachLimited } from '../dedupe';
import { CliError } from '../errors';
import { ChecksumMismatch, downloadVerified, ExportFolder, hashFile, UnsafePath } from '../export-folder';
import type { CommandContext } from '../io';
import { formatBytes } from '../progress-format';
import { progressOnStderr } from '../progress';
import { createAgents, destroyAgents } from '../transfer';

export interface ExportOptions {
  readonly dir: string;
  /** Re-read every local copy against the catalog's SHA-256 (a damaged one is downloaded again). */
  readonly verify: boolean;
  /** Remove local copies of files gone from the library. */
  readonly delete: boolean;
  readonly progress: boolean;
  readonly retry: RetryPolicy;
}

const PAGE = 1000;
/** Folders listed at once while walking the library. */
const LISTING_AT_ONCE = 4;
/** Files downloaded at once. */
const DOWNLOADS_AT_ONCE = 4;

/** Every folder and file the caller may see, walked from the root. */
async function readLibrary(context: CommandContext): Promise<{ folders: string[]; files: FileItem[] }> {
  const folders: string[] = [];
  const files: FileItem[] = [];
  let level = ['/'];
  while (level.length > 0) {
    folders.push(...level);
    const next = await eachLimited(level, LISTING_AT_ONCE, async (folder) => {
      const [children] = await Promise.all([
        context.api.call('GET /folders', { query: { parent: folder } }),
        (async () => {
          let cursor: string | undefined;
          try {
            do {
              const page = await context.api.call('GET /files', { query: { folder, limit: PAGE, cursor } });
              files.push(...page.files);
              cursor = page.nextCursor ?? undefined;
            } while (cursor);
          } catch (error) {
            // A folder on the way to the caller's folder limits: its subfolders show, its files do not.
            if (!(error instanceof ApiError && error.status === 403)) throw error;
          }
        })(),
      ]);
      return children.folders.map((f) => f.path);
    });
    level = next.flat();
  }
  return { folders, files };
}

interface Counts {
  downloaded: number;
  downloadedBytes: number;
  copied: number;
  metadata: number;
  unchanged: number;
  verified: number;
  repaired: number;
}

export async function exportLibrary(context: CommandContext, options: ExportOptions): Promise<void> {
  const { io } = context;
  const warn = (message: string): void => io.stderr(`media-store: ${message}\n`);
  const folder = new ExportFolder(path.resolve(io.cwd, options.dir));
  const manifest = folder.open(context.apiUrl, new Date());
  if (manifest.apiUrl !== context.apiUrl) warn(`${folder.root} was exported from ${manifest.apiUrl}; this run reads ${context.apiUrl}`);

  const library = await readLibrary(context);
  const local = folder.readEntries(warn);
  const plan = planExport(library.files, local);
  const failures: string[] = [];
  const counts: Counts = { downloaded: 0, downloadedBytes: 0, copied: 0, metadata: 0, unchanged: 0, verified: 0, repaired: 0 };
  const exportedAt = new Date().toISOString();

  for (const libraryFolder of library.folders) {
    try {
      mkdirSync(folder.localFolder(libraryFolder), { recursive: true });
    } catch (error) {
      if (error instanceof UnsafePath) failures.push(error.message);
      else throw error;
    }
  }

  // A local copy with the catalog's size but no sidecar (or, with --verify, any local copy) is hashed: kept when it matches.
  const actions: ExportAction[] = [];
  await eachLimited(plan.actions, DOWNLOADS_AT_ONCE, async (action) => {
    const { file } = action;
    let target: string;
    try {
      target = folder.localPath(libraryPath(file));
    } catch (error) {
      if (!(error instanceof UnsafePath)) throw error;
      failures.push(error.message);
      return;
    }
    const checkLocal = file.sha256 !== undefined && (options.verify ? action.kind === 'unchanged' || action.kind === 'metadata' : action.kind === 'download' && !local.has(libraryPath(file)));
    if (checkLocal && (await localMatches(target, file))) {
      counts.verified += 1;
      if (action.kind === 'download' || action.kind === 'metadata') {
        folder.writeSidecar(sidecarFor(file, exportedAt, local.get(libraryPath(file))?.sidecar));
        counts.metadata += 1;
      } else counts.unchanged += 1;
      return;
    }
    if (checkLocal && action.kind !== 'download') {
      warn(`${libraryPath(file)}: the local copy differs from the catalog's SHA-256; downloading it again`);
      counts.repaired += 1;
      actions.push({ kind: 'download', file });
      return;
    }
    actions.push(action);
  });

  // Copies first, through temp names, so a copy never reads a file another copy or a download replaced.
  const copies = actions.filter((a): a is Extract<ExportAction, { kind: 'copy' }> => a.kind === 'copy');
  const staged: { file: FileItem; temp: string; target: string }[] = [];
  for (const [index, copy] of copies.entries()) {
    const target = folder.localPath(libraryPath(copy.file));
    const temp = `${folder.partialPath(copy.file.sha256, copy.file.id)}.${index}.copy`;
    mkdirSync(path.dirname(temp), { recursive: true });
    copyFileSync(folder.localPath(copy.from), temp);
    if ((await hashFile(temp)).digest('base64') !== copy.file.sha256) {
      rmSync(temp, { force: true });
      actions.push({ kind: 'download', file: copy.file });
      continue;
    }
    staged.push({ file: copy.file, temp, target });
  }
  for (const { file, temp, target } of staged) {
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(temp, target);
    folder.writeSidecar(sidecarOf(file, exportedAt));
    counts.copied += 1;
  }

  for (const action of actions) {
    if (action.kind === 'metadata') {
      folder.writeSidecar(sidecarFor(action.file, exportedAt, local.get(libraryPath(action.file))?.sidecar));
      counts.metadata += 1;
    } else if (action.kind === 'unchanged') counts.unchanged += 1;
  }

  const downloads = actions.filter((a) => a.kind === 'download').map((a) => a.file);
  await downloadAll(context, folder, downloads, options, counts, failures, exportedAt);

  for (const gone of plan.gone) {
    if (options.delete) {
      rmSync(folder.localPath(gone), { force: true });
      folder.removeSidecar(gone);
      io.stdout(`deleted ${gone}: no longer in the library\n`);
    } else io.stdout(`kept ${gone}: no longer in the library (--delete removes it)\n`);
  }
  folder.writeManifest({ ...manifest, lastRunAt: new Date().toISOString() });

  const total = library.files.length;
  io.stdout(
    `exported ${total} file${total === 1 ? '' : 's'} to ${folder.root}: ${counts.downloaded} downloaded (${formatBytes(counts.downloadedBytes)}), ${counts.copied} copied locally, ` +
      `${counts.metadata} sidecars updated, ${counts.unchanged} unchanged` +
      `${options.verify ? `, ${counts.verified} verified, ${counts.repaired} damaged copies downloaded again` : ''}` +
      `${plan.gone.length > 0 ? `; ${plan.gone.length} no longer in the library${options.delete ? ' (deleted)' : ' (kept)'}` : ''}\n`,
  );
  if (failures.length > 0) throw new CliError(`${failures.length} file${failures.length === 1 ? '' : 's'} not exported:\n  ${failures.join('\n  ')}`);
}

async function localMatches(target: string, file: FileItem): Promise<boolean> {
  try {
    return (await hashFile(target)).digest('base64') === file.sha256;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return false;
    throw error;
  }
}

async function downloadAll(context: CommandContext, folder: ExportFolder, files: readonly FileItem[], options: ExportOptions, counts: Counts, failures: string[], exportedAt: string): Promise<void> {
  if (files.length === 0) return;
  const { io } = context;
  const chunkDelay = Number(io.env.MEDIA_STORE_DEBUG_GET_DELAY_MS ?? 0);
  const agents = createAgents(DOWNLOADS_AT_ONCE);
  const progress = progressOnStderr(io, files, options.progress);
  const downloadUrl = async (file: FileItem): Promise<string> => {
    const answer = await context.api.send('GET /files/{id}/download', { params: { id: file.id }, redirect: 'manual' });
    const location = answer.headers.get('location');
    if (!location) throw new CliError(`the API answered ${answer.status} without a download location for ${libraryPath(file)}`);
    return location;
  };
  try {
    await eachLimited(files, DOWNLOADS_AT_ONCE, async (file) => {
      const where = libraryPath(file);
      const partial = folder.partialPath(file.sha256, file.id);
      let track: number | undefined;
      try {
        const result = await withRetry(async () => {
          let started = false;
          return downloadVerified({
            url: () => downloadUrl(file),
            partial,
            target: folder.localPath(where),
            size: file.size,
            ...(file.sha256 !== undefined ? { sha256: file.sha256 } : {}),
            agents,
            onBytes: (bytes) => {
              if (!started) {
                started = true;
                track ??= progress.begin(where, file.size, 0);
              }
              progress.advance(track as number, bytes);
            },
            ...(chunkDelay > 0 ? { chunkDelayMs: chunkDelay } : {}),
          });
        }, options.retry);
        if (file.sha256 === undefined) warn(`${where}: the catalog has no SHA-256 of it yet; recorded the downloaded bytes' own`);
        folder.writeSidecar({ ...sidecarOf(file, exportedAt), sha256: result.sha256 });
        counts.downloaded += 1;
        counts.downloadedBytes += result.received;
        if (track !== undefined) progress.finish(track, `${where}: ${result.resumedFrom > 0 ? `resumed from ${formatBytes(result.resumedFrom)}, ` : ''}verified`);
        else if (options.progress) io.stderr(`${where}: verified\n`);
      } catch (error) {
        if (error instanceof ChecksumMismatch || error instanceof UnsafePath) failures.push(error.message);
        else if (error instanceof ApiError && error.status === 404) failures.push(`${where}: gone from the library while exporting`);
        else throw error;
      }
    });
  } finally {
    progress.end();
    destroyAgents(agents);
  }

  function warn(message: string): void {
    io.stderr(`media-store: ${message}\n`);
  }
}
