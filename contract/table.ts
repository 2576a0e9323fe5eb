/**
 * The catalog table's physical schema, shared by the module (which creates it) and the
 * handlers' DynamoDB adapter (which reads and writes it). Single-table design:
 *
 * | item          | pk                     | sk                 | gsi1pk        | gsi1sk                   |
 * |---------------|------------------------|--------------------|---------------|--------------------------|
 * | file          | `FOLDER#<folder path>` | `FILE#<file name>` | `TYPE#<type>` | `<uploadedAt ISO>#<id>`  |
 *
 * A file also carries the `byTaken` index keys `gsi2pk` = `FOLDER#<folder path>` and
 * `gsi2sk` = `<taken ISO>#<file name>` (the upload time until processing finds the date
 * taken), so `GET /files?sort=taken` reads a folder in shooting order in one query, and the
 * `byUploaded` index keys `gsi3pk` = `FOLDER#<folder path>` and `gsi3sk` = `<uploadedAt ISO>#<file name>`,
 * so `GET /files?sort=uploaded` pages a folder newest (or oldest) first (contract/listing.ts).
 * A file with a whole-file SHA-256 also carries the `byContent` index keys `gsi4pk` =
 * `SHA256#<base64 SHA-256>` and `gsi4sk` = `<file id>`: the files with the same content in one
 * partition (`POST /files/exists` before an upload, `GET /files/duplicates`).
 * | folder marker | `FOLDER#<parent path>` | `DIR#<name>`       |               |                          |
 * | user          | `USER#<username>`      | `PROFILE`          |               |                          |
 * | login limiter | `USER#<username>`      | `LOGIN#<source hash>` |            |                          |
 * | source limiter| `USER#~source#<source hash>` | `LOGIN`      |               |                          |
 * | user directory| `USER#`                | `NAME#<username>`  |               |                          |
 * | user counts   | `USER#`                | `COUNT`            |               |                          |
 * | user id       | `USER#~id#<userId>`    | `ID`               |               |                          |
 * | provider identity | `USER#~oidc#<identity id>` | `IDENTITY`  |               |                          |
 * | pending sign-in | `SESSION#~oidc#<state SHA-256>` | `SIGNIN` |             |                          |
 * | session family| `SESSION#<familyId>`   | `FAMILY`           |               |                          |
 * | refresh token | `SESSION#<token SHA-256>` | `REFRESH`       |               |                          |
 * | upload        | `UPLOAD#<uploadId>`    | `SESSION`          |               |                          |
 * | share         | `SHARE#<token SHA-256>`| `SHARE`            |               |                          |
 * | share limiter | `SHARE#<token SHA-256>`| `UNLOCK#<source hash>` (per source), `UNLOCK` (every source) | | |
 * | share owner row| `SHARES#`             | `ID#<shareId>`     |               |                          |
 * | share log     | `SHARELOG#<shareId>`   | `<ISO time>#<rand>`|               |                          |
 * | drop guest    | `SHAREUP#<shareId>`    | `<guest key hash>#<uploadId>` |    |                          |
 * | drop reservation | `UPLOAD#<uploadId>` | `RESERVATION`      |               |                          |
 * | drop name claim  | `FOLDER#<folder path>` | `CLAIM#<file name>` |            |                          |
 * | timeline counter | `TIMELINE#<shard>`  | `<YYYY-MM>#<folder path>` |         |                          |
 * | trash entry   | `TRASH#`               | `ENTRY#<entry id>` |               |                          |
 * | scrub cursor  | `SCRUB#`               | `CURSOR`           |               |                          |
 *
 * Trash entries (handlers/core/trash.ts, docs/api.md "Trash"): a deleted file's row as it was
 * (tags, description, media, uploader, upload time), where its bytes wait (`trash/<entry id>`),
 * who deleted it and when, and `ttl` at the end of the retention. One partition, newest first
 * (entry ids begin with the deletion time), so `GET /trash` and the bulk jobs read it in pages.
 *
 * Timeline counters (handlers/core/timeline.ts, docs/api.md "Timeline"): how many available
 * files of a folder fall in a month of the timeline (the month of the file's `byTaken` sort
 * key: date taken, else upload time, UTC), split over `TIMELINE_SHARDS` items — a file counts
 * on the shard its S3 key hashes to — so a bulk import into one month updates
 * `TIMELINE_SHARDS` items in as many partitions, never one hot item. Every write of a file row
 * (FilesRepository) adds the difference it made (+1, -1, or -1/+1 when the month changed).
 * `GET /timeline/buckets` reads the `TIMELINE_SHARDS` partitions whole (one item per shard,
 * folder and month: O(months), never a file) and sums the folders the caller may see;
 * `GET /timeline?month=` reads the month's folders from the counters, then each folder's
 * files of that month from `byTaken`, merged newest taken first.
 *
 * The sparse `byDue` index (`dueKind`, `dueAt` in epoch seconds) holds only what the sweep
 * function (hourly) has still to do: share owner rows whose expiry reminder is due
 * (`dueKind` = `REMINDER`, a day before `expiresAt`) and drop reservations that are given
 * back unless their upload arrived (`RESERVATION`, two URL lifetimes after the upload last
 * signed a URL). Handling an item removes its `dueKind`, so the index stays as small as the work.
 *
 * A folder marker (`status` available/deleted, `path`, `parent`, `name`, `createdAt`, and a
 * `generation` that a deleted folder loses and a re-created one gets anew, recorded by folder
 * shares as `folderGeneration`) makes a folder list even while empty; the sync writes the
 * markers of every folder of a file that lands, `POST /folders` those of an empty one. Markers are catalog-only (no S3 object), so a
 * reconcile compares only `FILE#` items with the bucket and may rebuild missing markers from
 * the files' folders. The user directory and counts let the auth function list users without
 * a scan and enforce `max_users` and "at least one admin" in the same transaction as the change.
 *
 * User ids (handlers/core/user-ids.ts): a user profile carries `userId`, a random id made with
 * the user and never given to another (its `USER#~id#<userId>` item is written with the user,
 * conditional on not existing, and kept with `deletedAt` when the user is deleted); the
 * username is an attribute. Session families (`userId`, `username`, `sessionVersion`,
 * `expiresAt`; access tokens carry the family id as `sid`), shares (`ownerId` on the token row
 * and the owner row) and upload sessions (`ownerId`) are bound to the user id, so a deleted
 * user's sessions, shares and uploads stay ended when the same name is created again. Items
 * stored before ids have none and read as the legacy id `name:<username>`, which no new user
 * gets: nothing to migrate.
 *
 * Provider sign-in (handlers/core/oidc.ts): a provider identity item (`issuer`, `subject`,
 * `userId`, `username`) names the user an identity signed in as, keyed by a hash of issuer and
 * subject; it counts only while that user still has that id, so a name deleted and created
 * again never inherits it. A pending sign-in (PKCE verifier, nonce, redirect URI) lives ten
 * minutes and is deleted when the browser returns.
 *
 * The limiters (`attempts`, `windowStartedAt`, `lastAttemptAt`) count password attempts before the
 * password is checked, with one conditional update each (handlers/adapters/attempt-counter.ts,
 * keys below).
 *
 * This file is the one place a key is spelled: `PARTITIONS` names every partition prefix, the
 * builders below make every key from them, and the module's IAM `dynamodb:LeadingKeys` lists are
 * made by `leadingKeyPatterns` from the partitions' names. A new item type adds its partition
 * (or its sort key in an existing one) and its builder here; test/unit/contract/table.test.ts fails
 * on a key prefix spelled anywhere else. docs/contributors.md ("Table schema") lists every item
 * type with its keys and attributes.
 *
 * The scrub (handlers/core/scrub.ts) reads the file rows in `byType` scan order, a share per
 * run, and keeps where it stopped in its one cursor item (`SCRUB#` / `CURSOR`: the scan's
 * last key, when the pass began, files verified in it, files of the last full pass). It writes
 * `verifiedAt` on a file row whose bytes matched, `corruptAt` (with the SHA-256 it read) on one
 * whose bytes did not, and a SHA-256 of its own on a row that had none (`sha256Source` =
 * `scrub`).
 *
 * Items that should expire (upload sessions, limiters, tombstones) carry `ttl` in epoch seconds.
 */
import type { FileType } from './wire';

export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  typeIndex: { name: 'byType', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  takenIndex: { name: 'byTaken', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  uploadedIndex: { name: 'byUploaded', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  /** Sparse: file rows with a whole-file SHA-256, by content (duplicates, `POST /files/exists`). */
  contentIndex: { name: 'byContent', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  /** Sparse: what the sweep function has to do, by kind and when (`dueAt` is a number). */
  dueIndex: { name: 'byDue', partitionKey: 'dueKind', sortKey: 'dueAt' },
} as const;

/** `dueKind` values of the `byDue` index. */
export const DUE_KINDS = { reminder: 'REMINDER', reservation: 'RESERVATION' } as const;

/**
 * User attributes that functions other than auth and the authorizer may read (a share's creator
 * check: user id, role, folder limits, session version) — never the password hash. Their IAM grant
 * allows GetItem only with exactly these attributes named (dynamodb:Attributes), so the read
 * must project them.
 */
export const USER_ACCESS_ATTRIBUTES = ['pk', 'sk', 'username', 'userId', 'role', 'folders', 'sessionVersion', 'createdAt', 'updatedAt'] as const;

/**
 * What `GET /stats/storage` reads of each file: its Scan of the sparse `byType` index (file rows
 * only) must project exactly these (dynamodb:Attributes in its IAM grant); the keys are
 * listed because a scan page's start key names them.
 */
export const STORAGE_STATS_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'size', 'fileType', 'contentType', 'uploadedBy', 'status', 'derivedBytes', 'video'] as const;
/**
 * What the scrub reads of each file in its Scan of the `byType` index (dynamodb:Attributes in its
 * IAM grant): the keys (a page's start key names them) and what it checks the object against.
 */
export const SCRUB_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'key', 'size', 'etag', 'sha256', 'corruptAt'] as const;

/** The attributes the tally reads (of `video`, its copy's state and size); the rest of `STORAGE_STATS_ATTRIBUTES` are keys. */
export const STORAGE_STATS_PROJECTION = ['size', 'fileType', 'contentType', 'uploadedBy', 'status', 'derivedBytes', 'video'] as const;

/**
 * Every partition prefix of the table, by name. What follows the prefix names the partition
 * (`FOLDER#<folder path>`), except for the single partitions (`SINGLE_PARTITIONS`).
 */
export const PARTITIONS = {
  /** A folder's files (`FILE#`), its subfolders' markers (`DIR#`) and drop guests' name claims (`CLAIM#`). */
  folder: 'FOLDER#',
  /**
   * A user's profile and login limiters (`USER#<name>`); the directory and counts (`USER#`), user
   * ids (`USER#~id#`) and per-source login limiters (`USER#~source#`): `~` is in no username.
   */
  user: 'USER#',
  /** Session families and refresh tokens (by the token's hash). */
  session: 'SESSION#',
  /** Upload sessions and drop uploads' reservations. */
  upload: 'UPLOAD#',
  /** Background move jobs. */
  job: 'JOB#',
  /** A share by its token's hash, and its unlock limiters. */
  share: 'SHARE#',
  /** The owners' view of every share (one partition). */
  shareOwners: 'SHARES#',
  /** A share's access log. */
  shareLog: 'SHARELOG#',
  /** Which drop-link guest started which upload. */
  shareGuests: 'SHAREUP#',
  /** Timeline counters, one partition per shard (`TIMELINE#<shard>`). */
  timeline: 'TIMELINE#',
  /** Deleted files waiting in the trash (one partition). */
  trash: 'TRASH#',
  /** The scrub's cursor (one partition). */
  scrub: 'SCRUB#',
} as const;

export type PartitionName = keyof typeof PARTITIONS;

/** Partitions that are one partition, the prefix alone (nothing follows it). */
export const SINGLE_PARTITIONS: readonly PartitionName[] = ['shareOwners', 'trash', 'scrub'];

/**
 * The `dynamodb:LeadingKeys` patterns (StringLike) of the named partitions, in the order given:
 * `FOLDER#*` for a family of partitions, the exact key for a single one (`SHARES#`).
 */
export const leadingKeyPatterns = (...names: readonly PartitionName[]): string[] =>
  names.map((name) => (SINGLE_PARTITIONS.includes(name) ? PARTITIONS[name] : `${PARTITIONS[name]}*`));

/** Sort keys and sort-key prefixes, by item type. */
export const SORT_KEYS = {
  file: 'FILE#',
  folderMarker: 'DIR#',
  nameClaim: 'CLAIM#',
  userProfile: 'PROFILE',
  userName: 'NAME#',
  userCounts: 'COUNT',
  userId: 'ID',
  userLimiter: 'LOGIN#',
  sourceLimiter: 'LOGIN',
  sessionFamily: 'FAMILY',
  refreshToken: 'REFRESH',
  upload: 'SESSION',
  dropReservation: 'RESERVATION',
  job: 'JOB',
  share: 'SHARE',
  /** `UNLOCK` (every source together) and `UNLOCK#<source hash>`. */
  unlockLimiter: 'UNLOCK',
  shareOwner: 'ID#',
  providerIdentity: 'IDENTITY',
  pendingSignIn: 'SIGNIN',
  trashEntry: 'ENTRY#',
  scrubCursor: 'CURSOR',
} as const;

/** The `byType` index's partition prefix. */
export const TYPE_INDEX_PREFIX = 'TYPE#';
/**
 * What the `byContent` index projects besides its keys: what a duplicate check answers (where
 * the copy is) and what lets it drop rows that are not available files.
 */
export const CONTENT_INDEX_ATTRIBUTES = ['id', 'folder', 'name', 'size', 'uploadedAt', 'uploadedBy', 'status'] as const;

/** The `byContent` index's partition prefix (followed by the base64 SHA-256). */
export const CONTENT_INDEX_PREFIX = 'SHA256#';

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const FOLDER_PREFIX = PARTITIONS.folder;
export const FILE_PREFIX = SORT_KEYS.file;
export const FOLDER_MARKER_PREFIX = SORT_KEYS.folderMarker;
export const folderPartition = (folder: string): string => `${PARTITIONS.folder}${folder}`;
export const fileItemKey = (folder: string, name: string): ItemKey => ({ pk: folderPartition(folder), sk: `${SORT_KEYS.file}${name}` });
/** A folder's marker lives in its parent's partition, so listing subfolders is one query. */
export const folderMarkerKey = (parent: string, name: string): ItemKey => ({ pk: folderPartition(parent), sk: `${SORT_KEYS.folderMarker}${name}` });
/**
 * A drop-link guest's claim on a name of a folder while their upload is in progress, beside the
 * folder's files (`FOLDER#<folder>` / `CLAIM#<name>`), so two guests never get the same name.
 */
export const nameClaimKey = (folder: string, name: string): ItemKey => ({ pk: folderPartition(folder), sk: `${SORT_KEYS.nameClaim}${name}` });

export const userItemKey = (username: string): ItemKey => ({ pk: `${PARTITIONS.user}${username}`, sk: SORT_KEYS.userProfile });
/** The user directory partition (`USER#`, an empty name no user can have): one `NAME#<name>` item per user, plus the counts. */
export const USER_DIRECTORY_PARTITION = PARTITIONS.user;
export const USER_NAME_PREFIX = SORT_KEYS.userName;
export const userDirectoryKey = (username: string): ItemKey => ({ pk: USER_DIRECTORY_PARTITION, sk: `${SORT_KEYS.userName}${username}` });
/**
 * A user id's registry item (handlers/core/user-ids.ts): written with the user only if the id
 * was never used, and kept (with `deletedAt`) when the user is deleted, so no id is reused.
 * Under `USER#~id#`, a name no user can have (`~` is not allowed in usernames).
 */
export const userIdItemKey = (userId: string): ItemKey => ({ pk: `${PARTITIONS.user}~id#${userId}`, sk: SORT_KEYS.userId });
/**
 * A provider identity (issuer and subject, as `identityId` of handlers/core/oidc.ts) and the user
 * it signed in as: users from the provider are found by it, never by a name. Under `USER#~oidc#`,
 * a name no user can have.
 */
export const providerIdentityKey = (identityId: string): ItemKey => ({ pk: `${PARTITIONS.user}~oidc#${identityId}`, sk: SORT_KEYS.providerIdentity });
/**
 * A sign-in through the identity provider between the redirect and the browser's return (PKCE
 * verifier, nonce, redirect URI), by the SHA-256 of its `state`; taken (deleted) once.
 */
export const pendingSignInKey = (stateHash: string): ItemKey => ({ pk: `${PARTITIONS.session}~oidc#${stateHash}`, sk: SORT_KEYS.pendingSignIn });
/** Counts of users and of admins, updated in the same transaction as the users themselves. */
export const userCountKey = (): ItemKey => ({ pk: USER_DIRECTORY_PARTITION, sk: SORT_KEYS.userCounts });

/** A session family (handlers/core/session.ts): whose (user id), which session version, until when; access tokens name it (`sid`). */
export const sessionFamilyKey = (familyId: string): ItemKey => ({ pk: `${PARTITIONS.session}${familyId}`, sk: SORT_KEYS.sessionFamily });
/** A refresh token, by the SHA-256 of the token (the token itself is never stored). */
export const refreshTokenKey = (tokenHash: string): ItemKey => ({ pk: `${PARTITIONS.session}${tokenHash}`, sk: SORT_KEYS.refreshToken });

/*
 * Password-attempt limiters (handlers/core/login-throttle.ts), all kept by one store
 * (handlers/adapters/attempt-counter.ts).
 */
/** Login attempts from one source (hashed address) across every username. */
export const sourceLimiterKey = (sourceHash: string): ItemKey => ({ pk: `${PARTITIONS.user}~source#${sourceHash}`, sk: SORT_KEYS.sourceLimiter });
/** The sort keys of a user's (username, source) limiters, beside the profile. */
export const USER_LIMITER_PREFIX = SORT_KEYS.userLimiter;
/** Login attempts of one username from one source. */
export const userSourceLimiterKey = (username: string, sourceHash: string): ItemKey => ({ pk: `${PARTITIONS.user}${username}`, sk: `${SORT_KEYS.userLimiter}${sourceHash}` });
/** Unlock attempts of one share (by its token's hash): from one source, or from every source together (no source). */
export const shareUnlockLimiterKey = (tokenHash: string, sourceHash?: string): ItemKey => ({
  pk: `${PARTITIONS.share}${tokenHash}`,
  sk: sourceHash === undefined ? SORT_KEYS.unlockLimiter : `${SORT_KEYS.unlockLimiter}#${sourceHash}`,
});

export const uploadItemKey = (uploadId: string): ItemKey => ({ pk: `${PARTITIONS.upload}${uploadId}`, sk: SORT_KEYS.upload });
/** A drop upload's hold on its link's quota, beside the upload's session. */
export const dropReservationKey = (uploadId: string): ItemKey => ({ pk: `${PARTITIONS.upload}${uploadId}`, sk: SORT_KEYS.dropReservation });
/** A background job (a move of a large file): its own partition, read by id. */
export const jobItemKey = (jobId: string): ItemKey => ({ pk: `${PARTITIONS.job}${jobId}`, sk: SORT_KEYS.job });

/** A share, by the SHA-256 of its token: what a public request reads. */
export const shareTokenKey = (tokenHash: string): ItemKey => ({ pk: `${PARTITIONS.share}${tokenHash}`, sk: SORT_KEYS.share });
/** The owners' partition: one row per share. */
export const SHARE_OWNERS_PARTITION = PARTITIONS.shareOwners;
/** A share's owner row (no secrets, with the counters). */
export const shareOwnerKey = (shareId: string): ItemKey => ({ pk: SHARE_OWNERS_PARTITION, sk: `${SORT_KEYS.shareOwner}${shareId}` });
export const shareLogPartition = (shareId: string): string => `${PARTITIONS.shareLog}${shareId}`;
/** One access log line: sorted by time, `suffix` (random) keeps lines of the same instant apart. */
export const shareLogKey = (shareId: string, at: string, suffix: string): ItemKey => ({ pk: shareLogPartition(shareId), sk: `${at}#${suffix}` });
export const shareGuestsPartition = (shareId: string): string => `${PARTITIONS.shareGuests}${shareId}`;
/** The sort-key prefix of one guest's uploads of a drop link (by the hash of the guest's key). */
export const shareGuestPrefix = (guestHash: string): string => `${guestHash}#`;
export const shareGuestUploadKey = (shareId: string, guestHash: string, uploadId: string): ItemKey => ({ pk: shareGuestsPartition(shareId), sk: `${shareGuestPrefix(guestHash)}${uploadId}` });

/** Keys of the `byTaken` index: a folder's files in shooting order (see handlers/core/media.ts `takenSortKey`). */
export const takenIndexKeys = (folder: string, sortKey: string): { gsi2pk: string; gsi2sk: string } => ({
  gsi2pk: folderPartition(folder),
  gsi2sk: sortKey,
});

/** Keys of the `byUploaded` index: a folder's files by upload time, names breaking ties. */
export const uploadedIndexKeys = (folder: string, uploadedAt: string, name: string): { gsi3pk: string; gsi3sk: string } => ({
  gsi3pk: folderPartition(folder),
  gsi3sk: `${new Date(uploadedAt).toISOString()}#${name}`,
});

/** Keys of the `byType` index: files of one type, sorted by upload time. */
export const typeIndexKeys = (fileType: FileType, uploadedAt: string, fileId: string): { gsi1pk: string; gsi1sk: string } => ({
  gsi1pk: `${TYPE_INDEX_PREFIX}${fileType}`,
  gsi1sk: `${uploadedAt}#${fileId}`,
});

/** Items each folder-month's timeline counter is split over (see above). */
export const TIMELINE_SHARDS = 4;
export const timelineShardPartition = (shard: number): string => `${PARTITIONS.timeline}${shard}`;
/** A timeline counter: `shard` in `[0, TIMELINE_SHARDS)`, `month` `YYYY-MM`, `folder` a normalized folder path. */
export const timelineCounterKey = (shard: number, month: string, folder: string): ItemKey => ({ pk: timelineShardPartition(shard), sk: `${month}#${folder}` });

/**
 * Keys of the `byContent` index: the files with the same whole-file SHA-256 (base64) in one
 * partition, by file id. Only rows with a SHA-256 carry them (the index is sparse).
 */
export const contentIndexKeys = (sha256: string, fileId: string): { gsi4pk: string; gsi4sk: string } => ({
  gsi4pk: `${CONTENT_INDEX_PREFIX}${sha256}`,
  gsi4sk: fileId,
});

/** The trash's one partition (`TRASH#`). */
export const TRASH_PARTITION = PARTITIONS.trash;
export const TRASH_ENTRY_PREFIX = SORT_KEYS.trashEntry;
/** A trash entry: sorted by its id, which begins with the deletion time. */
export const trashEntryKey = (entryId: string): ItemKey => ({ pk: TRASH_PARTITION, sk: `${SORT_KEYS.trashEntry}${entryId}` });
/** The scrub's one cursor item: where its pass through the files stands. */
export const scrubCursorKey = (): ItemKey => ({ pk: PARTITIONS.scrub, sk: SORT_KEYS.scrubCursor });
