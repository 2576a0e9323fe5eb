import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { e2eContext } from './support/context';
import { adminS3, type FileBody } from './support/files';
import { api, eventually, login } from './support/http';
import { jpegLike, sha256 } from './support/media';

interface CreatedUpload {
  uploadId: string;
  fileId: string;
  mode: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** Lists a folder until `predicate` holds for its files (or the time is up). */
async function listUntil(token: string, folder: string, predicate: (files: FileBody[]) => boolean, timeoutMs: number) {
  return eventually(async () => {
    const response = await api<{ files: FileBody[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token });
    expect(response.status).toBe(200);
    return predicate(response.body.files) ? response.body.files : undefined;
  }, timeoutMs);
}

describe('upload through a presigned URL', () => {
  const context = e2eContext();
  const folder = `/e2e-${randomBytes(4).toString('hex')}/spain 2024`;
  const fileName = 'IMG 0001 (beach) é.jpg';
  const bytes = jpegLike(2 * 1024 * 1024 + 12345);
  let token: string;
  let upload: CreatedUpload;
  let listed: FileBody | undefined;

  beforeAll(async () => {
    token = await login(context.editor);
  });

  it('creates an upload session with a presigned single PUT and the headers to send', async () => {
    const response = await api<CreatedUpload>('/uploads', {
      token,
      json: { folder, fileName, contentType: 'image/jpeg', size: bytes.length, tags: ['beach'], description: 'e2e' },
    });

    expect(response.status).toBe(201);
    upload = response.body;
    expect(upload).toMatchObject({ mode: 'single', method: 'PUT', uploadId: expect.any(String), fileId: expect.any(String) });
    expect(upload.url.startsWith(`${context.s3Endpoint}/${context.bucketName}/media/`)).toBe(true);
    expect(upload.headers).toMatchObject({ 'content-type': 'image/jpeg', 'content-length': String(bytes.length) });
    expect(new Date(upload.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('has S3 refuse the presigned PUT with another content type or size than the signed ones', async () => {
    const wrongType = await fetch(upload.url, { method: 'PUT', headers: { ...upload.headers, 'content-type': 'text/html' }, body: bytes });
    // fetch sets Content-Length from the body: a shorter body arrives with another signed value.
    const { 'content-length': _signedLength, ...otherHeaders } = upload.headers;
    const wrongSize = await fetch(upload.url, { method: 'PUT', headers: otherHeaders, body: bytes.subarray(1) });

    expect(wrongType.status).toBe(403);
    expect(wrongSize.status).toBe(403);
  });

  it('accepts the bytes at the presigned URL and lists the file within 2 s with its size, type and uploader', async () => {
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const uploadedAt = Date.now();

    const files = await listUntil(token, folder, (all) => all.some((f) => f.id === upload.fileId), 2000);
    const elapsed = Date.now() - uploadedAt;

    expect(files).toBeDefined();
    expect(elapsed).toBeLessThan(2000);
    listed = files!.find((f) => f.id === upload.fileId);
    expect(listed).toMatchObject({
      folder,
      name: fileName,
      size: bytes.length,
      contentType: 'image/jpeg',
      fileType: 'image',
      uploadedBy: context.editor.username,
    });
    expect(new Date(listed!.uploadedAt).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(listed!.urlExpiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('serves the same bytes at the view URL', async () => {
    const response = await fetch(listed!.url);

    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(bytes.length);
    expect(sha256(body)).toBe(sha256(bytes));
  });

  it('shows the file to a viewer too', async () => {
    const viewerToken = await login(context.viewer);

    const response = await api<{ files: FileBody[] }>(`/files?folder=${encodeURIComponent(folder)}`, { token: viewerToken });

    expect(response.status).toBe(200);
    expect(response.body.files.map((f) => f.id)).toContain(upload.fileId);
  });

  it('drops the file from the listing once the object is deleted from the bucket', async () => {
    const s3 = adminS3();
    const key = Buffer.from(upload.fileId, 'base64url').toString('utf8');
    await s3.send(new DeleteObjectCommand({ Bucket: context.bucketName, Key: key }));
    s3.destroy();

    const files = await listUntil(token, folder, (all) => !all.some((f) => f.id === upload.fileId), 2000);

    expect(files).toEqual([]);
  });
});

describe('an upload never silently replaces a file', () => {
  const context = e2eContext();
  const folder = `/e2e-exists-${randomBytes(4).toString('hex')}`;
  const original = jpegLike(4000);
  let token: string;

  const create = (fileName: string, size: number, extra: Record<string, unknown> = {}) =>
    api<CreatedUpload>('/uploads', { token, json: { folder, fileName, contentType: 'image/jpeg', size, ...extra } });
  const put = (upload: CreatedUpload, body: Buffer) => fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
  const viewed = async (fileName: string): Promise<string | undefined> => {
    const files = await listUntil(token, folder, (all) => all.some((f) => f.name === fileName), 3000);
    const file = files?.find((f) => f.name === fileName);
    return file === undefined ? undefined : sha256(Buffer.from(await (await fetch(file.url)).arrayBuffer()));
  };

  beforeAll(async () => {
    token = await login(context.editor);
    const first = await create('taken.jpg', original.length);
    expect(first.status).toBe(201);
    expect((await put(first.body, original)).status).toBe(200);
    expect(await viewed('taken.jpg')).toBe(sha256(original));
  });

  it('answers 409 FileExists to an upload onto a catalogued file', async () => {
    const response = await create('taken.jpg', 10);

    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: { code: 'FileExists', message: expect.stringContaining('overwrite') } });
  });

  it('has S3 refuse (412) the second of two PUTs of a new name started before either landed', async () => {
    const a = await create('race.jpg', original.length);
    const b = await create('race.jpg', 5000);
    expect(a.body.headers).toMatchObject({ 'if-none-match': '*' });

    const first = await put(a.body, original);
    const second = await put(b.body, jpegLike(5000));

    expect(first.status).toBe(200);
    expect(second.status).toBe(412);
    expect(await second.text()).toContain('PreconditionFailed');
    expect(await viewed('race.jpg')).toBe(sha256(original));
  });

  it('has S3 refuse a PUT whose signed If-None-Match header is left out', async () => {
    const upload = await create('unsent-header.jpg', original.length);
    const { 'if-none-match': _condition, ...headers } = upload.body.headers;

    const response = await fetch(upload.body.url, { method: 'PUT', headers, body: original });

    expect(response.status).toBe(403);
  });

  it('replaces the file when the upload says overwrite: true', async () => {
    const replacement = jpegLike(6000);
    const upload = await create('taken.jpg', replacement.length, { overwrite: true });

    expect(upload.status).toBe(201);
    expect(upload.body.headers).not.toHaveProperty('if-none-match');
    expect((await put(upload.body, replacement)).status).toBe(200);
    const replaced = await eventually(async () => ((await viewed('taken.jpg')) === sha256(replacement) ? true : undefined), 3000);
    expect(replaced).toBe(true);
  });

  it('refuses an overwrite that is not a boolean with a 400', async () => {
    const response = await create('other.jpg', 10, { overwrite: 'yes' });
    expect(response.status).toBe(400);
  });
});
