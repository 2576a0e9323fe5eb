/**
 * SDK clients, created lazily once per process (module scope) and replaceable in tests.
 *
 * Endpoints of local emulators come from the SDK's own `AWS_ENDPOINT_URL_S3` and
 * `AWS_ENDPOINT_URL_DYNAMODB` variables. This SDK version honours them on its own
 * (`@smithy/core` getEndpointUrlConfig), but they are also read here explicitly: the URL
 * signer needs the S3 endpoint, and an explicit endpoint is easier to see in a debugger.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { boolean, optionalString, type Env } from '../core/env';

export interface ClientOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: S3ClientConfig['credentials'];
}

export interface S3ClientOptions extends ClientOptions {
  readonly forcePathStyle?: boolean;
}

/** Where S3 lives for this process: the custom endpoint and addressing style, if any. */
export function s3EndpointFromEnv(env: Env = process.env): { endpoint?: string; forcePathStyle: boolean } {
  const endpoint = optionalString(env, 'AWS_ENDPOINT_URL_S3') ?? optionalString(env, 'AWS_ENDPOINT_URL');
  return { ...(endpoint !== undefined ? { endpoint } : {}), forcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE', false) };
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...options,
    // Checksums only when an operation requires them: presigned PUTs must not carry an
    // empty-body CRC32 that S3-compatible servers reject (see shared/real-s3/README.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...options }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

let s3: S3Client | undefined;
let documents: DynamoDBDocumentClient | undefined;

/** The process's S3 client, configured from the environment on first use. */
export function defaultS3Client(): S3Client {
  s3 ??= createS3Client(s3EndpointFromEnv());
  return s3;
}

/** The process's DynamoDB document client, configured from the environment on first use. */
export function defaultDocumentClient(): DynamoDBDocumentClient {
  const endpoint = optionalString(process.env, 'AWS_ENDPOINT_URL_DYNAMODB') ?? optionalString(process.env, 'AWS_ENDPOINT_URL');
  documents ??= createDocumentClient(endpoint !== undefined ? { endpoint } : {});
  return documents;
}

/** Whether an SDK error is a ConditionalCheckFailed (an expected "lost the race" outcome). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Which items of a cancelled transaction failed their condition (by position), or
 * `undefined` when the error is not a cancelled transaction.
 */
export function cancelledItems(error: unknown): boolean[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (reasons !== undefined) return reasons.map((r) => r.Code === 'ConditionalCheckFailed');
  // Some emulators only name the reasons in the message: "[ConditionalCheckFailed, None]".
  const listed = /\[([^\]]*)\]/.exec(error.message)?.[1];
  return listed?.split(',').map((r) => r.trim() === 'ConditionalCheckFailed');
}

export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** A cancelled transaction none of whose conditions failed, only conflicting with another. */
function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  const codes = reasons?.map((r) => r.Code ?? 'None') ?? /\[([^\]]*)\]/.exec(error.message)?.[1]?.split(',').map((r) => r.trim()) ?? [];
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/**
 * One transaction, retried (with jittered backoff) while it only conflicts with another one on
 * the same items: DynamoDB cancels concurrent transactions rather than queueing them.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItems, maxRetries = 10): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (attempt >= maxRetries || !isTransactionConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}
