/** In-memory users and sessions stores with the repositories' conditional-write semantics. */
import { newFamilyId, newRefreshToken, newSessionVersion, refreshTokenHash } from '../../handlers/core/session';
import { newUserId } from '../../handlers/core/user-ids';
import type { SessionStore } from '../../handlers/auth/session';
import type { LoginUserStore } from '../../handlers/auth/login';
import type { IssuedRefreshToken, RotateOutcome, SessionFamily, StoredRefreshToken } from '../../handlers/adapters/sessions-repository';
import type { NewUser, UpdateOptions, UserChanges, UserRecord } from '../../handlers/adapters/users-repository';

export class MemoryUsers implements LoginUserStore {
  readonly users = new Map<string, UserRecord>();

  async add(user: NewUser): Promise<UserRecord> {
    const record = { ...user, userId: newUserId(), sessionVersion: newSessionVersion(), createdAt: '', updatedAt: '' };
    this.users.set(user.username, record);
    return record;
  }
  async get(username: string) {
    return this.users.get(username);
  }
  async update(username: string, changes: UserChanges, options: UpdateOptions = {}) {
    const user = this.users.get(username);
    if (user === undefined) return;
    const { folders, ...rest } = changes;
    this.users.set(username, {
      ...user,
      ...rest,
      ...(folders !== undefined ? (folders === null ? { folders: undefined } : { folders }) : {}),
      ...(options.keepSessions === true ? {} : { sessionVersion: newSessionVersion() }),
    });
  }
}

export class MemorySessions implements SessionStore {
  readonly families = new Map<string, SessionFamily>();
  readonly tokens = new Map<string, StoredRefreshToken>();

  async open(user: { username: string; userId: string; sessionVersion: string }, now: number, ttlSeconds: number): Promise<IssuedRefreshToken> {
    const familyId = newFamilyId();
    this.families.set(familyId, { familyId, username: user.username, userId: user.userId, sessionVersion: user.sessionVersion, expiresAt: now + ttlSeconds });
    return this.issue(familyId, now + ttlSeconds);
  }
  async findToken(token: string) {
    return this.tokens.get(refreshTokenHash(token));
  }
  async findFamily(familyId: string) {
    return this.families.get(familyId);
  }
  async rotate(used: StoredRefreshToken, now: number, ttlSeconds: number): Promise<RotateOutcome> {
    const current = this.tokens.get(used.hash);
    if (current === undefined || current.usedAt !== undefined) return { ok: false, reason: 'reused' };
    const family = this.families.get(used.familyId);
    if (family === undefined) return { ok: false, reason: 'revoked' };
    this.tokens.set(used.hash, { ...current, usedAt: now });
    this.families.set(used.familyId, { ...family, expiresAt: now + ttlSeconds });
    return { ok: true, issued: this.issue(used.familyId, now + ttlSeconds) };
  }
  async revokeFamily(familyId: string) {
    this.families.delete(familyId);
  }
  private issue(familyId: string, expiresAt: number): IssuedRefreshToken {
    const token = newRefreshToken();
    this.tokens.set(refreshTokenHash(token), { hash: refreshTokenHash(token), familyId, expiresAt });
    return { token, familyId, expiresAt };
  }
}
