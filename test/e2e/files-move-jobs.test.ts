/**
 * Moves of files above `move_job_threshold_bytes` run as jobs: `PATCH /files/{id}` answers
 * 202 `{job}`, the files function starts the move function asynchronously through the (local)
 * Lambda API, the move function copies part by part (UploadPartCopy), verifies, deletes the
 * original, and `GET /jobs/{id}` reports it; a processed photo's thumbnail and preview go with it.
 * A stack of its own with a 1 KiB threshold.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { derivedPrefixOf } from '../../handlers/core/media';
import type { LocalStack } from '../../local/stack';
import { cliHome, runCli } from './support/cli';
import { eventually } from './support/http';
import { localS3Client } from './support/local-s3';
import { jpegLike, sha256 } from './support/media';
import { callStack, startOwnStack } from './support/own-stack';

jest.setTimeout(60_000);

interface Job {
  id: string;
  kind: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  destination: { folder: string; name: string };
  size: number;
  fileId?: string;
  error?: { code: string; message: string };
}

describe('moves of large files run as jobs', () => {
  const logDir = mkdtempSync(path.join(tmpdir(), 'media-store-move-jobs-'));
  let stack: LocalStack;
  let adminPassword: string;
  let token: string;

  const call = <T>(route: string, init: { method?: string; json?: unknown; token?: string } = {}) => callStack<T>(stack, route, init);
  const login = async (username: string, password: string): Promise<string> => (await call<{ token: string }>('/auth/login', { json: { username, password } })).body.token;
  const upload = async (folder: string, fileName: string, bytes: Buffer): Promise<string> => {
    const created = await call<{ fileId: string; url: string; headers: Record<string, string> }>('/uploads', { token, json: { folder, fileName, contentType: 'image/jpeg', size: bytes.length } });
    expect(created.status).toBe(201);
    expect((await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: bytes })).status).toBe(200);
    const listed = await eventually(async () => ((await call(`/files/${created.body.fileId}`, { token })).status === 200 ? true : undefined), 5000);
    expect(listed).toBe(true);
    return created.body.fileId;
  };
  const finished = (id: string, as = token) =>
    eventually(async () => {
      const { body } = await call<{ job: Job }>(`/jobs/${id}`, { token: as });
      return body.job.status === 'succeeded' || body.job.status === 'failed' ? body.job : undefined;
    }, 20_000, 100);
  const exists = async (key: string): Promise<boolean> => {
    const s3 = localS3Client(stack.s3Endpoint, stack.credentials, stack.region);
    try {
      await s3.send(new HeadObjectCommand({ Bucket: stack.bucketName, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    } finally {
      s3.destroy();
    }
  };

  beforeAll(async () => {
    ({ stack, adminPassword } = await startOwnStack(logDir, { move_job_threshold_bytes: 1024 }));
    token = await login(stack.adminUser, adminPassword);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers 202 with a job; the move function moves every byte and only then deletes the original', async () => {
    // Prepare
    const bytes = jpegLike(64 * 1024);
    const id = await upload('/shoot', 'raw.jpg', bytes);
    // Act
    const patched = await call<{ job: Job }>(`/files/${id}`, { method: 'PATCH', token, json: { folder: '/archive', tags: ['kept'] } });
    // Assess
    expect(patched.status).toBe(202);
    expect(patched.body.job).toMatchObject({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), kind: 'move', status: expect.stringMatching(/^(pending|running|succeeded)$/), destination: { folder: '/archive', name: 'raw.jpg' }, size: bytes.length });
    const job = await finished(patched.body.job.id);
    expect(job).toMatchObject({ status: 'succeeded', fileId: Buffer.from('media/archive/raw.jpg').toString('base64url') });
    const moved = await eventually(async () => {
      const response = await call<{ url: string; folder: string; tags: string[] }>(`/files/${job?.fileId}`, { token });
      return response.status === 200 ? response.body : undefined;
    }, 5000);
    expect(moved).toMatchObject({ folder: '/archive', tags: ['kept'] });
    expect(sha256(Buffer.from(await (await fetch(moved!.url)).arrayBuffer()))).toBe(sha256(bytes));
    expect(await exists('media/shoot/raw.jpg')).toBe(false);
    expect((await call(`/files/${id}`, { token })).status).toBe(404);
  });

  it('carries a photo\'s thumbnail and preview through the job: the same bytes under the new key, the old key\'s gone', async () => {
    // Prepare
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 120, b: 200 } } }).jpeg().toBuffer();
    const id = await upload('/shoot', 'sky.jpg', photo);
    const before = await eventually(async () => {
      const response = await call<{ processing?: string; thumbUrl?: string; previewUrl?: string }>(`/files/${id}`, { token });
      return response.body.processing === 'ready' ? response.body : undefined;
    }, 30_000, 100);
    const digest = async (url: string | undefined): Promise<string> => sha256(Buffer.from(await (await fetch(url as string)).arrayBuffer()));
    const [thumb, preview] = [await digest(before?.thumbUrl), await digest(before?.previewUrl)];
    // Act
    const patched = await call<{ job: Job }>(`/files/${id}`, { method: 'PATCH', token, json: { folder: '/archive/sky' } });
    // Assess
    expect(patched.status).toBe(202);
    const job = await finished(patched.body.job.id);
    expect(job).toMatchObject({ status: 'succeeded' });
    const moved = await call<{ processing?: string; thumbUrl?: string; previewUrl?: string }>(`/files/${job?.fileId}`, { token });
    expect(moved.body.processing).toBe('ready');
    expect(await digest(moved.body.thumbUrl)).toBe(thumb);
    expect(await digest(moved.body.previewUrl)).toBe(preview);
    const s3 = localS3Client(stack.s3Endpoint, stack.credentials, stack.region);
    try {
      const derived = async (key: string) => (await s3.send(new ListObjectsV2Command({ Bucket: stack.bucketName, Prefix: derivedPrefixOf(key) }))).Contents?.length ?? 0;
      expect(await derived('media/archive/sky/sky.jpg')).toBe(2);
      expect(await eventually(async () => ((await derived('media/shoot/sky.jpg')) === 0 ? true : undefined), 15_000)).toBe(true);
    } finally {
      s3.destroy();
    }
  });

  it('moves a file under the threshold within the request (200)', async () => {
    const id = await upload('/shoot', 'small.jpg', jpegLike(500));

    const patched = await call<{ name: string }>(`/files/${id}`, { method: 'PATCH', token, json: { name: 'small-renamed.jpg' } });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'small-renamed.jpg' });
  });

  it('refuses a name clash at once with 409, starting no job, and keeps both files', async () => {
    const id = await upload('/clash', 'a.jpg', jpegLike(4096));
    await upload('/clash', 'b.jpg', jpegLike(4096));

    const patched = await call<{ error: { code: string } }>(`/files/${id}`, { method: 'PATCH', token, json: { name: 'b.jpg' } });

    expect(patched.status).toBe(409);
    expect(await exists('media/clash/a.jpg')).toBe(true);
  });

  it('shows a job to its owner only: anyone else gets 404 JobNotFound', async () => {
    const id = await upload('/private', 'mine.jpg', jpegLike(4096));
    const created = await call('/users', { token, json: { username: 'other-editor', role: 'editor', password: 'other-editor-password-1' } });
    expect(created.status).toBe(201);
    const other = await login('other-editor', 'other-editor-password-1');
    const patched = await call<{ job: Job }>(`/files/${id}`, { method: 'PATCH', token, json: { folder: '/private/done' } });

    const seen = await call<{ error: { code: string } }>(`/jobs/${patched.body.job.id}`, { token: other });

    expect(seen.status).toBe(404);
    expect(seen.body.error.code).toBe('JobNotFound');
    expect(await finished(patched.body.job.id)).toMatchObject({ status: 'succeeded' });
  });

  it('has the CLI mv follow the job to its end', async () => {
    const home = cliHome(stack.apiUrl);
    try {
      const file = path.join(home.dir, 'clip.jpg');
      writeFileSync(file, jpegLike(8192));
      expect((await runCli(['login', '--username', stack.adminUser, '--password-stdin'], { env: home.env, stdin: `${adminPassword}\n` })).code).toBe(0);
      expect((await runCli(['upload', file, '--folder', '/cli', '--no-progress'], { env: home.env })).code).toBe(0);

      const moved = await runCli(['mv', '/cli/clip.jpg', '/cli/done/'], { env: home.env });

      expect(moved.code).toBe(0);
      expect(moved.stderr).toContain('in the background');
      expect(moved.stdout).toBe(`moved /cli/clip.jpg to /cli/done/clip.jpg id=${Buffer.from('media/cli/done/clip.jpg').toString('base64url')}\n`);
      expect(await exists('media/cli/clip.jpg')).toBe(false);
      expect(await exists('media/cli/done/clip.jpg')).toBe(true);
    } finally {
      home.remove();
    }
  });
});
