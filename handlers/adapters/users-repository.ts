/**
 * Users and their login limiter records in the catalog table (`USER#<name>` / `PROFILE`
 * and `LOGIN`). Used by the auth function, `npm run users` and the local stack's first-admin
 * bootstrap, so its constructor and methods are kept stable.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Conflict, NotFound } from '../core/errors';
import { loginLimiterKey, userItemKey } from '../core/keys';
import type { LoginLimiterState } from '../core/login-throttle';
import { isRole, type Role } from '../core/roles';
import { defaultDocumentClient, isConditionalCheckFailed } from './aws-clients';

export interface NewUser {
  readonly username: string;
  readonly role: Role;
  /** An encoded hash from `hashPassword` (handlers/core/password.ts), never the password. */
  readonly passwordHash: string;
}

export interface UserRecord extends NewUser {
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A limiter record with the version its conditional update must match. */
export interface VersionedLimiter {
  readonly state: LoginLimiterState;
  readonly version: number;
}

export interface RepositoryOptions {
  readonly tableName: string;
  /** @default the process-wide document client (AWS_ENDPOINT_URL_DYNAMODB honoured) */
  readonly client?: DynamoDBDocumentClient;
}

/** Usernames: 1–64 characters of letters, digits and `._@-`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

export class UsersRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: RepositoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** Creates a user; throws `Conflict` when it exists, unless `overwrite`. */
  async create(user: NewUser, options: { overwrite?: boolean } = {}): Promise<UserRecord> {
    if (!USERNAME_PATTERN.test(user.username)) throw new Error(`Invalid username "${user.username}": use 1-64 letters, digits, ".", "_", "@" or "-"`);
    if (!isRole(user.role)) throw new Error(`Invalid role "${String(user.role)}"`);
    const now = new Date().toISOString();
    const record: UserRecord = { username: user.username, role: user.role, passwordHash: user.passwordHash, createdAt: now, updatedAt: now };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...userItemKey(user.username), ...record },
          ...(options.overwrite === true ? {} : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new Conflict(`User "${user.username}" already exists`, { cause: error });
      throw error;
    }
    return record;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userItemKey(username), ConsistentRead: true }));
    return out.Item === undefined ? undefined : toUser(out.Item);
  }

  /** All users, sorted by name. A scan: fine for an admin CLI, not for a request path. */
  async list(): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :user) AND sk = :profile',
          ExpressionAttributeValues: { ':user': 'USER#', ':profile': 'PROFILE' },
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const user = toUser(item);
        if (user !== undefined) users.push(user);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    return users.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  /** Deletes the user and its limiter record; throws `NotFound` when there is no such user. */
  async remove(username: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: userItemKey(username), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new NotFound(`User "${username}" does not exist`, { cause: error });
      throw error;
    }
    await this.clearLoginLimiter(username);
  }

  /** Replaces the password hash (and optionally the role); throws `NotFound` when there is no such user. */
  async update(username: string, changes: { passwordHash?: string; role?: Role }): Promise<void> {
    const sets = ['updatedAt = :now'];
    const values: Record<string, unknown> = { ':now': new Date().toISOString() };
    if (changes.passwordHash !== undefined) {
      sets.push('passwordHash = :hash');
      values[':hash'] = changes.passwordHash;
    }
    if (changes.role !== undefined) {
      sets.push('#role = :role');
      values[':role'] = changes.role;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userItemKey(username),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(changes.role !== undefined ? { ExpressionAttributeNames: { '#role': 'role' } } : {}),
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new NotFound(`User "${username}" does not exist`, { cause: error });
      throw error;
    }
  }

  async getLoginLimiter(username: string): Promise<VersionedLimiter | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: loginLimiterKey(username), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined || typeof item.failures !== 'number' || typeof item.lastFailureAt !== 'number') return undefined;
    const state: LoginLimiterState = {
      failures: item.failures,
      lastFailureAt: item.lastFailureAt,
      ...(typeof item.lockedUntil === 'number' ? { lockedUntil: item.lockedUntil } : {}),
    };
    return { state, version: typeof item.version === 'number' ? item.version : 0 };
  }

  /**
   * Writes the limiter if nobody else did since `expectedVersion` was read (`undefined`: no
   * record yet). Returns false when another login got there first; the caller re-reads.
   */
  async saveLoginLimiter(username: string, state: LoginLimiterState, expectedVersion: number | undefined, ttl: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...loginLimiterKey(username), ...state, version: (expectedVersion ?? 0) + 1, ttl },
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async clearLoginLimiter(username: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: loginLimiterKey(username) }));
  }
}

function toUser(item: Record<string, unknown>): UserRecord | undefined {
  const { username, role, passwordHash, createdAt, updatedAt } = item;
  if (typeof username !== 'string' || !isRole(role) || typeof passwordHash !== 'string') return undefined;
  return {
    username,
    role,
    passwordHash,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    updatedAt: typeof updatedAt === 'string' ? updatedAt : '',
  };
}
