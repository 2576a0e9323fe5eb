/** The CLI keeps its session: a refused or expired access token is renewed with the saved refresh token. */
import { readFileSync, statSync } from 'node:fs';
import { readConfig, writeConfig } from '../../cli/config';
import { e2eContext } from './support/context';
import { cliHome, runCli, type CliHome } from './support/cli';

jest.setTimeout(60_000);

describe('media-store CLI session', () => {
  const context = e2eContext();
  let home: CliHome;

  beforeEach(async () => {
    home = cliHome(context.apiUrl);
    const login = await runCli(['login', '--username', context.viewer.username, '--password-stdin'], { env: home.env, stdin: context.viewer.password });
    expect(login.code).toBe(0);
  });

  afterEach(() => home.remove());

  it('saves a refresh token beside the access token, in a 0600 file', () => {
    const config = readConfig(home.configFile);
    expect(config.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(config.refreshExpiresAt as string)).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect(statSync(home.configFile).mode & 0o777).toBe(0o600);
  });

  it('renews a token the API refuses (403) and carries on, rotating the saved refresh token', async () => {
    // Prepare: an access token the authorizer denies, as an expired one would be.
    const before = readConfig(home.configFile);
    writeConfig(home.configFile, { ...before, token: 'eyJhbGciOiJIUzI1NiJ9.e30.invalid' });
    // Act
    const run = await runCli(['ls', '/'], { env: home.env });
    // Assess
    expect(run.code).toBe(0);
    const after = readConfig(home.configFile);
    expect(after.token).not.toBe('eyJhbGciOiJIUzI1NiJ9.e30.invalid');
    expect(after.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });

  it('renews an access token past its expiry before using it', async () => {
    const before = readConfig(home.configFile);
    writeConfig(home.configFile, { ...before, tokenExpiresAt: new Date(Date.now() - 1000).toISOString() });

    const run = await runCli(['ls', '/'], { env: home.env });

    expect(run.code).toBe(0);
    expect(readConfig(home.configFile).refreshToken).not.toBe(before.refreshToken);
    expect(readFileSync(home.configFile, 'utf8')).not.toContain(before.refreshToken as string);
  });

  it('asks to log in again once the session has ended', async () => {
    const config = readConfig(home.configFile);
    const logout = await fetch(`${context.apiUrl}/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: config.refreshToken }) });
    expect(logout.status).toBe(204);
    writeConfig(home.configFile, { ...config, token: 'eyJhbGciOiJIUzI1NiJ9.e30.invalid' });

    const run = await runCli(['ls', '/'], { env: home.env });

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('media-store: not logged in or token expired: run media-store login');
  });
});
