/**
 * The `npm start -- --oidc` process itself (local/start.ts, after build and synth): it serves the
 * API with a generated admin password printed once, writes stack.json, runs the local OpenID
 * provider with its client secrets in a 0600 file (never printed), and on Ctrl-C stops
 * everything — no DynamoDB Local (Java) or S3 server left behind, stack.json and the secrets file removed.
 * (The fresh-clone test runs plain `npm start`.)
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthAndAdminLogin, startAndWaitForBanner, type StartedProcess } from '../support/local-stack';
import { LOCAL_OIDC_MACHINE_CLIENT, LOCAL_OIDC_USERS } from '../../local/oidc';
import { sessionOf, signInThroughProvider } from './support/provider-sign-in';

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

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (local/start.ts)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-start-test-'));
  const stackFile = path.join(dir, 'stack.json');
  const clientsFile = path.join(dir, 'oidc-clients.json');
  let child: ChildProcess;
  let output: () => string;
  let started: StartedProcess;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', MEDIA_STORE_STACK_FILE: stackFile };
    delete env.MEDIA_STORE_ADMIN_PASSWORD;
    started = await startAndWaitForBanner(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory', '--oidc'], { cwd: ROOT, env }, 60_000);
    ({ child, output } = started);
  }, 70_000);

  const clients = (): { issuer: string; tokenEndpoint: string; audience: string; clients: Record<string, string> } =>
    JSON.parse(readFileSync(clientsFile, 'utf8')) as ReturnType<typeof clients>;

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

  it('prints the local test users but no client secret: the secrets are in oidc-clients.json beside stack.json, owner only', () => {
    const { clients: secrets } = clients();

    expect(Object.keys(secrets).sort()).toEqual(['ci-short-lived', 'ci-uploader', 'media-store']);
    expect(statSync(clientsFile).mode & 0o777).toBe(0o600);
    expect(output()).toContain(clientsFile);
    for (const secret of Object.values(secrets)) {
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(output()).not.toContain(secret);
    }
    expect(output()).toContain(`alice / ${LOCAL_OIDC_USERS.alice.password}`);
  });

  it("the file's machine client gets a client-credentials token that opens the API", async () => {
    const { tokenEndpoint, audience, clients: secrets } = clients();
    const basic = Buffer.from(`${LOCAL_OIDC_MACHINE_CLIENT}:${secrets[LOCAL_OIDC_MACHINE_CLIENT]}`).toString('base64');

    const grant = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience, scope: 'media-store.upload' }),
    });
    const { access_token: token } = (await grant.json()) as { access_token: string };
    const files = await fetch(`${started.apiUrl}/files?folder=/`, { headers: { authorization: `Bearer ${token}` } });

    expect(grant.status).toBe(200);
    expect(files.status).toBe(200);
  });

  it('lets a new user sign in through the provider and lands in the app with the mapped role', async () => {
    const result = await signInThroughProvider(started.apiUrl, 'bob', LOCAL_OIDC_USERS.bob.password);
    const session = await sessionOf(started.apiUrl, result.refreshCookie ?? '');

    expect(result.status).toBe(302);
    expect(session.user).toEqual({ username: 'bob', role: 'editor', folders: ['/family'] });
  });

  it('stops everything on Ctrl-C: exits 0, no Java or S3 server left, stack.json and the secrets file removed, API closed', async () => {
    const { apiUrl, dynamodbPort } = started;
    const s3Servers = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('s3-server.ts'))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(s3Servers).toHaveLength(1);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    child.kill('SIGINT');

    expect(await exited).toBe(0);
    expect(javaOnPort(dynamodbPort)).toBe(false);
    expect(alive(s3Servers[0]!)).toBe(false);
    expect(existsSync(stackFile)).toBe(false);
    expect(existsSync(clientsFile)).toBe(false);
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  }, 20_000);
});
