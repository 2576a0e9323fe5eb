import { createHmac } from 'node:crypto';
import { authorize } from '../../../../handlers/authorizer/authorize';
import { signToken, type KeyLookup } from '../../../../handlers/core/token';
import type { SessionState } from '../../../../handlers/adapters/session-versions';
import { memoryLogger } from '../../support';

const SECRET = 'authorizer-test-secret-0123456789abcdef';
const NOW = 1_750_000_000;

function event(authorization?: string) {
  return { routeKey: 'GET /files', headers: authorization === undefined ? {} : { authorization }, identitySource: authorization === undefined ? [] : [authorization] };
}

const SESSION = 'session-1';
const USER_ID = 'ana-id-0123456789abcdef';
const FAMILY = 'family-1';

/** Ana as stored: her id and session version, and her one session family (until an hour from now). */
const stored = (overrides: Partial<SessionState> = {}): SessionState => ({
  user: { userId: USER_ID, sessionVersion: SESSION },
  family: { userId: USER_ID, expiresAt: NOW + 3600 },
  ...overrides,
});

function deps(overrides: Partial<Parameters<typeof authorize>[1]> = {}) {
  const log = memoryLogger();
  const keys: KeyLookup = async (kid) => (kid === 'v1' ? SECRET : undefined);
  const reads: [string, string][] = [];
  const sessionOf = async (username: string, sessionId: string): Promise<SessionState> => {
    reads.push([username, sessionId]);
    return username === 'ana' && sessionId === FAMILY ? stored() : {};
  };
  return { log, reads, deps: { keys, sessionOf, issuer: 'media-store', logger: log.logger, now: () => NOW, ...overrides } };
}

type Shape = { secret?: string; issuer?: string; now?: number; ttl?: number; sessionVersion?: string; keyId?: string; sessionId?: string | null; userId?: string | null };
let token: (overrides?: Shape) => string;
beforeAll(() => {
  // Signed once per shape up front: jose's sign is asynchronous, the test tables are not.
  token = (overrides = {}) => cache.get(JSON.stringify(overrides)) as string;
});
const cache = new Map<string, string>();
const SHAPES: Shape[] = [{}, { now: NOW - 7200 }, { issuer: 'other' }, { secret: 'x'.repeat(40) }, { sessionVersion: 'session-0' }, { keyId: 'v0' }, { sessionId: null }, { userId: null }];
beforeAll(async () => {
  for (const o of SHAPES) {
    const signed = await signToken(
      {
        username: 'ana',
        role: 'viewer',
        sessionVersion: o.sessionVersion ?? SESSION,
        ...(o.sessionId !== null ? { sessionId: o.sessionId ?? FAMILY } : {}),
        ...(o.userId !== null ? { userId: o.userId ?? USER_ID } : {}),
      },
      { secret: o.secret ?? SECRET, keyId: o.keyId ?? 'v1', issuer: o.issuer ?? 'media-store', ttlSeconds: o.ttl ?? 3600, now: o.now ?? NOW },
    );
    cache.set(JSON.stringify(o), signed.token);
  }
});

describe('authorize', () => {
  it('authorizes a valid bearer token with username, user id and role as context, reading the user and the token\'s session family', async () => {
    const { deps: d, reads } = deps();
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: true, context: { username: 'ana', userId: USER_ID, role: 'viewer' } });
    expect(reads).toEqual([['ana', FAMILY]]);
  });

  it.each([
    ['missing header', () => undefined],
    ['garbage', () => 'Bearer garbage'],
    ['wrong scheme', () => `Basic ${token()}`],
    ['expired', () => `Bearer ${token({ now: NOW - 7200 })}`],
    ['wrong issuer', () => `Bearer ${token({ issuer: 'other' })}`],
    ['other secret', () => `Bearer ${token({ secret: 'x'.repeat(40) })}`],
    ['revoked key version', () => `Bearer ${token({ keyId: 'v0' })}`],
    ['stale session version', () => `Bearer ${token({ sessionVersion: 'session-0' })}`],
  ])('denies a %s token', async (_label, header) => {
    const { deps: d } = deps();
    expect(await authorize(event(header()), d)).toEqual({ isAuthorized: false });
  });

  it('denies the token of a user that no longer exists, logging why', async () => {
    const { deps: d, log } = deps({ sessionOf: async () => stored({ user: undefined }) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'user-gone' });
  });

  it('denies the token of a deleted user once a new user has the same name (another user id)', async () => {
    const { deps: d, log } = deps({ sessionOf: async () => stored({ user: { userId: 'new-ana-id', sessionVersion: SESSION } }) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'user-gone' });
  });

  it('denies the token of a user whose role, folders or password changed since (new session version)', async () => {
    const { deps: d, log } = deps({ sessionOf: async () => stored({ user: { userId: USER_ID, sessionVersion: 'session-2' } }) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'session-revoked' });
  });

  it('denies the token of a session that was logged out (its family is gone)', async () => {
    const { deps: d, log } = deps({ sessionOf: async () => stored({ family: undefined }) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'session-ended', username: 'ana' });
  });

  it.each([
    ['has expired', { userId: USER_ID, expiresAt: NOW }],
    ['belongs to another user id', { userId: 'someone-else', expiresAt: NOW + 3600 }],
  ])('denies the token when its session family %s', async (_label, family) => {
    const { deps: d, log } = deps({ sessionOf: async () => stored({ family }) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'session-ended' });
  });

  it.each([
    ['session id', { sessionId: null }],
    ['user id', { userId: null }],
  ])('denies a token without a %s (issued before sessions were named) without reading the table', async (_label, shape) => {
    const { deps: d, log, reads } = deps();
    expect(await authorize(event(`Bearer ${token(shape)}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'no-session' });
    expect(reads).toEqual([]);
  });

  it('denies alg:none', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'ana', role: 'admin', iss: 'media-store', iat: NOW, exp: NOW + 60, jti: 'j' })}.`;
    const { deps: d } = deps();
    expect(await authorize(event(`Bearer ${none}`), d)).toEqual({ isAuthorized: false });
  });

  it('denies a tampered payload', async () => {
    const [h, , s] = token().split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'ana', role: 'admin', iss: 'media-store', iat: NOW, exp: NOW + 60, jti: 'j', sv: SESSION, sid: FAMILY, uid: USER_ID })).toString('base64url');
    const { deps: d } = deps();
    expect(await authorize(event(`Bearer ${h}.${payload}.${s}`), d)).toEqual({ isAuthorized: false });
    // and the same payload correctly signed with the right secret is accepted: the test is not vacuous
    const good = `${h}.${payload}.${createHmac('sha256', SECRET).update(`${h}.${payload}`).digest('base64url')}`;
    expect(await authorize(event(`Bearer ${good}`), d)).toMatchObject({ isAuthorized: true });
  });

  it('denies instead of throwing when the secret cannot be loaded', async () => {
    const { deps: d, log } = deps({ keys: async () => Promise.reject(new Error('AccessDenied')) });
    expect(await authorize(event(`Bearer ${token()}`), d)).toEqual({ isAuthorized: false });
    expect(log.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('fails (API Gateway: 500, which clients retry) rather than deny while DynamoDB is throttling or unavailable', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const unavailable = Object.assign(new Error('DynamoDB Local is restarting'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    for (const error of [throttled, unavailable]) {
      const { deps: d, log } = deps({ sessionOf: async () => Promise.reject(error) });

      await expect(authorize(event(`Bearer ${token()}`), d)).rejects.toBe(error);
      expect(log.lines.some((l) => l.level === 'error')).toBe(true);
    }
  });

  it('logs the reason for a denial but never the token', async () => {
    const { deps: d, log } = deps();
    const expired = token({ now: NOW - 7200 });
    await authorize(event(`Bearer ${expired}`), d);
    expect(log.lines[0]).toMatchObject({ message: 'denied', reason: 'expired' });
    expect(log.text()).not.toContain(expired);
  });
});
