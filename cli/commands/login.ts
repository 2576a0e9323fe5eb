/** `media-store login`: exchanges username and password for a token saved in the config file. */
import { createInterface } from 'node:readline';
import { ApiClient } from '../api-client';
import { readConfig, writeConfig } from '../config';
import { ApiError, CliError, UsageError } from '../errors';
import type { CliIo } from '../io';
import type { RetryPolicy } from '../retry';

export interface LoginOptions {
  readonly apiUrl: string;
  readonly configFile: string;
  readonly username?: string;
  readonly passwordStdin: boolean;
  readonly retry: RetryPolicy;
  readonly debug?: (message: string) => void;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function askLine(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

/** Reads a password from the terminal without echoing it. */
async function askSecret(io: CliIo, question: string): Promise<string> {
  const stdin = io.stdin;
  if (!stdin.isTTY || !stdin.setRawMode) throw new UsageError('no terminal to ask for the password: pipe it with --password-stdin');
  io.stderr(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (data: Buffer | string): void => {
        for (const char of data.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(new CliError('login cancelled'));
            return;
          }
          if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
          else value += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    io.stderr('\n');
  }
}

export async function login(io: CliIo, options: LoginOptions): Promise<void> {
  let username = options.username;
  let password: string;
  if (options.passwordStdin) {
    if (!username) throw new UsageError('--password-stdin needs --username');
    password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  } else {
    if (!io.stdin.isTTY) throw new UsageError('no terminal to ask for credentials: use --username <name> --password-stdin');
    username ??= (await askLine(io, 'username: ')).trim();
    password = await askSecret(io, 'password: ');
  }
  if (!username) throw new UsageError('a username is required');
  if (!password) throw new UsageError('a password is required');

  const api = new ApiClient({ baseUrl: options.apiUrl, retry: options.retry, ...(options.debug ? { debug: options.debug } : {}) });
  let answer: { token: string; expiresAt?: string };
  try {
    answer = await api.post<{ token: string; expiresAt?: string }>('/auth/login', { username, password });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 400)) throw new CliError(`login failed: ${error.message}`);
    throw error;
  }
  const previous = readConfig(options.configFile);
  writeConfig(options.configFile, {
    ...previous,
    url: options.apiUrl,
    username,
    token: answer.token,
    ...(answer.expiresAt ? { tokenExpiresAt: answer.expiresAt } : {}),
  });
  io.stdout(`logged in to ${options.apiUrl} as ${username}${answer.expiresAt ? ` until ${answer.expiresAt}` : ''}\n`);
}
