/**
 * The media-store HTTP API over fetch: JSON in and out, bearer token, retries on network
 * failures / 5xx / 429, and every error answer turned into an `ApiError`. With `renewToken`,
 * an expired access token, or one API Gateway refuses (401, or its own 403), is renewed once
 * through the session's refresh token and the request retried; concurrent requests share one
 * renewal (a refresh token used twice would end the session).
 */
import { ApiError, apiErrorOf } from '../client/errors';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../client/retry';

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** Epoch milliseconds after which `token` is renewed before use. */
  readonly tokenExpiresAt?: number;
  /** A new access token from the session's refresh token, or `undefined` when the session ended. */
  readonly renewToken?: () => Promise<{ token: string; expiresAt?: number } | undefined>;
  readonly retry?: RetryPolicy;
  readonly debug?: (message: string) => void;
}

export interface ApiRequestOptions {
  readonly json?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Answer a 3xx instead of following it (download redirects). */
  readonly manualRedirect?: boolean;
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private token: string | undefined;
  private tokenExpiresAt: number | undefined;
  private renewal: Promise<boolean> | undefined;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.token = options.token;
    this.tokenExpiresAt = options.tokenExpiresAt;
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  async request<T>(method: string, path: string, request: ApiRequestOptions = {}): Promise<ApiAnswer<T>> {
    // Renew a token about to expire rather than spend a request on a refusal.
    if (this.token !== undefined && this.tokenExpiresAt !== undefined && Date.now() > this.tokenExpiresAt - 10_000) await this.renew(this.token);
    const used = this.token;
    try {
      return await this.send<T>(method, path, request, used);
    } catch (error) {
      if (!(used !== undefined && isAuthorizerRefusal(error) && (await this.renew(used)))) throw error;
      return this.send<T>(method, path, request, this.token);
    }
  }

  /** Renews `used` once, however many requests found it refused; false when the session ended. */
  private async renew(used: string): Promise<boolean> {
    if (this.token !== used) return true;
    if (this.options.renewToken === undefined) return false;
    this.renewal ??= this.options
      .renewToken()
      .then((renewed) => {
        if (renewed === undefined) return false;
        this.token = renewed.token;
        this.tokenExpiresAt = renewed.expiresAt;
        this.options.debug?.('api access token renewed with the refresh token');
        return true;
      })
      .finally(() => {
        this.renewal = undefined;
      });
    return this.renewal;
  }

  private async send<T>(method: string, path: string, request: ApiRequestOptions, token: string | undefined): Promise<ApiAnswer<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    const operation = `${method} ${path}`;
    return withRetry(
      async (attempt) => {
        const started = Date.now();
        const response = await fetch(url, {
          method,
          headers,
          ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
          ...(request.manualRedirect ? { redirect: 'manual' as const } : {}),
        });
        const text = await response.text();
        this.options.debug?.(`api ${operation} → ${response.status} in ${Date.now() - started} ms${attempt ? ` (attempt ${attempt + 1})` : ''}`);
        if (response.status >= 400) throw apiErrorOf(response, text, operation);
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        return { status: response.status, headers: response.headers, body: body as T };
      },
      this.retry,
      { onRetry: (error, attempt, delay) => this.options.debug?.(`api ${operation} failed (${String((error as Error).message)}); retry ${attempt} in ${delay} ms`) },
    );
  }

  get<T>(path: string, query?: ApiRequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {}).then((a) => a.body);
  }

  post<T>(path: string, json: unknown): Promise<T> {
    return this.request<T>('POST', path, { json }).then((a) => a.body);
  }

  patch<T>(path: string, json: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { json }).then((a) => a.body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path).then((a) => a.body);
  }
}

const isAuthorizerRefusal = (error: unknown): boolean => error instanceof ApiError && error.isTokenRefused;

/** Path segments are ids or upload ids: encode them for a URL path. */
export const segment = (value: string): string => encodeURIComponent(value);
