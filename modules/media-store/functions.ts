import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { ENV, FUNCTION_ENV } from '../../contract/env';
import { FUNCTIONS, FUNCTION_NAMES, bundleZipPath, type FunctionName } from '../../contract/functions';
import { SCRUB_ATTRIBUTES, STORAGE_STATS_ATTRIBUTES, USER_ACCESS_ATTRIBUTES } from '../../contract/table';
import { SCRUB_SCHEDULE } from '../../contract/settings';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import type { Catalog } from './catalog';
import { DEFAULTS, DERIVED_PREFIX } from './defaults';
import { booleanText, isNonEmpty, joinedText, jsonText, numberText, presenceOf } from './expressions';
import type { FailedEvents } from './failed-events';
import { MediaStoreFunction, onlyPartitions, type PolicyStatement } from './function';
import type { MoveJobs } from './move-jobs';
import type { VideoWorkflow } from './video-workflow';
import type { Notifications } from './notifications';
import type { SigningSecret } from './secrets';
import type { Storage } from './storage';
import { SweepSchedule } from './sweep-schedule';

/**
 * Folder holding `dist/<name>.zip`: the project root, the nearest folder above this file with
 * a cdktf.json (this file may run from source or from the compiled synth app in `.gen/`).
 */
export const PROJECT_ROOT = projectRootAbove(__dirname);

function projectRootAbove(dir: string): string {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, 'cdktf.json'))) return current;
    if (path.dirname(current) === current) return path.resolve(dir, '..', '..');
  }
}

export interface FunctionSettings {
  /** Directory that contains the `dist/` bundles. @default the project root */
  readonly bundleRoot?: string;
  /** `arm64` or `x86_64`. @default "arm64" */
  readonly architecture?: string;
  /** Memory of every function, MB. @default 512 */
  readonly memoryMb?: number;
  /** Timeout of every function, seconds. @default 10 */
  readonly timeoutSeconds?: number;
  /** Retention of the functions' log groups, days. @default 30 */
  readonly logRetentionDays?: number;
  /** Active X-Ray tracing. @default true */
  readonly tracing?: boolean;
  /** Log level of the handlers' structured logger. @default "info" */
  readonly logLevel?: string;
  /** `iss` claim issued and required. @default "media-store" */
  readonly jwtIssuer?: string;
  /** Access token lifetime, seconds. @default 300 */
  readonly tokenTtlSeconds?: number;
  /** Refresh token lifetime, seconds, renewed at each refresh. @default 2592000 (30 days) */
  readonly refreshTokenTtlSeconds?: number;
  /** Consecutive failed logins before a user is throttled. @default 5 */
  readonly loginMaxFailures?: number;
  /** How long a throttled user waits, seconds. @default 900 */
  readonly loginLockoutSeconds?: number;
  /** Most users the users API lets exist (admins included). @default 10 */
  readonly maxUsers?: number;
  /** The identity provider's issuer URL; empty: no sign-in through a provider. @default "" */
  readonly oidcIssuerUrl?: string;
  /** The web app's client id at the provider. @default "" */
  readonly oidcClientId?: string;
  /** Secrets Manager ARN of the client secret; the auth function may read only this secret. @default "" */
  readonly oidcClientSecretArn?: string;
  /** Scopes asked for at sign-in. @default ["openid", "profile", "email"] */
  readonly oidcScopes?: string[];
  /** The claim whose values map to roles. @default "groups" */
  readonly oidcRoleClaim?: string;
  /** Claim value (or a machine token's scope) → admin, editor or viewer. @default {} */
  readonly oidcRoleMapping?: Record<string, string>;
  /** The claim holding a user's folder limits. @default "" (none) */
  readonly oidcFoldersClaim?: string;
  /** Audience of the provider's access tokens the authorizer accepts (machine clients). @default "" (none) */
  readonly oidcAudience?: string;
  /** Password login, and setting passwords. @default true */
  readonly localLoginEnabled?: boolean;
  /** Content-type patterns accepted for upload. @default ["image/*", "video/*"] */
  readonly allowedContentTypes?: string[];
  /** Largest accepted upload, bytes, at most 5 TiB. @default 5368709120 */
  readonly maxUploadBytes?: number;
  /** Uploads of at least this many bytes go multipart, at most 5 GiB. @default 67108864 */
  readonly multipartThresholdBytes?: number;
  /** Lifetime of presigned upload URLs, seconds. @default 900 */
  readonly uploadUrlTtlSeconds?: number;
  /** Lifetime of presigned view URLs, seconds. @default 3600 */
  readonly viewUrlTtlSeconds?: number;
  /** Longest lifetime of a share link, days. @default 30 */
  readonly shareMaxDays?: number;
  /** Days a deleted file stays in the trash. @default 30 */
  readonly trashRetentionDays?: number;
  /** Let share links never expire. @default false */
  readonly shareAllowNever?: boolean;
  /** Tell owners on the notifications topic a day before a share ends (`share.expiring`). @default true */
  readonly shareExpiryReminders?: boolean;
  /** Retries of a failed S3 event before it goes to the dead-letter queue (0-2). @default 2 */
  readonly syncMaxRetryAttempts?: number;
  /** Moves of files larger than this many bytes run as jobs in the move function. @default 134217728 */
  readonly moveJobThresholdBytes?: number;
  /** Render video posters with the bundled (GPL) ffmpeg. @default true */
  readonly videoPosters?: boolean;
  /** Record and return photos' GPS coordinates. @default false */
  readonly exposeGps?: boolean;
  /** Days within which the scrub re-reads every file (contract/settings.ts). @default 30 */
  readonly scrubPeriodDays?: number;
  /** Make playable copies of videos browsers cannot play as stored (the video workflow). @default true */
  readonly videoCopiesEnabled?: boolean;
  /** Lines of the short edge of a playable copy at most. @default 1080 */
  readonly videoMaxHeight?: number;
  /** Memory of the process function, MB. @default 1536 */
  readonly processMemoryMb?: number;
  /** Timeout of the process function, seconds. @default 60 */
  readonly processTimeoutSeconds?: number;
  /** Reserved concurrency of the process function; -1 reserves none. @default -1 */
  readonly processReservedConcurrency?: number;
  /** Retries of a failed processing request before it goes to the dead-letter queue (0-2). @default 2 */
  readonly processMaxRetryAttempts?: number;
  /** Seconds of video one transcoding invocation makes: longer videos fan out over parallel invocations. @default 120 */
  readonly videoSegmentSeconds?: number;
  /** Segments of one video transcoded at once. @default 20 */
  readonly videoMaxParallelSegments?: number;
  /** Memory of the transcoding function, MB (CPU comes with it). @default 3008 */
  readonly videoTranscodeMemoryMb?: number;
  /** /tmp of the transcoding function, MB. @default 10240 */
  readonly videoTranscodeEphemeralMb?: number;
}

export interface FunctionsProps extends FunctionSettings {
  /** Prefix of every function name: `<prefix>-<name>`. */
  readonly namePrefix: string;
  readonly storage: Storage;
  readonly catalog: Catalog;
  readonly secret: SigningSecret;
  /** The key that seals listing cursors (the files function's, never the JWT key). */
  readonly cursorSecret: SigningSecret;
  /** The site's origin secret: the functions that limit or log by address read it. */
  readonly originSecret: SigningSecret;
  readonly notifications: Notifications;
  readonly failedEvents: FailedEvents;
  /** The move function, which the files function starts for large moves. */
  readonly moveJobs: MoveJobs;
  /** The video workflow, which the process function starts for a playable copy. */
  readonly videoWorkflow: VideoWorkflow;
  /** The topic the alarms notify: the scrub publishes `file.corrupt` there. */
  readonly opsTopic: SnsTopic;
  /** The web app's `index.html`, which share pages are with their Open Graph tags (`appShellOf`). @default "" */
  readonly appShellHtml?: string;
}

/** Most bytes of the app shell carried to the shares function (Lambda's environment holds 4 KB in all). */
const APP_SHELL_MAX_BYTES = 2048;

/**
 * The web build's `index.html` for share pages, as an environment value: Terraform's template
 * sequences (`${`, `%{`) escaped; empty without a build (a bare page then carries the tags).
 */
export function appShellOf(webRoot: string): string {
  const file = path.join(webRoot, 'index.html');
  if (!fs.existsSync(file)) return '';
  const html = fs.readFileSync(file, 'utf8');
  if (Buffer.byteLength(html) > APP_SHELL_MAX_BYTES) {
    throw new Error(`${file} is ${Buffer.byteLength(html)} bytes: share pages carry it in the shares function's environment, which takes at most ${APP_SHELL_MAX_BYTES}`);
  }
  return html.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

type EnvName = keyof typeof ENV;
/** The functions this construct makes (move and transcode are MoveJobs' and VideoWorkflow's). */
type OwnFunctionName = Exclude<FunctionName, 'move' | 'transcode'>;

/** The functions of contract/functions.ts (the move function is `MoveJobs`'s), each with only the access it needs. */
export class Functions extends Construct {
  readonly byName: Readonly<Record<FunctionName, MediaStoreFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { storage } = props;
    const env = environmentValues(props);
    const statements = accessStatements(props);
    const bundleRoot = props.bundleRoot ?? PROJECT_ROOT;

    const byName = { move: props.moveJobs.function, transcode: props.videoWorkflow.function } as Record<FunctionName, MediaStoreFunction>;
    // The process function decodes media: its own memory, timeout and concurrency, and a
    // bundle (sharp, libvips and ffmpeg for two architectures) too large for a direct upload.
    const processSettings = {
      memoryMb: props.processMemoryMb ?? DEFAULTS.processMemoryMb,
      timeoutSeconds: props.processTimeoutSeconds ?? DEFAULTS.processTimeoutSeconds,
      reservedConcurrency: props.processReservedConcurrency ?? DEFAULTS.processReservedConcurrency,
      deployThrough: (source: string) => storage.addArtifact('process-bundle', 'process_bundle', source, 'process'),
    };
    // The scrub reads objects whole: Lambda's longest timeout (each run stops starting files a
    // minute before it), and memory for network throughput (docs/media.md "Scrub").
    const scrubSettings = { memoryMb: DEFAULTS.scrubMemoryMb, timeoutSeconds: DEFAULTS.scrubTimeoutSeconds };
    for (const name of FUNCTION_NAMES.filter((n): n is OwnFunctionName => n !== 'move' && n !== 'transcode')) {
      byName[name] = new MediaStoreFunction(this, name, {
        name,
        functionName: `${props.namePrefix}-${name}`,
        description: FUNCTIONS[name].description,
        bundlePath: path.resolve(bundleRoot, bundleZipPath(name)),
        environment: Object.fromEntries(FUNCTION_ENV[name].map((v: EnvName) => [v, env(v)])),
        statements: statements[name],
        architecture: props.architecture,
        memoryMb: props.memoryMb,
        timeoutSeconds: props.timeoutSeconds,
        logRetentionDays: props.logRetentionDays,
        tracing: props.tracing,
        ...(name === 'process' ? processSettings : {}),
        ...(name === 'scrub' ? scrubSettings : {}),
      });
    }
    this.byName = byName;

    // SSE-KMS objects: the uploader must create data keys, readers must decrypt; only
    // through S3 (kms:ViaService), so the roles cannot use the key directly.
    const kms = storage.kmsKey;
    const kmsPresence = presenceOf(kms.enabled);
    const throughS3 = [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${storage.bucket.region}.amazonaws.com`] }];
    byName.uploads.allowWhen('bucket-kms-key', kmsPresence, [
      { sid: 'EncryptMedia', effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [kms.arn], condition: throughS3 },
    ]);
    byName.process.allowWhen('bucket-kms-key', kmsPresence, [
      { sid: 'ReadMediaWriteDerived', effect: 'Allow', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [kms.arn], condition: throughS3 },
    ]);
    byName.files.allowWhen('bucket-kms-key', kmsPresence, [
      // A move reads the object and writes its copy.
      { sid: 'DecryptAndCopyMedia', effect: 'Allow', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [kms.arn], condition: throughS3 },
    ]);
    byName.scrub.allowWhen('bucket-kms-key', kmsPresence, [
      { sid: 'DecryptMedia', effect: 'Allow', actions: ['kms:Decrypt'], resources: [kms.arn], condition: throughS3 },
    ]);
    byName.shares.allowWhen('bucket-kms-key', kmsPresence, [
      // A visitor's presigned GET is authorized as this role: it must be able to decrypt.
      { sid: 'DecryptMedia', effect: 'Allow', actions: ['kms:Decrypt'], resources: [kms.arn], condition: throughS3 },
    ]);
    // The catalog table and the secrets are encrypted with the same key: every role may use it,
    // but only through DynamoDB and Secrets Manager (kms:ViaService), which call KMS on its behalf
    // for the items and secrets its other grants already allow.
    const region = storage.bucket.region;
    const throughCatalogAndSecrets = [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`dynamodb.${region}.amazonaws.com`, `secretsmanager.${region}.amazonaws.com`] }];
    for (const name of FUNCTION_NAMES) {
      byName[name].allowWhen('data-kms-key', kmsPresence, [
        { sid: 'UseCatalogAndSecrets', effect: 'Allow', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [kms.arn], condition: throughCatalogAndSecrets },
      ]);
    }

    // Sign-in through the identity provider: the auth function reads the client secret, and only it.
    const clientSecretArn = props.oidcClientSecretArn ?? DEFAULTS.oidcClientSecretArn;
    byName.auth.allowWhen('oidc-client-secret', presenceOf(isNonEmpty(clientSecretArn)), [
      { sid: 'ReadOidcClientSecret', effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [clientSecretArn] },
    ]);

    storage.notifyOnMediaChange(byName.sync);
    props.failedEvents.catchFailuresOf(byName.sync, props.syncMaxRetryAttempts ?? DEFAULTS.syncMaxRetryAttempts);
    // Sync hands every catalogued file to the process function, asynchronously.
    byName.sync.allow('invoke-process', 'sync_invoke_process', [
      { sid: 'InvokeProcessAsynchronously', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [byName.process.function.arn] },
    ]);
    props.failedEvents
      .catchFailuresOf(byName.process, props.processMaxRetryAttempts ?? DEFAULTS.processMaxRetryAttempts)
      .overrideLogicalId('process_invoke_config');
    new SweepSchedule(this, 'sweep-schedule', { namePrefix: props.namePrefix, sweep: byName.sweep });
    new SweepSchedule(this, 'scrub-schedule', {
      namePrefix: props.namePrefix,
      sweep: byName.scrub,
      schedule: SCRUB_SCHEDULE.expression,
      job: 'scrub',
      description: 'Runs the scrub function: re-reads a share of the library and checks each file against its SHA-256',
    });
  }
}

function environmentValues(props: FunctionsProps): (name: EnvName) => string {
  const values: Partial<Record<EnvName, string>> = {
    TABLE_NAME: props.catalog.table.name,
    BUCKET_NAME: props.storage.bucket.bucket,
    TOPIC_ARN: props.notifications.topic.arn,
    JWT_SECRET_ARN: props.secret.arn,
    CURSOR_SECRET_ARN: props.cursorSecret.arn,
    ORIGIN_SECRET_ARN: props.originSecret.arn,
    JWT_ISSUER: props.jwtIssuer ?? DEFAULTS.jwtIssuer,
    TOKEN_TTL_SECONDS: numberText(props.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds),
    REFRESH_TOKEN_TTL_SECONDS: numberText(props.refreshTokenTtlSeconds ?? DEFAULTS.refreshTokenTtlSeconds),
    LOGIN_MAX_FAILURES: numberText(props.loginMaxFailures ?? DEFAULTS.loginMaxFailures),
    LOGIN_LOCKOUT_SECONDS: numberText(props.loginLockoutSeconds ?? DEFAULTS.loginLockoutSeconds),
    MAX_USERS: numberText(props.maxUsers ?? DEFAULTS.maxUsers),
    ALLOWED_CONTENT_TYPES: joinedText(props.allowedContentTypes ?? DEFAULTS.allowedContentTypes),
    MAX_UPLOAD_BYTES: numberText(props.maxUploadBytes ?? DEFAULTS.maxUploadBytes),
    MULTIPART_THRESHOLD_BYTES: numberText(props.multipartThresholdBytes ?? DEFAULTS.multipartThresholdBytes),
    UPLOAD_URL_TTL_SECONDS: numberText(props.uploadUrlTtlSeconds ?? DEFAULTS.uploadUrlTtlSeconds),
    VIEW_URL_TTL_SECONDS: numberText(props.viewUrlTtlSeconds ?? DEFAULTS.viewUrlTtlSeconds),
    MOVE_FUNCTION_NAME: props.moveJobs.functionName,
    MOVE_JOB_THRESHOLD_BYTES: numberText(props.moveJobThresholdBytes ?? DEFAULTS.moveJobThresholdBytes),
    // A literal, not a reference: the sync function would otherwise depend on the function it invokes and on itself.
    PROCESS_FUNCTION_NAME: `${props.namePrefix}-process`,
    VIDEO_POSTERS: booleanText(props.videoPosters ?? DEFAULTS.videoPosters),
    EXPOSE_GPS: booleanText(props.exposeGps ?? DEFAULTS.exposeGps),
    VIDEO_COPIES_ENABLED: booleanText(props.videoCopiesEnabled ?? DEFAULTS.videoCopiesEnabled),
    VIDEO_MAX_HEIGHT: numberText(props.videoMaxHeight ?? DEFAULTS.videoMaxHeight),
    LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
    SHARE_MAX_DAYS: numberText(props.shareMaxDays ?? DEFAULTS.shareMaxDays),
    TRASH_RETENTION_DAYS: numberText(props.trashRetentionDays ?? DEFAULTS.trashRetentionDays),
    SHARE_ALLOW_NEVER: booleanText(props.shareAllowNever ?? DEFAULTS.shareAllowNever),
    SHARE_EXPIRY_REMINDERS: booleanText(props.shareExpiryReminders ?? DEFAULTS.shareExpiryReminders),
    OIDC_ISSUER_URL: props.oidcIssuerUrl ?? DEFAULTS.oidcIssuerUrl,
    OIDC_CLIENT_ID: props.oidcClientId ?? DEFAULTS.oidcClientId,
    OIDC_CLIENT_SECRET_ARN: props.oidcClientSecretArn ?? DEFAULTS.oidcClientSecretArn,
    OIDC_SCOPES: joinedText(props.oidcScopes ?? DEFAULTS.oidcScopes, ' '),
    OIDC_ROLE_CLAIM: props.oidcRoleClaim ?? DEFAULTS.oidcRoleClaim,
    OIDC_ROLE_MAPPING: jsonText(props.oidcRoleMapping ?? DEFAULTS.oidcRoleMapping),
    OIDC_FOLDERS_CLAIM: props.oidcFoldersClaim ?? DEFAULTS.oidcFoldersClaim,
    OIDC_AUDIENCE: props.oidcAudience ?? DEFAULTS.oidcAudience,
    LOCAL_LOGIN_ENABLED: booleanText(props.localLoginEnabled ?? DEFAULTS.localLoginEnabled),
    VIDEO_WORKFLOW_ARN: props.videoWorkflow.stateMachine.arn,
    OPS_TOPIC_ARN: props.opsTopic.arn,
    SCRUB_PERIOD_DAYS: numberText(props.scrubPeriodDays ?? DEFAULTS.scrubPeriodDays),
    APP_SHELL_HTML: props.appShellHtml ?? '',
  };
  return (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`The module sets no value for environment variable ${name}`);
    return value;
  };
}

/**
 * The timeline counters (`TIMELINE#<shard>`, contract/table.ts): every function that writes file
 * rows adds the difference to them, in the transaction of the row write; nothing else.
 */
const countTimeline = (table: string): PolicyStatement => ({
  sid: 'CountFilesOnTheTimeline',
  effect: 'Allow',
  actions: ['dynamodb:UpdateItem'],
  resources: [table],
  condition: onlyPartitions('timeline'),
});

/**
 * User attributes a share's creator check may read (role and folder limits, session version):
 * never the password hash. GetItem must name them (ProjectionExpression), or IAM refuses it.
 */
const USER_ATTRIBUTES_READABLE_BY_SHARES = USER_ACCESS_ATTRIBUTES;

/** Share routes re-read the creator's user row, without the password hash (dynamodb:Attributes). */
const readShareCreators = (table: string): PolicyStatement => ({
  sid: 'ReadShareCreatorsWithoutPasswordHash',
  effect: 'Allow',
  actions: ['dynamodb:GetItem'],
  resources: [table],
  condition: [
    ...onlyPartitions('user'),
    { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: [...USER_ATTRIBUTES_READABLE_BY_SHARES] },
    { test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] },
  ],
});

/** What the scrub's updates name (dynamodb:Attributes): the keys, the ETag of their condition, its marks, a recorded SHA-256's `byContent` keys. */
const SCRUB_WRITTEN_ATTRIBUTES = ['pk', 'sk', 'etag', 'verifiedAt', 'corruptAt', 'corruptSha256', 'sha256', 'sha256Source', 'gsi4pk', 'gsi4sk'] as const;

/** Least privilege per function, on exact ARNs. */
function accessStatements(props: FunctionsProps): Record<OwnFunctionName, PolicyStatement[]> {
  const table = props.catalog.table.arn;
  const media = props.storage.mediaObjectsArn;
  const derived = props.storage.derivedObjectsArn;
  const trash = props.storage.trashObjectsArn;
  const readSecret: PolicyStatement = {
    sid: 'ReadSigningSecret',
    effect: 'Allow',
    actions: ['secretsmanager:GetSecretValue'],
    resources: [props.secret.arn],
  };
  // Only read: the functions never write it (the site's key value store must hold the same value).
  const readOriginSecret: PolicyStatement = {
    sid: 'ReadOriginSecret',
    effect: 'Allow',
    actions: ['secretsmanager:GetSecretValue'],
    resources: [props.originSecret.arn],
  };
  return {
    authorizer: [
      readSecret,
      {
        sid: 'ReadSessionVersions',
        effect: 'Allow',
        actions: ['dynamodb:GetItem'],
        resources: [table],
        // Only user profiles and session families: the user id and session version that end a
        // deleted or changed user's tokens, the family that a logout deletes.
        condition: onlyPartitions('user', 'session'),
      },
    ],
    auth: [
      {
        sid: 'ManageUsersAndLoginLimiters',
        effect: 'Allow',
        // Transactions (users + directory + counts) are authorized per item by these actions;
        // Query and BatchGetItem list the user directory partition `USER#`.
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
        resources: [table],
        // Only user items (`USER#<name>`: profile and login limiters; `USER#`: directory and counts)
        // and sessions (`SESSION#`: families and refresh token hashes), never files or uploads.
        condition: onlyPartitions('user', 'session'),
      },
      readSecret,
      // The secret is created empty: the first login puts the first key (a fixed ClientRequestToken).
      { sid: 'CreateFirstSigningKey', effect: 'Allow', actions: ['secretsmanager:PutSecretValue'], resources: [props.secret.arn] },
      readOriginSecret,
    ],
    uploads: [
      // s3:PutObject also authorizes CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
      { sid: 'PutMedia', effect: 'Allow', actions: ['s3:PutObject'], resources: [media] },
      { sid: 'ManageMultipartUploads', effect: 'Allow', actions: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], resources: [media] },
      {
        sid: 'WriteUploadSessions',
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        // Upload sessions, and the file row a new upload would replace.
        condition: onlyPartitions('folder', 'upload'),
      },
      {
        sid: 'DropLinkGuestsAndCreators',
        effect: 'Allow',
        // Drop links: a guest's own uploads (`SHAREUP#<share>`), their sessions, and the creator's
        // user row re-read on every request.
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
        resources: [table],
        condition: onlyPartitions('shareGuests', 'upload'),
      },
      {
        sid: 'DropLinkSharesAndReservations',
        effect: 'Allow',
        // Read the share by its token hash; reserve and give back quota (a transaction over the
        // owner row and the upload's reservation); log the access; record the guest's upload.
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table],
        condition: onlyPartitions('share', 'shareOwners', 'shareLog', 'shareGuests', 'upload'),
      },
      readShareCreators(table),
      readOriginSecret,
    ],
    files: [
      // GetObject also authorizes HeadObject and reading the source of CopyObject/UploadPartCopy.
      { sid: 'ReadMedia', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
      // Presigned thumbnail, preview and poster URLs are signed with this role.
      { sid: 'ReadDerivedImages', effect: 'Allow', actions: ['s3:GetObject'], resources: [derived] },
      // Rename/move: PutObject writes the copy (CopyObject, and the multipart copy of objects
      // over 5 GiB: create, UploadPartCopy, complete); DeleteObject removes the original.
      { sid: 'MoveAndDeleteMedia', effect: 'Allow', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [media] },
      // A move copies the file's derived objects (thumbnails, posters, video copy) to its new key's
      // prefix, and deletes what a file it replaced left there (ReadDerivedImages reads the sources).
      { sid: 'CarryDerivedObjects', effect: 'Allow', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [derived] },
      // A deleted file's bytes wait under trash/ (copied there, back on restore, deleted forever).
      { sid: 'KeepTheTrash', effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], resources: [trash] },
      // Without it HeadObject answers 403 instead of 404 for a missing key (name clash checks).
      { sid: 'TellMissingMediaFromForbidden', effect: 'Allow', actions: ['s3:ListBucket'], resources: [props.storage.bucket.arn] },
      {
        sid: 'ReadCatalog',
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [table],
        // Never `USER#` rows whole: the password hashes (readShareCreators reads what shares need).
        condition: onlyPartitions('folder', 'upload', 'job', 'share', 'shareOwners', 'shareLog', 'trash'),
      },
      readShareCreators(table),
      // Trash entries: recorded on a delete, removed on a restore or a delete forever.
      { sid: 'RecordTrashEntries', effect: 'Allow', actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [table], condition: onlyPartitions('trash') },
      // The index is sparse: only file rows carry its keys, so it holds nothing else to guard.
      { sid: 'ListFilesByType', effect: 'Allow', actions: ['dynamodb:Query'], resources: [props.catalog.typeIndexArn] },
      {
        // GET /stats/storage adds up every file: a Scan, which dynamodb:LeadingKeys cannot scope,
        // so it is held to the sparse type index (file rows only) and to the tallied attributes.
        sid: 'TallyStorageFromTypeIndex',
        effect: 'Allow',
        actions: ['dynamodb:Scan'],
        resources: [props.catalog.typeIndexArn],
        condition: [
          { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: [...STORAGE_STATS_ATTRIBUTES] },
          { test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] },
        ],
      },
      // Listing cursors are sealed with a key derived from their own secret (HKDF), never the
      // JWT key; the first listing puts its first version (a fixed ClientRequestToken).
      { sid: 'ReadAndCreateCursorKey', effect: 'Allow', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], resources: [props.cursorSecret.arn] },
      { sid: 'ListFilesByDateTaken', effect: 'Allow', actions: ['dynamodb:Query'], resources: [props.catalog.takenIndexArn] },
      { sid: 'ListFilesByUploadTime', effect: 'Allow', actions: ['dynamodb:Query'], resources: [props.catalog.uploadedIndexArn] },
      // POST /files/exists (Query) and GET /files/duplicates (Scan): the index is sparse (file
      // rows with a SHA-256) and projects only where each file is (CONTENT_INDEX_ATTRIBUTES).
      { sid: 'FindFilesByContent', effect: 'Allow', actions: ['dynamodb:Query', 'dynamodb:Scan'], resources: [props.catalog.contentIndexArn] },
      // GET /timeline/buckets and GET /timeline read the counters (a query per shard).
      { sid: 'ReadTimelineCounters', effect: 'Allow', actions: ['dynamodb:Query'], resources: [table], condition: onlyPartitions('timeline') },
      countTimeline(table),
      {
        sid: 'WriteFileRowsAndMoveSessions',
        effect: 'Allow',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table],
        // File rows (tags, previews of moves and deletes), folder markers (`FOLDER#<parent>` /
        // `DIR#<name>`, POST and DELETE /folders), the sessions of moves and move jobs only.
        condition: onlyPartitions('folder', 'upload', 'job'),
      },
      {
        sid: 'ManageShares',
        effect: 'Allow',
        // Shares (`SHARE#<token hash>`: the share and its password limiter; `SHARES#`: the owners'
        // rows; `SHARELOG#<id>`: access logs). Revoking deletes the token row.
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        condition: onlyPartitions('share', 'shareOwners', 'shareLog'),
      },
      // Large moves and bulk trash work (folder deletes, restore all, empty) run as jobs in the move function, started asynchronously.
      { sid: 'StartMoveJobs', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [props.moveJobs.function.function.arn] },
    ],
    // The anonymous share routes: read shares and what they show, sign object GETs, log visits
    // and count password attempts. No secret: it can mint neither tokens nor cursors.
    shares: [
      // Presigned GETs of originals, thumbnails, previews and posters are authorized as this role.
      { sid: 'SignMediaReads', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
      { sid: 'SignDerivedImageReads', effect: 'Allow', actions: ['s3:GetObject'], resources: [derived] },
      {
        sid: 'ReadSharesAndSharedFiles',
        effect: 'Allow',
        // The share by its token hash, its owner row (drop usage), the shared file or folder
        // page and its marker.
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [table],
        condition: onlyPartitions('share', 'shareOwners', 'folder'),
      },
      readShareCreators(table),
      {
        sid: 'LogVisitsAndCountPasswordAttempts',
        effect: 'Allow',
        // The access log (`SHARELOG#<id>`), the owner row's last access (`SHARES#`), the password
        // limiters beside the share (`SHARE#<token hash>`).
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        condition: onlyPartitions('share', 'shareOwners', 'shareLog'),
      },
      readOriginSecret,
    ],
    sync: [
      // HeadObject is authorized by s3:GetObject.
      { sid: 'ReadMediaMetadata', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
      // Without it HeadObject answers 403 instead of 404 for a deleted object, and the sync
      // could not tell "gone" (tombstone) from "forbidden" (fail and retry).
      { sid: 'TellDeletedMediaFromForbidden', effect: 'Allow', actions: ['s3:ListBucket'], resources: [props.storage.bucket.arn] },
      {
        sid: 'WriteCatalog',
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        condition: onlyPartitions('folder', 'upload'),
      },
      countTimeline(table),
      {
        sid: 'SettleDropArrivals',
        effect: 'Allow',
        // A drop upload's file landed: its reservation (`UPLOAD#<id>`) becomes `arrived`, and a
        // reservation the sweep had given back is counted again on the owner row (`SHARES#`).
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table],
        condition: onlyPartitions('shareOwners', 'upload'),
      },
      { sid: 'PublishUploadProcessed', effect: 'Allow', actions: ['sns:Publish'], resources: [props.notifications.topic.arn] },
      // Lambda sends the on-failure destination's message with the function's own role.
      { sid: 'SendFailedEvents', effect: 'Allow', actions: ['sqs:SendMessage'], resources: [props.failedEvents.queue.arn] },
    ],
    process: [
      // Photos are read whole; ffmpeg reads videos through a presigned GET (Range requests) signed with this role.
      { sid: 'ReadMedia', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
      { sid: 'WriteAndDeleteDerivedImages', effect: 'Allow', actions: ['s3:PutObject', 's3:DeleteObject'], resources: [derived] },
      {
        sid: 'ListDerivedImages',
        effect: 'Allow',
        actions: ['s3:ListBucket'],
        resources: [props.storage.bucket.arn],
        condition: [{ test: 'StringLike', variable: 's3:prefix', values: [`${DERIVED_PREFIX}*`] }],
      },
      {
        sid: 'RecordProcessingResults',
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table],
        // File rows only.
        condition: onlyPartitions('folder'),
      },
      // A date taken found moves the file to its month.
      countTimeline(table),
      { sid: 'SendFailedEvents', effect: 'Allow', actions: ['sqs:SendMessage'], resources: [props.failedEvents.queue.arn] },
      // A playable copy of a video is made by the video workflow: one execution per version.
      { sid: 'StartVideoCopies', effect: 'Allow', actions: ['states:StartExecution'], resources: [props.videoWorkflow.stateMachine.arn] },
    ],
    sweep: [
      // The sparse index lists only due work: the sweep never scans the table.
      { sid: 'ListDueWork', effect: 'Allow', actions: ['dynamodb:Query'], resources: [props.catalog.dueIndexArn] },
      {
        sid: 'SettleRemindersAndReservations',
        effect: 'Allow',
        // Claim a reminder on its owner row; give a reservation back (a transaction over the
        // reservation and the owner row's counters).
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table],
        condition: onlyPartitions('shareOwners', 'upload'),
      },
      { sid: 'PublishShareReminders', effect: 'Allow', actions: ['sns:Publish'], resources: [props.notifications.topic.arn] },
    ],
    // Reads objects whole and marks file rows; writes nothing to the bucket, deletes nothing.
    scrub: [
      { sid: 'ReadMedia', effect: 'Allow', actions: ['s3:GetObject'], resources: [media] },
      {
        // The files in Scan order: held to the sparse type index (file rows only) and to what it checks.
        sid: 'ListFilesFromTypeIndex',
        effect: 'Allow',
        actions: ['dynamodb:Scan'],
        resources: [props.catalog.typeIndexArn],
        condition: [
          { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: [...SCRUB_ATTRIBUTES] },
          { test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] },
        ],
      },
      {
        sid: 'MarkFileRows',
        effect: 'Allow',
        // verifiedAt, corruptAt (with the SHA-256 found), a first SHA-256: on file rows, nothing else.
        actions: ['dynamodb:UpdateItem'],
        resources: [table],
        condition: [
          ...onlyPartitions('folder'),
          { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: [...SCRUB_WRITTEN_ATTRIBUTES] },
        ],
      },
      { sid: 'KeepCursor', effect: 'Allow', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table], condition: onlyPartitions('scrub') },
      { sid: 'AlertCorruptFiles', effect: 'Allow', actions: ['sns:Publish'], resources: [props.opsTopic.arn] },
    ],
  };
}
