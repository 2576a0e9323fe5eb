/**
 * The HTTP API REQUEST authorizer's decision (payload 2.0, simple responses): a valid
 * bearer JWT of a user whose session version is still the token's yields
 * `{isAuthorized: true, context: {username, role, folders?}}`; anything else — missing,
 * garbage, expired, tampered, `alg: none`, wrong issuer, a key version that is neither
 * AWSCURRENT nor AWSPREVIOUS, a deleted or changed user, even a failure to load the key —
 * yields `{isAuthorized: false}`. It never throws, so API Gateway answers 403/401 rather than 500.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { Logger } from '../core/logger';
import { bearerToken, verifyToken, type KeyLookup } from '../core/token';
import type { Role } from '../core/roles';
import type { SessionVersionReader } from '../adapters/session-versions';

export interface AuthorizerContext {
  readonly username: string;
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
  /** The user's current session version; `undefined`: no such user. */
  readonly sessionVersionOf: SessionVersionReader;
  readonly issuer: string;
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
    const result = await verifyToken(token, {
      secret: deps.keys,
      issuer: deps.issuer,
      ...(deps.now !== undefined ? { now: deps.now() } : {}),
    });
    if (!result.ok) {
      deps.logger.info('denied', { route: event.routeKey, reason: result.reason });
      return DENY;
    }
    const { sub, role, folders, sv } = result.claims;
    // Role, folders and password changes (and deletion) end the user's tokens: their session version is gone.
    const current = await deps.sessionVersionOf(sub);
    if (current === undefined || sv === undefined || current !== sv) {
      deps.logger.info('denied', { route: event.routeKey, reason: current === undefined ? 'user-gone' : 'session-revoked', username: sub });
      return DENY;
    }
    return { isAuthorized: true, context: { username: sub, role, ...(folders !== undefined ? { folders: JSON.stringify(folders) } : {}) } };
  } catch (error) {
    deps.logger.error('authorizer failed', { route: event.routeKey, error });
    return DENY;
  }
}
