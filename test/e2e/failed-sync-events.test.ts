/**
 * An S3 event the sync function cannot process (here: the row its upload session implies
 * is over DynamoDB's 400 KB item limit, so every write fails) is retried, then lands in the
 * local on-failure destination as Lambda's invocation record, instead of being lost.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { uploadItemKey } from '../../contract/table';
import { encodeEventKey } from '../../local/s3';
import { e2eContext } from './support/context';
import { eventually } from './support/http';

interface DeadLetter {
  destination: string;
  requestContext: { condition: string; approximateInvokeCount: number; functionArn: string };
  requestPayload: { Records: { eventName: string; s3: { object: { key: string } } }[] };
  responsePayload: { errorType: string; errorMessage: string };
}

describe('failed sync events', () => {
  const context = e2eContext();
  const folder = `/dlq-${randomBytes(4).toString('hex')}`;
  const key = `media${folder}/${'b'.repeat(200)}.jpg`;
  const uploadId = randomBytes(16).toString('base64url');
  const s3 = new S3Client({ endpoint: context.s3Endpoint, region: context.region, forcePathStyle: true, credentials: context.credentials });
  const dynamodb = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials });
  const documents = DynamoDBDocumentClient.from(dynamodb);

  afterAll(async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: context.bucketName, Key: key }));
    await documents.send(new DeleteCommand({ TableName: context.tableName, Key: uploadItemKey(uploadId) }));
    s3.destroy();
    dynamodb.destroy();
  });

  const deadLetters = (): DeadLetter[] => {
    let files: string[];
    try {
      files = readdirSync(context.deadLetterDir);
    } catch {
      return [];
    }
    return files
      .map((f) => JSON.parse(readFileSync(path.join(context.deadLetterDir, f), 'utf8')) as DeadLetter)
      .filter((d) => d.requestPayload.Records.some((r) => r.s3.object.key === encodeEventKey(key)));
  };

  it('keeps the event with its error in the dead-letter destination once the retries are spent', async () => {
    // A session just under the item limit: the file row, with its index keys and id, is over it.
    const session = { uploadId, owner: 'e2e-editor', folder, name: `${'b'.repeat(200)}.jpg`, key, contentType: 'image/jpeg', size: 10, tags: [] };
    const sessionBytes = JSON.stringify({ ...uploadItemKey(uploadId), ...session }).length;
    await documents.send(new PutCommand({ TableName: context.tableName, Item: { ...uploadItemKey(uploadId), ...session, description: 'd'.repeat(409_000 - sessionBytes) } }));
    await s3.send(new PutObjectCommand({ Bucket: context.bucketName, Key: key, Body: randomBytes(10), ContentType: 'image/jpeg', Metadata: { 'upload-id': uploadId } }));

    // The e2e stack retries after 200 and 400 ms.
    const letters = await eventually(async () => (deadLetters().length > 0 ? deadLetters() : undefined), 15_000);

    expect(letters).toHaveLength(1);
    expect(letters![0]).toMatchObject({
      destination: expect.stringMatching(/^aws_sqs_queue\./),
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/:function:.+-sync:\$LATEST$/) },
      requestPayload: { Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: encodeEventKey(key) } } }] },
      responsePayload: { errorType: expect.any(String), errorMessage: expect.stringContaining('1 of 1 S3 records failed') },
    });
  }, 30_000);
});
