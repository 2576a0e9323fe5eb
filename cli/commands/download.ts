/**
 * `media-store download <id|path> [dest]`: follows the API's 302 to a presigned URL and streams
 * the bytes into a temp file beside the destination, renamed into place only when complete,
 * so an interrupted download never leaves a truncated file under the real name.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../client/errors';
import { CliError, UsageError } from '../errors';
import type { CommandContext } from '../io';
import { formatBytes } from '../progress-format';
import { progressOnStderr } from '../progress';
import { displayPath, resolveFile } from '../resolve-file';
import { withRetry, type RetryPolicy } from '../../client/retry';
import { createAgents, destroyAgents, getToFile } from '../transfer';

export interface DownloadOptions {
  readonly target: string;
  readonly dest?: string;
  readonly force: boolean;
  readonly retry: RetryPolicy;
}

/** The local file to write: `dest` itself, or the file's name inside `dest` (or the cwd). */
function downloadPath(cwd: string, name: string, dest: string | undefined): string {
  if (dest === undefined) return path.join(cwd, name);
  const resolved = path.resolve(cwd, dest);
  if (dest.endsWith('/') || dest.endsWith(path.sep) || (existsSync(resolved) && statSync(resolved).isDirectory())) return path.join(resolved, name);
  return resolved;
}

export async function download(context: CommandContext, options: DownloadOptions): Promise<void> {
  const { io } = context;
  const file = await resolveFile(context.api, options.target);
  if (file.name.includes('/') || file.name === '..' || file.name === '.') throw new CliError(`refusing the unsafe file name "${file.name}"`);
  const target = downloadPath(io.cwd, file.name, options.dest);
  if (existsSync(target) && !options.force) throw new UsageError(`${target} already exists: pass --force to overwrite it`);

  let url: string;
  try {
    const answer = await context.api.send('GET /files/{id}/download', { params: { id: file.id }, redirect: 'manual' });
    const location = answer.headers.get('location');
    if (!location) throw new CliError(`the API answered ${answer.status} without a download location`);
    url = location;
  } catch (error) {
    // An API without the download route (API Gateway's own 404): the listing's view URL serves the same bytes.
    if (error instanceof ApiError && error.status === 404 && error.code === 'Http404' && file.url) url = file.url;
    else throw error;
  }

  const temp = path.join(path.dirname(target), `.${path.basename(target)}.media-store-${process.pid}.part`);
  const agents = createAgents(1);
  const progress = progressOnStderr(io, [file]);
  const track = progress.begin(file.name, file.size);
  try {
    await withRetry(async () => {
      let received = 0;
      try {
        await getToFile({
          url,
          filePath: temp,
          agents,
          onBytes: (b) => {
            received += b;
            progress.advance(track, b);
          },
        });
      } catch (error) {
        progress.advance(track, -received);
        throw error;
      }
    }, options.retry);
    renameSync(temp, target);
    progress.finish(track, `${file.name}: done`);
  } catch (error) {
    progress.end();
    rmSync(temp, { force: true });
    throw error;
  } finally {
    destroyAgents(agents);
  }
  progress.end();
  io.stdout(`downloaded ${displayPath(file)} ${formatBytes(file.size)} to ${target}\n`);
}
