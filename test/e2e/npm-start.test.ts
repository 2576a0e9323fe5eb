/**
 * The `npm start` process itself (local/start.ts, after build and synth): it serves the API with
 * a generated admin password printed once, writes stack.json, and on Ctrl-C stops everything —
 * no DynamoDB Local (Java) left behind, stack.json removed.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthAndAdminLogin, startAndWaitForBanner, type StartedProcess } from '../support/local-stack';

const ROOT = path.resolve(__dirname, '../..');

/** Whether the DynamoDB Local behind the front on `port` runs (its launcher is told the front's port). */
function javaOnPort(port: string): boolean {
  try {
    execFileSync('pgrep', ['-f', `media-store\\.front-port=${port} .*(LoopbackDynamoDbLocal|dynamodb-loopback\\.java)`]);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (local/start.ts)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-start-test-'));
  const stackFile = path.join(dir, 'stack.json');
  let child: ChildProcess;
  let output: () => string;
  let started: StartedProcess;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', MEDIA_STORE_STACK_FILE: stackFile };
    delete env.MEDIA_STORE_ADMIN_PASSWORD;
    started = await startAndWaitForBanner(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory'], { cwd: ROOT, env }, 60_000);
    ({ child, output } = started);
  }, 70_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API and lets the generated admin password log in', async () => {
    expect(await healthAndAdminLogin(started)).toEqual({ health: 200, login: 200 });
    expect(output().split(started.password).length - 1).toBe(2);
  });

  it('prints the web app\'s URL and serves the app there, with the API under /api', async () => {
    const { apiUrl } = started;
    const appUrl = /App\s+(http:\/\/\S+)/.exec(output())?.[1];

    const page = await fetch(`${appUrl}`);
    const health = await fetch(`${appUrl}api/health`);

    expect(appUrl).toBe(`${apiUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="app">');
    expect(health.status).toBe(200);
  });

  it('writes stack.json for the CLIs while running, with DynamoDB Local running', () => {
    const { apiUrl, dynamodbPort } = started;

    const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as Record<string, string>;

    expect(stack).toMatchObject({ apiUrl, dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`, region: 'us-east-1' });
    expect(Object.keys(stack)).toEqual(expect.arrayContaining(['apiUrl', 'bucketName', 'dynamodbEndpoint', 'region', 's3Endpoint', 'tableName', 'credentials']));
    expect(javaOnPort(dynamodbPort)).toBe(true);
  });

  it("keeps stack.json, which holds the run's key pair, readable by its owner only", () => {
    expect(statSync(stackFile).mode & 0o777).toBe(0o600);
  });

  it('stops everything on Ctrl-C: exits 0, no Java left, stack.json removed, API closed', async () => {
    const { apiUrl, dynamodbPort } = started;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    child.kill('SIGINT');

    expect(await exited).toBe(0);
    expect(javaOnPort(dynamodbPort)).toBe(false);
    expect(existsSync(stackFile)).toBe(false);
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  }, 20_000);
});
