/**
 * A local stack of a test's own, for what the shared e2e stack cannot give: other module
 * variables, or a catalog no other test writes to. In memory, on free ports, no
 * `.local/stack.json`, a random admin password; it logs to `<logDir>/local-stack.log`.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileLogger } from '../../../local/log';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack';

export async function startOwnStack(
  logDir: string,
  variables: NonNullable<LocalStackOptions['variables']>,
  options: Pick<LocalStackOptions, 'scheduleIntervalMs' | 'externalSecrets' | 'port'> = {},
): Promise<{ stack: LocalStack; adminPassword: string }> {
  const adminPassword = randomBytes(18).toString('base64url');
  const stack = await startLocalStack({ port: 0, ...options, inMemory: true, stackFile: null, adminPassword, logger: fileLogger(path.join(logDir, 'local-stack.log')), variables });
  return { stack, adminPassword };
}

/** An access token of the own stack's admin, from `POST /auth/login` (throws unless it answers 200). */
export async function adminTokenOf(stack: LocalStack, adminPassword: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminUser, password: adminPassword }),
  });
  if (response.status !== 200) throw new Error(`admin login on the own stack answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A JSON call to an own stack's API: GET without `json`, POST with it unless `method` says otherwise. */
export async function callStack<T = unknown>(stack: Pick<LocalStack, 'apiUrl'>, route: string, init: { method?: string; token?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.apiUrl}${route}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
