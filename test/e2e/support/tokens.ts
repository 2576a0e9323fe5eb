/**
 * Tokens the authorizer must refuse, forged here independently of the handlers' own JWT
 * code: expired (validly signed with the stack's secret), tampered, and `alg: none`.
 */
import { createHmac, randomBytes } from 'node:crypto';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Claims {
  readonly sub: string;
  readonly role: string;
  readonly iss: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

export function signHs256(claims: Claims, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Claims;
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signed with the right key (named by its version in `kid`) and issuer, but expired an hour ago. */
export function expiredToken(key: { id: string; secret: string }, like: Claims): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ ...like, iat: now - 7200, exp: now - 3600, jti: randomBytes(16).toString('base64url') }, key.secret, { alg: 'HS256', typ: 'JWT', kid: key.id });
}

/** A valid token whose payload was changed (role raised) without re-signing. */
export function tamperedToken(valid: string): string {
  const [header, , signature] = valid.split('.');
  const claims = { ...claimsOf(valid), role: 'admin', sub: 'mallory', jti: randomBytes(16).toString('base64url') };
  return `${header}.${b64(claims)}.${signature}`;
}

/** The same claims with `alg: none` and no signature. */
export function algNoneToken(valid: string): string {
  const claims = { ...claimsOf(valid), jti: randomBytes(16).toString('base64url') };
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
