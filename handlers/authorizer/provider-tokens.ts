/**
 * Access tokens of the organisation's identity provider, for machine clients (a CI job's
 * client-credentials token): signed by one of the provider's keys (asymmetric algorithms only,
 * so the service's own HS256 secret can never verify one), of the configured issuer and
 * audience, not expired, with a role mapped from the role claim or a scope. The client acts as
 * `client:<sub>` with a user id derived from issuer and subject; no session is involved, so the
 * token lives as long as the provider made it (minutes).
 */
import { decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { claimedFolders, identityId, machineUsername, mappedRole, type RolePolicy } from '../core/oidc';
import type { AuthorizerContext } from './authorize';

export interface ProviderTokenPolicy {
  readonly issuer: string;
  /** The `aud` the token must carry. */
  readonly audience: string;
  readonly roles: RolePolicy;
  /** The claim holding folder limits; empty: none. */
  readonly foldersClaim: string;
}

type ProviderTokenRejection = 'expired' | 'wrong-issuer' | 'wrong-audience' | 'unknown-key' | 'bad-signature' | 'unsupported-algorithm' | 'missing-claims' | 'no-mapped-role' | 'bad-folders-claim' | 'malformed';
type ProviderTokenResult = { readonly ok: true; readonly context: AuthorizerContext } | { readonly ok: false; readonly reason: ProviderTokenRejection };

export const PROVIDER_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Tolerated clock difference with the provider, seconds. */
const CLOCK_SKEW_SECONDS = 5;

/** The unverified `iss` of a JWT: which verifier to hand it to, nothing more. */
export function unverifiedIssuer(token: string): string | undefined {
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyProviderToken(token: string, policy: ProviderTokenPolicy, keys: JWTVerifyGetKey, now?: number): Promise<ProviderTokenResult> {
  const reject = (reason: ProviderTokenRejection): ProviderTokenResult => ({ ok: false, reason });
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, keys, {
      issuer: policy.issuer,
      audience: policy.audience,
      algorithms: PROVIDER_ALGORITHMS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['sub', 'exp'],
      ...(now !== undefined ? { currentDate: new Date(now * 1000) } : {}),
    }));
  } catch (error) {
    return reject(rejectionOf(error));
  }
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') return reject('missing-claims');
  const role = mappedRole(claims, policy.roles, { withScopes: true });
  if (role === undefined) return reject('no-mapped-role');
  const folders = policy.foldersClaim === '' ? undefined : claimedFolders(claims, policy.foldersClaim);
  if (folders === null) return reject('bad-folders-claim');
  return {
    ok: true,
    context: { username: machineUsername(sub), userId: identityId(policy.issuer, sub), role, ...(folders !== undefined && role !== 'admin' ? { folders: JSON.stringify(folders) } : {}) },
  };
}

function rejectionOf(error: unknown): ProviderTokenRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown-key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'unsupported-algorithm';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'aud') return 'wrong-audience';
    return 'missing-claims';
  }
  // A failure to reach the provider's keys is not the token's fault: the authorizer logs it as an error.
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && !(error instanceof errors.JOSEError))) throw error;
  return 'malformed';
}
