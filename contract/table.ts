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
 * | folder marker | `FOLDER#<parent path>` | `DIR#<name>`       |               |                          |
 * | user          | `USER#<username>`      | `PROFILE`          |               |                          |
 * | login limiter | `USER#<username>`      | `LOGIN#<source hash>` |            |                          |
 * | source limiter| `USER#~source#<source hash>` | `LOGIN`      |               |                          |
 * | user directory| `USER#`                | `NAME#<username>`  |               |                          |
 * | user counts   | `USER#`                | `COUNT`            |               |                          |
 * | user id       | `USER#~id#<userId>`    | `ID`               |               |                          |
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
 * The limiters (`attempts`, `windowStartedAt`, `lastAttemptAt`) count password attempts before the
 * password is checked, with one conditional update each (handlers/adapters/attempt-counter.ts,
 * keys in handlers/core/keys.ts).
 *
 * Items that should expire (upload sessions, limiters, tombstones) carry `ttl` in epoch seconds.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  typeIndex: { name: 'byType', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  takenIndex: { name: 'byTaken', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  uploadedIndex: { name: 'byUploaded', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
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
export const STORAGE_STATS_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'size', 'fileType', 'contentType', 'uploadedBy', 'status'] as const;
/** The attributes the tally reads; the rest of `STORAGE_STATS_ATTRIBUTES` are keys. */
export const STORAGE_STATS_PROJECTION = ['size', 'fileType', 'contentType', 'uploadedBy', 'status'] as const;
