/**
 * The media-store HTTP API over fetch: JSON in and out, bearer token, retries on network
 * failures / 5xx / 429, and every error answer turned into an `ApiError`.
 */
import { ApiError } from './errors';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
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

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  get hasToken(): boolean {
    return this.options.token !== undefined;
  }

  async request<T>(method: string, path: string, request: ApiRequestOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
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
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        if (response.status >= 400) throw apiErrorOf(response, body, text, operation);
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

function apiErrorOf(response: Response, body: unknown, text: string, operation: string): ApiError {
  const shaped = body as { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  const code = typeof shaped?.error?.code === 'string' ? shaped.error.code : `Http${response.status}`;
  const message =
    typeof shaped?.error?.message === 'string'
      ? shaped.error.message
      : typeof shaped?.message === 'string'
        ? shaped.message
        : text.trim().slice(0, 200) || response.statusText || `HTTP ${response.status}`;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, code, message, operation, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/** Path segments are ids or upload ids: encode them for a URL path. */
export const segment = (value: string): string => encodeURIComponent(value);
