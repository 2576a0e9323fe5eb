/**
 * The authorizer's reads, with the low-level DynamoDB client (no document client: the
 * authorizer stays small): the user's profile (id and current session version) and the
 * token's session family (handlers/core/session.ts), two GetItems sent at once: one round trip.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sessionFamilyKey, userItemKey, type ItemKey } from '../../contract/table';
import { LEGACY_SESSION_VERSION } from '../core/session';
import { storedUserId } from '../core/user-ids';

/** What the authorizer checks a token against; `undefined` where no such item exists. */
export interface SessionState {
  readonly user?: { readonly userId: string; readonly sessionVersion: string };
  readonly family?: { readonly userId: string; /** Epoch seconds. */ readonly expiresAt: number };
}

export type SessionStateReader = (username: string, sessionId: string) => Promise<SessionState>;

export function sessionStateReader(tableName: string, client?: DynamoDBClient): SessionStateReader {
  let dynamodb = client;
  const get = async (key: ItemKey, attributes: readonly string[]) => {
    dynamodb ??= new DynamoDBClient({});
    const out = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
        // A change must be seen at once: the revocation bound is the authorizer cache alone.
        ConsistentRead: true,
      }),
    );
    return out.Item;
  };
  return async (username, sessionId) => {
    const [profile, family] = await Promise.all([
      get(userItemKey(username), ['pk', 'userId', 'sessionVersion']),
      get(sessionFamilyKey(sessionId), ['pk', 'userId', 'username', 'expiresAt']),
    ]);
    const version = profile?.sessionVersion?.S;
    const expiresAt = Number(family?.expiresAt?.N);
    return {
      ...(profile !== undefined
        ? { user: { userId: storedUserId(profile.userId?.S, username), sessionVersion: version === undefined || version === '' ? LEGACY_SESSION_VERSION : version } }
        : {}),
      ...(family !== undefined && typeof family.username?.S === 'string' && Number.isFinite(expiresAt)
        ? { family: { userId: storedUserId(family.userId?.S, family.username.S), expiresAt } }
        : {}),
    };
  };
}
