/**
 * What a platform team does first (docs/module.md, "From a fresh clone"), in a fresh clone of
 * this repository in a temp directory: `npm ci`, `npx cdktf synth` twice (what `cdktf diff`
 * and `cdktf deploy` run too), then `npm start`. Issue 16: the first synth crashed and left
 * node_modules without sharp and tsx, because the build `npm install`ed the other
 * architecture's packages into it.
 *
 * It clones the repository's HEAD (what CI and a new user get): commit before running it.
 * Slow (an `npm ci` and three builds): minutes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FUNCTION_NAMES } from '../../contract/functions';
import { healthAndAdminLogin, startAndWaitForBanner, type StartedProcess } from '../support/local-stack';

const ROOT = path.resolve(__dirname, '../..');
const MINUTE = 60_000;

interface Run {
  readonly command: string;
  readonly exit: number | null;
  readonly output: string;
}

/** A new user's shell: nothing of this test run's npm, jest or stack settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|JEST_|MEDIA_STORE_|TF_VAR_|INIT_CWD$|NODE_ENV$|NODE_OPTIONS$|PORT$)/i.test(key)) env[key] = value;
  }
  // cdktf's version check is the only other host it would contact.
  return { ...env, CHECKPOINT_DISABLE: '1' };
}

function run(cwd: string, command: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  const line = [command, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ command: line, exit, output });
    });
  });
}

/** Fails with the end of the command's output when it did not exit 0. */
function expectSuccess(result: Run | undefined): void {
  if (result?.exit !== 0) throw new Error(`\`${result?.command}\` exited with ${result?.exit}:\n${result?.output.slice(-6000)}`);
}

const sha256 = (file: string): string => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing');

/** What npm ci installed and what describes it: any change by a build shows here. */
async function installedTree(dir: string): Promise<Record<string, string>> {
  const ls = await run(dir, 'npm', ['ls', '--all', '--json'], 2 * MINUTE);
  return {
    'package.json': sha256(path.join(dir, 'package.json')),
    'package-lock.json': sha256(path.join(dir, 'package-lock.json')),
    'node_modules/.package-lock.json': sha256(path.join(dir, 'node_modules', '.package-lock.json')),
    'npm ls --all --json': createHash('sha256').update(ls.output).digest('hex'),
    'node_modules/.bin/tsx': existsSync(path.join(dir, 'node_modules', '.bin', 'tsx')) ? 'present' : 'missing',
    'node_modules/sharp': existsSync(path.join(dir, 'node_modules', 'sharp', 'package.json')) ? 'present' : 'missing',
  };
}

/** sha256 of every Lambda bundle zip in dist/. */
function zipHashes(dir: string): Record<string, string> {
  const dist = path.join(dir, 'dist');
  if (!existsSync(dist)) return {};
  return Object.fromEntries(
    readdirSync(dist)
      .filter((name) => name.endsWith('.zip'))
      .sort()
      .map((name) => [name, sha256(path.join(dist, name))]),
  );
}

describe('a fresh clone: npm ci, npx cdktf synth twice, npm start', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'media-store-fresh-clone-'));
  const clone = path.join(work, 'media-store');
  const trees: Record<string, string>[] = [];
  const zips: Record<string, string>[] = [];
  const synths: Run[] = [];
  let status: Run;

  beforeAll(async () => {
    expectSuccess(await run(work, 'git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], 2 * MINUTE));
    expectSuccess(await run(clone, 'npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], 15 * MINUTE));
    trees.push(await installedTree(clone));
    for (let i = 0; i < 2; i += 1) {
      synths.push(await run(clone, 'npx', ['cdktf', 'synth'], 10 * MINUTE));
      zips.push(zipHashes(clone));
      trees.push(await installedTree(clone));
    }
    status = await run(clone, 'git', ['status', '--porcelain'], MINUTE);
  }, 45 * MINUTE);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  }, 5 * MINUTE);

  it('npx cdktf synth succeeds right after npm ci, and again', () => {
    expectSuccess(synths[0]);
    expectSuccess(synths[1]);
    expect(existsSync(path.join(clone, 'cdktf.out', 'stacks'))).toBe(true);
  });

  it('leaves node_modules, package.json and package-lock.json exactly as npm ci installed them', () => {
    expect(trees[1]).toEqual(trees[0]);
    expect(trees[2]).toEqual(trees[0]);
  });

  it('changes no tracked file: what the build fetched is in the gitignored .cache/', () => {
    expect(status.output.trim()).toBe('');
    expect(existsSync(path.join(clone, '.cache', 'packages'))).toBe(true);
  });

  it('writes every Lambda zip, byte-identical on both synths', () => {
    expect(Object.keys(zips[0] ?? {})).toEqual(FUNCTION_NAMES.map((name) => `${name}.zip`).sort());
    expect(zips[1]).toEqual(zips[0]);
  });

  describe('then npm start', () => {
    let child: ChildProcess;
    let started: StartedProcess;

    beforeAll(async () => {
      const env = { ...userEnv(), PORT: '0', MEDIA_STORE_IN_MEMORY: '1', MEDIA_STORE_STACK_FILE: path.join(work, 'stack.json') };
      // Its own process group: npm, sh, tsx and the stack all get the Ctrl-C.
      started = await startAndWaitForBanner('npm', ['start'], { cwd: clone, env, detached: true }, 15 * MINUTE);
      child = started.child;
    }, 16 * MINUTE);

    afterAll(async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
        if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      }
    }, MINUTE);

    it('boots the local stack on a free port, and the generated admin password logs in', async () => {
      expect(await healthAndAdminLogin(started)).toEqual({ health: 200, login: 200 });
    });

    it("rebuilt the synths' very zips, and still left node_modules as npm ci installed it", async () => {
      expect(zipHashes(clone)).toEqual(zips[0]);
      expect(await installedTree(clone)).toEqual(trees[0]);
    });
  });
});
