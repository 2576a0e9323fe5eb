/** `media-store ls [folder] [--type]`: a table of files (or JSON lines with --json). */
import type { FileInfo } from '../api-types';
import type { FileTypeFilter } from '../args';
import type { CommandContext } from '../io';
import { formatBytes } from '../progress-format';

export interface ListOptions {
  readonly folder?: string;
  readonly type?: FileTypeFilter;
  readonly json: boolean;
}

const PAGE = 1000;

function formatTable(files: readonly FileInfo[]): string {
  const rows = files.map((f) => [f.name, formatBytes(f.size), f.contentType ?? '', (f.uploadedAt ?? '').replace(/\.\d+Z$/, 'Z'), f.id]);
  const header = ['NAME', 'SIZE', 'TYPE', 'UPLOADED', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] as string)].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] as number) - [...cell].length)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export async function list(context: CommandContext, options: ListOptions): Promise<void> {
  const files: FileInfo[] = [];
  let cursor: string | undefined;
  const query = options.type !== undefined ? { type: options.type } : { folder: options.folder ?? '/' };
  do {
    const page = await context.api.call('GET /files', { query: { ...query, limit: PAGE, cursor } });
    files.push(...page.files);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (options.json) {
    context.io.stdout(JSON.stringify(files.map(({ url: _url, ...file }) => file), null, 2) + '\n');
    return;
  }
  if (files.length === 0) {
    context.io.stderr(`no files in ${options.type !== undefined ? `type ${options.type}` : (options.folder ?? '/')}\n`);
    return;
  }
  context.io.stdout(formatTable(files));
}
