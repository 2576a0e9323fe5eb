import { ApiError, StorageError } from '../../../client/errors';
import { backoffDelayMs, isRetryable, withRetry } from '../../../client/retry';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const networkError = (): Error => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' }) });

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt and draws from its upper half (jitter)', () => {
    expect(backoffDelayMs(0, policy, () => 0)).toBe(50);
    expect(backoffDelayMs(0, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(200);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(400);
  });

  it('never exceeds the cap, even after many attempts', () => {
    for (let attempt = 0; attempt < 100; attempt += 1) expect(backoffDelayMs(attempt, policy, Math.random)).toBeLessThanOrEqual(1000);
    expect(backoffDelayMs(50, policy, () => 0)).toBe(500);
  });
});

describe('isRetryable', () => {
  it('retries network failures, 5xx and 429, nothing else', () => {
    expect(isRetryable(networkError())).toBe(true);
    expect(isRetryable(new ApiError(503, 'X', 'm', 'GET /'))).toBe(true);
    expect(isRetryable(new ApiError(429, 'X', 'm', 'GET /'))).toBe(true);
    expect(isRetryable(new StorageError(500, 'InternalError', 'm'))).toBe(true);
    expect(isRetryable(new ApiError(400, 'X', 'm', 'GET /'))).toBe(false);
    expect(isRetryable(new ApiError(401, 'X', 'm', 'GET /'))).toBe(false);
    expect(isRetryable(new StorageError(403, 'AccessDenied', 'Request has expired'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries a retryable failure with growing delays until it succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;

    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new ApiError(502, 'BadGateway', 'm', 'GET /');
        return 'ok';
      },
      policy,
      { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    );

    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it('throws at once for a caller error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls += 1;
        throw new ApiError(413, 'PayloadTooLarge', 'too big', 'POST /uploads');
      },
      policy,
      { sleep: async () => undefined },
    );

    await expect(failing).rejects.toThrow('too big');
    expect(calls).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls += 1;
        throw networkError();
      },
      policy,
      { sleep: async () => undefined },
    );

    await expect(failing).rejects.toThrow('fetch failed');
    expect(calls).toBe(4);
  });

  it('waits at least what Retry-After asks (capped)', async () => {
    const delays: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new ApiError(429, 'TooManyRequests', 'slow down', 'POST /auth/login', 0.7);
      },
      policy,
      { sleep: async (ms) => void delays.push(ms), random: () => 0 },
    );

    expect(delays).toEqual([700]);
  });
});
