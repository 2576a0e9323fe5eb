/** The API as the browser tests' own scripts call it (arranging users and files the page then shows). */
import { randomBytes } from 'node:crypto';
import type { BrowserContext, BrowserUser } from './context';

interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

export async function callApi<T = unknown>(ctx: Pick<BrowserContext, 'appUrl'>, route: string, init: { method?: string; json?: unknown; token?: string; body?: Buffer } = {}): Promise<ApiAnswer<T>> {
  const response = await fetch(`${ctx.appUrl}api${route}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function apiToken(ctx: Pick<BrowserContext, 'appUrl'>, user: BrowserUser): Promise<string> {
  const answer = await callApi<{ token: string }>(ctx, '/auth/login', { json: user });
  if (answer.status !== 200) throw new Error(`login ${user.username}: ${answer.status}`);
  return answer.body.token;
}

/** A user of the test's own (so its figures and rights are the test's alone); remove it with `removeUser`. */
export async function addUser(ctx: Pick<BrowserContext, 'appUrl'>, adminToken: string, prefix: string, role: string, folders?: readonly string[]): Promise<BrowserUser> {
  const user = { username: `${prefix}-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
  const answer = await callApi(ctx, '/users', { token: adminToken, json: { ...user, role, ...(folders ? { folders } : {}) } });
  if (answer.status !== 201) throw new Error(`add ${user.username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return user;
}

export async function removeUser(ctx: Pick<BrowserContext, 'appUrl'>, adminToken: string, username: string): Promise<void> {
  await callApi(ctx, `/users/${encodeURIComponent(username)}`, { method: 'DELETE', token: adminToken });
}

/** Uploads like a client (POST /uploads, PUT to the presigned URL) and waits until `GET /files/{id}` answers and `ready` holds. */
export async function uploadViaApi<T extends { id: string }>(
  ctx: Pick<BrowserContext, 'appUrl'>,
  token: string,
  file: { folder: string; name: string; bytes: Buffer; contentType: string },
  ready: (file: T) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<T> {
  const created = await callApi<{ fileId: string; url: string; headers: Record<string, string> }>(ctx, '/uploads', {
    token,
    json: { folder: file.folder, fileName: file.name, contentType: file.contentType, size: file.bytes.length },
  });
  if (created.status !== 201) throw new Error(`POST /uploads ${file.name}: ${created.status} ${JSON.stringify(created.body)}`);
  const put = await fetch(created.body.url, { method: 'PUT', headers: created.body.headers, body: file.bytes });
  if (put.status !== 200) throw new Error(`PUT ${file.name}: ${put.status}`);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await callApi<T>(ctx, `/files/${created.body.fileId}`, { token });
    if (answer.status === 200 && ready(answer.body)) return answer.body;
    if (Date.now() > until) throw new Error(`${file.name} was not ready in ${timeoutMs} ms: ${answer.status} ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
