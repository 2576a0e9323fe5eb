/**
 * Sign-in with the organisation's identity provider: the pure rules (docs/security.md
 * "Identity provider"). A user's role comes only from `oidc_role_mapping` applied to the
 * values of the role claim (and, for machine clients' access tokens, to their scopes): none
 * mapped is a refusal, never a default role; several, the highest. Provider users are known by
 * issuer and subject, never by a name.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from './errors';
import { isRole, parseFolderLimits, ROLES, type Role } from './roles';

export interface RolePolicy {
  /** The claim whose values map to roles (a string or a list of strings). */
  readonly roleClaim: string;
  /** Claim value (or scope) → role. */
  readonly mapping: Readonly<Record<string, Role>>;
}

/** `OIDC_ROLE_MAPPING`: a JSON object of claim value → admin, editor or viewer. */
export function parseRoleMapping(text: string | undefined, name = 'OIDC_ROLE_MAPPING'): Readonly<Record<string, Role>> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(name, 'must be a JSON object of claim value to role');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(name, 'must be a JSON object of claim value to role');
  const mapping: Record<string, Role> = {};
  for (const [value, role] of Object.entries(parsed)) {
    if (!isRole(role)) throw new ConfigError(name, `maps "${value}" to ${JSON.stringify(role)}, not one of ${ROLES.join(', ')}`);
    // defineProperty: a value named `__proto__` stays a plain key.
    Object.defineProperty(mapping, value, { value: role, enumerable: true, writable: true, configurable: true });
  }
  return mapping;
}

/** Most privileged first. */
const RANK: readonly Role[] = ['admin', 'editor', 'viewer'];

/** The values of a claim that is a string or a list of strings (anything else counts as none). */
function claimValues(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The role the claims map to, or `undefined` (refuse). `withScopes`: a machine client's access
 * token, whose `scope` values count as claim values too.
 */
export function mappedRole(claims: Readonly<Record<string, unknown>>, policy: RolePolicy, options: { withScopes?: boolean } = {}): Role | undefined {
  const values = claimValues(claims, policy.roleClaim);
  if (options.withScopes === true) values.push(...claimValues(claims, 'scope').flatMap((s) => s.split(' ')).filter((s) => s !== ''));
  const roles = new Set(values.filter((v) => Object.hasOwn(policy.mapping, v)).map((v) => policy.mapping[v] as Role));
  return RANK.find((role) => roles.has(role));
}

/**
 * The folder limits a claim gives (`undefined`: every folder). A claim that is there but cannot
 * be read is `null`: a limit must never turn into "every folder".
 */
export function claimedFolders(claims: Readonly<Record<string, unknown>>, claim: string): readonly string[] | undefined | null {
  if (claim === '' || !Object.hasOwn(claims, claim) || claims[claim] === undefined) return undefined;
  try {
    const limits = parseFolderLimits(claims[claim], claim);
    return limits ?? null;
  } catch {
    return null;
  }
}

/**
 * A provider identity's id: 22 characters of the SHA-256 of issuer and subject. The key of the
 * identity's item, and the user id of a machine client (which has no user item).
 */
export function identityId(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`, 'utf8').digest('base64url').slice(0, 22);
}

/** The name a machine client acts under (`uploadedBy`, logs): never a user's name (`:` is not allowed in usernames). */
export const machineUsername = (subject: string): string => `client:${subject}`;
