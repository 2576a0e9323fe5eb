/**
 * `media-store trash ls|restore|empty`: the trash (docs/api.md "Trash"). `ls` lists the entries
 * the user may restore; `restore <id>` brings one back (to its place, or beside it when taken);
 * `restore --all` or several ids, and `empty` (admins: everyone's; with ids: those forever),
 * run as a job on the server, followed here to its end.
 */
import type { TrashEntry, TrashJob, TrashJobRequest } from '../../contract/wire';
import { CliError } from '../errors';
import type { CommandContext } from '../io';
import { formatBytes } from '../progress-format';

export type TrashAction = { readonly action: 'ls'; readonly json: boolean } | { readonly action: 'restore' | 'empty'; readonly ids: readonly string[]; readonly all: boolean };

const PAGE = 500;
const JOB_POLL_MS = 1000;

const where = (entry: Pick<TrashEntry, 'folder' | 'name'>): string => `${entry.folder === '/' ? '' : entry.folder}/${entry.name}`;

function formatTrashTable(entries: readonly TrashEntry[]): string {
  const day = (iso: string): string => iso.slice(0, 10);
  const rows = entries.map((e) => [e.id, where(e), formatBytes(e.size), `${day(e.deletedAt)} ${e.deletedBy}`, day(e.expiresAt)]);
  const header = ['ID', 'WAS AT', 'SIZE', 'DELETED', 'UNTIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] as string)].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell + ' '.repeat((widths[i] as number) - [...cell].length)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function allEntries(context: CommandContext): Promise<TrashEntry[]> {
  const entries: TrashEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await context.api.call('GET /trash', { query: { limit: PAGE, cursor } });
    entries.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return entries;
}

/** Starts a trash job and polls it once a second until it has finished, telling its progress on stderr. */
async function runJob(context: CommandContext, request: TrashJobRequest): Promise<TrashJob> {
  let { job } = await context.api.call('POST /trash/jobs', { body: request });
  context.io.stderr(`job ${job.id} started\n`);
  while (job.status === 'pending' || job.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
    const seen = (await context.api.call('GET /jobs/{id}', { params: { id: job.id } })).job;
    if (seen.kind !== 'trash') throw new CliError(`job ${job.id} is not a trash job`);
    if (seen.done !== job.done) context.io.stderr(`${seen.done} done\n`);
    job = seen;
  }
  return job;
}

export async function trash(context: CommandContext, command: TrashAction): Promise<void> {
  if (command.action === 'ls') {
    const entries = await allEntries(context);
    if (command.json) context.io.stdout(JSON.stringify(entries, null, 2) + '\n');
    else if (entries.length === 0) context.io.stderr('the trash is empty\n');
    else context.io.stdout(formatTrashTable(entries));
    return;
  }
  const [only] = command.ids;
  if (command.action === 'restore' && !command.all && command.ids.length === 1 && only !== undefined) {
    const { file, renamed } = await context.api.call('POST /trash/{id}/restore', { params: { id: only }, body: {} });
    context.io.stdout(`restored ${where(file)}${renamed ? ' (its place was taken: restored beside it)' : ''} id=${file.id}\n`);
    return;
  }
  const action = command.action === 'restore' ? 'restore' : 'purge';
  const job = await runJob(context, command.all ? { action, all: true } : { action, ids: command.ids });
  const what = command.action === 'restore' ? 'restored' : 'deleted forever';
  if (job.status === 'failed') throw new CliError(`${what} ${job.done}, ${job.failed} failed: ${job.error?.message ?? 'the job failed'} (${job.error?.code ?? 'TrashJobFailed'})`);
  context.io.stdout(`${what} ${job.done} file${job.done === 1 ? '' : 's'}\n`);
}
