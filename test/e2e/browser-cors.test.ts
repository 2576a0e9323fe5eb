/**
 * A browser app at an allowed origin (module variable cors_allowed_origins) can call the API
 * and PUT to the presigned URL: both preflights pass with the plan's CORS rules, and the
 * ETag of the upload is readable. Other origins get no CORS grant.
 */
import { BROWSER_ORIGIN, e2eContext } from './support/context';
import { api, login } from './support/http';
import { jpegLike } from './support/media';

describe('uploads from a browser app', () => {
  const context = e2eContext();
  let token: string;

  beforeAll(async () => {
    token = await login(context.editor);
  });

  it('passes the API preflight for POST /uploads with authorization and content-type', async () => {
    const response = await fetch(`${context.apiUrl}/uploads`, {
      method: 'OPTIONS',
      headers: { origin: BROWSER_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(BROWSER_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    // Exactly the plan's list: authorization and content-type, and the share routes' two headers.
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-share-session,x-share-guest');
  });

  it('grants API responses to the allowed origin only', async () => {
    const allowed = await api('/health', { headers: { origin: BROWSER_ORIGIN } });
    const other = await api('/health', { headers: { origin: 'https://evil.example' } });

    expect(allowed.headers.get('access-control-allow-origin')).toBe(BROWSER_ORIGIN);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("passes the bucket's preflight for the presigned PUT with its signed headers and exposes the ETag", async () => {
    const bytes = jpegLike(64 * 1024);
    const created = await api<{ url: string; headers: Record<string, string> }>('/uploads', {
      token,
      json: { folder: '/e2e-browser', fileName: 'from-browser.jpg', contentType: 'image/jpeg', size: bytes.length },
      headers: { origin: BROWSER_ORIGIN },
    });
    expect(created.status).toBe(201);
    // Browsers set Content-Length themselves and never list it in a preflight.
    const requested = Object.keys(created.body.headers).filter((h) => h !== 'content-length');

    const preflight = await fetch(created.body.url, {
      method: 'OPTIONS',
      headers: { origin: BROWSER_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': requested.join(',') },
    });
    const put = await fetch(created.body.url, { method: 'PUT', headers: { ...created.body.headers, origin: BROWSER_ORIGIN }, body: bytes });

    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("refuses the bucket's preflight from another origin", async () => {
    const response = await fetch(`${context.s3Endpoint}/${context.bucketName}/media/e2e-browser/x.jpg`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });

    expect(response.status).toBe(403);
  });
});
