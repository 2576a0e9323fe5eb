/**
 * `media-store upload <files…>`: uploads files one after another, each in parallel parts. First
 * the files up to 64 MiB are hashed and the library asked which contents it already holds
 * (cli/dedupe.ts): those files are skipped and where their copy is said, unless
 * `--upload-duplicates`. With several files (or any skipped) it ends with what it sent, on
 * stderr: `sent <bytes> bytes of <bytes> (<n> uploaded, <m> already in your library)`.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../args';
import { stateDir } from '../config';
import { CliError, describeError } from '../errors';
import type { CommandContext } from '../io';
import { progressOnStderr } from '../progress';
import { formatBytes } from '../progress-format';
import { displayPath } from '../resolve-file';
import type { RetryPolicy } from '../../client/retry';
import { UploadStateStore } from '../upload-state';
import { uploadFile } from '../uploader';
import { copiesInLibrary, hashFirst } from '../dedupe';

/** The parsed `upload` command line, and the retry policy of the whole CLI. */
export interface UploadCommandOptions extends Omit<Extract<Command, { name: 'upload' }>, 'name'> {
  readonly retry: RetryPolicy;
}

export async function upload(context: CommandContext, options: UploadCommandOptions): Promise<void> {
  const { io } = context;
  const files = options.files.map((file) => {
    const absolute = path.resolve(io.cwd, file);
    const stat = statSync(absolute);
    if (!stat.isFile()) throw new CliError(`${file} is not a regular file`);
    return { file, absolute, size: stat.size };
  });
  const folder = options.folder.length > 1 ? options.folder.replace(/\/+$/, '') : options.folder;
  const states = new UploadStateStore(stateDir(io.env));
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const progress = progressOnStderr(io, files, options.progress);
  const putDelay = Number(io.env.MEDIA_STORE_DEBUG_PUT_DELAY_MS ?? 0);
  // Ctrl-C: the state file already names the upload; say how to continue, exit like a shell does.
  const onInterrupt = (): void => {
    progress.end();
    io.stderr('media-store: interrupted: run the same command again to resume\n');
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let sent = 0;
  let uploaded = 0;
  let skipped = 0;
  try {
    // Hashed first (bounded: a few files at a time, large ones in workers), then asked in batches.
    const checksums = options.checksums ? await hashFirst(files, options.fileSha256) : files.map(() => undefined);
    const known = checksums.flatMap((c) => (c ? [c.sha256] : []));
    const copies = options.checksums && !options.uploadDuplicates && known.length > 0 ? await copiesInLibrary(context.api, known) : new Map();
    for (const [index, { file, absolute, size }] of files.entries()) {
      const precomputed = checksums[index];
      const copy = precomputed ? copies.get(precomputed.sha256)?.[0] : undefined;
      if (copy) {
        skipped += 1;
        progress.end();
        io.stdout(`skipped ${file}: already in your library as ${displayPath(copy)} id=${copy.id}\n`);
        progress.skip(size);
        continue;
      }
      let track = -1;
      const result = await uploadFile({
        api: context.api,
        filePath: absolute,
        folder,
        ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        tags: options.tags,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
        checksums: options.checksums,
        ...(options.fileSha256 ? { fileSha256: true } : {}),
        ...(precomputed ? { precomputed } : {}),
        overwrite: options.overwrite,
        retry: options.retry,
        states,
        ...(context.debug ? { debug: context.debug } : {}),
        ...(putDelay > 0 ? { putDelayMs: putDelay } : {}),
        listener: {
          start: (size, stored) => {
            track = progress.begin(path.basename(file), size, stored);
          },
          bytes: (delta) => {
            sent += delta;
            progress.advance(track, delta);
          },
        },
      });
      const where = displayPath(result);
      const how = result.mode === 'single' ? 'single PUT' : `${result.partsSent.length} parts sent${result.resumed ? `, ${result.partsReused} resumed` : ''}`;
      progress.finish(track, `${path.basename(file)}: done (${how})`);
      // Live lines off the screen first, or the next redraw would overwrite this stdout line.
      progress.end();
      io.stdout(`uploaded ${where} ${formatBytes(result.size)} id=${result.fileId}\n`);
      uploaded += 1;
    }
  } catch (error) {
    progress.end();
    const resumable = files.some(({ absolute }) => {
      const stat = statSync(absolute, { throwIfNoEntry: false });
      return stat !== undefined && states.load({ apiUrl: context.apiUrl, filePath: absolute, size: stat.size, mtimeMs: stat.mtimeMs, folder, name: path.basename(absolute) }) !== undefined;
    });
    if (resumable) throw new CliError(`${describeError(error, { url: context.apiUrl })}; run the same command again to resume`, { cause: error });
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  progress.end();
  if (skipped > 0) io.stderr(`${skipped} already in your library: skipped (--upload-duplicates sends them anyway)\n`);
  // A summary for several files (or any skipped): what was sent of what was asked.
  if (files.length > 1 || skipped > 0) io.stderr(`sent ${sent} bytes of ${totalBytes} (${uploaded} uploaded, ${skipped} already in your library)\n`);
}
