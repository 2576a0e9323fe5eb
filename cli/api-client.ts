/**
 * The CLI's session over the one typed API client (client/api.ts): the bearer token from its
 * config, renewed before it expires and, with `renewToken`, once when API Gateway refuses it
 * (401, or its own 403) through the session's refresh token; concurrent requests share one
 * renewal (a refresh token used twice would end the session). Retries on network failures,
 * 5xx and 429 are the client's.
 */
import type { EndpointKey } from '../contract/endpoints';
import { createApi, type Api, type ApiAnswer, type CallRest } from '../client/api';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../client/retry';
import type { Endpoints } from '../contract/endpoints';

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

export class ApiClient implements Api {
  readonly baseUrl: string;
  private token: string | undefined;
  private tokenExpiresAt: number | undefined;
  private renewal: Promise<boolean> | undefined;
  private readonly api: Api;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.token = options.token;
    this.tokenExpiresAt = options.tokenExpiresAt;
    this.api = createApi({
      baseUrl: options.baseUrl,
      headers: { accept: 'application/json' },
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      token: () => this.currentToken(),
      renew: (used) => this.renew(used),
      ...(options.debug ? { debug: options.debug } : {}),
    });
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  call<K extends EndpointKey>(key: K, ...args: CallRest<K>): Promise<Endpoints[K]['response']> {
    return this.api.call(key, ...args);
  }

  send<K extends EndpointKey>(key: K, ...args: CallRest<K>): Promise<ApiAnswer<Endpoints[K]['response']>> {
    return this.api.send(key, ...args);
  }

  /** Renews a token about to expire rather than spend a request on a refusal. */
  private async currentToken(): Promise<string | undefined> {
    if (this.token !== undefined && this.tokenExpiresAt !== undefined && Date.now() > this.tokenExpiresAt - 10_000) await this.renew(this.token);
    return this.token;
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
}
