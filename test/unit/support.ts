/** Test doubles shared by the handler unit tests. */
import type { Context } from 'aws-lambda';
import type { AttemptCounter } from '../../handlers/adapters/attempt-counter';
import type { Share } from '../../handlers/adapters/shares-repository';
import type { ItemKey } from '../../contract/table';
import { createLogger, type Logger } from '../../handlers/core/logger';
import { refundAttempt, reserveAttempt, type AttemptRecord, type ThrottlePolicy } from '../../handlers/core/login-throttle';
import type { ApiEvent } from '../../handlers/http/types';

export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

export const lambdaContext = { awsRequestId: 'req-1', functionName: 'test' } as Context;

export function apiEvent(routeKey: string, options: { body?: unknown; rawBody?: string; query?: Record<string, string>; principal?: { username: string; role: string }; contentType?: string } = {}): ApiEvent {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}) },
    ...(options.query !== undefined ? { queryStringParameters: options.query } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(options.principal !== undefined ? { authorizer: { lambda: options.principal } } : {}),
    },
  };
}

/**
 * The attempt counter in memory: each call applies the rule of handlers/core/login-throttle.ts
 * in one step, as DynamoDB applies a conditional update (handlers/adapters/attempt-counter.ts).
 */
export class MemoryAttemptCounter implements AttemptCounter {
  readonly records = new Map<string, AttemptRecord>();

  async reserve(key: ItemKey, policy: ThrottlePolicy, now: number) {
    const decision = reserveAttempt(this.records.get(keyText(key)), now, policy);
    if (decision.granted) this.records.set(keyText(key), decision.record);
    return decision;
  }
  async refund(key: ItemKey, windowStartedAt: number) {
    const next = refundAttempt(this.records.get(keyText(key)), windowStartedAt);
    if (next !== undefined) this.records.set(keyText(key), next);
  }
  async clear(key: ItemKey) {
    this.records.delete(keyText(key));
  }
  /** Puts a record in place, as if its attempts had been made. */
  seed(key: ItemKey, record: AttemptRecord): void {
    this.records.set(keyText(key), record);
  }
}

const keyText = (key: ItemKey): string => `${key.pk}|${key.sk}`;

/** A live view share of the folder /album made by ana, without downloads; `overrides` change it. */
export function albumShare(overrides: Partial<Share> = {}): Share {
  return {
    id: 'AAAAAAAAAAAAAAAA',
    owner: 'ana',
    target: { kind: 'folder', folder: '/album' },
    mode: 'view',
    allowDownload: false,
    expiresAt: '2026-06-02T00:00:00.000Z',
    createdAt: '2026-05-30T00:00:00.000Z',
    sessionKey: Buffer.alloc(32, 1).toString('base64url'),
    folderGeneration: 'gen',
    ...overrides,
  };
}

/**
 * CRC-32C of `bytes` in S3's form (4 bytes big-endian, base64), computed bit by bit from the
 * definition (reflected polynomial 0x82F63B78): a reference independent of contract/crc32c.ts's
 * slicing-by-8 tables.
 */
export function crc32cBitwise(bytes: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const value = (crc ^ 0xffffffff) >>> 0;
  return Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]).toString('base64');
}
