import { OIDC_SETTINGS, SETTINGS } from '../../contract/settings';

/**
 * Secure defaults of the MediaStore module, in one place. Constructs lay the caller's props
 * over these; the module stack turns each into a variable default.
 */
export const DEFAULTS = {
  namePrefix: 'media-store',
  /** Empty: S3 picks a unique name from the prefix. */
  bucketName: '',
  forceDestroy: false,
  versioning: true,
  /** Empty: SSE-S3 (AES256). A KMS key ARN switches the bucket to SSE-KMS with a bucket key. */
  kmsKeyArn: '',
  /** Empty: no CORS rule at all, so browsers on other origins cannot upload. */
  corsAllowedOrigins: [] as string[],
  abortIncompleteMultipartDays: 7,
  intelligentTieringTransitionDays: 0,
  noncurrentVersionExpirationDays: 30,
  /** 0 disables the tier. */
  archiveAccessDays: 0,
  /** 0 disables the tier. */
  deepArchiveAccessDays: 0,
  tableDeletionProtection: true,
  lambdaArchitecture: 'arm64',
  lambdaMemoryMb: 512,
  lambdaTimeoutSeconds: 10,
  tracing: true,
  logRetentionDays: 30,
  logLevel: 'info',
  jwtIssuer: 'media-store',
  jwtSecretRecoveryWindowDays: 30,
  tokenTtlSeconds: SETTINGS.tokenTtlSeconds.default,
  refreshTokenTtlSeconds: SETTINGS.refreshTokenTtlSeconds.default,
  loginMaxFailures: SETTINGS.loginMaxFailures.default,
  loginLockoutSeconds: SETTINGS.loginLockoutSeconds.default,
  maxUsers: SETTINGS.maxUsers.default,
  /** No identity provider: users sign in with the service's own passwords. */
  oidcIssuerUrl: OIDC_SETTINGS.issuerUrl.default,
  oidcClientId: OIDC_SETTINGS.clientId.default,
  oidcClientSecretArn: OIDC_SETTINGS.clientSecretArn.default,
  oidcScopes: [...OIDC_SETTINGS.scopes.default] as string[],
  oidcRoleClaim: OIDC_SETTINGS.roleClaim.default,
  /** No claim value maps to a role until one is given: nobody signs in through the provider by default. */
  oidcRoleMapping: { ...OIDC_SETTINGS.roleMapping.default } as Record<string, string>,
  oidcFoldersClaim: OIDC_SETTINGS.foldersClaim.default,
  oidcAudience: OIDC_SETTINGS.audience.default,
  localLoginEnabled: SETTINGS.localLoginEnabled.default,
  /** No Cognito user pool: bring your own provider (oidc_issuer_url), or passwords. */
  cognitoUserPool: false,
  allowedContentTypes: ['image/*', 'video/*'],
  maxUploadBytes: SETTINGS.maxUploadBytes.default,
  multipartThresholdBytes: SETTINGS.multipartThresholdBytes.default,
  uploadUrlTtlSeconds: SETTINGS.uploadUrlTtlSeconds.default,
  viewUrlTtlSeconds: SETTINGS.viewUrlTtlSeconds.default,
  moveJobThresholdBytes: SETTINGS.moveJobThresholdBytes.default,
  /** Lambda's own default: an S3 event is tried three times before it goes to the dead-letter queue. */
  syncMaxRetryAttempts: 2,
  videoPosters: SETTINGS.videoPosters.default,
  exposeGps: SETTINGS.exposeGps.default,
  videoCopiesEnabled: SETTINGS.videoCopiesEnabled.default,
  /** HEIC decoding (WASM) holds a 12 MP image several times over; more memory is also more CPU. */
  processMemoryMb: 1536,
  processTimeoutSeconds: 60,
  /** No reservation: new accounts have too little concurrency to reserve any. */
  processReservedConcurrency: -1,
  processMaxRetryAttempts: 2,
  /**
   * The bound on revocation: a logged-out, changed or deleted user's access tokens are refused
   * once the cached decision expires (docs/security.md section 8).
   */
  authorizerResultTtlSeconds: 60,
  throttlingBurstLimit: 100,
  throttlingRateLimit: 50,
  /** The public share routes (`/public/…`, no login) get their own, lower limits. */
  publicThrottlingBurstLimit: 20,
  publicThrottlingRateLimit: 10,
  shareMaxDays: SETTINGS.shareMaxDays.default,
  trashRetentionDays: SETTINGS.trashRetentionDays.default,
  shareAllowNever: SETTINGS.shareAllowNever.default,
  shareExpiryReminders: SETTINGS.shareExpiryReminders.default,
  /** How often the sweep function runs: reminders go out within this of their time, abandoned quota comes back within it. */
  sweepSchedule: 'rate(1 hour)',
  scrubPeriodDays: SETTINGS.scrubPeriodDays.default,
  /** 1,024 MB: the scrub streams objects through SHA-256 (one core hashes ~500 MB/s; S3 GETs run at ~90 MB/s per stream). */
  scrubMemoryMb: 1024,
  /** Lambda's longest: a run stops starting files a minute before it. */
  scrubTimeoutSeconds: 900,
  domainName: '',
  hostedZoneId: '',
  /** The web app on a CloudFront distribution, its API behind `/api` on the same origin. */
  site: true,
  /** North America and Europe edge locations: the cheapest class. */
  sitePriceClass: 'PriceClass_100',
  /** Empty: the site answers on its CloudFront domain only. */
  siteDomainName: '',
  /** ACM certificate (in us-east-1) for siteDomainName. */
  siteCertificateArn: '',
  /**
   * Video workflow (video-workflow.ts, docs/media.md "Any length"): 120 s segments take a
   * 2-vCPU Lambda about a minute each at 1080p, far from its 15 minutes even for 4K HEVC.
   */
  videoSegmentSeconds: SETTINGS.videoSegmentSeconds.default,
  /** Segments transcoded at once per video: a 2-hour video's 60 segments in 3 waves, without starving the account's concurrency (1,000). */
  videoMaxParallelSegments: 20,
  /** 3,008 MB: two vCPUs for x264's threads (Lambda gives CPU in proportion to memory). */
  videoTranscodeMemoryMb: 3008,
  /** 10,240 MB of /tmp, Lambda's most: the join holds the joined segments and the copy of a 2-hour video. */
  videoTranscodeEphemeralMb: 10240,
  /** Lines of the short edge of a transcoded copy (handlers/core/video-decision.ts). */
  videoMaxHeight: SETTINGS.videoMaxHeight.default,
  /** Empty: alarms go to the ops topic, nobody is subscribed by email. */
  alarmEmail: '',
  /** No tags of the module's own: the caller's, on every taggable resource. */
  tags: {} as Record<string, string>,
  /** Empty: roles without a permissions boundary. */
  permissionsBoundary: '',
  /** IAM's own default path. */
  iamRolePath: '/',
  /** Empty: no S3 server access logs, no CloudFront standard logs. */
  accessLogsBucket: '',
  /** Empty: the site's distribution has no web ACL (unless wafRateLimitPer5Min creates one). */
  wafWebAclArn: '',
  /** 0: no web ACL is created. */
  wafRateLimitPer5Min: 0,
} as const;

export const SITE_PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/**
 * CloudFront managed policies, by their fixed IDs (the same in every account).
 * Managed-CachingDisabled: nothing cached, nothing in the cache key.
 * Managed-AllViewerExceptHostHeader: every viewer header (Authorization included), cookie and
 * query string goes to the origin, except Host, which API Gateway needs to be its own.
 */
export const CLOUDFRONT_MANAGED_POLICIES = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

/** A year: CloudFront's cache time for content-hashed files. */
export const IMMUTABLE_TTL_SECONDS = 31_536_000;

/** All four S3 public-access blocks on. */
export const BLOCK_ALL_PUBLIC_ACCESS = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
} as const;

/** Bucket policy statements refusing plain HTTP and TLS older than 1.2, for every principal. */
export function tlsOnlyStatements(bucketArn: string) {
  const deny = (sid: string, test: string, variable: string, value: string) => ({
    sid,
    effect: 'Deny',
    principals: [{ type: 'AWS', identifiers: ['*'] }],
    actions: ['s3:*'],
    resources: [bucketArn, `${bucketArn}/*`],
    condition: [{ test, variable, values: [value] }],
  });
  return [
    deny('DenyInsecureTransport', 'Bool', 'aws:SecureTransport', 'false'),
    deny('DenyOutdatedTls', 'NumericLessThan', 's3:TlsVersion', '1.2'),
  ];
}

/** CloudWatch alarms (alarms.ts). */
export const ALARMS = {
  /** Every alarm looks at 5-minute periods and fires on the first bad one. */
  periodSeconds: 300,
  /** The API alarm fires above this share of 5xx answers, percent. */
  api5xxRatePercent: 5,
} as const;


/** Most seconds API Gateway may cache an authorizer decision: how long a logout, change or deletion may take to bite. */
export const MAX_AUTHORIZER_RESULT_TTL_SECONDS = 60;

/** Lambda runtime of every function (the bundles target it). */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** How long failed S3 events wait in the dead-letter queue: 14 days, SQS's maximum. */
export const FAILED_EVENT_RETENTION_SECONDS = 14 * 24 * 3600;

/** S3 key prefix of every media object: the notification and the roles are scoped to it. */
export const MEDIA_PREFIX = 'media/';
export { DERIVED_PREFIX } from '../../contract/bucket';
/** Function bundles too large for a direct upload (the process function's) are deployed from here. */
export const ARTIFACTS_PREFIX = 'artifacts/';
/** Derived images can be made again: their overwritten versions go after a day. */
export const DERIVED_NONCURRENT_DAYS = 1;

/** Retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Headers browsers send on a presigned PUT or UploadPart (the signed ones, `If-None-Match: *`
 * included: it keeps an upload from replacing a file) and may read back: the ETag of each part
 * is what completing a multipart upload needs.
 */
export const BUCKET_CORS = {
  allowedMethods: ['GET', 'HEAD', 'PUT'],
  allowedHeaders: ['content-type', 'content-length', 'x-amz-meta-upload-id', 'x-amz-meta-sha256', 'x-amz-checksum-sha256', 'x-amz-checksum-crc32c', 'if-none-match'],
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 3000,
} as const;

export const API_CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'x-share-session', 'x-share-guest'],
  maxAgeSeconds: 3000,
} as const;

/** JSON access-log line of the API stage. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  username: '$context.authorizer.username',
});

/**
 * Actions that AWS does not scope to a resource ARN, so `*` is the only valid resource.
 * The plan tests allow `*` for exactly these.
 */
export const ACTIONS_WITHOUT_RESOURCE_ARN = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/**
 * What a state machine's role needs to send its execution logs to CloudWatch Logs ("vended
 * logs"): AWS authorizes these only on `*` (Step Functions developer guide, "IAM policies for
 * logging to CloudWatch Logs"). The plan tests allow `*` for exactly these too.
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
] as const;

/** X-Ray actions a traced state machine's role needs besides the Lambda ones (sampling decisions): no ARN either. */
export const STATE_MACHINE_TRACE_ACTIONS = [...ACTIONS_WITHOUT_RESOURCE_ARN, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'] as const;

/** Every action a role may be granted on `*`, because AWS authorizes it on nothing narrower. */
export const WILDCARD_ONLY_ACTIONS = [...STATE_MACHINE_TRACE_ACTIONS, ...LOG_DELIVERY_ACTIONS] as const;
