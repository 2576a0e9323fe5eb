/** The caller, as the Lambda authorizer put it in `requestContext.authorizer.lambda`. */
import { Forbidden, Unauthorized } from '../core/errors';
import { isRole, parseFolderLimits, type Caller, type Role } from '../core/roles';
import type { ApiEvent } from './types';

export type Principal = Caller;

/**
 * Throws 401 when the context is missing (a protected route reached without the authorizer)
 * or its folder limits cannot be read: an unreadable limit must never widen into "every folder".
 */
export function principal(event: ApiEvent): Principal {
  const context = event.requestContext?.authorizer?.lambda;
  const username = context?.username;
  const role = context?.role;
  if (typeof username !== 'string' || username === '' || !isRole(role)) throw new Unauthorized('Authentication required');
  // Absent only in a decision cached from before user ids: the caller is then its legacy id (handlers/core/user-ids.ts).
  const userId = typeof context?.userId === 'string' && context.userId !== '' ? context.userId : undefined;
  const folders = context?.folders;
  const caller = { username, role, ...(userId !== undefined ? { userId } : {}) };
  if (folders === undefined) return caller;
  return { ...caller, folders: folderLimitsOf(folders) };
}

function folderLimitsOf(encoded: unknown): readonly string[] {
  try {
    const limits = typeof encoded === 'string' ? parseFolderLimits(JSON.parse(encoded)) : undefined;
    if (limits !== undefined) return limits;
  } catch {
    // Falls through to the refusal below.
  }
  throw new Unauthorized('Authentication required');
}

export function requireRole(caller: Principal, allowed: (role: Role) => boolean, action: string): void {
  if (!allowed(caller.role)) throw new Forbidden(`Role "${caller.role}" may not ${action}`);
}
