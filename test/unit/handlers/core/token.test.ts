import { createHmac, generateKeyPairSync, createSign } from 'node:crypto';
import { bearerToken, signToken, verifyToken } from '../../../../handlers/core/token';

const SECRET = 'unit-test-secret-0123456789-abcdefghij';
const ISSUER = 'media-store';
const NOW = 1_750_000_000;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const hs = (alg: 'sha256' | 'sha512', input: string, secret = SECRET): string => createHmac(alg, secret).update(input).digest('base64url');

function craft(header: unknown, payload: unknown, sign: (input: string) => string = (i) => hs('sha256', i)): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input)}`;
}

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'ana',
  role: 'editor',
  iss: ISSUER,
  iat: NOW - 10,
  exp: NOW + 3600,
  jti: 'jti-1',
  ...overrides,
});

const verify = (token: string, now = NOW) => verifyToken(token, { secret: SECRET, issuer: ISSUER, now });

describe('token', () => {
  describe('signToken + verifyToken', () => {
    it('accepts a token it signed and returns its claims', async () => {
      // Prepare
      const { token, claims: signed } = await signToken({ username: 'ana', role: 'admin' }, { secret: SECRET, issuer: ISSUER, ttlSeconds: 3600, now: NOW });
      // Act
      const result = await verify(token);
      // Assess
      expect(result).toEqual({ ok: true, claims: signed });
      expect(signed).toMatchObject({ sub: 'ana', role: 'admin', iss: ISSUER, iat: NOW, exp: NOW + 3600 });
      expect(signed.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });

    it('writes a header that pins HS256', async () => {
      const { token } = await signToken({ username: 'ana', role: 'admin' }, { secret: SECRET, issuer: ISSUER, ttlSeconds: 60 });
      expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    });
  });

  describe('verifyToken', () => {
    it('rejects an expired token', async () => {
      expect(await verify(craft({ alg: 'HS256', typ: 'JWT' }, claims({ exp: NOW })))).toEqual({ ok: false, reason: 'expired' });
    });

    it('rejects a tampered payload', async () => {
      const [h, , s] = craft({ alg: 'HS256' }, claims()).split('.');
      const forged = `${h}.${b64(claims({ role: 'admin' }))}.${s}`;
      expect(await verify(forged)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('rejects a tampered signature', async () => {
      const token = craft({ alg: 'HS256' }, claims());
      const last = token.at(-2) === 'A' ? 'B' : 'A';
      expect(await verify(`${token.slice(0, -2)}${last}${token.at(-1)}`)).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it('rejects a token signed with another secret', async () => {
      expect(await verify(craft({ alg: 'HS256' }, claims(), (i) => hs('sha256', i, 'another-secret-of-sufficient-length!!')))).toEqual({ ok: false, reason: 'bad-signature' });
    });

    it.each([
      ['alg none with empty signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      ['alg none with a signature', craft({ alg: 'none' }, claims())],
      ['alg None (case games)', craft({ alg: 'None' }, claims())],
      ['HS512 signed with the secret', craft({ alg: 'HS512' }, claims(), (i) => hs('sha512', i))],
      ['HS256 claimed but crit extension', craft({ alg: 'HS256', crit: ['exp'] }, claims())],
      ['missing alg', craft({ typ: 'JWT' }, claims())],
    ])('rejects %s', async (_label, token) => {
      expect((await verify(token)).ok).toBe(false);
    });

    it('rejects RS256 even when correctly signed with a private key', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = craft({ alg: 'RS256' }, claims(), (i) => createSign('RSA-SHA256').update(i).sign(privateKey).toString('base64url'));
      expect(await verify(token)).toEqual({ ok: false, reason: 'unsupported-algorithm' });
    });

    it('rejects HS512 with unsupported-algorithm before looking at the signature', async () => {
      expect(await verify(craft({ alg: 'HS512' }, claims(), (i) => hs('sha512', i)))).toEqual({ ok: false, reason: 'unsupported-algorithm' });
    });

    it('rejects a wrong issuer', async () => {
      expect(await verify(craft({ alg: 'HS256' }, claims({ iss: 'someone-else' })))).toEqual({ ok: false, reason: 'wrong-issuer' });
    });

    it.each(['sub', 'role', 'iss', 'iat', 'exp', 'jti'])('rejects a token without %s', async (claim) => {
      const payload = claims();
      delete payload[claim];
      expect(await verify(craft({ alg: 'HS256' }, payload))).toEqual({ ok: false, reason: 'missing-claims' });
    });

    it('rejects an unknown role and non-numeric times', async () => {
      expect(await verify(craft({ alg: 'HS256' }, claims({ role: 'root' })))).toEqual({ ok: false, reason: 'missing-claims' });
      expect(await verify(craft({ alg: 'HS256' }, claims({ exp: String(NOW + 60) })))).toEqual({ ok: false, reason: 'missing-claims' });
    });

    it('rejects a token issued in the future beyond the clock skew', async () => {
      expect(await verify(craft({ alg: 'HS256' }, claims({ iat: NOW + 3600, exp: NOW + 7200 })))).toEqual({ ok: false, reason: 'issued-in-future' });
      expect((await verify(craft({ alg: 'HS256' }, claims({ iat: NOW + 30 })))).ok).toBe(true);
    });

    it('rejects a token that is not valid yet (nbf)', async () => {
      expect(await verify(craft({ alg: 'HS256' }, claims({ nbf: NOW + 600 })))).toEqual({ ok: false, reason: 'not-yet-valid' });
    });

    it.each(['', 'abc', 'a.b', 'a.b.c.d', '!!!.###.$$$', `${b64('x')}.${b64('y')}.`])('rejects garbage %j as malformed', async (token) => {
      expect(await verify(token)).toMatchObject({ ok: false });
    });

    it('never throws on arbitrary input', async () => {
      for (const token of ['.', '..', 'eyJ.eyJ.x', `${b64(null)}.${b64(null)}.x`, `${b64([1])}.${b64(1)}.x`]) {
        await expect(verify(token)).resolves.toMatchObject({ ok: false });
      }
    });
  });

  describe('bearerToken', () => {
    it('extracts the token of a Bearer header, case-insensitively', async () => {
      expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
      expect(bearerToken('bearer abc')).toBe('abc');
    });

    it.each([undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'abc'])('returns undefined for %j', (header) => {
      expect(bearerToken(header)).toBeUndefined();
    });
  });
});
