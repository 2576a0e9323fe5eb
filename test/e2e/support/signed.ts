/**
 * Requests to the local emulators as the stack's own tools make them: SigV4-signed with the
 * run's key pair (every emulator refuses anything else), for the few places a test speaks
 * HTTP to an emulator instead of going through an SDK client.
 */
import { signRequestHeaders, type LocalCredentials } from '../../../local/sigv4';

interface SigningStack {
  readonly credentials: LocalCredentials;
  readonly region: string;
}

/** `fetch`, signed for `service` (`sns`, `lambda`, …) with the stack's key pair. */
export async function signedFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, stack: SigningStack, service: string): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers = init.headers ?? {};
  const signature = await signRequestHeaders({ method, url, headers, ...(init.body !== undefined ? { body: init.body } : {}) }, { credentials: stack.credentials, region: stack.region, service });
  const { host: _host, ...sent } = signature;
  return fetch(url, { method, headers: sent, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/** Everything the local SNS recorded (`GET /_local/messages`, signed like every request to it). */
export async function snsMessages<T>(stack: SigningStack & { readonly snsEndpoint: string }): Promise<T[]> {
  const response = await signedFetch(`${stack.snsEndpoint}/_local/messages`, {}, stack, 'sns');
  if (response.status !== 200) throw new Error(`local SNS answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T[];
}
