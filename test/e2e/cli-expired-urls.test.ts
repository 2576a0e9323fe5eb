/**
 * The CLI re-signs a part whose URL expired while it waited, transparently: real expiry on the
 * real clock, on a stack of its own whose upload URLs live 2 seconds (`upload_url_ttl_seconds`,
 * which the local stack does not hold to Terraform's minimum of 60) and whose multipart
 * threshold is 5 MiB. The CLI's MEDIA_STORE_DEBUG_PUT_DELAY_MS stalls every part once between
 * getting its URL and sending it — longer than the URL lives — as a suspended laptop would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../local/stack';
import { eventually } from './support/http';
import { cliHome, partPuts, runCli, sha256File, writeTestFile, type CliHome } from './support/cli';
import { startOwnStack } from './support/own-stack';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

describe('media-store CLI with part URLs that expire before they are used', () => {
  let stack: LocalStack;
  let home: CliHome;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'media-store-cli-expiry-'));
    const own = await startOwnStack(work, { upload_url_ttl_seconds: 2, multipart_threshold_bytes: 5 * MiB });
    stack = own.stack;
    home = cliHome(stack.apiUrl);
    const login = await runCli(['login', '--username', stack.adminUser, '--password-stdin'], { env: home.env, stdin: own.adminPassword });
    expect(login.code).toBe(0);
  });

  afterAll(async () => {
    await stack?.functions.drain();
    await stack?.stop();
    home?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('re-signs each refused part and finishes the upload with the same bytes', async () => {
    const file = path.join(work, 'clip.mp4');
    const source = writeTestFile(file, 20 * MiB + 5);

    const run = await runCli(['upload', file, '--folder', '/expiry', '--parallel', '3', '--debug'], {
      env: { ...home.env, MEDIA_STORE_DEBUG_PUT_DELAY_MS: '3500' },
    });

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/mode multipart, 3 parts of 8388608 bytes/);
    // S3 refuses with 403 "Request has expired"; when it answers and closes before reading the
    // body, the client's write fails (EPIPE) instead, after the URL's expiry: the same verdict.
    for (const n of [1, 2, 3]) {
      expect(run.stderr).toMatch(new RegExp(`part ${n}: URL expired \\((S3 403 AccessDenied|connection dropped after its expiry: .*)\\); re-signing`));
    }
    expect(run.stderr).not.toMatch(/retry \d in/);
    const signings = [...run.stderr.matchAll(/signed parts \[([\d,]+)\]/g)].flatMap((m) => m[1]!.split(',').map(Number));
    for (const n of [1, 2, 3]) expect(signings.filter((s) => s === n).length).toBeGreaterThanOrEqual(2);
    expect(partPuts(run.stderr).sort((a, b) => a - b)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(run.stdout).toMatch(/^uploaded \/expiry\/clip\.mp4 20\.0 MiB id=/);
    const listed = await eventually(async () => {
      const ls = await runCli(['ls', '/expiry'], { env: home.env });
      return ls.stdout.includes('clip.mp4') ? ls.stdout : undefined;
    }, 5000, 200);
    expect(listed).toBeDefined();
    const target = path.join(work, 'downloaded.mp4');
    const download = await runCli(['download', '/expiry/clip.mp4', target], { env: home.env });
    expect(download.code).toBe(0);
    expect(sha256File(target)).toBe(source);
  });
});
