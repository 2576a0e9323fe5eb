/**
 * The HTTP API REQUEST authorizer's decision (payload 2.0, simple responses): a valid
 * bearer JWT of a user who still exists with the token's user id and session version, in a
 * session family that still exists, yields `{isAuthorized: true, context: {username, userId,
 * role, folders?}}`; anything else — missing, garbage, expired, tampered, `alg: none`, wrong
 * issuer, a key version that is neither AWSCURRENT nor AWSPREVIOUS, a deleted, re-created or
 * changed user, a session logged out, a token without a session (issued before sessions were
 * named), even a failure to load the key — yields `{isAuthorized: false}`, so API Gateway
 * answers 403/401. The one exception: an AWS service that is throttling or failing for a
 * moment (the session lookup in DynamoDB, after the SDK's retries) is thrown, so API Gateway
 * answers 500, which clients retry — a 403 would tell them they lost their access. Either way
 * nothing is authorized.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { Logger } from '../core/logger';
import { isTransientAwsError } from '../core/errors';
import { bearerToken, verifyToken, type KeyLookup } from '../core/token';
import type { Role } from '../core/roles';
import type { SessionState, SessionStateReader } from '../adapters/session-versions';
import type { JWTVerifyGetKey } from 'jose';
import { unverifiedIssuer, verifyProviderToken, type ProviderTokenPolicy } from './provider-tokens';

export interface AuthorizerContext {
  readonly username: string;
  /** The user's id (handlers/core/user-ids.ts): what uploads and shares are bound to. */
  readonly userId: string;
  readonly role: Role;
  /**
   * The user's folder limits as a JSON array string (simple-response context values must be
   * strings, numbers or booleans); absent when the user may use every folder.
   */
  readonly folders?: string;
}

export type AuthorizerResult = { readonly isAuthorized: true; readonly context: AuthorizerContext } | { readonly isAuthorized: false };

export interface AuthorizeDeps {
  /** The verification key a token's `kid` names. */
  readonly keys: KeyLookup;
  /** The user's id and session version, and the token's session family, as stored now. */
  readonly sessionOf: SessionStateReader;
  readonly issuer: string;
  /** The identity provider whose access tokens machine clients may use (`oidc_audience` set), with its keys. */
  readonly provider?: { readonly policy: ProviderTokenPolicy; readonly keys: JWTVerifyGetKey };
  readonly logger: Logger;
  /** Epoch seconds. @default the clock */
  readonly now?: () => number;
}

const DENY: AuthorizerResult = { isAuthorized: false };

export async function authorize(event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers' | 'identitySource' | 'routeKey'>, deps: AuthorizeDeps): Promise<AuthorizerResult> {
  try {
    const header = event.headers?.authorization ?? event.headers?.Authorization ?? event.identitySource?.[0];
    const token = bearerToken(header);
    if (token === undefined) {
      deps.logger.info('denied', { route: event.routeKey, reason: 'no-bearer-token' });
      return DENY;
    }
    if (deps.provider !== undefined && unverifiedIssuer(token) === deps.provider.policy.issuer) {
      const verdict = await verifyProviderToken(token, deps.provider.policy, deps.provider.keys, deps.now?.());
      if (!verdict.ok) {
        deps.logger.info('denied', { route: event.routeKey, reason: verdict.reason, issuer: 'provider' });
        return DENY;
      }
      return { isAuthorized: true, context: verdict.context };
    }
    const result = await verifyToken(token, {
      secret: deps.keys,
      issuer: deps.issuer,
      ...(deps.now !== undefined ? { now: deps.now() } : {}),
    });
    if (!result.ok) {
      deps.logger.info('denied', { route: event.routeKey, reason: result.reason });
      return DENY;
    }
    const { sub, role, folders, sv, sid, uid } = result.claims;
    if (sv === undefined || sid === undefined || uid === undefined) {
      deps.logger.info('denied', { route: event.routeKey, reason: 'no-session', username: sub });
      return DENY;
    }
    const reason = sessionRefusal(await deps.sessionOf(sub, sid), { sv, uid }, deps.now?.() ?? Math.floor(Date.now() / 1000));
    if (reason !== undefined) {
      deps.logger.info('denied', { route: event.routeKey, reason, username: sub });
      return DENY;
    }
    return { isAuthorized: true, context: { username: sub, userId: uid, role, ...(folders !== undefined ? { folders: JSON.stringify(folders) } : {}) } };
  } catch (error) {
    deps.logger.error('authorizer failed', { route: event.routeKey, error });
    if (isTransientAwsError(error)) throw error;
    return DENY;
  }
}

/**
 * Why a token's session is over, or `undefined` while it lasts: deletion (or deletion and a new
 * user of the same name: another id) ends it, so does a role, folder or password change (a new
 * session version) and a logout (its family is gone).
 */
function sessionRefusal(state: SessionState, token: { readonly sv: string; readonly uid: string }, now: number): 'user-gone' | 'session-revoked' | 'session-ended' | undefined {
  if (state.user === undefined || state.user.userId !== token.uid) return 'user-gone';
  if (state.user.sessionVersion !== token.sv) return 'session-revoked';
  if (state.family === undefined || state.family.userId !== token.uid || state.family.expiresAt <= now) return 'session-ended';
  return undefined;
}
