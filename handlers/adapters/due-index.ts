/**
 * The sparse `byDue` index (contract/table.ts): what the sweep function has still to do, by kind
 * (`DUE_KINDS`) and time. Read by the reservations and the reminders.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../contract/table';

const { dueIndex } = TABLE_SCHEMA;

/** Items of `kind` due by `now`, at most `limit`. */
export async function dueItems(client: DynamoDBDocumentClient, tableName: string, kind: string, now: Date, limit: number): Promise<Record<string, unknown>[]> {
  const out = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: dueIndex.name,
      KeyConditionExpression: '#kind = :kind AND #at <= :now',
      ExpressionAttributeNames: { '#kind': dueIndex.partitionKey, '#at': dueIndex.sortKey },
      ExpressionAttributeValues: { ':kind': kind, ':now': Math.floor(now.getTime() / 1000) },
      Limit: limit,
    }),
  );
  return out.Items ?? [];
}
