/**
 * The users API, for admins only: `GET /users`, `POST /users`, `PATCH /users/{username}`,
 * `DELETE /users/{username}`. The repository's transactions keep the module's maximum
 * number of users (409 `MaxUsersReached`) and at least one admin (409 `LastAdmin`).
 * Role, folder and password changes (and deletion) end the user's sessions: the user's
 * session version changes, so the authorizer refuses their access tokens (within its cache
 * TTL) and refresh refuses their refresh tokens at once (handlers/core/session.ts).
 */
import { randomBytes } from 'node:crypto';
import type { UserView } from '../../contract/wire';
import { NotFound, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { hashPassword } from '../core/password';
import { isRole, parseFolderLimits, requirePermission, ROLES, type Caller, type Role } from '../core/roles';
import { USERNAME_PATTERN, type UserChanges, type UserRecord, type UsersRepository } from '../adapters/users-repository';

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

export type ManagedUserStore = Pick<UsersRepository, 'list' | 'get' | 'create' | 'update' | 'remove' | 'counts' | 'clearLoginLimiters'>;

export interface ManageUsersDeps {
  readonly users: ManagedUserStore;
  /** The module's `max_users`. */
  readonly maxUsers: number;
  readonly logger: Logger;
}

/** A user as the API shows it (contract/wire.ts): never the password hash. */
export type { UserView };

interface CreateUserRequest {
  readonly username: string;
  readonly role: Role;
  readonly password?: string;
  readonly folders?: readonly string[];
}

type ChangeUserRequest = { readonly role?: Role; readonly password?: string; readonly folders?: readonly string[] | null };

const CREATE_FIELDS = new Set(['username', 'password', 'role', 'folders']);
const CHANGE_FIELDS = new Set(['password', 'role', 'folders']);

const viewOf = (user: UserRecord): UserView => ({
  username: user.username,
  role: user.role,
  folders: user.folders ?? null,
  createdAt: user.createdAt,
  updatedAt: user.updatedAt,
});

function objectBody(body: unknown, fields: ReadonlySet<string>): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).find((f) => !fields.has(f));
  if (unknown !== undefined) throw new ValidationError(unknown, `is not a known field (expected ${[...fields].join(', ')})`);
  return record;
}

export function parseUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || !USERNAME_PATTERN.test(value)) throw new ValidationError(field, 'must be 1-64 letters, digits, ".", "_", "@" or "-"');
  return value;
}

function parseRole(value: unknown): Role {
  if (!isRole(value)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')}`);
  return value;
}

function parsePassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD_LENGTH || value.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError('password', `must be a string of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
  return value;
}

function checkAdminFolders(role: Role | undefined, folders: readonly string[] | null | undefined): void {
  if (role === 'admin' && folders !== undefined && folders !== null) throw new ValidationError('folders', 'admins reach every folder: omit folders for an admin');
}

export function parseCreateUserRequest(body: unknown): CreateUserRequest {
  const fields = objectBody(body, CREATE_FIELDS);
  const username = parseUsername(fields.username);
  const role = parseRole(fields.role);
  const password = fields.password === undefined ? undefined : parsePassword(fields.password);
  const folders = parseFolderLimits(fields.folders);
  checkAdminFolders(role, folders);
  return { username, role, ...(password !== undefined ? { password } : {}), ...(folders !== undefined ? { folders } : {}) };
}

export function parseChangeUserRequest(body: unknown): ChangeUserRequest {
  const fields = objectBody(body, CHANGE_FIELDS);
  if (Object.keys(fields).length === 0) throw new ValidationError('body', `must change at least one of ${[...CHANGE_FIELDS].join(', ')}`);
  const role = fields.role === undefined ? undefined : parseRole(fields.role);
  const password = fields.password === undefined ? undefined : parsePassword(fields.password);
  // `null` (or "/") lifts the limits; absent leaves them as they are.
  const folders = fields.folders === undefined ? undefined : (parseFolderLimits(fields.folders) ?? null);
  checkAdminFolders(role, folders);
  return { ...(role !== undefined ? { role } : {}), ...(password !== undefined ? { password } : {}), ...(folders !== undefined ? { folders } : {}) };
}

const requireAdmin = (caller: Caller): void => requirePermission(caller, 'manage-users', 'manage users');

export async function listUsers(caller: Caller, deps: ManageUsersDeps): Promise<{ users: UserView[]; maxUsers: number }> {
  requireAdmin(caller);
  const users = await deps.users.list();
  return { users: users.map(viewOf), maxUsers: deps.maxUsers };
}

/** Creates a user; a password is generated (and returned this once) when none is given. */
export async function createUser(request: CreateUserRequest, caller: Caller, deps: ManageUsersDeps): Promise<{ user: UserView; password?: string }> {
  requireAdmin(caller);
  const generated = request.password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const passwordHash = await hashPassword(request.password ?? (generated as string));
  const user = await deps.users.create(
    { username: request.username, role: request.role, passwordHash, ...(request.folders !== undefined ? { folders: request.folders } : {}) },
    { maxUsers: deps.maxUsers },
  );
  deps.logger.info('user created', { by: caller.username, username: user.username, role: user.role, limited: user.folders !== undefined });
  return { user: viewOf(user), ...(generated !== undefined ? { password: generated } : {}) };
}

export async function changeUser(username: string, request: ChangeUserRequest, caller: Caller, deps: ManageUsersDeps): Promise<{ user: UserView }> {
  requireAdmin(caller);
  const current = await deps.users.get(username);
  if (current === undefined) throw new NotFound(`User "${username}" does not exist`);
  const role = request.role ?? current.role;
  // Folder limits only mean something below admin: keep them from being set on one.
  if (request.role === undefined) checkAdminFolders(role, request.folders);
  const changes: UserChanges = {
    ...(request.role !== undefined ? { role: request.role } : {}),
    ...(request.folders !== undefined ? { folders: request.folders } : {}),
    ...(request.password !== undefined ? { passwordHash: await hashPassword(request.password) } : {}),
  };
  await deps.users.update(username, changes);
  // A password reset is also the admin's unlock: every (user, source) lock goes with it.
  if (request.password !== undefined) await deps.users.clearLoginLimiters(username);
  const updated = await deps.users.get(username);
  if (updated === undefined) throw new NotFound(`User "${username}" does not exist`);
  deps.logger.info('user changed', { by: caller.username, username, role: updated.role, password: request.password !== undefined, folders: request.folders !== undefined });
  return { user: viewOf(updated) };
}

export async function deleteUser(username: string, caller: Caller, deps: ManageUsersDeps): Promise<void> {
  requireAdmin(caller);
  await deps.users.remove(username);
  deps.logger.info('user deleted', { by: caller.username, username });
}
