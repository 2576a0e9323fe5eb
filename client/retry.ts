/**
 * Retries with exponential backoff and jitter: network failures, 5xx and 429 are retried,
 * anything else fails at once. The delay of attempt n (0-based) is drawn from
 * [d/2, d) with d = min(cap, base · 2ⁿ) ("equal jitter"): clients that failed together do not
 * come back together, and no retry is immediate. A 429's `Retry-After` wins when longer.
 * One policy for every client: the CLI and the web app retry the same way.
 */
import { ApiError, isNetworkError, StorageError } from './errors';

export interface RetryPolicy {
  /** Retries after the first attempt. @default 5 */
  readonly retries: number;
  /** @default 250 */
  readonly baseDelayMs: number;
  /** @default 15000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 15_000 };

export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** HTTP statuses worth another try: the server's trouble, or it asked us to slow down. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

export function isRetryable(error: unknown): boolean {
  if (error instanceof ApiError || error instanceof StorageError) return isRetryableStatus(error.status);
  return isNetworkError(error);
}

/** Seconds of a `Retry-After` header (delta-seconds form only), as milliseconds. */
export function retryAfterMs(error: unknown): number | undefined {
  const value = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof value === 'number' && value >= 0 ? value * 1000 : undefined;
}

interface RetryHooks {
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.retries || !isRetryable(error)) throw error;
      const delay = Math.max(backoffDelayMs(attempt, policy, hooks.random), Math.min(retryAfterMs(error) ?? 0, policy.maxDelayMs));
      hooks.onRetry?.(error, attempt + 1, delay);
      await (hooks.sleep ?? sleep)(delay);
    }
  }
}
