/**
 * Access tokens: HS256 JSON Web Tokens signed and verified with `jose`, pinned to HS256
 * (`algorithms: ['HS256']`), so `alg: none` and algorithm swaps (HS512, RS256 with the secret
 * as "public key") are refused before any signature check. The header's `kid` names the
 * signing key's version, so tokens signed before a key rotation verify with the previous key
 * until they expire. Verification never throws for a bad token: it returns a typed reason that
 * the authorizer logs and maps to "not authorized". Only a failure to look the key up (an
 * infrastructure error, not the token's fault) is thrown.
 */
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { isRole, parseFolderLimits, type Role } from './roles';

interface TokenClaims {
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
  /** The user's session version when the token was issued (see handlers/core/session.ts). */
  readonly sv?: string;
  /** The session family the token belongs to: logout ends it, and the token with it. */
  readonly sid?: string;
  /** The user's id (handlers/core/user-ids.ts): a user created again under the same name has another. */
  readonly uid?: string;
}

type TokenRejection =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'missing-claims'
  | 'wrong-issuer'
  | 'expired'
  | 'not-yet-valid'
  | 'issued-in-future';

type VerifyResult = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: TokenRejection };

/** A signing key: the secret and the version id written as `kid` (absent: no `kid`). */
export interface SigningKey {
  readonly id?: string;
  readonly secret: string | Buffer;
}

/** The verification key for a token's `kid`, or `undefined` when no such key is valid. */
export type KeyLookup = (kid: string | undefined) => Promise<string | Buffer | undefined>;

export interface VerifyOptions {
  /** One secret, or a lookup by `kid` (key rotation). */
  readonly secret: string | Buffer | KeyLookup;
  readonly issuer: string;
  /** Epoch seconds; defaults to the clock. */
  readonly now?: number;
  /** Tolerated clock difference for `iat`/`nbf`, seconds. @default 60 */
  readonly clockSkewSeconds?: number;
}

export interface SignOptions {
  readonly secret: string | Buffer;
  /** Written as the header's `kid`. */
  readonly keyId?: string;
  readonly issuer: string;
  readonly ttlSeconds: number;
  readonly now?: number;
}

interface TokenSubject {
  readonly username: string;
  readonly role: Role;
  readonly folders?: readonly string[] | undefined;
  readonly sessionVersion?: string;
  readonly sessionId?: string;
  readonly userId?: string;
}

export const MIN_SECRET_BYTES = 32;
const ALGORITHM = 'HS256';
const MAX_TOKEN_LENGTH = 8192;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const keyBytes = (secret: string | Buffer): Uint8Array => (typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);

export async function signToken(subject: TokenSubject, options: SignOptions): Promise<{ token: string; claims: TokenClaims }> {
  const iat = options.now ?? nowSeconds();
  const claims: TokenClaims = {
    sub: subject.username,
    role: subject.role,
    iss: options.issuer,
    iat,
    exp: iat + options.ttlSeconds,
    jti: randomBytes(16).toString('base64url'),
    ...(subject.folders !== undefined ? { folders: subject.folders } : {}),
    ...(subject.sessionVersion !== undefined ? { sv: subject.sessionVersion } : {}),
    ...(subject.sessionId !== undefined ? { sid: subject.sessionId } : {}),
    ...(subject.userId !== undefined ? { uid: subject.userId } : {}),
  };
  const token = await new SignJWT({ ...claims } as JWTPayload)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', ...(options.keyId !== undefined ? { kid: options.keyId } : {}) })
    .sign(keyBytes(options.secret));
  return { token, claims };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

class UnknownKey extends Error {}

export async function verifyToken(token: string, options: VerifyOptions): Promise<VerifyResult> {
  const reject = (reason: TokenRejection): VerifyResult => ({ ok: false, reason });
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) return reject('malformed');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return reject('malformed');
  }
  // `typ` is optional, but when present it must say JWT (jose's `typ` option would require it).
  if (header.typ !== undefined && header.typ !== 'JWT') return reject('unsupported-algorithm');

  const now = options.now ?? nowSeconds();
  const skew = options.clockSkewSeconds ?? 60;
  const { secret } = options;
  let payload: JWTPayload;
  let lookupFailure: { error: unknown } | undefined;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (protectedHeader) => {
        let key: string | Buffer | undefined;
        try {
          key = typeof secret === 'function' ? await secret(protectedHeader.kid) : secret;
        } catch (error) {
          lookupFailure = { error };
          throw error;
        }
        if (key === undefined) throw new UnknownKey();
        return keyBytes(key);
      },
      // jose checks `nbf` with the skew and `exp` with it too; `exp` is re-checked strictly below.
      { algorithms: [ALGORITHM], issuer: options.issuer, currentDate: new Date(now * 1000), clockTolerance: skew, requiredClaims: ['sub', 'iat', 'exp', 'jti'] },
    ));
  } catch (error) {
    if (lookupFailure !== undefined) throw lookupFailure.error;
    return reject(rejectionOf(error));
  }

  const { sub, role, iss, iat, exp, jti, nbf, folders, sv, sid, uid } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || !isRole(role) || typeof iss !== 'string' || !isTime(iat) || !isTime(exp) || typeof jti !== 'string' || jti === '') {
    return reject('missing-claims');
  }
  if (nbf !== undefined && !isTime(nbf)) return reject('missing-claims');
  if ([sv, sid, uid].some((claim) => claim !== undefined && (typeof claim !== 'string' || claim === ''))) return reject('missing-claims');
  // A limit that cannot be read must not turn into "every folder".
  const limits = folders === undefined ? undefined : folderClaim(folders);
  if (limits === null) return reject('missing-claims');
  if (exp <= now) return reject('expired');
  if (iat > now + skew) return reject('issued-in-future');
  return {
    ok: true,
    claims: {
      sub,
      role,
      iss,
      iat,
      exp,
      jti,
      ...(limits !== undefined ? { folders: limits } : {}),
      ...(typeof sv === 'string' ? { sv } : {}),
      ...(typeof sid === 'string' ? { sid } : {}),
      ...(typeof uid === 'string' ? { uid } : {}),
    },
  };
}

/** The authorizer's log reason for each of jose's refusals. */
function rejectionOf(error: unknown): TokenRejection {
  if (error instanceof UnknownKey) return 'unknown-key';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'unsupported-algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' || error.reason === 'invalid') return 'missing-claims';
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'nbf') return 'not-yet-valid';
    if (error.claim === 'iat') return 'issued-in-future';
    return 'missing-claims';
  }
  return 'malformed';
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
