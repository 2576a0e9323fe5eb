/**
 * HS256 JSON Web Tokens with node:crypto. The algorithm is pinned: the header must say
 * `HS256`, so `alg: none` and algorithm swaps (HS512, RS256 with the secret as "public key")
 * are refused before any signature check. Verification never throws: it returns a typed
 * reason that the authorizer logs and maps to "not authorized".
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRole, parseFolderLimits, type Role } from './roles';

export interface TokenClaims {
  /** Username. */
  readonly sub: string;
  readonly role: Role;
  readonly iss: string;
  /** Issued at, epoch seconds. */
  readonly iat: number;
  /** Expires at, epoch seconds. */
  readonly exp: number;
  readonly jti: string;
  /** Folder prefixes the user is limited to; absent: every folder. */
  readonly folders?: readonly string[];
}

export type TokenRejection =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'bad-signature'
  | 'missing-claims'
  | 'wrong-issuer'
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future';

export type VerifyResult = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: TokenRejection };

export interface VerifyOptions {
  readonly secret: string | Buffer;
  readonly issuer: string;
  /** Epoch seconds; defaults to the clock. */
  readonly now?: number;
  /** Tolerated clock difference for `iat`/`nbf`, seconds. @default 60 */
  readonly clockSkewSeconds?: number;
}

export interface SignOptions {
  readonly secret: string | Buffer;
  readonly issuer: string;
  readonly ttlSeconds: number;
  readonly now?: number;
}

export const MIN_SECRET_BYTES = 32;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const hmac = (secret: string | Buffer, input: string): Buffer => createHmac('sha256', secret).update(input).digest();

export function signToken(
  subject: { username: string; role: Role; folders?: readonly string[] | undefined },
  options: SignOptions,
): { token: string; claims: TokenClaims } {
  const iat = options.now ?? nowSeconds();
  const claims: TokenClaims = {
    sub: subject.username,
    role: subject.role,
    iss: options.issuer,
    iat,
    exp: iat + options.ttlSeconds,
    jti: randomBytes(16).toString('base64url'),
    ...(subject.folders !== undefined ? { folders: subject.folders } : {}),
  };
  const signingInput = `${encodeJson(HEADER)}.${encodeJson(claims)}`;
  return { token: `${signingInput}.${hmac(options.secret, signingInput).toString('base64url')}`, claims };
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export function verifyToken(token: string, options: VerifyOptions): VerifyResult {
  const reject = (reason: TokenRejection): VerifyResult => ({ ok: false, reason });
  const parts = token.split('.');
  if (token.length > 8192 || parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return reject('malformed');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = decodeJson(headerPart);
  if (!isObject(header)) return reject('malformed');
  // Pinned algorithm; `crit` extensions are not understood, so they must be refused (RFC 7515 §4.1.11).
  if (header.alg !== HEADER.alg || (header.typ !== undefined && header.typ !== HEADER.typ) || header.crit !== undefined) {
    return reject('unsupported-algorithm');
  }

  const expected = hmac(options.secret, `${headerPart}.${payloadPart}`);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signaturePart) {
    return reject('bad-signature');
  }

  const payload = decodeJson(payloadPart);
  if (!isObject(payload)) return reject('malformed');
  const { sub, role, iss, iat, exp, jti, nbf, folders } = payload;
  if (typeof sub !== 'string' || sub === '' || !isRole(role) || typeof iss !== 'string' || !isTime(iat) || !isTime(exp) || typeof jti !== 'string' || jti === '') {
    return reject('missing-claims');
  }
  if (nbf !== undefined && !isTime(nbf)) return reject('missing-claims');
  // A limit that cannot be read must not turn into "every folder".
  const limits = folders === undefined ? undefined : folderClaim(folders);
  if (limits === null) return reject('missing-claims');
  if (iss !== options.issuer) return reject('wrong-issuer');

  const now = options.now ?? nowSeconds();
  const skew = options.clockSkewSeconds ?? 60;
  if (exp <= now) return reject('expired');
  if (iat > now + skew) return reject('issued-in-future');
  if (nbf !== undefined && nbf > now + skew) return reject('not-yet-valid');
  return { ok: true, claims: { sub, role, iss, iat, exp, jti, ...(limits !== undefined ? { folders: limits } : {}) } };
}

/** The `folders` claim as issued (non-empty, normalized), or `null` when it is not. */
function folderClaim(value: unknown): readonly string[] | null {
  try {
    const limits = parseFolderLimits(value);
    return limits !== undefined && Array.isArray(value) && limits.length === value.length && limits.every((f, i) => f === value[i]) ? limits : null;
  } catch {
    return null;
  }
}

/** The token of an `Authorization: Bearer <token>` header value, or `undefined`. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
