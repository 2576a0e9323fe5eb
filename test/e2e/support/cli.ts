/**
 * Runs the real `media-store` CLI (bin/media-store.js) as a child process, with its own config
 * file in a temp directory, and collects its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', '..', 'bin', 'media-store.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliHome {
  readonly dir: string;
  readonly configFile: string;
  readonly env: NodeJS.ProcessEnv;
  remove(): void;
}

/** A temp directory holding the CLI's config (and its uploads/ state), pointed at `apiUrl`. */
export function cliHome(apiUrl: string): CliHome {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-cli-e2e-'));
  const configFile = path.join(dir, 'config', 'config.json');
  const env: NodeJS.ProcessEnv = { ...process.env, MEDIA_STORE_CONFIG: configFile, MEDIA_STORE_URL: apiUrl };
  delete env.MEDIA_STORE_DEBUG_PUT_DELAY_MS;
  return { dir, configFile, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StartedCli {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<CliRun>;
}

export function startCli(args: readonly string[], options: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string }): StartedCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: options.env, cwd: options.cwd ?? process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  child.stdin!.end(options.stdin ?? '');
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: output.stdout, stderr: output.stderr }));
  });
  return { child, output, done };
}

export function runCli(args: readonly string[], options: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string }): Promise<CliRun> {
  return startCli(args, options).done;
}

/** A file of `size` random bytes, written in chunks; returns its SHA-256 (hex). */
export function writeTestFile(file: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < size; ) {
      const chunk = randomBytes(1024 * 1024);
      const n = Math.min(chunk.length, size - written);
      writeSync(fd, chunk, 0, n);
      hash.update(chunk.subarray(0, n));
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export const sha256File = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The upload states the CLI keeps next to its config. */
export function uploadStates(home: CliHome): { uploadId: string; partCount: number; completedParts: { partNumber: number; etag: string }[] }[] {
  const dir = path.join(path.dirname(home.configFile), 'uploads');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(path.join(dir, name), 'utf8'))];
    } catch {
      return []; // being replaced at this instant
    }
  });
}

/** Part numbers the CLI logged sending (`--debug`: "part N: PUT …"), with repeats. */
export function partPuts(stderr: string): number[] {
  return [...stderr.matchAll(/ part (\d+): PUT /g)].map((m) => Number(m[1]));
}
