/**
 * The CLI installs like one: `npm pack` of this checkout (after `npm run build`) gives a
 * tarball holding only the built CLI, and `npm install -g` of it into a temp prefix — offline,
 * with an empty npm cache, so nothing can come from a registry — yields a `media-store` that
 * runs from a clean folder, outside this checkout and its node_modules, against the local stack.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { e2eContext } from './support/context';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

describe('the packed media-store CLI', () => {
  const context = e2eContext();
  let work: string;
  let tarball: string;
  let packedFiles: string[];
  let installed: Run;
  /** Nothing of this checkout: the temp prefix's bin first, a fresh HOME and config. */
  let userEnv: NodeJS.ProcessEnv;
  let media: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'media-store-cli-install-'));
    const npmEnv = { PATH: process.env.PATH, HOME: path.join(work, 'npm-home'), npm_config_cache: path.join(work, 'empty-npm-cache') };
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, env: npmEnv, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, packed[0]!.filename);
    packedFiles = packed[0]!.files.map((f) => f.path).sort();
    const prefix = path.join(work, 'prefix');
    installed = await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { cwd: work, env: npmEnv });
    const clean = path.join(work, 'clean folder');
    mkdirSync(clean);
    media = clean;
    userEnv = {
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}/usr/bin:/bin`,
      HOME: path.join(work, 'user-home'),
    };
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('packs only the built CLI, its launcher, package.json and the README', () => {
    expect(packedFiles).toEqual(['README.md', 'bin/media-store.js', 'dist/cli/media-store.js', 'package.json']);
  });

  it('declares no dependencies, so the install needs no registry', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;

    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ 'media-store': 'bin/media-store.js' });
  });

  it('installs globally offline from an empty cache into a temp prefix', () => {
    expect(installed.stderr).not.toMatch(/ERR!/);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/added 1 package/);
  });

  it('prints its usage from a clean folder', async () => {
    const help = await run('media-store', ['--help'], { cwd: media, env: userEnv });

    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^usage: media-store <command> \[options\]/);
  });

  it('logs in, uploads a file and lists it, run from a clean folder', async () => {
    const folder = `/installed-${randomBytes(4).toString('hex')}`;
    writeFileSync(path.join(media, 'cover.jpg'), randomBytes(64 * 1024));

    const login = await run('media-store', ['login', '--url', context.apiUrl, '--username', context.editor.username, '--password-stdin'], {
      cwd: media,
      env: userEnv,
      stdin: `${context.editor.password}\n`,
    });
    const upload = await run('media-store', ['upload', 'cover.jpg', '--folder', folder, '--no-progress'], { cwd: media, env: userEnv });
    const listed = await run('media-store', ['ls', folder, '--json'], { cwd: media, env: userEnv });

    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(readFileSync(path.join(userEnv.HOME as string, '.config', 'media-store', 'config.json'), 'utf8')).toContain(context.apiUrl);
    expect(upload.stderr).toBe('');
    expect(upload.stdout).toMatch(new RegExp(`^uploaded ${folder}/cover\\.jpg 64\\.0 KiB id=\\S+\\n$`));
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'cover.jpg', folder, size: 64 * 1024 })]);
  });
});
