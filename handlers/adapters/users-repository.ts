/**
 * Users in the catalog table (`USER#<name>` / `PROFILE`, and their ids `USER#~id#<userId>` /
 * `ID`; their login limiters `LOGIN#<source>` beside the profile are kept by
 * handlers/adapters/attempt-counter.ts), plus the user directory partition `USER#` (one
 * `NAME#<name>` item per user and a `COUNT` item with the numbers of users and admins). Used by the auth function,
 * `npm run users` and the local stack's first-admin bootstrap, so its constructor and
 * methods are kept stable.
 *
 * Every create, role change and removal is one transaction over the profile, its directory
 * item and the counts, so the maximum number of users and "at least one admin" hold under
 * concurrent requests: the counts' conditions decide, not a count read beforehand.
 */
import { BatchGetCommand, GetCommand, paginateQuery, paginateScan, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../core/errors';
import { PARTITIONS, SORT_KEYS, USER_ACCESS_ATTRIBUTES, providerIdentityKey, userCountKey, userDirectoryKey, userIdItemKey, userItemKey, USER_DIRECTORY_PARTITION, USER_LIMITER_PREFIX, USER_NAME_PREFIX } from '../../contract/table';
import { identityId } from '../core/oidc';
import { DynamoAttemptCounter } from './attempt-counter';
import { isRole, parseFolderLimits, type Role } from '../core/roles';
import { LEGACY_SESSION_VERSION, newSessionVersion } from '../core/session';
import { newUserId, storedUserId } from '../core/user-ids';
import { cancelledItems, defaultDocumentClient, isConditionalCheckFailed, transactWrite, type TransactItems } from './aws-clients';

export interface NewUser {
  readonly username: string;
  readonly role: Role;
  /** An encoded hash from `hashPassword` (handlers/core/password.ts), never the password. */
  readonly passwordHash: string;
  /** Folder prefixes the user is limited to (normalized, see `parseFolderLimits`); absent: every folder. */
  readonly folders?: readonly string[];
}

export interface UserRecord extends NewUser {
  /**
   * The user's id, made with the user and never given to another (handlers/core/user-ids.ts):
   * sessions, shares and uploads are bound to it. A user stored before ids reads as its legacy id.
   */
  readonly userId: string;
  /**
   * Changes with every role, folder or password change: access tokens carry it, and a token
   * (or refresh token) of another version is refused. See handlers/core/session.ts.
   */
  readonly sessionVersion: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A provider identity (issuer and subject) and the user it signed in as. */
interface ProviderIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly userId: string;
  readonly username: string;
}

/** The identity a new user is created for; `replacesUserId`: the identity's previous user, now gone. */
interface NewIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly replacesUserId?: string;
}

/** A user record without its password hash: what functions other than auth may read. */
type UserAccess = Omit<UserRecord, 'passwordHash'>;

export interface UserChanges {
  readonly passwordHash?: string;
  readonly role?: Role;
  /** New folder limits; `null` removes them (every folder). */
  readonly folders?: readonly string[] | null;
}

export interface UpdateOptions {
  /**
   * Keep the user's sessions (a re-hash of the same password at login). Any other change
   * starts a new session version: the user's tokens are refused from then on. @default false
   */
  readonly keepSessions?: boolean;
}

export interface RepositoryOptions {
  readonly tableName: string;
  /** @default the process-wide document client (AWS_ENDPOINT_URL_DYNAMODB honoured) */
  readonly client?: DynamoDBDocumentClient;
}

interface UserCounts {
  readonly users: number;
  readonly admins: number;
}

/** Usernames: 1–64 characters of letters, digits and `._@-`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/** Creating one more user would exceed the module's `max_users`. */
class MaxUsersReached extends Conflict {
  override readonly code = 'MaxUsersReached';
}

/** The change would leave no admin. */
class LastAdmin extends Conflict {
  override readonly code = 'LastAdmin';
}

export class UserExists extends Conflict {
  override readonly code = 'UserExists';
}


/** Retries of a transaction cancelled only by conflicts with concurrent ones. */
const MAX_CONFLICT_RETRIES = 10;

/** Attempts of an optimistic role change before giving up (someone else keeps changing the user). */
const MAX_ATTEMPTS = 5;

export class UsersRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  /** The login limiters' store, for deleting a user's (see `clearLoginLimiters`). */
  private readonly attempts: DynamoAttemptCounter;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
    this.attempts = new DynamoAttemptCounter({ tableName: this.tableName, client: this.client });
  }

  /**
   * Creates a user; throws `UserExists` (409) when it exists, unless `overwrite`, and
   * `MaxUsersReached` (409) when `maxUsers` users exist already. Without `maxUsers` the
   * user is still counted (the local stack's first admin, seeding tools).
   */
  /** The user a provider identity signed in as last (check that user still has that id). */
  async findIdentity(issuer: string, subject: string): Promise<ProviderIdentity | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: providerIdentityKey(identityId(issuer, subject)), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined || item.issuer !== issuer || item.subject !== subject || typeof item.userId !== 'string' || typeof item.username !== 'string') return undefined;
    return { issuer, subject, userId: item.userId, username: item.username };
  }

  async create(user: NewUser, options: { overwrite?: boolean; maxUsers?: number; identity?: NewIdentity } = {}): Promise<UserRecord> {
    if (!USERNAME_PATTERN.test(user.username)) throw new Error(`Invalid username "${user.username}": use 1-64 letters, digits, ".", "_", "@" or "-"`);
    if (!isRole(user.role)) throw new Error(`Invalid role "${String(user.role)}"`);
    if (options.overwrite === true && (await this.get(user.username)) !== undefined) {
      await this.update(user.username, { passwordHash: user.passwordHash, role: user.role, folders: user.folders ?? null });
      const replaced = await this.get(user.username);
      if (replaced !== undefined) return replaced;
    }
    const now = new Date().toISOString();
    const folders = user.role === 'admin' ? undefined : user.folders;
    const record: UserRecord = {
      username: user.username,
      userId: newUserId(),
      role: user.role,
      passwordHash: user.passwordHash,
      ...(folders !== undefined ? { folders } : {}),
      sessionVersion: newSessionVersion(),
      createdAt: now,
      updatedAt: now,
    };
    const limited = options.maxUsers !== undefined;
    try {
      await this.transact([
            { Put: { TableName: this.tableName, Item: { ...userItemKey(user.username), ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: { ...userDirectoryKey(user.username), username: user.username } } },
            {
              Update: {
                TableName: this.tableName,
                Key: userCountKey(),
                UpdateExpression: 'SET #users = if_not_exists(#users, :zero) + :one, admins = if_not_exists(admins, :zero) + :admin',
                ExpressionAttributeNames: { '#users': 'users' },
                ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':admin': user.role === 'admin' ? 1 : 0, ...(limited ? { ':max': options.maxUsers } : {}) },
                ...(limited ? { ConditionExpression: 'attribute_not_exists(#users) OR #users < :max' } : {}),
              },
            },
            // The id is the user's for good: never written twice, kept when the user is deleted.
            { Put: { TableName: this.tableName, Item: { ...userIdItemKey(record.userId), userId: record.userId, username: user.username, createdAt: now }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...(options.identity !== undefined ? [identityPut(this.tableName, options.identity, record, now)] : []),
          ]);
    } catch (error) {
      const failed = cancelledItems(error);
      if (failed?.[0] === true) throw new UserExists(`User "${user.username}" already exists`, { cause: error });
      if (failed?.[2] === true) throw new MaxUsersReached(`The maximum of ${options.maxUsers} users is reached; remove a user first`, { cause: error });
      if (failed?.[3] === true) throw new Conflict('A new user id collided with one already given; try again', { cause: error });
      if (failed?.[4] === true) throw new Conflict('This identity signed in twice at once; try again', { cause: error });
      throw error;
    }
    return record;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userItemKey(username), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toUser(out.Item);
  }

  /**
   * What a user may access (role, folder limits, session version), read with a projection that
   * leaves the password hash out: the only user read the files and uploads roles are granted.
   */
  async getAccess(username: string): Promise<UserAccess | undefined> {
    const names = Object.fromEntries(USER_ACCESS_ATTRIBUTES.map((attribute, i) => [`#a${i}`, attribute]));
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: userItemKey(username),
        ConsistentRead: true,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
      }),
    );
    return out.Item === undefined ? undefined : toUserAccess(out.Item);
  }

  /** All users in the directory, sorted by name: one query and batched reads, no scan. */
  async list(): Promise<UserRecord[]> {
    const names: string[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :name)',
        ExpressionAttributeValues: { ':pk': USER_DIRECTORY_PARTITION, ':name': USER_NAME_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) if (typeof item.username === 'string') names.push(item.username);

    const users: UserRecord[] = [];
    for (let i = 0; i < names.length; i += 100) {
      let keys: Record<string, unknown>[] = names.slice(i, i + 100).map((name) => ({ ...userItemKey(name) }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const user = toUser(item);
          if (user !== undefined) users.push(user);
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return users.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  /** How many users and admins exist, as the counts item says. */
  async counts(): Promise<UserCounts> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userCountKey(), ConsistentRead: true }));
    return { users: numberOr0(out.Item?.users), admins: numberOr0(out.Item?.admins) };
  }

  /**
   * Deletes the user, its directory item and its limiter record, and marks its id deleted (the
   * id stays taken: what was bound to it stays ended); throws `NotFound` when there is no such
   * user and `LastAdmin` (409) when it is the only admin.
   */
  async remove(username: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await this.get(username);
      if (current === undefined) throw new NotFound(`User "${username}" does not exist`);
      const wasAdmin = current.role === 'admin';
      try {
        await this.transact([
              {
                Delete: {
                  TableName: this.tableName,
                  Key: userItemKey(username),
                  ConditionExpression: '#role = :role',
                  ExpressionAttributeNames: { '#role': 'role' },
                  ExpressionAttributeValues: { ':role': current.role },
                },
              },
              { Delete: { TableName: this.tableName, Key: userDirectoryKey(username) } },
              {
                Update: {
                  TableName: this.tableName,
                  Key: userCountKey(),
                  UpdateExpression: 'SET #users = if_not_exists(#users, :one) - :one, admins = if_not_exists(admins, :admin) - :admin',
                  ExpressionAttributeNames: { '#users': 'users' },
                  ExpressionAttributeValues: { ':one': 1, ':admin': wasAdmin ? 1 : 0, ...(wasAdmin ? { ':last': 1 } : {}) },
                  ...(wasAdmin ? { ConditionExpression: 'admins > :last' } : {}),
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: userIdItemKey(current.userId),
                  UpdateExpression: 'SET userId = :id, username = :name, deletedAt = :now',
                  ExpressionAttributeValues: { ':id': current.userId, ':name': username, ':now': new Date().toISOString() },
                },
              },
            ]);
        await this.clearLoginLimiters(username);
        return;
      } catch (error) {
        const failed = cancelledItems(error);
        if (failed?.[2] === true) throw new LastAdmin(`"${username}" is the last admin; make another user admin first`, { cause: error });
        if (failed?.[0] !== true) throw error;
        // The user changed (or vanished) since it was read: read again.
      }
    }
    throw new Conflict(`User "${username}" keeps changing; try again`);
  }

  /**
   * Changes the password hash, role and/or folder limits; throws `NotFound` when there is no
   * such user and `LastAdmin` (409) when it would demote the only admin. Admins carry no
   * folder limits: making a user admin drops them.
   */
  async update(username: string, changes: UserChanges, options: UpdateOptions = {}): Promise<void> {
    const keepSessions = options.keepSessions ?? false;
    if (changes.role === undefined) return this.updateProfile(username, changes, undefined, keepSessions);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await this.get(username);
      if (current === undefined) throw new NotFound(`User "${username}" does not exist`);
      const adminDelta = (changes.role === 'admin' ? 1 : 0) - (current.role === 'admin' ? 1 : 0);
      if (adminDelta === 0) return this.updateProfile(username, changes, current.role, keepSessions);
      try {
        await this.transact([
              { Update: { TableName: this.tableName, ...this.profileUpdate(username, changes, current.role, keepSessions) } },
              {
                Update: {
                  TableName: this.tableName,
                  Key: userCountKey(),
                  UpdateExpression: 'SET admins = if_not_exists(admins, :zero) + :delta',
                  ExpressionAttributeValues: { ':zero': 0, ':delta': adminDelta, ...(adminDelta < 0 ? { ':last': 1 } : {}) },
                  ...(adminDelta < 0 ? { ConditionExpression: 'admins > :last' } : {}),
                },
              },
            ]);
        return;
      } catch (error) {
        const failed = cancelledItems(error);
        if (failed?.[1] === true) throw new LastAdmin(`"${username}" is the last admin; make another user admin first`, { cause: error });
        if (failed?.[0] !== true) throw error;
      }
    }
    throw new Conflict(`User "${username}" keeps changing; try again`);
  }

  /**
   * Rebuilds the directory items and the counts from the profiles (a scan): for tables that
   * hold users created before the directory existed. Not safe while users are being changed.
   */
  async rebuildDirectory(): Promise<UserCounts> {
    const users: UserRecord[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        FilterExpression: 'begins_with(pk, :user) AND sk = :profile',
        ExpressionAttributeValues: { ':user': PARTITIONS.user, ':profile': SORT_KEYS.userProfile },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const user = toUser(item);
        if (user !== undefined) users.push(user);
      }
    }
    for (const user of users) await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...userDirectoryKey(user.username), username: user.username } }));
    const counts = { users: users.length, admins: users.filter((u) => u.role === 'admin').length };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...userCountKey(), ...counts } }));
    return counts;
  }

  private async transact(items: TransactItems): Promise<void> {
    await transactWrite(this.client, items, MAX_CONFLICT_RETRIES);
  }

  private async updateProfile(username: string, changes: UserChanges, expectedRole: Role | undefined, keepSessions: boolean): Promise<void> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, ...this.profileUpdate(username, changes, expectedRole, keepSessions) }));
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        if (expectedRole !== undefined && (await this.get(username)) !== undefined) return this.update(username, changes, { keepSessions });
        throw new NotFound(`User "${username}" does not exist`, { cause: error });
      }
      throw error;
    }
  }

  /** The profile update: only if the user exists (and still has `expectedRole`, when given). */
  private profileUpdate(username: string, changes: UserChanges, expectedRole: Role | undefined, keepSessions: boolean) {
    const sets = ['updatedAt = :now'];
    const removes: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': new Date().toISOString() };
    if (!keepSessions) {
      sets.push('sessionVersion = :session');
      values[':session'] = newSessionVersion();
    }
    if (changes.passwordHash !== undefined) {
      sets.push('passwordHash = :hash');
      values[':hash'] = changes.passwordHash;
    }
    if (changes.role !== undefined || expectedRole !== undefined) names['#role'] = 'role';
    if (changes.role !== undefined) {
      sets.push('#role = :role');
      values[':role'] = changes.role;
    }
    const folders = changes.role === 'admin' ? null : changes.folders;
    if (folders === null) removes.push('folders');
    else if (folders !== undefined) {
      sets.push('folders = :folders');
      values[':folders'] = folders;
    }
    if (expectedRole !== undefined) values[':expected'] = expectedRole;
    return {
      Key: userItemKey(username),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: expectedRole !== undefined ? 'attribute_exists(pk) AND #role = :expected' : 'attribute_exists(pk)',
      ExpressionAttributeValues: values,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    };
  }

  /** Deletes every (user, source) login limiter of the user: an admin's unlock, with a password reset. */
  async clearLoginLimiters(username: string): Promise<void> {
    await this.attempts.clearAll(userItemKey(username).pk, USER_LIMITER_PREFIX);
  }

}

const numberOr0 = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * The folder limits as stored: absent → every folder; a non-empty list of normalized folder
 * paths → those. Anything else (a string, a set, an empty list, other element types) cannot be
 * read, and fails closed: `[]`, no folder at all.
 */
/** The identity item of a new provider user: new, or replacing one whose user is gone (`replacesUserId`). */
function identityPut(tableName: string, identity: NewIdentity, record: UserRecord, now: string) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...providerIdentityKey(identityId(identity.issuer, identity.subject)), issuer: identity.issuer, subject: identity.subject, userId: record.userId, username: record.username, createdAt: now },
      ...(identity.replacesUserId === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'attribute_not_exists(pk) OR userId = :previous', ExpressionAttributeValues: { ':previous': identity.replacesUserId } }),
    },
  };
}

export function storedFolderLimits(value: unknown): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((f) => typeof f === 'string')) return [];
  try {
    const limits = parseFolderLimits(value);
    return limits === undefined ? undefined : limits;
  } catch {
    return [];
  }
}

function toUser(item: Record<string, unknown>): UserRecord | undefined {
  const { passwordHash } = item;
  const access = toUserAccess(item);
  if (access === undefined || typeof passwordHash !== 'string') return undefined;
  return { ...access, passwordHash };
}

function toUserAccess(item: Record<string, unknown>): UserAccess | undefined {
  const { username, userId, role, folders, sessionVersion, createdAt, updatedAt } = item;
  if (typeof username !== 'string' || !isRole(role)) return undefined;
  const limits = role === 'admin' ? undefined : storedFolderLimits(folders);
  return {
    username,
    userId: storedUserId(userId, username),
    role,
    ...(limits !== undefined ? { folders: limits } : {}),
    sessionVersion: typeof sessionVersion === 'string' && sessionVersion !== '' ? sessionVersion : LEGACY_SESSION_VERSION,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    updatedAt: typeof updatedAt === 'string' ? updatedAt : '',
  };
}
