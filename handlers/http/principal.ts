/** The caller, as the Lambda authorizer put it in `requestContext.authorizer.lambda`. */
import { Forbidden, Unauthorized } from '../core/errors';
import { isRole, type Role } from '../core/roles';
import type { ApiEvent } from './types';

export interface Principal {
  readonly username: string;
  readonly role: Role;
}

/** Throws 401 when the context is missing: a protected route reached without the authorizer. */
export function principal(event: ApiEvent): Principal {
  const context = event.requestContext?.authorizer?.lambda;
  const username = context?.username;
  const role = context?.role;
  if (typeof username !== 'string' || username === '' || !isRole(role)) throw new Unauthorized('Authentication required');
  return { username, role };
}

export function requireRole(caller: Principal, allowed: (role: Role) => boolean, action: string): void {
  if (!allowed(caller.role)) throw new Forbidden(`Role "${caller.role}" may not ${action}`);
}
