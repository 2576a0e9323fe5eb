/** `media-store login`: exchanges username and password for a token saved in the config file. */
import { createInterface } from 'node:readline';
import { ApiClient } from '../api-client';
import { normalizeApiUrl, readConfig, withSession, writeConfig, type CliSessionAnswer } from '../config';
import { ApiError } from '../../client/errors';
import { CliError, UsageError } from '../errors';
import type { CliIo } from '../io';
import type { RetryPolicy } from '../../client/retry';

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
  let answer: CliSessionAnswer;
  try {
    // "cli": the refresh token comes in the body (a browser gets it as a cookie).
    answer = await api.call('POST /auth/login', { body: { username, password, client: 'cli' } });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 400)) throw new CliError(`login failed: ${error.message}`);
    throw error;
  }
  const previous = readConfig(options.configFile);
  writeConfig(options.configFile, { ...withSession(previous, options.apiUrl, answer), username });
  const until = answer.refreshExpiresAt ?? answer.expiresAt;
  io.stdout(`logged in to ${options.apiUrl} as ${username}${until ? ` until ${until}` : ''}\n`);
}

/**
 * `media-store login --sso`: the device authorization flow through the service (which holds the
 * provider's client secret): shows the code and where to enter it, polls until the person
 * approved at the provider, then saves the service's session as `login` does.
 */
export async function loginWithProvider(io: CliIo, options: Omit<LoginOptions, 'username' | 'passwordStdin'> & { readonly sleep?: (ms: number) => Promise<void> }): Promise<void> {
  const api = new ApiClient({ baseUrl: options.apiUrl, retry: options.retry, ...(options.debug ? { debug: options.debug } : {}) });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let device;
  try {
    device = await api.call('POST /auth/oidc/device', { body: {} });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new CliError(`${options.apiUrl} has no identity provider configured: log in with a username and password`);
    throw error;
  }
  io.stderr(`To sign in, open ${device.verificationUriComplete ?? device.verificationUri}
and check that it shows the code ${device.userCode}
`);
  let interval = device.interval;
  const deadline = Date.now() + device.expiresIn * 1000;
  for (;;) {
    if (Date.now() > deadline) throw new CliError('the sign-in code expired before it was approved: run media-store login --sso again');
    await sleep(interval * 1000);
    try {
      const answer = await api.call('POST /auth/oidc/device/token', { body: { deviceCode: device.deviceCode } });
      const username = answer.user?.username ?? 'you';
      writeConfig(options.configFile, { ...withSession(readConfig(options.configFile), options.apiUrl, answer), username });
      io.stdout(`logged in to ${options.apiUrl} as ${username}${answer.refreshExpiresAt ? ` until ${answer.refreshExpiresAt}` : ''}
`);
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 428) continue;
      if (error instanceof ApiError && error.status === 429) {
        interval += 5;
        continue;
      }
      if (error instanceof ApiError && (error.status === 403 || error.status === 400)) throw new CliError(`sign-in failed: ${error.message}`);
      throw error;
    }
  }
}

/**
 * A new access token from the refresh token saved by `login`; the rotated refresh token
 * replaces the old one in the config file. `undefined` when there is none for this API or the
 * session has ended (the caller's refusal then surfaces: run `media-store login`).
 */
export async function renewSession(configFile: string, apiUrl: string, retry: RetryPolicy): Promise<{ token: string; expiresAt?: number } | undefined> {
  const config = readConfig(configFile);
  if (!config.refreshToken || !config.url || normalizeApiUrl(config.url) !== apiUrl) return undefined;
  let answer: CliSessionAnswer;
  try {
    answer = await new ApiClient({ baseUrl: apiUrl, retry }).call('POST /auth/refresh', { body: { refreshToken: config.refreshToken } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
  writeConfig(configFile, withSession(readConfig(configFile), apiUrl, answer));
  const expiresAt = answer.expiresAt !== undefined ? Date.parse(answer.expiresAt) : Number.NaN;
  return { token: answer.token, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
}
