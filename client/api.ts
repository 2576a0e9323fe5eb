/**
 * The one typed client of the media-store API, for the CLI and the web app: a route key of
 * contract/endpoints.ts, its path parameters, query and body in, its answer out, every error
 * answer an `ApiError`. Each client brings only its session through the transport: where the
 * access token is, how a refused one is renewed (the CLI: its refresh token; the web app: the
 * HttpOnly cookie), the credentials mode and extra headers.
 *
 * A refused token (401, or API Gateway's own 403) on a route the authorizer guards is renewed
 * once through `renew` and the request sent again; the public share routes (`/public/…`) never
 * carry the token. No Node or DOM imports: `fetch` is the global both runtimes have, or injected.
 */
import type { EndpointKey, Endpoints, PathParams } from '../contract/endpoints';
import { ROUTES, routeKey } from '../contract/routes';
import { ApiError, apiErrorOf } from './errors';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';

/** The part of `fetch`'s answer the client reads. */
interface FetchAnswer {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly credentials?: 'omit' | 'same-origin' | 'include';
  readonly redirect?: 'manual';
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchAnswer>;

interface ApiTransport {
  /** `https://…/prod` for the CLI, `/api` for the web app (its own origin). */
  readonly baseUrl: string;
  /** The access token to send now, if any; may renew one about to expire first. */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /**
   * Renews the refused token `used`: true when a new one is ready, false when the session
   * ended. Concurrent refusals must share one renewal (a refresh token used twice ends the session).
   */
  readonly renew?: (used: string) => Promise<boolean>;
  /** The error a refused token that cannot be renewed becomes. @default the refusal itself */
  readonly sessionEnded?: (refusal: ApiError) => Error;
  readonly credentials?: 'omit' | 'same-origin' | 'include';
  /** Headers sent with every request (e.g. `accept`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** @default the global fetch, looked up at each call */
  readonly fetch?: FetchLike;
  readonly debug?: (message: string) => void;
}

type Endpoint<K extends EndpointKey> = Endpoints[K];
type ParamsArg<K extends EndpointKey> = keyof PathParams<K> extends never ? { readonly params?: undefined } : { readonly params: PathParams<K> };
type QueryArg<K extends EndpointKey> = Endpoint<K>['query'] extends undefined ? { readonly query?: undefined } : { readonly query: Endpoint<K>['query'] };
type BodyArg<K extends EndpointKey> = Endpoint<K>['body'] extends undefined ? { readonly body?: undefined } : { readonly body: Endpoint<K>['body'] };

export interface CallOptions {
  /** Headers of this call (`x-share-session`, `x-share-guest`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer a 3xx instead of following it (download redirects). */
  readonly redirect?: 'manual';
}

type CallArgs<K extends EndpointKey> = ParamsArg<K> & QueryArg<K> & BodyArg<K> & CallOptions;
/** The arguments, optional when the route needs none. */
export type CallRest<K extends EndpointKey> = object extends CallArgs<K> ? [args?: CallArgs<K>] : [args: CallArgs<K>];

export interface ApiAnswer<T> {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: T;
}

export interface Api {
  /** The answer's body. */
  call<K extends EndpointKey>(key: K, ...args: CallRest<K>): Promise<Endpoint<K>['response']>;
  /** The whole answer: status, headers and body. */
  send<K extends EndpointKey>(key: K, ...args: CallRest<K>): Promise<ApiAnswer<Endpoint<K>['response']>>;
}

const GUARDED: ReadonlySet<string> = new Set(ROUTES.filter((r) => r.auth).map(routeKey));

/** `/files/{id}` with `{ id: 'a b' }` → `/files/a%20b`. */
export function pathOf(key: string, params: Readonly<Record<string, string>> = {}): string {
  const path = key.slice(key.indexOf(' ') + 1);
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${key}: path parameter ${name} missing`);
    return encodeURIComponent(value);
  });
}

export function createApi(transport: ApiTransport): Api {
  const retry = transport.retry ?? DEFAULT_RETRY_POLICY;

  async function once<T>(key: EndpointKey, args: CallArgs<EndpointKey>, token: string | undefined): Promise<ApiAnswer<T>> {
    const method = key.slice(0, key.indexOf(' '));
    const path = pathOf(key, args.params as Record<string, string> | undefined);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries((args.query ?? {}) as Record<string, unknown>)) if (value !== undefined) query.set(name, String(value));
    const search = query.toString();
    const url = `${transport.baseUrl}${path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = {
      ...transport.headers,
      ...(args.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...args.headers,
    };
    const operation = `${method} ${path}`;
    return withRetry(
      async (attempt) => {
        const started = Date.now();
        const fetcher: FetchLike = transport.fetch ?? (fetch as unknown as FetchLike);
        const response = await fetcher(url, {
          method,
          headers,
          ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
          ...(transport.credentials ? { credentials: transport.credentials } : {}),
          ...(args.redirect ? { redirect: args.redirect } : {}),
        });
        const text = await response.text();
        transport.debug?.(`api ${operation} → ${response.status} in ${Date.now() - started} ms${attempt ? ` (attempt ${attempt + 1})` : ''}`);
        if (response.status >= 400) throw apiErrorOf(response, text, operation);
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        return { status: response.status, headers: response.headers, body: body as T };
      },
      retry,
      { onRetry: (error, attempt, delay) => transport.debug?.(`api ${operation} failed (${String((error as Error).message)}); retry ${attempt} in ${delay} ms`) },
    );
  }

  async function send<T>(key: EndpointKey, args: CallArgs<EndpointKey> = {} as CallArgs<EndpointKey>): Promise<ApiAnswer<T>> {
    const anonymous = key.includes(' /public/');
    const used = anonymous ? undefined : await transport.token?.();
    try {
      return await once<T>(key, args, used);
    } catch (error) {
      if (!(used !== undefined && GUARDED.has(key) && error instanceof ApiError && error.isTokenRefused)) throw error;
      if (!(await (transport.renew?.(used) ?? Promise.resolve(false)))) throw transport.sessionEnded?.(error) ?? error;
      return once<T>(key, args, await transport.token?.());
    }
  }

  return {
    send: (key, ...args) => send(key, args[0] as CallArgs<EndpointKey> | undefined),
    call: (key, ...args) => send(key, args[0] as CallArgs<EndpointKey> | undefined).then((answer) => answer.body as never),
  };
}
