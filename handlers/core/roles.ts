/** Roles a user can hold and what each may do. */
export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Viewers only read; editors and admins may upload. */
export const canUpload = (role: Role): boolean => role === 'admin' || role === 'editor';
