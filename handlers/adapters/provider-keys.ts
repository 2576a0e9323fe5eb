/**
 * The identity provider's signing keys, from its discovery document's `jwks_uri`: fetched at
 * first use, cached, fetched again when a token names a key id the cache does not hold (a key
 * rotation at the provider), at most once per `REFETCH_COOLDOWN_MS` so that tokens with made-up
 * key ids cannot make the authorizer hammer the provider.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/** Shortest time between two fetches of the JWKS for unknown key ids. */
const REFETCH_COOLDOWN_MS = 10_000;
/** Longest time keys are used without asking the provider again. */
const KEYS_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 3_000;

/** The provider's discovery document, checked to name the configured issuer. */
export async function discover(issuer: string, fetchImpl: typeof fetch = fetch): Promise<Record<string, unknown>> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (response.status !== 200) throw new Error(`the provider's discovery document answered ${response.status}`);
  const document = (await response.json()) as Record<string, unknown>;
  if (document.issuer !== issuer) throw new Error(`the provider's discovery document names another issuer (${String(document.issuer)})`);
  return document;
}

/** A key lookup for jose's `jwtVerify`; the discovery document is read once (again after a failure). */
export function providerKeys(issuer: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const document = await discover(issuer);
    if (typeof document.jwks_uri !== 'string') throw new Error('the provider\'s discovery document has no jwks_uri');
    return createRemoteJWKSet(new URL(document.jwks_uri), { cooldownDuration: REFETCH_COOLDOWN_MS, cacheMaxAge: KEYS_MAX_AGE_MS, timeoutDuration: FETCH_TIMEOUT_MS });
  };
  return async (header, token) => {
    keys ??= load().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}
