/**
 * The authorizer's one read: a user's current session version (handlers/core/session.ts),
 * with the low-level DynamoDB client (no document client: the authorizer stays small).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { userItemKey } from '../core/keys';
import { LEGACY_SESSION_VERSION } from '../core/session';

/** The user's session version, or `undefined` when the user does not exist. */
export type SessionVersionReader = (username: string) => Promise<string | undefined>;

export function sessionVersionReader(tableName: string, client?: DynamoDBClient): SessionVersionReader {
  let dynamodb = client;
  return async (username) => {
    dynamodb ??= new DynamoDBClient({});
    const key = userItemKey(username);
    const out = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ProjectionExpression: 'pk, sessionVersion',
        // A change must be seen at once: the revocation bound is the authorizer cache alone.
        ConsistentRead: true,
      }),
    );
    if (out.Item === undefined) return undefined;
    const version = out.Item.sessionVersion?.S;
    return version === undefined || version === '' ? LEGACY_SESSION_VERSION : version;
  };
}
