/**
 * `npm run users -- <command>`: manage the users who can log in.
 *
 *   add <name> --role admin|editor|viewer [--folders /a,/b] [--password-stdin] [--force]
 *   passwd <name> [--password-stdin]
 *   role <name> --role admin|editor|viewer
 *   folders <name> --folders /a,/b|all
 *   remove <name>
 *   list
 *   reindex
 *
 * `add` respects the maximum number of users: the local stack's (its auth function's
 * MAX_USERS, from `.local/stack.json`) or, for a deployed table, `--max-users <n>` (the
 * module's `max_users`). Without either it still counts the user but enforces nothing.
 * `reindex` rebuilds the user directory and counts of a table whose users predate them.
 *
 * Target: the running local stack (`.local/stack.json`, or `--stack <file>`) by default, or a
 * deployed table with `--table <name> [--region <region>]` and the usual AWS credentials.
 * Passwords come from a no-echo prompt, from stdin (`--password-stdin`), or — when neither
 * is possible — are generated and printed once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDocumentClient } from '../handlers/adapters/aws-clients';
import { USERNAME_PATTERN, UsersRepository } from '../handlers/adapters/users-repository';
import { hashPassword } from '../handlers/core/password';
import { isRole, parseFolderLimits, ROLES, type Role } from '../handlers/core/roles';
import { parseCommandLine, UsageError } from './args';
import { localCredentialsIn } from '../local/sigv4';

const USAGE = `usage: npm run users -- <command> [options]
  add <name> --role ${ROLES.join('|')} [--folders /a,/b] [--password-stdin] [--force]
  passwd <name> [--password-stdin]
  role <name> --role ${ROLES.join('|')}
  folders <name> --folders /a,/b|all   limit a user to folders (all: lift the limit)
  remove <name>
  list
  reindex                              rebuild the user directory and counts
target (default: the local stack in .local/stack.json):
  --stack <file>                 another local stack file
  --table <name> [--region <r>]  a deployed table, with your AWS credentials
  --max-users <n>                the module's max_users (default: the local stack's)`;

const MIN_PASSWORD_LENGTH = 8;

interface Args {
  readonly positional: string[];
  readonly options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[]): Args {
  const line = parseCommandLine(
    argv.map((arg) => (arg === '-h' ? '--help' : arg)),
    { values: ['role', 'table', 'region', 'stack', 'folders', 'max-users'], flags: ['password-stdin', 'force', 'help'], positionals: true },
  );
  const options = new Map<string, string | true>();
  for (const [name, value] of Object.entries(line.values)) if (value !== undefined) options.set(`--${name}`, value);
  for (const flag of line.flags) options.set(`--${flag}`, true);
  return { positional: [...line.positionals], options };
}

/** `local_login_enabled = false`: no password may be set (the auth function refuses the same through the API). */
function refuseWithoutLocalLogin(found: { localLoginEnabled?: boolean; target: string }, what: string): void {
  if (found.localLoginEnabled === false) throw new UsageError(`${what} is refused: password login is off in ${found.target} (local_login_enabled = false); users sign in through the identity provider`);
}

function repository(args: Args): { users: UsersRepository; target: string; maxUsers?: number; localLoginEnabled?: boolean } {
  const maxOption = args.options.get('--max-users');
  let maxUsers: number | undefined;
  if (typeof maxOption === 'string') {
    maxUsers = Number(maxOption);
    if (!/^\d+$/.test(maxOption) || maxUsers < 1) throw new UsageError('--max-users must be a whole number, at least 1');
  }
  const found = locateRepository(args);
  const limit = maxUsers ?? found.maxUsers;
  return { ...found, ...(limit !== undefined ? { maxUsers: limit } : {}) };
}

function locateRepository(args: Args): { users: UsersRepository; target: string; maxUsers?: number; localLoginEnabled?: boolean } {
  const table = args.options.get('--table');
  if (typeof table === 'string') {
    const region = args.options.get('--region');
    const client = createDocumentClient(typeof region === 'string' ? { region } : {});
    return { users: new UsersRepository({ tableName: table, client }), target: `table ${table}` };
  }
  const stackOption = args.options.get('--stack');
  const stackFile = resolve(typeof stackOption === 'string' ? stackOption : resolve(__dirname, '..', '.local', 'stack.json'));
  let stack: { dynamodbEndpoint?: unknown; region?: unknown; tableName?: unknown; maxUsers?: unknown; localLoginEnabled?: unknown; credentials?: unknown };
  try {
    stack = JSON.parse(readFileSync(stackFile, 'utf8')) as typeof stack;
  } catch {
    throw new UsageError(`no local stack found at ${stackFile}: start it with \`npm start\`, or target a deployed table with --table <name>`);
  }
  if (typeof stack.dynamodbEndpoint !== 'string' || typeof stack.tableName !== 'string') throw new UsageError(`${stackFile} has no dynamodbEndpoint/tableName`);
  // The run's own key pair: the local DynamoDB refuses requests not signed with it.
  const credentials = localCredentialsIn(stack);
  if (credentials === undefined) throw new UsageError(`${stackFile} has no credentials: restart the local stack with \`npm start\``);
  const client = createDocumentClient({
    endpoint: stack.dynamodbEndpoint,
    region: typeof stack.region === 'string' ? stack.region : 'us-east-1',
    credentials,
  });
  return {
    users: new UsersRepository({ tableName: stack.tableName, client }),
    target: `local stack ${stack.tableName}`,
    ...(typeof stack.maxUsers === 'number' ? { maxUsers: stack.maxUsers } : {}),
    ...(typeof stack.localLoginEnabled === 'boolean' ? { localLoginEnabled: stack.localLoginEnabled } : {}),
  };
}

function username(args: Args): string {
  const name = args.positional[1];
  if (name === undefined) throw new UsageError(`${args.positional[0] ?? 'this command'} needs a user name`);
  if (!USERNAME_PATTERN.test(name)) throw new UsageError(`invalid user name "${name}": use 1-64 letters, digits, ".", "_", "@" or "-"`);
  return name;
}

function role(args: Args): Role {
  const value = args.options.get('--role');
  if (typeof value !== 'string') throw new UsageError(`--role ${ROLES.join('|')} is required`);
  if (!isRole(value)) throw new UsageError(`unknown role "${value}": use ${ROLES.join(', ')}`);
  return value;
}

/** `--folders /a,/b`: the folder limits; `all` (or `/`) lifts them. */
function folders(args: Args, required: boolean): readonly string[] | null | undefined {
  const value = args.options.get('--folders');
  if (typeof value !== 'string') {
    if (required) throw new UsageError('--folders /a,/b (or all) is required');
    return undefined;
  }
  if (value === 'all') return null;
  try {
    return parseFolderLimits(value.split(',').map((f) => f.trim())) ?? null;
  } catch (error) {
    throw new UsageError(`--folders: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const stdin = process.stdin;
    let answer = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePromise(answer);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The new password and whether it was generated (and so must be shown once). */
async function choosePassword(args: Args): Promise<{ password: string; generated: boolean }> {
  let password: string;
  if (args.options.has('--password-stdin')) password = await readStdin();
  else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    if (password === '') return { password: randomBytes(18).toString('base64url'), generated: true };
    if ((await promptHidden('Repeat password: ')) !== password) throw new UsageError('passwords do not match');
  } else return { password: randomBytes(18).toString('base64url'), generated: true };
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  return { password, generated: false };
}

function announce(generated: boolean, name: string, password: string): void {
  if (generated) process.stdout.write(`generated password for ${name} (shown once): ${password}\n`);
}

export async function run(argv: readonly string[]): Promise<void> {
  // The SDK's "upgrade Node" notice would bury this tool's one-line messages.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseArgs(argv);
  const command = args.positional[0];
  if (command === undefined || args.options.has('--help') || args.options.has('-h')) {
    process.stdout.write(`${USAGE}\n`);
    if (command === undefined && !args.options.has('--help') && !args.options.has('-h')) throw new UsageError('missing command');
    return;
  }
  switch (command) {
    case 'add': {
      const name = username(args);
      const userRole = role(args);
      const limits = folders(args, false) ?? undefined;
      if (userRole === 'admin' && limits !== undefined) throw new UsageError('admins reach every folder: --folders is only for editors and viewers');
      const found = repository(args);
      const { users, target, maxUsers } = found;
      refuseWithoutLocalLogin(found, 'Adding a user with a password');
      const force = args.options.has('--force');
      if (!force && (await users.get(name)) !== undefined) throw new UsageError(`user "${name}" already exists in ${target}: use passwd to change its password, or --force to replace it`);
      const { password, generated } = await choosePassword(args);
      await users.create(
        { username: name, role: userRole, passwordHash: await hashPassword(password), ...(limits !== undefined ? { folders: limits } : {}) },
        { overwrite: force, ...(maxUsers !== undefined ? { maxUsers } : {}) },
      );
      process.stdout.write(`added ${name} (${userRole}${limits !== undefined ? `, folders ${limits.join(',')}` : ''}) to ${target}\n`);
      announce(generated, name, password);
      return;
    }
    case 'passwd': {
      const name = username(args);
      const found = repository(args);
      const { users, target } = found;
      refuseWithoutLocalLogin(found, 'Setting a password');
      if ((await users.get(name)) === undefined) throw new UsageError(`no user "${name}" in ${target}`);
      const { password, generated } = await choosePassword(args);
      await users.update(name, { passwordHash: await hashPassword(password) });
      await users.clearLoginLimiters(name);
      process.stdout.write(`password of ${name} changed in ${target}\n`);
      announce(generated, name, password);
      return;
    }
    case 'role': {
      const name = username(args);
      const userRole = role(args);
      const { users, target } = repository(args);
      await users.update(name, { role: userRole });
      process.stdout.write(`${name} is now ${userRole} in ${target}\n`);
      return;
    }
    case 'folders': {
      const name = username(args);
      const limits = folders(args, true) ?? null;
      const { users, target } = repository(args);
      const user = await users.get(name);
      if (user === undefined) throw new UsageError(`no user "${name}" in ${target}`);
      if (user.role === 'admin' && limits !== null) throw new UsageError(`${name} is an admin: admins reach every folder`);
      await users.update(name, { folders: limits });
      process.stdout.write(`${name} may now use ${limits === null ? 'every folder' : limits.join(', ')} in ${target} (from the next login)\n`);
      return;
    }
    case 'reindex': {
      const { users, target } = repository(args);
      const counts = await users.rebuildDirectory();
      process.stdout.write(`${target}: ${counts.users} users, ${counts.admins} admins\n`);
      return;
    }
    case 'remove': {
      const name = username(args);
      const { users, target } = repository(args);
      await users.remove(name);
      process.stdout.write(`removed ${name} from ${target}\n`);
      return;
    }
    case 'list': {
      const { users } = repository(args);
      const all = await users.list();
      const width = Math.max(8, ...all.map((u) => u.username.length));
      process.stdout.write(`${'username'.padEnd(width)}  role    created                   folders\n`);
      for (const u of all) process.stdout.write(`${u.username.padEnd(width)}  ${u.role.padEnd(6)}  ${u.createdAt.padEnd(24)}  ${u.folders?.join(',') ?? '(all)'}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof UsageError ? '' : /ECONNREFUSED|fetch failed/.test(message) ? ' (is the local stack running?)' : '';
    process.stderr.write(`users: ${message}${hint}\n`);
    process.exit(1);
  });
}
