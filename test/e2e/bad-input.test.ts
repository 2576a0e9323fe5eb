import { e2eContext } from './support/context';
import { api, expectErrorBody, login } from './support/http';

/** A valid upload request, to vary one field at a time. */
const valid = { folder: '/e2e-bad-input', fileName: 'photo.jpg', contentType: 'image/jpeg', size: 1024 };

describe('requests with bad input get a 4xx error body, never a 5xx', () => {
  const context = e2eContext();
  let editor: string;
  let viewer: string;

  beforeAll(async () => {
    [editor, viewer] = await Promise.all([login(context.editor), login(context.viewer)]);
  });

  it('answers 400 to a body that is not valid JSON', async () => {
    const response = await api('/uploads', { token: editor, raw: '{"folder": "/a",' });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 415 to a body that is not sent as JSON', async () => {
    const response = await api('/uploads', { token: editor, raw: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } });

    expect(response.status).toBe(415);
    expectErrorBody(response);
  });

  it.each([
    ['a ".." segment', { folder: '/photos/../secrets' }],
    ['a "." segment', { folder: '/photos/./x' }],
    ['a control character', { folder: '/photos\u0007' }],
    ['a folder that is not a string', { folder: 42 }],
  ])('answers 400 to a folder with %s', async (_case, change) => {
    const response = await api('/uploads', { token: editor, json: { ...valid, ...change } });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it.each([
    ['".."', { fileName: '..' }],
    ['a slash', { fileName: 'a/b.jpg' }],
    ['an empty name', { fileName: '' }],
    // S3 takes 1,024-byte keys, but the catalog's type index could not hold one over 749 bytes.
    ['a key of 750 bytes', { folder: `/${'a'.repeat(250)}/${'b'.repeat(250)}`, fileName: `${'c'.repeat(238)}.jpg` }],
  ])('answers 400 to a file name with %s', async (_case, change) => {
    const response = await api('/uploads', { token: editor, json: { ...valid, ...change } });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 415 to a content type that is not allowed', async () => {
    const response = await api('/uploads', { token: editor, json: { ...valid, fileName: 'run.sh', contentType: 'application/x-sh' } });

    expect(response.status).toBe(415);
    expectErrorBody(response);
  });

  it('answers 413 to a declared size above the limit', async () => {
    const response = await api('/uploads', { token: editor, json: { ...valid, size: 6 * 1024 ** 4 } });

    expect(response.status).toBe(413);
    expectErrorBody(response);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1.5],
    ['a string', '1024'],
  ])('answers 400 to a size that is %s', async (_case, size) => {
    const response = await api('/uploads', { token: editor, json: { ...valid, size } });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 400 to an unknown field', async () => {
    const response = await api('/uploads', { token: editor, json: { ...valid, owner: 'someone-else' } });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 403 when a viewer tries to upload', async () => {
    const response = await api('/uploads', { token: viewer, json: valid });

    expect(response.status).toBe(403);
    expectErrorBody(response);
  });

  it('answers 400 to a listing of a folder with ".."', async () => {
    const response = await api(`/files?folder=${encodeURIComponent('/a/../b')}`, { token: viewer });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 400 to a listing with a malformed cursor', async () => {
    const response = await api('/files?folder=%2F&cursor=not-a-cursor!!', { token: viewer });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it('answers 400 to a listing with a limit that is not a positive number', async () => {
    const response = await api('/files?folder=%2F&limit=-3', { token: viewer });

    expect(response.status).toBe(400);
    expectErrorBody(response);
  });

  it("answers API Gateway's 404 to a route that does not exist", async () => {
    // Under /api, as the web app and CloudFront call the API (other unknown GET paths are the app's pages).
    const response = await api('/api/no/such/route', { token: viewer });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
  });

  it("answers API Gateway's 413 to a request body over 10 MB", async () => {
    const response = await api('/uploads', { token: editor, raw: 'x'.repeat(10 * 1024 * 1024 + 1) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({ message: 'Request Entity Too Large' });
  });
});
