/** The e2e tests talk to the stack over HTTP with fetch only. */
import { e2eContext, type E2eUser } from './context';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

interface ApiRequest {
  readonly method?: string;
  readonly token?: string;
  /** Sent as JSON with content-type application/json. */
  readonly json?: unknown;
  /** Sent as-is (for malformed bodies). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export async function api<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.raw !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = request.raw;
  }
  const response = await fetch(`${e2eContext().apiUrl}${path}`, {
    method: request.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: tests assert on `text`.
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export async function login(user: E2eUser): Promise<string> {
  const response = await api<{ token: string }>('/auth/login', { json: { username: user.username, password: user.password } });
  if (response.status !== 200) throw new Error(`login of ${user.username} failed: ${response.status} ${response.text}`);
  return response.body.token;
}

/** Polls `probe` until it returns a value or `timeoutMs` passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The documented error body of every handler error. */
export function expectErrorBody(response: ApiResponse): void {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
}
