/**
 * Command-line parsing, pure: argv (without `node` and the script) → a typed command, or a
 * `UsageError` naming what is wrong. Options may come before or after the command.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors';
import type { TrashAction } from './commands/trash';

const FILE_TYPES = ['image', 'video', 'other'] as const;
export type FileTypeFilter = (typeof FILE_TYPES)[number];

const MAX_PARALLEL = 32;

export const USAGE = `usage: media-store <command> [options]

commands:
  login [--username <name>] [--password-stdin]     log in and save the token
  login --sso                                      sign in through the organisation's identity provider (device flow)
  upload <files…> [--folder /x] [--parallel n]     upload files (multipart when large, resumable;
                                                   parts in flight: chosen from the measured rate,
                                                   2-16, unless --parallel fixes it)
         [--content-type <type>] [--tags a,b] [--description <text>] [--no-progress]
         [--no-checksum]  (skip the CRC-32C of each part and the SHA-256 of the file, which S3 verifies)
         [--file-sha256]  (hash a large file before sending too, so it is checked for a copy:
                          one more read; by default files over 64 MiB are hashed while sent)
         [--upload-duplicates]  (send files already in your library too; by default a
                          file whose content is there is skipped, and where it is is said)
         [--overwrite]    (replace a file of the same name; without it that is an error)
  ls [folder] [--type image|video|other] [--json]  list a folder (default /) or all files of a type
  download <id|/folder/name> [dest] [--force]      download a file (dest: a file or a directory)
  rm <id|/folder/name>                             delete a file
  mv <id|/folder/name> <dest> [--overwrite]        rename or move: dest "/other/" (folder),
                                                   "new name" (same folder) or "/other/new name"
  trash ls [--json]                                deleted files you may restore (rm moves files there)
  trash restore <entry id…> | --all                restore to their places (beside them when taken)
  trash empty [<entry id…>]                        delete forever: the ids given, or (admins) everything
  export <dir> [--verify] [--delete] [--no-progress]
                                                   mirror what you may see into dir: originals under
                                                   their folders, a sidecar of each in dir/.media-store;
                                                   again: only what changed, partial downloads resumed,
                                                   every SHA-256 checked. --verify re-reads local
                                                   copies; --delete removes those gone from the library
  import <dir> [--upload-duplicates] [--no-progress]
                                                   upload a folder back under the same folder paths:
                                                   an export's sidecars restore tags, description and
                                                   content type; files already there are skipped

options for every command:
  --url <url>        the API (else MEDIA_STORE_URL, else the URL saved by login)
  --retries <n>      retries of a failed request, with backoff (default 5)
  --debug            log each request; show stack traces
  -h, --help         this help

files: config ${'$'}MEDIA_STORE_CONFIG or ~/.config/media-store/config.json (mode 0600);
       resumable uploads in uploads/ next to it.`;

export interface GlobalOptions {
  readonly url?: string;
  readonly retries?: number;
  readonly debug: boolean;
}

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'login'; readonly username?: string; readonly passwordStdin: boolean; readonly sso?: boolean }
  | {
      readonly name: 'upload';
      readonly files: readonly string[];
      readonly folder: string;
      /** Parts in flight, fixed; absent: adaptive. */
      readonly parallel?: number;
      readonly contentType?: string;
      readonly tags: readonly string[];
      readonly description?: string;
      readonly progress: boolean;
      readonly checksums: boolean;
      /** Declare the whole file's SHA-256 whatever its size (else only up to 64 MiB). */
      readonly fileSha256: boolean;
      /** Send files whose content is already in the library (else skipped). */
      readonly uploadDuplicates: boolean;
      /** Replace a file of the same name (else the server answers 409 FileExists). */
      readonly overwrite: boolean;
    }
  | { readonly name: 'ls'; readonly folder?: string; readonly type?: FileTypeFilter; readonly json: boolean }
  | { readonly name: 'download'; readonly target: string; readonly dest?: string; readonly force: boolean }
  | { readonly name: 'rm'; readonly target: string }
  | { readonly name: 'mv'; readonly target: string; readonly dest: string; readonly overwrite: boolean }
  | ({ readonly name: 'trash' } & TrashAction)
  | { readonly name: 'export'; readonly dir: string; readonly verify: boolean; readonly delete: boolean; readonly progress: boolean }
  | { readonly name: 'import'; readonly dir: string; readonly uploadDuplicates: boolean; readonly progress: boolean };

export interface ParsedCommandLine {
  readonly global: GlobalOptions;
  readonly command: Command;
}

const OPTIONS = {
  url: { type: 'string' },
  retries: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  folder: { type: 'string' },
  parallel: { type: 'string' },
  'content-type': { type: 'string' },
  tags: { type: 'string' },
  description: { type: 'string' },
  'no-progress': { type: 'boolean' },
  'no-checksum': { type: 'boolean' },
  'file-sha256': { type: 'boolean' },
  'upload-duplicates': { type: 'boolean' },
  type: { type: 'string' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  sso: { type: 'boolean' },
  all: { type: 'boolean' },
  verify: { type: 'boolean' },
  delete: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Which command-specific options each command takes (the global ones go everywhere). */
const ALLOWED: Readonly<Record<Exclude<Command['name'], 'help'>, readonly OptionName[]>> = {
  login: ['username', 'password-stdin', 'sso'],
  upload: ['folder', 'parallel', 'content-type', 'tags', 'description', 'no-progress', 'no-checksum', 'file-sha256', 'upload-duplicates', 'overwrite'],
  ls: ['type', 'json'],
  download: ['force'],
  rm: [],
  mv: ['overwrite'],
  trash: ['json', 'all'],
  export: ['verify', 'delete', 'no-progress'],
  import: ['upload-duplicates', 'no-progress'],
};
const GLOBAL: readonly OptionName[] = ['url', 'retries', 'debug', 'help'];

function wholeNumber(value: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${option} must be a whole number from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

function positionals(command: string, values: readonly string[], min: number, max: number, shape: string): readonly string[] {
  if (values.length < min || values.length > max) throw new UsageError(`${command} takes ${shape}`);
  return values;
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(((error as Error).message.split('\n')[0] ?? 'bad arguments').replace(/^Unknown option '(.*)'.*$/, 'unknown option $1'));
  }
  const values = parsed.values as Partial<Record<OptionName, string | boolean>>;
  const global: GlobalOptions = {
    ...(typeof values.url === 'string' ? { url: values.url } : {}),
    ...(typeof values.retries === 'string' ? { retries: wholeNumber(values.retries, 'retries', 0, 20) } : {}),
    debug: values.debug === true,
  };
  const [name, ...rest] = parsed.positionals;
  if (values.help === true || name === undefined || name === 'help') return { global, command: { name: 'help' } };
  if (!(name in ALLOWED)) throw new UsageError(`unknown command "${name}" (expected ${Object.keys(ALLOWED).join(', ')})`);
  const commandName = name as keyof typeof ALLOWED;
  for (const option of Object.keys(values) as OptionName[]) {
    if (!GLOBAL.includes(option) && !ALLOWED[commandName].includes(option)) throw new UsageError(`${commandName} does not take --${option}`);
  }
  const string = (option: OptionName): string | undefined => (typeof values[option] === 'string' ? (values[option] as string) : undefined);

  switch (commandName) {
    case 'login': {
      positionals('login', rest, 0, 0, 'no arguments');
      const username = string('username');
      if (values.sso === true && (username !== undefined || values['password-stdin'] === true)) throw new UsageError('--sso signs in at the identity provider: it takes no --username or --password-stdin');
      return { global, command: { name: 'login', ...(username !== undefined ? { username } : {}), passwordStdin: values['password-stdin'] === true, ...(values.sso === true ? { sso: true } : {}) } };
    }
    case 'upload': {
      const files = positionals('upload', rest, 1, Infinity, 'one or more files');
      const folder = string('folder') ?? '/';
      if (!folder.startsWith('/')) throw new UsageError(`--folder must start with "/", got "${folder}"`);
      const contentType = string('content-type');
      const description = string('description');
      const tags = (string('tags') ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      return {
        global,
        command: {
          name: 'upload',
          files,
          folder,
          ...(string('parallel') !== undefined ? { parallel: wholeNumber(string('parallel') as string, 'parallel', 1, MAX_PARALLEL) } : {}),
          ...(contentType !== undefined ? { contentType } : {}),
          tags,
          ...(description !== undefined ? { description } : {}),
          progress: values['no-progress'] !== true,
          checksums: values['no-checksum'] !== true,
          fileSha256: values['file-sha256'] === true,
          uploadDuplicates: values['upload-duplicates'] === true,
          overwrite: values.overwrite === true,
        },
      };
    }
    case 'ls': {
      const [folder] = positionals('ls', rest, 0, 1, 'at most one folder');
      const type = string('type');
      if (type !== undefined && !(FILE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${FILE_TYPES.join(', ')}, got "${type}"`);
      if (type !== undefined && folder !== undefined) throw new UsageError('ls takes a folder or --type, not both');
      if (folder !== undefined && !folder.startsWith('/')) throw new UsageError(`folder must start with "/", got "${folder}"`);
      return {
        global,
        command: { name: 'ls', ...(folder !== undefined ? { folder } : {}), ...(type !== undefined ? { type: type as FileTypeFilter } : {}), json: values.json === true },
      };
    }
    case 'download': {
      const [target, dest] = positionals('download', rest, 1, 2, 'a file id or /folder/name, and an optional destination');
      return { global, command: { name: 'download', target: target as string, ...(dest !== undefined ? { dest } : {}), force: values.force === true } };
    }
    case 'rm': {
      const [target] = positionals('rm', rest, 1, 1, 'one file id or /folder/name');
      return { global, command: { name: 'rm', target: target as string } };
    }
    case 'mv': {
      const [target, dest] = positionals('mv', rest, 2, 2, 'a file id or /folder/name and a destination');
      return { global, command: { name: 'mv', target: target as string, dest: dest as string, overwrite: values.overwrite === true } };
    }
    case 'export': {
      const [dir] = positionals('export', rest, 1, 1, 'one directory');
      return { global, command: { name: 'export', dir: dir as string, verify: values.verify === true, delete: values.delete === true, progress: values['no-progress'] !== true } };
    }
    case 'import': {
      const [dir] = positionals('import', rest, 1, 1, 'one directory');
      return { global, command: { name: 'import', dir: dir as string, uploadDuplicates: values['upload-duplicates'] === true, progress: values['no-progress'] !== true } };
    }
    case 'trash': {
      const [action, ...ids] = rest;
      const all = values.all === true;
      if (action === 'ls') {
        positionals('trash ls', ids, 0, 0, 'no arguments');
        if (all) throw new UsageError('trash ls does not take --all');
        return { global, command: { name: 'trash', action: 'ls', json: values.json === true } };
      }
      if (action !== 'restore' && action !== 'empty') throw new UsageError(`trash takes ls, restore or empty${action === undefined ? '' : `, got "${action}"`}`);
      if (values.json === true) throw new UsageError(`trash ${action} does not take --json`);
      if (action === 'restore' && all === (ids.length > 0)) throw new UsageError('trash restore takes entry ids (from trash ls) or --all');
      if (action === 'empty' && all) throw new UsageError('trash empty empties everything without --all; give entry ids to delete only those');
      const bad = ids.find((id) => !/^[0-9a-z]{9}[A-Za-z0-9_-]{12}$/.test(id));
      if (bad !== undefined) throw new UsageError(`"${bad}" is not a trash entry id (see trash ls)`);
      return { global, command: { name: 'trash', action, ids, all: action === 'empty' ? ids.length === 0 : all } };
    }
  }
}

/** Where `mv` puts a file: `/x/` → folder /x, same name; `name` → same folder; `/x/name` → both. */
export function moveDestination(dest: string, current: { folder: string; name: string }): { folder: string; name: string } {
  if (dest === '' || dest === '/') return { folder: '/', name: current.name };
  if (dest.endsWith('/')) return { folder: dest.replace(/\/+$/, '') || '/', name: current.name };
  if (!dest.includes('/')) return { folder: current.folder, name: dest };
  if (!dest.startsWith('/')) throw new UsageError(`destination "${dest}" must start with "/" when it names a folder`);
  const slash = dest.lastIndexOf('/');
  return { folder: dest.slice(0, slash) || '/', name: dest.slice(slash + 1) };
}

/** `/folder/name` → its parts; anything not starting with "/" is taken as a file id. */
export function splitFilePath(target: string): { folder: string; name: string } | undefined {
  if (!target.startsWith('/')) return undefined;
  const slash = target.lastIndexOf('/');
  const name = target.slice(slash + 1);
  if (!name) throw new UsageError(`"${target}" names a folder, not a file`);
  return { folder: target.slice(0, slash) || '/', name };
}
