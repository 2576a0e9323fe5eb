/** Every CLI failure is one line on stderr and a non-zero exit code, never a stack trace. */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeConfig } from '../../cli/config';
import { e2eContext } from './support/context';
import { cliHome, runCli, type CliHome, type CliRun } from './support/cli';

jest.setTimeout(60_000);

/** A port nothing listens on. */
/** A CLI home logged in as `user`, and a scratch dir for local files. */
async function loggedIn(apiUrl: string, user: { username: string; password: string }): Promise<{ home: CliHome; work: string }> {
  const home = cliHome(apiUrl);
  const work = mkdtempSync(path.join(tmpdir(), 'media-store-cli-errors-'));
  const login = await runCli(['login', '--username', user.username, '--password-stdin'], { env: home.env, stdin: user.password });
  expect(login.code).toBe(0);
  return { home, work };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectOneLine(run: CliRun, code: number, line: RegExp | string): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  if (typeof line === 'string') expect(lines[0]).toBe(`media-store: ${line}`);
  else expect(lines[0]).toMatch(line);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(lines.length).toBe(code === 2 ? 2 : 1);
}

describe('media-store CLI errors', () => {
  const context = e2eContext();
  let home: CliHome;
  let work: string;

  beforeAll(async () => {
    ({ home, work } = await loggedIn(context.apiUrl, context.viewer));
  });

  afterAll(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('says to log in when there is no token', async () => {
    const fresh = cliHome(context.apiUrl);
    try {
      expectOneLine(await runCli(['ls', '/'], { env: fresh.env }), 1, 'not logged in or token expired: run media-store login');
    } finally {
      fresh.remove();
    }
  });

  it('says to log in again when the API refuses the token (API Gateway\'s 403 for a token its authorizer denies)', async () => {
    const stale = cliHome(context.apiUrl);
    writeConfig(stale.configFile, { url: context.apiUrl, token: 'eyJhbGciOiJIUzI1NiJ9.e30.invalid' });
    try {
      expectOneLine(await runCli(['ls', '/'], { env: stale.env }), 1, 'not logged in or token expired: run media-store login');
    } finally {
      stale.remove();
    }
  });

  it('says the connection was refused when nothing listens at the URL', async () => {
    const port = await closedPort();

    const run = await runCli(['ls', '/', '--url', `http://127.0.0.1:${port}`, '--retries', '0'], { env: home.env });

    expectOneLine(run, 1, `cannot connect to 127.0.0.1:${port}: connection refused (is the API running, is the URL right?)`);
  });

  it('retries with backoff before giving up on a refused connection (--debug shows the retries)', async () => {
    const port = await closedPort();

    const run = await runCli(['ls', '/', '--url', `http://127.0.0.1:${port}`, '--retries', '2', '--debug'], { env: home.env });

    expect(run.code).toBe(1);
    expect(run.stderr.match(/retry \d in \d+ ms/g)).toHaveLength(2);
    expect(run.stderr).toMatch(/media-store: cannot connect to/);
  });

  it('answers a viewer uploading with the 403 in one line', async () => {
    const file = path.join(work, 'a.jpg');
    writeFileSync(file, Buffer.alloc(1000, 1));

    expectOneLine(await runCli(['upload', file, '--no-progress'], { env: home.env }), 1, /^media-store: forbidden: /);
  });

  it('refuses a wrong password in one line', async () => {
    const other = cliHome(context.apiUrl);
    try {
      const run = await runCli(['login', '--username', context.viewer.username, '--password-stdin'], { env: other.env, stdin: 'wrong-password' });
      expectOneLine(run, 1, /^media-store: login failed: /);
    } finally {
      other.remove();
    }
  });

  it('names a missing local file', async () => {
    expectOneLine(await runCli(['upload', path.join(work, 'nope.jpg')], { env: home.env }), 1, `no such file or directory: ${path.join(work, 'nope.jpg')}`);
  });

  it('names a missing remote file', async () => {
    expectOneLine(await runCli(['download', '/nowhere/nothing.jpg', work], { env: home.env }), 1, 'not found: no file /nowhere/nothing.jpg');
  });

  it('exits 2 on bad arguments and points to --help', async () => {
    const run = await runCli(['upload', 'x.jpg', '--parallel', 'many'], { env: home.env });

    expectOneLine(run, 2, '--parallel must be a whole number from 1 to 32, got "many"');
    expect(run.stderr).toMatch(/run media-store --help for usage\n$/);
  });
});

describe('media-store CLI refusals of the upload itself', () => {
  const context = e2eContext();
  let home: CliHome;
  let work: string;

  beforeAll(async () => {
    ({ home, work } = await loggedIn(context.apiUrl, context.editor));
  });

  afterAll(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers a file type the API does not take (415) in one line', async () => {
    const file = path.join(work, 'notes.txt');
    writeFileSync(file, 'hello');

    expectOneLine(await runCli(['upload', file, '--no-progress'], { env: home.env }), 1, /^media-store: unsupported file type: contentType: application\/octet-stream is not allowed/);
  });

  it('answers a file over the size limit (413) in one line, before sending any bytes', async () => {
    // Sparse: 6 GiB by its size, no disk used. --no-checksum: no need to read it to be refused.
    const file = path.join(work, 'huge.mov');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 6 * 1024 ** 3);
    closeSync(fd);

    const run = await runCli(['upload', file, '--no-progress', '--no-checksum', '--debug'], { env: home.env });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^media-store: too large: size: 6442450944 bytes is more than the \d+ bytes allowed$/m);
    expect(run.stderr).not.toMatch(/PUT/);
  });
});
