/**
 * User ids: what shares, sessions and upload sessions are bound to, instead of the username.
 * A user gets a random id when created; the id never changes and is never given to another
 * user, so deleting a user ends everything bound to them even if the same name is created
 * again (the username is only an attribute of the user). The id registry item
 * (`userIdItemKey`, contract/table.ts) is written with the user and kept after deletion.
 *
 * Items stored before ids existed carry none: they read as `legacyUserId(username)`, on the
 * profile and on what the user created alike. No new user ever has such an id (a random id
 * never contains ":"), so a name deleted and created again does not reach the old items.
 */
import { randomBytes } from 'node:crypto';

/** 16 random bytes, base64url: 22 characters of `[A-Za-z0-9_-]`. */
export const newUserId = (): string => randomBytes(16).toString('base64url');

const LEGACY_PREFIX = 'name:';

/** The id of a user (or of what a user made) stored before user ids existed. */
const legacyUserId = (username: string): string => `${LEGACY_PREFIX}${username}`;

/** The stored `userId`, or the legacy id of the stored name when there is none. */
export function storedUserId(userId: unknown, username: string): string {
  return typeof userId === 'string' && userId !== '' ? userId : legacyUserId(username);
}

/** Whether something bound to `ownerId` (with its owner's name, for legacy items) belongs to the caller. */
export function isOwnedBy(item: { readonly owner: string; readonly ownerId?: string | undefined }, caller: { readonly username: string; readonly userId?: string | undefined }): boolean {
  return storedUserId(item.ownerId, item.owner) === storedUserId(caller.userId, caller.username);
}
