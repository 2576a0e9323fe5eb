/** `media-store rm` and `media-store mv`: delete, rename or move one catalog file. */
import type { FileChange } from '../../contract/wire';
import type { FileInfo } from '../api-types';
import { moveDestination } from '../args';
import { CliError } from '../errors';
import type { CommandContext } from '../io';
import { displayPath, resolveFile } from '../resolve-file';

export async function remove(context: CommandContext, target: string): Promise<void> {
  const file = await resolveFile(context.api, target);
  await context.api.call('DELETE /files/{id}', { params: { id: file.id } });
  context.io.stdout(`deleted ${displayPath(file)}\n`);
}

export async function move(context: CommandContext, target: string, dest: string, overwrite: boolean): Promise<void> {
  const file = await resolveFile(context.api, target);
  const to = moveDestination(dest, file);
  const changes: { -readonly [K in keyof FileChange]: FileChange[K] } = {};
  if (to.folder !== file.folder) changes.folder = to.folder;
  if (to.name !== file.name) changes.name = to.name;
  if (Object.keys(changes).length === 0) {
    context.io.stdout(`${displayPath(file)} is already there\n`);
    return;
  }
  if (overwrite) changes.overwrite = true;
  const answer = await context.api.send('PATCH /files/{id}', { params: { id: file.id }, body: changes });
  if (answer.status === 202 && 'job' in answer.body) {
    // A large file moves in the background: follow its job to the end.
    context.io.stderr(`moving ${displayPath(file)} in the background (job ${answer.body.job.id})…\n`);
    const job = await followJob(context, answer.body.job.id);
    if (job.status === 'failed') throw new CliError(`moving ${displayPath(file)} failed: ${job.error?.message ?? 'unknown error'} (${job.error?.code ?? 'MoveFailed'})`);
    context.io.stdout(`moved ${displayPath(file)} to ${displayPath(to)}${job.fileId ? ` id=${job.fileId}` : ''}\n`);
    return;
  }
  const moved = answer.body as FileInfo | undefined;
  context.io.stdout(`moved ${displayPath(file)} to ${displayPath(moved ?? to)}${moved?.id ? ` id=${moved.id}` : ''}\n`);
}

/** What `GET /jobs/{id}` answers about a move job. */
interface MoveJobInfo {
  readonly id: string;
  readonly status: 'pending' | 'running' | 'succeeded' | 'failed';
  readonly fileId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

const JOB_POLL_MS = 1000;

/** Polls the job once a second until it has finished. */
async function followJob(context: CommandContext, id: string): Promise<MoveJobInfo> {
  for (;;) {
    const { job } = await context.api.call('GET /jobs/{id}', { params: { id } });
    context.debug?.(`job ${id}: ${job.status}`);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
  }
}
