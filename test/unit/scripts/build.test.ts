import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FUNCTION_NAMES, FUNCTIONS } from '../../../contract/functions';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function build(outDir: string): void {
  execFileSync(process.execPath, [TSX, 'scripts/build.ts', '--out', outDir], { cwd: ROOT, stdio: 'pipe' });
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The cursor key's secret (the files function reads it on first listing). */
const CURSOR_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:media-store-cursor-key-AbCdEf';

describe('npm run build', () => {
  let first: string;
  let second: string;

  beforeAll(() => {
    first = mkdtempSync(join(tmpdir(), 'media-store-build-a-'));
    second = mkdtempSync(join(tmpdir(), 'media-store-build-b-'));
    build(first);
    build(second);
  }, 120_000);

  afterAll(() => {
    rmSync(first, { recursive: true, force: true });
    rmSync(second, { recursive: true, force: true });
  });

  it.each(FUNCTION_NAMES.map((n) => [n]))('writes byte-identical %s.zip from the same source', (name) => {
    expect(sha256(join(first, `${name}.zip`))).toBe(sha256(join(second, `${name}.zip`)));
  });

  const bundleOnly = FUNCTION_NAMES.filter((n) => FUNCTIONS[n].packages === undefined);
  it.each(bundleOnly.map((n) => [n]))('writes a readable %s.zip holding index.js and index.js.map', (name) => {
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', join(first, `${name}.zip`)], { encoding: 'utf8' });
    const names = listing.split('\n').slice(1).map((line) => line.trim().split(/\s+/)[0]).filter(Boolean);
    expect(names).toEqual(['index.js', 'index.js.map']);
  });

  describe('process.zip', () => {
    const entries = (): { name: string; mode: number }[] => {
      const script = 'import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(oct(i.external_attr >> 16), i.filename)';
      return execFileSync('python3', ['-c', script, join(first, 'process.zip')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => {
          const [mode, name] = line.split(' ', 2) as [string, string];
          return { name, mode: Number.parseInt(mode.slice(2), 8) };
        });
    };

    it('ships sharp, libvips and ffmpeg for both linux-x64 and linux-arm64, and heic-decode, beside the bundle', () => {
      const packages = new Set(entries().map((e) => e.name.split('/').slice(0, e.name.startsWith('node_modules/@') ? 3 : 2).join('/')));
      for (const required of [
        'index.js',
        'node_modules/sharp',
        'node_modules/@img/sharp-linux-x64',
        'node_modules/@img/sharp-linux-arm64',
        'node_modules/@img/sharp-libvips-linux-x64',
        'node_modules/@img/sharp-libvips-linux-arm64',
        'node_modules/@ffmpeg-installer/linux-x64',
        'node_modules/@ffmpeg-installer/linux-arm64',
        'node_modules/heic-decode',
        'node_modules/libheif-js',
      ]) {
        expect(packages).toContain(required);
      }
      // No other platform's binaries (musl, darwin, wasm32).
      expect([...packages].filter((p) => /musl|darwin|win32|wasm32/.test(p))).toEqual([]);
    });

    it('stores both ffmpeg binaries executable by anyone (Lambda runs as non-root) and nothing else executable but native code', () => {
      const ffmpeg = entries().filter((e) => /ffmpeg-installer\/linux-(x64|arm64)\/ffmpeg$/.test(e.name));
      expect(ffmpeg.map((e) => e.mode)).toEqual([0o100755, 0o100755]);
      expect(entries().filter((e) => e.mode === 0o100755 && !/ffmpeg$|\.node$/.test(e.name))).toEqual([]);
    });
  });

  it.each(FUNCTION_NAMES.map((n) => [n]))('bundles %s so that index.js exports handler', (name) => {
    const dir = join(first, `${name}-unpacked`);
    execFileSync('python3', ['-m', 'zipfile', '-e', join(first, `${name}.zip`), dir]);
    const env = { PATH: process.env.PATH, TABLE_NAME: 't', BUCKET_NAME: 'b', JWT_SECRET: 'x'.repeat(32), CURSOR_SECRET_ARN: CURSOR_ARN, MOVE_FUNCTION_NAME: 'm', VIDEO_WORKFLOW_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:v', AWS_REGION: 'us-east-1' };
    const type = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], { env, encoding: 'utf8' });
    expect(type).toBe('function');
  });

  it('serves GET /health and maps an unknown route to a JSON 404 from the built auth bundle', () => {
    const dir = join(first, 'auth-health');
    execFileSync('python3', ['-m', 'zipfile', '-e', join(first, 'auth.zip'), dir]);
    const script = `
      const { handler } = require(${JSON.stringify(join(dir, 'index.js'))});
      const event = (routeKey) => ({ routeKey, headers: {}, requestContext: { http: { method: routeKey.split(' ')[0] } } });
      Promise.all([handler(event('GET /health'), { awsRequestId: 'r' }), handler(event('GET /nope'), { awsRequestId: 'r' })])
        .then((results) => process.stdout.write(JSON.stringify(results.map((r) => [r.statusCode, JSON.parse(r.body)]))));`;
    const env = { PATH: process.env.PATH, TABLE_NAME: 't', JWT_SECRET: 'x'.repeat(32), AWS_REGION: 'us-east-1', LOG_LEVEL: 'error' };
    const output = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(output)).toEqual([
      [200, { status: 'ok' }],
      [404, { error: { code: 'NotFound', message: 'No route for GET /nope' } }],
    ]);
  });

  it('signs SDK calls with the credentials Lambda puts in the environment, from a bundle unpacked away from node_modules', () => {
    // Prepare: the files bundle outside the project, its DynamoDB endpoint a closed port.
    const dir = join(first, 'files-unpacked');  // (no "credential" in its name: the 503's log names the path)
    execFileSync('python3', ['-m', 'zipfile', '-e', join(first, 'files.zip'), dir]);
    const script = `
      const { handler } = require(${JSON.stringify(join(dir, 'index.js'))});
      const event = { routeKey: 'GET /files', rawPath: '/files', headers: {}, queryStringParameters: { folder: '/' }, requestContext: { http: { method: 'GET' }, authorizer: { lambda: { username: 'ana', role: 'admin' } } } };
      handler(event, { awsRequestId: 'r' }).then((r) => process.stdout.write('status ' + r.statusCode));`;
    const env = { PATH: process.env.PATH, TABLE_NAME: 't', BUCKET_NAME: 'b', JWT_SECRET: 'x'.repeat(32), CURSOR_SECRET_ARN: CURSOR_ARN, MOVE_FUNCTION_NAME: 'm', VIDEO_WORKFLOW_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:v', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
    // Act
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' });
    // Assess: the request got as far as the network (credentials resolved), and failed there
    // (a refused connection is a passing trouble: 503, which clients retry).
    expect(run.stdout).toMatch(/status 503$/);
    expect(run.stderr + run.stdout).not.toMatch(/credential/i);
    expect(run.stdout + run.stderr).toMatch(/ECONNREFUSED/);
  });

  describe('the CLI bundle', () => {
    const cli = (dir: string): string => join(dir, 'cli', 'media-store.js');

    it('is one executable file with a node shebang, the same bytes from the same source', () => {
      expect(readFileSync(cli(first), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
      expect(statSync(cli(first)).mode & 0o111).toBe(0o111);
      expect(sha256(cli(first))).toBe(sha256(cli(second)));
    });

    it("requires nothing but Node's own modules, so it runs with no node_modules", () => {
      const required = [...readFileSync(cli(first), 'utf8').matchAll(/\brequire\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2]);

      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((name) => !name!.startsWith('node:'))).toEqual([]);
    });

    it('prints its usage when run from a folder outside the checkout', () => {
      const output = execFileSync(process.execPath, [cli(first), '--help'], { cwd: tmpdir(), env: { PATH: process.env.PATH }, encoding: 'utf8' });

      expect(output).toMatch(/^usage: media-store <command> \[options\]/);
    });
  });
});
