/**
 * Item keys of the single-table design described in contract/table.ts. Pure string
 * builders: the DynamoDB adapter is the only place that uses them.
 */
import type { FileType } from './content-types';

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const FOLDER_PREFIX = 'FOLDER#';
export const FILE_PREFIX = 'FILE#';

export const fileItemKey = (folder: string, name: string): ItemKey => ({ pk: `${FOLDER_PREFIX}${folder}`, sk: `${FILE_PREFIX}${name}` });
export const folderPartition = (folder: string): string => `${FOLDER_PREFIX}${folder}`;
export const FOLDER_MARKER_PREFIX = 'DIR#';
/** A folder's marker lives in its parent's partition, so listing subfolders is one query. */
export const folderMarkerKey = (parent: string, name: string): ItemKey => ({ pk: `${FOLDER_PREFIX}${parent}`, sk: `${FOLDER_MARKER_PREFIX}${name}` });
/**
 * A drop-link guest's claim on a name of a folder while their upload is in progress, beside the
 * folder's files (`FOLDER#<folder>` / `CLAIM#<name>`), so two guests never get the same name.
 */
export const nameClaimKey = (folder: string, name: string): ItemKey => ({ pk: `${FOLDER_PREFIX}${folder}`, sk: `CLAIM#${name}` });
export const userItemKey = (username: string): ItemKey => ({ pk: `USER#${username}`, sk: 'PROFILE' });
/** The user directory partition (`USER#`, an empty name no user can have): one `NAME#<name>` item per user, plus the counts. */
export const USER_DIRECTORY_PARTITION = 'USER#';
export const USER_NAME_PREFIX = 'NAME#';
export const userDirectoryKey = (username: string): ItemKey => ({ pk: USER_DIRECTORY_PARTITION, sk: `${USER_NAME_PREFIX}${username}` });
/**
 * A user id's registry item (handlers/core/user-ids.ts): written with the user only if the id
 * was never used, and kept (with `deletedAt`) when the user is deleted, so no id is reused.
 * Under `USER#~id#`, a name no user can have (`~` is not allowed in usernames).
 */
export const userIdItemKey = (userId: string): ItemKey => ({ pk: `USER#~id#${userId}`, sk: 'ID' });
/** Counts of users and of admins, updated in the same transaction as the users themselves. */
export const userCountKey = (): ItemKey => ({ pk: USER_DIRECTORY_PARTITION, sk: 'COUNT' });
/** A session family (handlers/core/session.ts): whose (user id), which session version, until when; access tokens name it (`sid`). */
export const sessionFamilyKey = (familyId: string): ItemKey => ({ pk: `SESSION#${familyId}`, sk: 'FAMILY' });
/** A refresh token, by the SHA-256 of the token (the token itself is never stored). */
export const refreshTokenKey = (tokenHash: string): ItemKey => ({ pk: `SESSION#${tokenHash}`, sk: 'REFRESH' });
/*
 * Password-attempt limiters (handlers/core/login-throttle.ts), all kept by one store
 * (handlers/adapters/attempt-counter.ts).
 */
/** Login attempts from one source (hashed address) across every username. */
export const sourceLimiterKey = (sourceHash: string): ItemKey => ({ pk: `USER#~source#${sourceHash}`, sk: 'LOGIN' });
/** The sort keys of a user's (username, source) limiters, beside the profile. */
export const USER_LIMITER_PREFIX = 'LOGIN#';
/** Login attempts of one username from one source. */
export const userSourceLimiterKey = (username: string, sourceHash: string): ItemKey => ({ pk: `USER#${username}`, sk: `${USER_LIMITER_PREFIX}${sourceHash}` });
/** Unlock attempts of one share (by its token's hash): from one source, or from every source together (no source). */
export const shareUnlockLimiterKey = (tokenHash: string, sourceHash?: string): ItemKey => ({ pk: `SHARE#${tokenHash}`, sk: sourceHash === undefined ? 'UNLOCK' : `UNLOCK#${sourceHash}` });
export const uploadItemKey = (uploadId: string): ItemKey => ({ pk: `UPLOAD#${uploadId}`, sk: 'SESSION' });

/** Keys of the `byTaken` index: a folder's files in shooting order (see core/media.ts `takenSortKey`). */
export const takenIndexKeys = (folder: string, sortKey: string): { gsi2pk: string; gsi2sk: string } => ({
  gsi2pk: `${FOLDER_PREFIX}${folder}`,
  gsi2sk: sortKey,
});

/** Keys of the `byUploaded` index: a folder's files by upload time, names breaking ties. */
export const uploadedIndexKeys = (folder: string, uploadedAt: string, name: string): { gsi3pk: string; gsi3sk: string } => ({
  gsi3pk: `${FOLDER_PREFIX}${folder}`,
  gsi3sk: `${new Date(uploadedAt).toISOString()}#${name}`,
});

/** Keys of the `byType` index: files of one type, sorted by upload time. */
export const typeIndexKeys = (fileType: FileType, uploadedAt: string, fileId: string): { gsi1pk: string; gsi1sk: string } => ({
  gsi1pk: `TYPE#${fileType}`,
  gsi1sk: `${uploadedAt}#${fileId}`,
});
/** A background job (a move of a large file): its own partition, read by id. */
export const jobItemKey = (jobId: string): ItemKey => ({ pk: `JOB#${jobId}`, sk: 'JOB' });
