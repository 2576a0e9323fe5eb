/**
 * The CLI's config file (API URL, username, token), written by `login` with mode 0600:
 * `$MEDIA_STORE_CONFIG`, else `$XDG_CONFIG_HOME/media-store/config.json`, else
 * `~/.config/media-store/config.json`. Resumable upload state lives next to it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError, UsageError } from './errors';

interface CliConfig {
  readonly url?: string;
  readonly username?: string;
  readonly token?: string;
  /** ISO 8601, from the login response. */
  readonly tokenExpiresAt?: string;
  /** The session's refresh token (rotated at each renewal); the file is mode 0600. */
  readonly refreshToken?: string;
  /** ISO 8601. */
  readonly refreshExpiresAt?: string;
}

/** What login and refresh answer to the CLI (`"client": "cli"`). */
export interface CliSessionAnswer {
  readonly token: string;
  readonly expiresAt?: string;
  readonly refreshToken?: string;
  readonly refreshExpiresAt?: string;
}

/** The config after a login or refresh answer: the new tokens replace the old. */
export function withSession(config: CliConfig, url: string, answer: CliSessionAnswer): CliConfig {
  const { tokenExpiresAt: _expires, refreshToken: _refresh, refreshExpiresAt: _refreshExpires, ...rest } = config;
  return {
    ...rest,
    url,
    token: answer.token,
    ...(answer.expiresAt ? { tokenExpiresAt: answer.expiresAt } : {}),
    ...(answer.refreshToken ? { refreshToken: answer.refreshToken } : {}),
    ...(answer.refreshExpiresAt ? { refreshExpiresAt: answer.refreshExpiresAt } : {}),
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

export function configPath(env: Env = process.env): string {
  if (env.MEDIA_STORE_CONFIG) return path.resolve(env.MEDIA_STORE_CONFIG);
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(homedir(), '.config');
  return path.join(base, 'media-store', 'config.json');
}

/** Where upload states are kept: `uploads/` beside the config file. */
export function stateDir(env: Env = process.env): string {
  return path.join(path.dirname(configPath(env)), 'uploads');
}

export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as CliConfig;
  } catch {
    throw new CliError(`config file ${file} is not valid JSON: fix or delete it, then run media-store login`);
  }
}

/** Writes a file readable only by its owner, atomically (temp file + rename). */
export function writePrivateFile(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

export function writeConfig(file: string, config: CliConfig): void {
  writePrivateFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** `https://x/` → `https://x`; refuses anything but http(s). */
export function normalizeApiUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new UsageError(`"${input}" is not a URL (expected e.g. https://abc.execute-api.eu-west-1.amazonaws.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`"${input}" must be an http or https URL`);
  return url.toString().replace(/\/+$/, '');
}

/** `--url`, then `MEDIA_STORE_URL`, then the config file. */
export function resolveApiUrl(flag: string | undefined, env: Env, config: CliConfig): string {
  const chosen = flag ?? env.MEDIA_STORE_URL ?? config.url;
  if (!chosen) throw new UsageError('no API URL: pass --url, set MEDIA_STORE_URL, or run media-store login --url <url>');
  return normalizeApiUrl(chosen);
}

/** The saved token, only for the API it was issued by. */
export function tokenFor(url: string, config: CliConfig): string | undefined {
  if (!config.token || !config.url) return undefined;
  return normalizeApiUrl(config.url) === url ? config.token : undefined;
}
