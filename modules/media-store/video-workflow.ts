import * as path from 'node:path';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { ENV, FUNCTION_ENV } from '../../contract/env';
import { FUNCTIONS, bundleZipPath } from '../../contract/functions';
import { SCRATCH_PREFIX } from '../../contract/bucket';
import { VIDEO_SEGMENT_FAILED } from '../../contract/video';
import type { Catalog } from './catalog';
import { DEFAULTS, STATE_MACHINE_TRACE_ACTIONS, LOG_DELIVERY_ACTIONS } from './defaults';
import { numberText, presenceOf } from './expressions';
import { MediaStoreFunction, onlyPartitions } from './function';
import type { Storage } from './storage';

export interface VideoWorkflowProps {
  /** Prefix of the names: `<prefix>-transcode` (function), `<prefix>-video` (state machine). */
  readonly namePrefix: string;
  readonly storage: Storage;
  readonly catalog: Catalog;
  /** Directory that contains `dist/transcode.zip`. */
  readonly bundleRoot: string;
  /** `arm64` or `x86_64`. @default "arm64" */
  readonly architecture?: string;
  /** Seconds of video one invocation transcodes (a segment). @default 120 */
  readonly segmentSeconds?: number;
  /** Segments of one video transcoded at once (the Map state's MaxConcurrency). @default 20 */
  readonly maxParallelSegments?: number;
  /** Memory of the transcoding function, MB: CPU comes with it (1,769 MB is one vCPU). @default 3008 */
  readonly transcodeMemoryMb?: number;
  /** /tmp of the transcoding function, MB (512-10240). @default 10240 */
  readonly transcodeEphemeralMb?: number;
  /** Lines of the short edge of a transcoded copy at most. @default 1080 */
  readonly maxHeight?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** X-Ray tracing of the function and the executions. @default true */
  readonly tracing?: boolean;
  /** @default "info" */
  readonly logLevel?: string;
}

/** The transcoding function's timeout: Lambda's most. A segment is sized to need a fraction of it. */
const TRANSCODE_TIMEOUT_SECONDS = 900;
/** Name of the execution failure the alarm counts (the `Fail` state's error). */
const VIDEO_COPY_FAILED = 'VideoCopyFailed';

/** Errors of the Lambda service itself: always worth another try, soon. */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/**
 * Every Task's retries: the Lambda service's hiccups often, anything else (S3, DynamoDB, a
 * sandbox that died) twice with backoff. A file the decoder refuses is not an error: the step
 * returns it as an outcome and the workflow records `failed` (never retried in a loop).
 */
const TASK_RETRY = [
  { ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
  { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 3 },
];
/**
 * A segment ffmpeg could not make (`VideoSegmentFailed`, core/video-segments.ts) is tried once
 * more: ffmpeg reads the original over HTTP, and a connection dropped mid-read looks like bytes
 * it cannot decode. A second failure is the file's: the Map's Catch records the copy `failed`
 * naming the segment, rather than spend more Lambda minutes on it.
 */
const SEGMENT_RETRY = [
  TASK_RETRY[0],
  { ErrorEquals: [VIDEO_SEGMENT_FAILED], IntervalSeconds: 2, MaxAttempts: 1, BackoffRate: 2 },
  TASK_RETRY[1],
];

/**
 * The workflow as Amazon States Language. Every step is the transcoding function (`step` tells
 * which); each reads the execution's input (`VideoCopyInput`) from the context object:
 *
 * Plan (probe keyframes, cut into `segmentSeconds` windows) → Route: `remux` → Remux;
 * `whole` (one segment's length at most) → Whole (one transcoding run, no join);
 * `segments` → Segments (Map, `maxConcurrency` at once, each segment retried on its own) →
 * Join (stream-copy concat + audio + `+faststart` into one MP4, recorded on the row if the
 * original is still the same version, scratch deleted); `rejected` (the plan recorded why) →
 * Done. Anything that still fails after its retries → MarkFailed (records `failed` and the
 * reason, deletes the scratch) → Failed, which the alarm counts.
 *
 * `maxConcurrency` may be a Terraform expression (the variable): it is written unquoted.
 */
function videoWorkflowDefinition(transcodeArn: string, maxConcurrency: number | string): string {
  const task = (step: string, extra: Record<string, string>, next: string | undefined, resultPath: string | null) => ({
    Type: 'Task',
    Resource: transcodeArn,
    Parameters: { step, 'input.$': '$$.Execution.Input', ...extra },
    ResultPath: resultPath,
    Retry: TASK_RETRY,
    ...(next === undefined ? { End: true } : { Next: next }),
  });
  const onFailure = [{ ErrorEquals: ['States.ALL'], Next: 'MarkFailed', ResultPath: '$.error' }];
  const placeholder = '"__MAX_CONCURRENCY__"';
  const definition = {
    Comment: 'A playable copy of one video: remuxed, transcoded in one run, or transcoded in parallel segments and joined (docs/media.md "Any length")',
    StartAt: 'Plan',
    States: {
      Plan: { ...task('plan', {}, 'Route', '$.plan'), Catch: onFailure },
      Route: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.plan.mode', StringEquals: 'remux', Next: 'Remux' },
          { Variable: '$.plan.mode', StringEquals: 'whole', Next: 'Whole' },
          { Variable: '$.plan.mode', StringEquals: 'segments', Next: 'Segments' },
        ],
        Default: 'Done',
      },
      Remux: { ...task('remux', { 'plan.$': '$.plan' }, 'Done', '$.result'), Catch: onFailure },
      Whole: { ...task('whole', { 'plan.$': '$.plan' }, 'Done', '$.result'), Catch: onFailure },
      Segments: {
        Type: 'Map',
        ItemsPath: '$.plan.items',
        ItemSelector: { step: 'segment', 'input.$': '$$.Execution.Input', 'plan.$': '$.plan', 'item.$': '$$.Map.Item.Value' },
        MaxConcurrency: placeholder,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Segment',
          States: { Segment: { Type: 'Task', Resource: transcodeArn, Retry: SEGMENT_RETRY, End: true } },
        },
        ResultPath: '$.parts',
        Catch: onFailure,
        Next: 'Join',
      },
      Join: { ...task('join', { 'plan.$': '$.plan', 'parts.$': '$.parts' }, 'Done', '$.result'), Catch: onFailure },
      MarkFailed: task('fail', { 'error.$': '$.error' }, 'Failed', '$.marked'),
      Failed: { Type: 'Fail', Error: VIDEO_COPY_FAILED, Cause: 'A step failed after its retries: the file row says why (video.copy.reason)' },
      Done: { Type: 'Succeed' },
    },
  };
  return JSON.stringify(definition).replace(JSON.stringify(placeholder), String(maxConcurrency));
}

/**
 * Playable copies of videos of any length (issue 19): a Step Functions STANDARD state machine
 * (videoWorkflowDefinition) over one transcoding function with the bundled ffmpeg. The process
 * function starts an execution per video version; nothing else may.
 *
 * - The function reads originals (`media/*`), writes segments under `scratch/` and the copy
 *   under `derived/`, records the outcome on file rows only; its memory, /tmp and segment
 *   length are variables.
 * - The state machine's role may invoke that function and deliver its logs, nothing else.
 * - Executions log errors to their own log group (without the inputs: file names are
 *   personal); the alarms count failed executions (alarms.ts).
 */
export class VideoWorkflow extends Construct {
  readonly function: MediaStoreFunction;
  readonly stateMachine: SfnStateMachine;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: VideoWorkflowProps) {
    super(scope, id);
    const table = props.catalog.table.arn;
    const bucket = props.storage.bucket;
    const scratch = `${bucket.arn}/${SCRATCH_PREFIX}*`;
    const environment: Record<string, string> = {
      TABLE_NAME: props.catalog.table.name,
      BUCKET_NAME: bucket.bucket,
      VIDEO_SEGMENT_SECONDS: numberText(props.segmentSeconds ?? DEFAULTS.videoSegmentSeconds),
      VIDEO_MAX_HEIGHT: numberText(props.maxHeight ?? DEFAULTS.videoMaxHeight),
      LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
    };
    const variables = Object.fromEntries(FUNCTION_ENV.transcode.map((name: keyof typeof ENV) => [name, environment[name] as string]));

    this.function = new MediaStoreFunction(this, 'transcode', {
      name: 'transcode',
      functionName: `${props.namePrefix}-transcode`,
      description: FUNCTIONS.transcode.description,
      bundlePath: path.resolve(props.bundleRoot, bundleZipPath('transcode')),
      environment: variables,
      statements: [
        // ffmpeg reads the original through a presigned GET (Range requests) signed with this role; the remux's fast path
        // reads its boxes by range and copies its media data with UploadPartCopy, which S3 authorises as GetObject on the source.
        { sid: 'ReadOriginals', effect: 'Allow', actions: ['s3:GetObject'], resources: [props.storage.mediaObjectsArn] },
        // Segments and the audio track of a copy being made; the workflow deletes them when it ends.
        { sid: 'WriteReadAndDeleteScratch', effect: 'Allow', actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [scratch] },
        {
          sid: 'ListScratch',
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: [bucket.arn],
          condition: [{ test: 'StringLike', variable: 's3:prefix', values: [`${SCRATCH_PREFIX}*`] }],
        },
        // The copy (a multipart upload for large ones: PutObject covers create, parts, part copies' destination and complete),
        // and a copy nobody will own (the original changed meanwhile).
        { sid: 'WriteAndDeleteCopies', effect: 'Allow', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [props.storage.derivedObjectsArn] },
        {
          sid: 'RecordCopies',
          effect: 'Allow',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [table],
          // File rows only.
          condition: onlyPartitions('folder'),
        },
      ],
      architecture: props.architecture,
      memoryMb: props.transcodeMemoryMb ?? DEFAULTS.videoTranscodeMemoryMb,
      ephemeralStorageMb: props.transcodeEphemeralMb ?? DEFAULTS.videoTranscodeEphemeralMb,
      timeoutSeconds: TRANSCODE_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
      // ffmpeg for two architectures: over the 50 MB direct-upload limit.
      deployThrough: (source: string) => props.storage.addArtifact('transcode-bundle', 'transcode_bundle', source, 'transcode'),
    });
    const kms = props.storage.kmsKey;
    this.function.allowWhen('bucket-kms-key', presenceOf(kms.enabled), [
      {
        sid: 'ReadOriginalsWriteCopies',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [kms.arn],
        condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${bucket.region}.amazonaws.com`] }],
      },
    ]);

    const machineName = `${props.namePrefix}-video`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      // Vended logs of Step Functions must go to a group under /aws/vendedlogs/ (its resource policy size limit).
      name: `/aws/vendedlogs/states/${machineName}`,
      retentionInDays: props.logRetentionDays ?? DEFAULTS.logRetentionDays,
    });
    this.logGroup.overrideLogicalId('video_workflow');

    const assume = new DataAwsIamPolicyDocument(this, 'assume-role', {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['states.amazonaws.com'] }] }],
    });
    assume.overrideLogicalId('video_workflow_assume_role');
    this.role = new IamRole(this, 'role', { name: machineName, description: `Execution role of the ${machineName} state machine`, assumeRolePolicy: assume.json });
    this.role.overrideLogicalId('video_workflow');
    const fn = this.function.function.arn;
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        // The function and its versions (`<arn>:*`): the one thing the workflow runs.
        { sid: 'InvokeTranscode', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [fn, `${fn}:*`] },
        { sid: 'DeliverExecutionLogs', effect: 'Allow', actions: [...LOG_DELIVERY_ACTIONS], resources: ['*'] },
        { sid: 'WriteTraces', effect: 'Allow', actions: [...STATE_MACHINE_TRACE_ACTIONS], resources: ['*'] },
      ],
    });
    permissions.overrideLogicalId('video_workflow');
    const policy = new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.id, policy: permissions.json });
    policy.overrideLogicalId('video_workflow');

    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: machineName,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: videoWorkflowDefinition(fn, numberText(props.maxParallelSegments ?? DEFAULTS.videoMaxParallelSegments)),
      loggingConfiguration: { logDestination: `${this.logGroup.arn}:*`, includeExecutionData: false, level: 'ERROR' },
      tracingConfiguration: { enabled: props.tracing ?? DEFAULTS.tracing },
      dependsOn: [policy],
    });
    this.stateMachine.overrideLogicalId('video');
  }
}

