/** `media-store rm` and `media-store mv`: delete, rename or move one catalog file. */
import { segment } from '../api-client';
import type { FileInfo } from '../api-types';
import { moveDestination } from '../args';
import type { CommandContext } from '../io';
import { displayPath, resolveFile } from '../resolve-file';

export async function remove(context: CommandContext, target: string): Promise<void> {
  const file = await resolveFile(context.api, target);
  await context.api.delete(`/files/${segment(file.id)}`);
  context.io.stdout(`deleted ${displayPath(file)}\n`);
}

export async function move(context: CommandContext, target: string, dest: string, overwrite: boolean): Promise<void> {
  const file = await resolveFile(context.api, target);
  const to = moveDestination(dest, file);
  const changes: Record<string, unknown> = {};
  if (to.folder !== file.folder) changes.folder = to.folder;
  if (to.name !== file.name) changes.name = to.name;
  if (Object.keys(changes).length === 0) {
    context.io.stdout(`${displayPath(file)} is already there\n`);
    return;
  }
  if (overwrite) changes.overwrite = true;
  const answer = await context.api.patch<FileInfo | { file: FileInfo }>(`/files/${segment(file.id)}`, changes);
  const moved = answer && typeof answer === 'object' && 'file' in answer ? answer.file : (answer as FileInfo | undefined);
  context.io.stdout(`moved ${displayPath(file)} to ${displayPath(moved ?? to)}${moved?.id ? ` id=${moved.id}` : ''}\n`);
}
