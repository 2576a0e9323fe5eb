/**
 * The scripts' one command-line parser: `node:util` parseArgs (as the CLI's `cli/args.ts`)
 * with the scripts' conventions: `--name value` options, boolean flags, positionals only where
 * a script takes them, and a `UsageError` naming the argument that is wrong.
 */
import { parseArgs } from 'node:util';

/** A wrong command line: the scripts print its message with their usage and exit 2. */
export class UsageError extends Error {}

interface CommandLineSpec {
  /** Options that take a value (`--table <name>`), without their dashes. */
  readonly values?: readonly string[];
  /** Boolean flags (`--json`), without their dashes. */
  readonly flags?: readonly string[];
  /** Whether words without dashes are accepted (`users add <name>`). Default false. */
  readonly positionals?: boolean;
}

interface CommandLine {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** Parses `argv` by `spec`; throws UsageError for an unknown option, a missing value or a stray word. */
export function parseCommandLine(argv: readonly string[], spec: CommandLineSpec): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of spec.values ?? []) options[name] = { type: 'string' };
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
  for (const [i, arg] of argv.entries()) {
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && spec.values?.includes(name) && (next === undefined || next.startsWith('--'))) {
      throw new UsageError(`${arg} needs a value`);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.positionals ?? false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    const stray = /Unexpected argument '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    if (stray) throw new UsageError(`unexpected argument ${stray[1]}`);
    throw new UsageError(message.replace(/\. To specify.*$/s, ''));
  }
  const values: Record<string, string | undefined> = {};
  const flags = new Set<string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') values[name] = value;
    else if (value === true) flags.add(name);
  }
  return { values, flags, positionals: parsed.positionals };
}
