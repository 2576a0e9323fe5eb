/**
 * The `media-store` CLI: parses the command line, resolves the API URL and token, runs one
 * command, and turns any failure into one line on stderr and a non-zero exit code.
 */
import { ApiClient } from './api-client';
import { parseCommandLine, USAGE, type ParsedCommandLine } from './args';
import { download } from './commands/download';
import { exportLibrary } from './commands/export';
import { importLibrary } from './commands/import';
import { list } from './commands/list';
import { login, loginWithProvider, renewSession } from './commands/login';
import { move, remove } from './commands/modify';
import { trash } from './commands/trash';
import { upload } from './commands/upload';
import { configPath, readConfig, resolveApiUrl, tokenFor } from './config';
import { describeError, exitCodeOf, UsageError } from './errors';
import type { CliIo, CommandContext } from './io';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../client/retry';

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    env: process.env,
    cwd: process.cwd(),
  };
}

async function runCommand(parsed: ParsedCommandLine, io: CliIo, debug: ((message: string) => void) | undefined): Promise<void> {
  const { command, global } = parsed;
  if (command.name === 'help') {
    io.stdout(`${USAGE}\n`);
    return;
  }
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...(global.retries !== undefined ? { retries: global.retries } : {}) };
  const configFile = configPath(io.env);
  const config = readConfig(configFile);
  const apiUrl = resolveApiUrl(global.url, io.env, config);
  if (command.name === 'login' && command.sso === true) {
    await loginWithProvider(io, { apiUrl, configFile, retry, ...(debug ? { debug } : {}) });
    return;
  }
  if (command.name === 'login') {
    await login(io, {
      apiUrl,
      configFile,
      passwordStdin: command.passwordStdin,
      retry,
      ...(command.username !== undefined ? { username: command.username } : {}),
      ...(debug ? { debug } : {}),
    });
    return;
  }
  const token = tokenFor(apiUrl, config);
  const expiresAt = token !== undefined && config.tokenExpiresAt !== undefined ? Date.parse(config.tokenExpiresAt) : Number.NaN;
  const api = new ApiClient({
    baseUrl: apiUrl,
    retry,
    ...(token ? { token, renewToken: () => renewSession(configFile, apiUrl, retry) } : {}),
    ...(Number.isFinite(expiresAt) ? { tokenExpiresAt: expiresAt } : {}),
    ...(debug ? { debug } : {}),
  });
  const context: CommandContext = { io, api, apiUrl, configFile, ...(debug ? { debug } : {}) };
  switch (command.name) {
    case 'upload':
      return upload(context, { ...command, retry });
    case 'ls':
      return list(context, command);
    case 'download':
      return download(context, { target: command.target, force: command.force, retry, ...(command.dest !== undefined ? { dest: command.dest } : {}) });
    case 'rm':
      return remove(context, command.target);
    case 'mv':
      return move(context, command.target, command.dest, command.overwrite);
    case 'trash':
      return trash(context, command);
    case 'export':
      return exportLibrary(context, { dir: command.dir, verify: command.verify, delete: command.delete, progress: command.progress, retry });
    case 'import':
      return importLibrary(context, { dir: command.dir, uploadDuplicates: command.uploadDuplicates, progress: command.progress, retry });
  }
}

/** Runs the CLI; resolves with the exit code instead of exiting (tests call this directly). */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debugRequested = argv.includes('--debug');
  let url: string | undefined;
  try {
    const parsed = parseCommandLine(argv);
    url = parsed.global.url ?? io.env.MEDIA_STORE_URL;
    const debug = parsed.global.debug ? (message: string) => io.stderr(`debug: ${new Date().toISOString()} ${message}\n`) : undefined;
    if (!url) {
      try {
        url = readConfig(configPath(io.env)).url;
      } catch {
        // Reported by runCommand when it matters.
      }
    }
    await runCommand(parsed, io, debug);
    return 0;
  } catch (error) {
    io.stderr(`media-store: ${describeError(error, url !== undefined ? { url } : {})}\n`);
    if (error instanceof UsageError) io.stderr('run media-store --help for usage\n');
    if (debugRequested && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
