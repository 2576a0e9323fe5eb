import * as path from 'node:path';
import { Construct } from 'constructs';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { ENV, FUNCTION_ENV } from '../../contract/env';
import { FUNCTIONS, bundleZipPath } from '../../contract/functions';
import type { Catalog } from './catalog';
import { DEFAULTS } from './defaults';
import { numberText, presenceOf } from './expressions';
import { MediaStoreFunction, onlyPartitions } from './function';
import type { Storage } from './storage';

export interface MoveJobsProps {
  /** Prefix of the function's name: `<prefix>-move`. */
  readonly namePrefix: string;
  readonly storage: Storage;
  readonly catalog: Catalog;
  /** Directory that contains `dist/move.zip`. */
  readonly bundleRoot: string;
  /** `arm64` or `x86_64`. @default "arm64" */
  readonly architecture?: string;
  /** @default 1024 (more memory, more network and CPU for the part copies' requests) */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default true */
  readonly tracing?: boolean;
  /** @default "info" */
  readonly logLevel?: string;
  /** Days a file deleted with its folder stays in the trash. @default 30 */
  readonly trashRetentionDays?: number;
}

/**
 * The move function: runs the moves of files too large to copy inside an API request,
 * and the bulk trash jobs (a folder's deletion, restore all, empty), invoked asynchronously by
 * the files function (Lambda retries a failed run twice). Its role may copy, verify and delete
 * media, derived and trash objects and write file rows, folder markers, move sessions, trash entries and
 * jobs — nothing else. Every resource has a fixed address (`aws_lambda_function.move`, …).
 */
export class MoveJobs extends Construct {
  readonly function: MediaStoreFunction;
  /** The physical function name, known before the function exists (the files function's `MOVE_FUNCTION_NAME`). */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: MoveJobsProps) {
    super(scope, id);
    this.functionName = `${props.namePrefix}-move`;
    const table = props.catalog.table.arn;
    const media = props.storage.mediaObjectsArn;
    const trash = props.storage.trashObjectsArn;
    const derived = props.storage.derivedObjectsArn;
    const environment: Record<string, string> = {
      TABLE_NAME: props.catalog.table.name,
      BUCKET_NAME: props.storage.bucket.bucket,
      LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
      TRASH_RETENTION_DAYS: numberText(props.trashRetentionDays ?? DEFAULTS.trashRetentionDays),
    };
    const variables = Object.fromEntries(FUNCTION_ENV.move.map((name: keyof typeof ENV) => [name, environment[name] as string]));

    this.function = new MediaStoreFunction(this, 'move', {
      name: 'move',
      functionName: this.functionName,
      description: FUNCTIONS.move.description,
      bundlePath: path.resolve(props.bundleRoot, bundleZipPath('move')),
      environment: variables,
      statements: [
        // GetObject also authorizes HeadObject and reading the source of UploadPartCopy.
        { sid: 'ReadMedia', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
        // The part-by-part copy (create, UploadPartCopy, complete, abort on failure) and deleting the verified original.
        { sid: 'CopyAndDeleteMedia', effect: 'Allow', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [media] },
        // A moved file's derived objects (thumbnails, posters, video copy) copied to its new key's prefix;
        // what a file it replaced left there deleted.
        { sid: 'CarryDerivedObjects', effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [derived] },
        // Bulk trash jobs: deleted files' bytes copied to trash/, back on restore, deleted forever.
        { sid: 'KeepTheTrash', effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [trash] },
        // Without it HeadObject answers 403 instead of 404 for a missing key (resume, name clash).
        { sid: 'TellMissingMediaFromForbidden', effect: 'Allow', actions: ['s3:ListBucket'], resources: [props.storage.bucket.arn] },
        {
          sid: 'ReadAndWriteFileRowsAndJobs',
          effect: 'Allow',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [table],
          // File rows (previews of the move), and jobs; never users or upload sessions.
          condition: onlyPartitions('folder', 'job'),
        },
        {
          sid: 'RunTrashJobs',
          effect: 'Allow',
          // A folder's files and subfolders (Query), the sessions of restored files (PutItem) and of
          // moves (UpdateItem: what a move carries), the trash entries (read in pages, recorded, removed).
          actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: [table],
          condition: onlyPartitions('folder', 'upload', 'trash'),
        },
        {
          sid: 'CountFilesOnTheTimeline',
          effect: 'Allow',
          actions: ['dynamodb:UpdateItem'],
          resources: [table],
          // The timeline counters the move's previews add to (contract/table.ts).
          condition: onlyPartitions('timeline'),
        },
      ],
      architecture: props.architecture,
      memoryMb: props.memoryMb ?? MOVE_FUNCTION_MEMORY_MB,
      // Lambda's maximum: a 50 GiB copy needs about a minute at S3's published rates; the rest is margin.
      timeoutSeconds: MOVE_FUNCTION_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
    });
    const kms = props.storage.kmsKey;
    this.function.allowWhen('bucket-kms-key', presenceOf(kms.enabled), [
      // Only through S3 (kms:ViaService), like the other functions' grants: the role cannot use the key directly.
      {
        sid: 'DecryptAndCopyMedia',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [kms.arn],
        condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${props.storage.bucket.region}.amazonaws.com`] }],
      },
    ]);

    // A trash job longer than a run (15 minutes) hands over to a next run of this function
    // (handlers/move/run-trash-job.ts). A policy of its own: the function's main policy is one
    // of its dependencies, so it cannot name the function's ARN.
    this.function.allow('invoke-itself', 'move_invoke_itself', [
      { sid: 'HandOverLongTrashJobs', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [this.function.function.arn] },
    ]);

    const invokeConfig = new LambdaFunctionEventInvokeConfig(this, 'invoke-config', {
      functionName: this.function.function.functionName,
      // Lambda's default, stated: a failed run is tried twice more; the job records the last failure.
      maximumRetryAttempts: 2,
    });
    invokeConfig.overrideLogicalId('move');
  }
}

const MOVE_FUNCTION_TIMEOUT_SECONDS = 900;
const MOVE_FUNCTION_MEMORY_MB = 1024;
