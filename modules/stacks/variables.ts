import { Construct } from 'constructs';
import { TerraformVariable, Token, type TerraformVariableValidationConfig } from 'cdktf';
import { DEFAULTS, LOG_RETENTION_DAYS, MAX_AUTHORIZER_RESULT_TTL_SECONDS, SITE_PRICE_CLASSES } from '../media-store/defaults';
import type { MediaStoreProps } from '../media-store';
import { OIDC_SETTINGS, SETTINGS, isIntegerSetting, type Setting, type TextSetting } from '../../contract/settings';
import { describedWithExample } from './variable-examples';

type Kind = 'string' | 'number' | 'bool' | 'list(string)' | 'map(string)';

interface VariableSpec {
  readonly kind: Kind;
  readonly description: string;
  readonly default: string | number | boolean | readonly string[] | Readonly<Record<string, string>>;
  readonly validation?: readonly TerraformVariableValidationConfig[];
}

const v = (name: string) => `var.${name}`;

const check = (condition: string, errorMessage: string): TerraformVariableValidationConfig => ({
  condition: `\${${condition}}`,
  errorMessage,
});
const between = (name: string, min: number, max: number, what: string) =>
  check(`${v(name)} >= ${min} && ${v(name)} <= ${max} && floor(${v(name)}) == ${v(name)}`, `${what} must be a whole number from ${min} to ${max}.`);

/**
 * A setting of contract/settings.ts as a variable: its description, default and range, declared
 * once; `more` checks what a range cannot say (a multiple of 2).
 */
function fromSetting(spec: Setting, more: readonly TerraformVariableValidationConfig[] = []): VariableSpec {
  return isIntegerSetting(spec)
    ? { kind: 'number', description: spec.description, default: spec.default, validation: [between(spec.variable, spec.min, spec.max, spec.variable), ...more] }
    : { kind: 'bool', description: spec.description, default: spec.default };
}

/** A text setting of contract/settings.ts as a variable: its type, description and default, declared once. */
function fromTextSetting(spec: TextSetting, validation?: readonly TerraformVariableValidationConfig[]): VariableSpec {
  return { kind: spec.kind, description: spec.description, default: spec.default, ...(validation !== undefined ? { validation } : {}) };
}

/**
 * Every option of the MediaStore construct as a Terraform variable (snake_case of the prop).
 * The module stack uses these defaults; the deployable stack overrides them from its config.
 */
export const VARIABLES = {
  name_prefix: {
    kind: 'string',
    description: 'Prefix of every resource name: lowercase letters, digits and hyphens, starting with a letter.',
    default: DEFAULTS.namePrefix,
    validation: [check(`can(regex("^[a-z][a-z0-9-]{0,23}$", ${v('name_prefix')}))`, 'name_prefix must be 1-24 lowercase letters, digits or hyphens, starting with a letter.')],
  },
  bucket_name: {
    kind: 'string',
    description: 'Exact name of the media bucket. Empty lets S3 generate a unique name from name_prefix.',
    default: DEFAULTS.bucketName,
    validation: [check(`${v('bucket_name')} == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ${v('bucket_name')}))`, 'bucket_name must be empty or a valid S3 bucket name.')],
  },
  force_destroy: {
    kind: 'bool',
    description: 'Let terraform destroy delete the media bucket even when it still holds objects.',
    default: DEFAULTS.forceDestroy,
  },
  versioning: {
    kind: 'bool',
    description: 'Keep previous versions of overwritten and deleted media objects (they expire after noncurrent_version_expiration_days).',
    default: DEFAULTS.versioning,
  },
  kms_key_arn: {
    kind: 'string',
    description: 'ARN of your own KMS key: SSE-KMS with a bucket key on the media bucket, and the key of the catalog table and the three secrets; every function may use it only through S3, DynamoDB and Secrets Manager (kms:ViaService). The key policy must allow the account\'s IAM policies (the default key policy does; docs/module.md, "Bring your own KMS key"). Empty: SSE-S3 on the bucket, AWS-owned and AWS-managed keys elsewhere.',
    default: DEFAULTS.kmsKeyArn,
    validation: [check(`${v('kms_key_arn')} == "" || can(regex("^arn:aws[a-z-]*:kms:", ${v('kms_key_arn')}))`, 'kms_key_arn must be empty or a KMS key ARN.')],
  },
  cors_allowed_origins: {
    kind: 'list(string)',
    description: 'Browser origins allowed to call the API and upload to/view from the bucket, e.g. ["https://app.example.com"]. Empty: no CORS rule, browsers on other origins are refused. Wildcards are not accepted.',
    default: DEFAULTS.corsAllowedOrigins,
    validation: [check(`alltrue([for o in ${v('cors_allowed_origins')} : can(regex("^https?://[^/*\\\\s]+$", o))])`, 'cors_allowed_origins must be origins like https://app.example.com (scheme and host, no path, no wildcard).')],
  },
  abort_incomplete_multipart_days: {
    kind: 'number',
    description: 'Days after which incomplete multipart uploads are aborted (their parts deleted).',
    default: DEFAULTS.abortIncompleteMultipartDays,
    validation: [between('abort_incomplete_multipart_days', 1, 365, 'abort_incomplete_multipart_days')],
  },
  intelligent_tiering_transition_days: {
    kind: 'number',
    description: 'Days after upload when media moves to the INTELLIGENT_TIERING storage class.',
    default: DEFAULTS.intelligentTieringTransitionDays,
    validation: [between('intelligent_tiering_transition_days', 0, 3650, 'intelligent_tiering_transition_days')],
  },
  noncurrent_version_expiration_days: {
    kind: 'number',
    description: 'Days after which noncurrent (overwritten or deleted) object versions are deleted. While versioning is on it may not exceed trash_retention_days (a plan-time check): a deleted file\'s bytes never outlive its trash.',
    default: DEFAULTS.noncurrentVersionExpirationDays,
    validation: [between('noncurrent_version_expiration_days', 1, 3650, 'noncurrent_version_expiration_days')],
  },
  archive_access_days: {
    kind: 'number',
    description: 'Days without access before Intelligent-Tiering moves media to ARCHIVE_ACCESS (90-730). 0 disables the tier.',
    default: DEFAULTS.archiveAccessDays,
    validation: [check(`${v('archive_access_days')} == 0 || (${v('archive_access_days')} >= 90 && ${v('archive_access_days')} <= 730)`, 'archive_access_days must be 0 or 90-730.')],
  },
  deep_archive_access_days: {
    kind: 'number',
    description: 'Days without access before Intelligent-Tiering moves media to DEEP_ARCHIVE_ACCESS (180-730). 0 disables the tier.',
    default: DEFAULTS.deepArchiveAccessDays,
    validation: [check(`${v('deep_archive_access_days')} == 0 || (${v('deep_archive_access_days')} >= 180 && ${v('deep_archive_access_days')} <= 730)`, 'deep_archive_access_days must be 0 or 180-730.')],
  },
  table_deletion_protection: {
    kind: 'bool',
    description: 'Refuse to delete the catalog table until this is switched off.',
    default: DEFAULTS.tableDeletionProtection,
  },
  jwt_secret_recovery_window_days: {
    kind: 'number',
    description: 'Days a deleted JWT signing secret stays recoverable: 0 (delete at once) or 7-30.',
    default: DEFAULTS.jwtSecretRecoveryWindowDays,
    validation: [check(`${v('jwt_secret_recovery_window_days')} == 0 || (${v('jwt_secret_recovery_window_days')} >= 7 && ${v('jwt_secret_recovery_window_days')} <= 30)`, 'jwt_secret_recovery_window_days must be 0 or 7-30.')],
  },
  architecture: {
    kind: 'string',
    description: 'Instruction set of every Lambda function: arm64 or x86_64.',
    default: DEFAULTS.lambdaArchitecture,
    validation: [check(`contains(["arm64", "x86_64"], ${v('architecture')})`, 'architecture must be arm64 or x86_64.')],
  },
  memory_mb: {
    kind: 'number',
    description: 'Memory of every Lambda function, MB.',
    default: DEFAULTS.lambdaMemoryMb,
    validation: [between('memory_mb', 128, 10240, 'memory_mb')],
  },
  timeout_seconds: {
    kind: 'number',
    description: 'Timeout of every Lambda function, seconds (API Gateway gives up after 30).',
    default: DEFAULTS.lambdaTimeoutSeconds,
    validation: [between('timeout_seconds', 1, 900, 'timeout_seconds')],
  },
  log_retention_days: {
    kind: 'number',
    description: 'Retention of the functions\' and the API access log groups, days (a CloudWatch Logs retention value).',
    default: DEFAULTS.logRetentionDays,
    validation: [check(`contains([${LOG_RETENTION_DAYS.join(', ')}], ${v('log_retention_days')})`, 'log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).')],
  },
  tracing: {
    kind: 'bool',
    description: 'Active X-Ray tracing on every function.',
    default: DEFAULTS.tracing,
  },
  log_level: {
    kind: 'string',
    description: 'Level of the handlers\' structured logs: debug, info, warn or error.',
    default: DEFAULTS.logLevel,
    validation: [check(`contains(["debug", "info", "warn", "error"], ${v('log_level')})`, 'log_level must be debug, info, warn or error.')],
  },
  jwt_issuer: {
    kind: 'string',
    description: 'The iss claim written into and required from every access token.',
    default: DEFAULTS.jwtIssuer,
    validation: [check(`length(${v('jwt_issuer')}) > 0`, 'jwt_issuer must not be empty.')],
  },
  token_ttl_seconds: fromSetting(SETTINGS.tokenTtlSeconds),
  refresh_token_ttl_seconds: fromSetting(SETTINGS.refreshTokenTtlSeconds),
  login_max_failures: fromSetting(SETTINGS.loginMaxFailures),
  login_lockout_seconds: fromSetting(SETTINGS.loginLockoutSeconds),
  max_users: fromSetting(SETTINGS.maxUsers),
  [OIDC_SETTINGS.issuerUrl.variable]: fromTextSetting(OIDC_SETTINGS.issuerUrl, [
    check(`${v('oidc_issuer_url')} == "" || can(regex("^https://[^\\\\s]+$", ${v('oidc_issuer_url')})) || can(regex("^http://(127[.]0[.]0[.]1|localhost)(:[0-9]+)?(/[^\\\\s]*)?$", ${v('oidc_issuer_url')}))`, 'oidc_issuer_url must be empty or an https:// URL (http:// only on localhost).'),
  ]),
  [OIDC_SETTINGS.clientId.variable]: fromTextSetting(OIDC_SETTINGS.clientId),
  [OIDC_SETTINGS.clientSecretArn.variable]: fromTextSetting(OIDC_SETTINGS.clientSecretArn, [
    check(`${v('oidc_client_secret_arn')} == "" || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:", ${v('oidc_client_secret_arn')}))`, 'oidc_client_secret_arn must be empty or a Secrets Manager secret ARN (the secret holds the client secret; never the value itself).'),
  ]),
  [OIDC_SETTINGS.scopes.variable]: fromTextSetting(OIDC_SETTINGS.scopes, [
    check(`contains(${v('oidc_scopes')}, "openid") && alltrue([for s in ${v('oidc_scopes')} : can(regex("^[!#-\\\\[\\\\]-~]+$", s))])`, 'oidc_scopes must include openid, each scope without spaces or quotes.'),
  ]),
  [OIDC_SETTINGS.roleClaim.variable]: fromTextSetting(OIDC_SETTINGS.roleClaim, [
    check(`length(${v('oidc_role_claim')}) > 0`, 'oidc_role_claim must not be empty.'),
  ]),
  [OIDC_SETTINGS.roleMapping.variable]: fromTextSetting(OIDC_SETTINGS.roleMapping, [
    check(`alltrue([for r in values(${v('oidc_role_mapping')}) : contains(["admin", "editor", "viewer"], r)])`, 'oidc_role_mapping values must be admin, editor or viewer.'),
  ]),
  [OIDC_SETTINGS.foldersClaim.variable]: fromTextSetting(OIDC_SETTINGS.foldersClaim),
  [OIDC_SETTINGS.audience.variable]: fromTextSetting(OIDC_SETTINGS.audience),
  local_login_enabled: fromSetting(SETTINGS.localLoginEnabled),
  cognito_user_pool: {
    kind: 'bool',
    description: 'Create an Amazon Cognito user pool as the identity provider, in place of oidc_issuer_url: administrators create the users (no self sign-up), the groups media-admins, media-editors and media-viewers give the roles (oidc_role_mapping may add more), the web app signs in on its hosted pages through a public client (code flow with PKCE: no client secret anywhere). Needs site = true (the client\'s callback is under the site). Not with Cognito: media-store login --sso (Cognito has no device flow) and machine tokens (its access tokens carry no audience).',
    default: DEFAULTS.cognitoUserPool,
  },
  allowed_content_types: {
    kind: 'list(string)',
    description: 'Content types accepted for upload; a pattern may end in /* (e.g. image/*).',
    default: DEFAULTS.allowedContentTypes,
    validation: [check(`length(${v('allowed_content_types')}) > 0 && alltrue([for t in ${v('allowed_content_types')} : can(regex("^[a-z0-9.+-]+/([a-z0-9.+-]+|\\\\*)$", t))])`, 'allowed_content_types must be a non-empty list of type/subtype or type/* patterns.')],
  },
  max_upload_bytes: fromSetting(SETTINGS.maxUploadBytes),
  multipart_threshold_bytes: fromSetting(SETTINGS.multipartThresholdBytes),
  upload_url_ttl_seconds: fromSetting(SETTINGS.uploadUrlTtlSeconds),
  view_url_ttl_seconds: fromSetting(SETTINGS.viewUrlTtlSeconds),
  move_job_threshold_bytes: fromSetting(SETTINGS.moveJobThresholdBytes),
  sync_max_retry_attempts: {
    kind: 'number',
    description: 'Retries Lambda makes for an S3 event the sync function fails to process (0-2) before sending it to the dead-letter queue (output sync_dead_letter_queue_arn).',
    default: DEFAULTS.syncMaxRetryAttempts,
    validation: [between('sync_max_retry_attempts', 0, 2, 'sync_max_retry_attempts')],
  },
  video_posters: fromSetting(SETTINGS.videoPosters),
  video_copies_enabled: fromSetting(SETTINGS.videoCopiesEnabled),
  expose_gps: fromSetting(SETTINGS.exposeGps),
  process_memory_mb: {
    kind: 'number',
    description: 'Memory of the process function (thumbnails, posters), MB: at least 1024 for 12 MP HEIC photos (WASM decoder).',
    default: DEFAULTS.processMemoryMb,
    validation: [between('process_memory_mb', 512, 10240, 'process_memory_mb')],
  },
  process_timeout_seconds: {
    kind: 'number',
    description: 'Timeout of the process function, seconds.',
    default: DEFAULTS.processTimeoutSeconds,
    validation: [between('process_timeout_seconds', 10, 900, 'process_timeout_seconds')],
  },
  process_reserved_concurrency: {
    kind: 'number',
    description: 'Reserved concurrency of the process function, capping parallel decoders during bulk uploads (queued events wait, up to 6 hours); -1 reserves none.',
    default: DEFAULTS.processReservedConcurrency,
    validation: [check(`${v('process_reserved_concurrency')} >= -1 && floor(${v('process_reserved_concurrency')}) == ${v('process_reserved_concurrency')}`, 'process_reserved_concurrency must be -1 or a whole number of at least 0.')],
  },
  process_max_retry_attempts: {
    kind: 'number',
    description: 'Retries Lambda makes when processing a file fails on an AWS error (0-2) before sending the request to the dead-letter queue. Files a decoder refuses are marked failed, never retried.',
    default: DEFAULTS.processMaxRetryAttempts,
    validation: [between('process_max_retry_attempts', 0, 2, 'process_max_retry_attempts')],
  },
  video_segment_seconds: fromSetting(SETTINGS.videoSegmentSeconds, [
    check(`${v('video_segment_seconds')} % 2 == 0`, 'video_segment_seconds must be a multiple of 2 (the keyframe interval of the copies): segments join by stream copy at keyframes.'),
  ]),
  video_max_height: fromSetting(SETTINGS.videoMaxHeight),
  video_max_parallel_segments: {
    kind: 'number',
    description: 'Segments of one video transcoded at once (the Map state\'s MaxConcurrency). Costs nothing by itself (the same invocations, sooner); each takes one of the account\'s concurrent Lambda executions (1,000 by default) while it runs.',
    default: DEFAULTS.videoMaxParallelSegments,
    validation: [between('video_max_parallel_segments', 1, 1000, 'video_max_parallel_segments')],
  },
  video_transcode_memory_mb: {
    kind: 'number',
    description: 'Memory of the transcoding function, MB: Lambda gives CPU in proportion (1,769 MB is one vCPU, 3,008 about two, 10,240 six). Billed per GB-second (arm64: $0.0000133 per GB-s, so $0.0024 per minute at 3,008 MB); more vCPUs finish a segment sooner for about the same cost while x264 uses them.',
    default: DEFAULTS.videoTranscodeMemoryMb,
    validation: [between('video_transcode_memory_mb', 1024, 10240, 'video_transcode_memory_mb')],
  },
  video_transcode_ephemeral_mb: {
    kind: 'number',
    description: 'Size of the transcoding function\'s /tmp, MB (512-10,240): the join holds the joined segments and the copy, about twice the copy (a 2-hour 1080p copy is about 4 GB). Above 512 MB it is billed at $0.0000000309 per GB-s: $0.0003 for a 15-minute invocation at 10,240 MB.',
    default: DEFAULTS.videoTranscodeEphemeralMb,
    validation: [between('video_transcode_ephemeral_mb', 512, 10240, 'video_transcode_ephemeral_mb')],
  },
  authorizer_result_ttl_seconds: {
    kind: 'number',
    description: `Seconds API Gateway caches the authorizer decision for a token; 0 disables caching. At most ${MAX_AUTHORIZER_RESULT_TTL_SECONDS}: it bounds how long a logged-out, changed or deleted user keeps access.`,
    default: DEFAULTS.authorizerResultTtlSeconds,
    validation: [between('authorizer_result_ttl_seconds', 0, MAX_AUTHORIZER_RESULT_TTL_SECONDS, 'authorizer_result_ttl_seconds')],
  },
  throttling_burst_limit: {
    kind: 'number',
    description: 'API stage burst limit, requests.',
    default: DEFAULTS.throttlingBurstLimit,
    validation: [between('throttling_burst_limit', 1, 100000, 'throttling_burst_limit')],
  },
  public_throttling_burst_limit: {
    kind: 'number',
    description: 'Burst limit of each public share route (/public/..., reached without login), requests.',
    default: DEFAULTS.publicThrottlingBurstLimit,
    validation: [between('public_throttling_burst_limit', 1, 100000, 'public_throttling_burst_limit')],
  },
  public_throttling_rate_limit: {
    kind: 'number',
    description: 'Steady-state limit of each public share route, requests per second.',
    default: DEFAULTS.publicThrottlingRateLimit,
    validation: [check(`${v('public_throttling_rate_limit')} > 0 && ${v('public_throttling_rate_limit')} <= 100000`, 'public_throttling_rate_limit must be above 0 and at most 100000.')],
  },
  share_max_days: fromSetting(SETTINGS.shareMaxDays),
  trash_retention_days: fromSetting(SETTINGS.trashRetentionDays),
  share_allow_never: fromSetting(SETTINGS.shareAllowNever),
  share_expiry_reminders: fromSetting(SETTINGS.shareExpiryReminders),
  scrub_period_days: fromSetting(SETTINGS.scrubPeriodDays),
  throttling_rate_limit: {
    kind: 'number',
    description: 'API stage steady-state rate limit, requests per second.',
    default: DEFAULTS.throttlingRateLimit,
    validation: [check(`${v('throttling_rate_limit')} > 0 && ${v('throttling_rate_limit')} <= 100000`, 'throttling_rate_limit must be above 0 and at most 100000.')],
  },
  domain_name: {
    kind: 'string',
    description: 'Custom domain of the API, e.g. media.example.com. Used only together with hosted_zone_id; empty: no custom domain.',
    default: DEFAULTS.domainName,
  },
  hosted_zone_id: {
    kind: 'string',
    description: 'Route 53 hosted zone ID holding domain_name (used only together with it) and site_domain_name (its alias records are created there).',
    default: DEFAULTS.hostedZoneId,
  },
  alarm_email: {
    kind: 'string',
    description: 'Email address subscribed to the ops topic (output ops_topic_arn) that every CloudWatch alarm notifies; AWS mails a confirmation link first. Empty: no subscription.',
    default: DEFAULTS.alarmEmail,
    validation: [check(`${v('alarm_email')} == "" || can(regex("^[^@\\\\s]+@[^@\\\\s]+[.][^@\\\\s]+$", ${v('alarm_email')}))`, 'alarm_email must be empty or an email address.')],
  },
  site: {
    kind: 'bool',
    description: 'Serve the web app (the build\'s dist/web, uploaded by Terraform) from a CloudFront distribution, with the API under /api on the same origin.',
    default: DEFAULTS.site,
  },
  site_price_class: {
    kind: 'string',
    description: 'CloudFront price class of the site: PriceClass_100 (North America, Europe), PriceClass_200 or PriceClass_All.',
    default: DEFAULTS.sitePriceClass,
    validation: [check(`contains([${SITE_PRICE_CLASSES.map((c) => `"${c}"`).join(', ')}], ${v('site_price_class')})`, 'site_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All.')],
  },
  site_domain_name: {
    kind: 'string',
    description: 'Custom domain of the site, e.g. photos.example.com; needs site_certificate_arn. With hosted_zone_id, A/AAAA alias records are created; otherwise point a CNAME at site_distribution_domain_name. Empty: the CloudFront domain only.',
    default: DEFAULTS.siteDomainName,
    validation: [check(`${v('site_domain_name')} == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]{2,63}$", ${v('site_domain_name')}))`, 'site_domain_name must be empty or a lower-case domain name such as photos.example.com.')],
  },
  site_certificate_arn: {
    kind: 'string',
    description: 'ARN of an issued ACM certificate covering site_domain_name, in us-east-1: CloudFront uses only certificates from us-east-1, whatever region the rest is in.',
    default: DEFAULTS.siteCertificateArn,
    validation: [check(`${v('site_certificate_arn')} == "" || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/", ${v('site_certificate_arn')}))`, 'site_certificate_arn must be empty or an ACM certificate ARN in us-east-1 (CloudFront uses only certificates from us-east-1).')],
  },
  tags: {
    kind: 'map(string)',
    description: 'Tags on every resource of the module that takes tags (a resource\'s own tag, such as the functions\' media-store:function, wins on a clash). The provider\'s default_tags stay yours to add on top.',
    default: DEFAULTS.tags,
    validation: [check(`alltrue([for k, t in ${v('tags')} : length(k) >= 1 && length(k) <= 128 && length(t) <= 256 && !startswith(lower(k), "aws:")])`, 'tags must have keys of 1-128 characters not starting with aws: and values of at most 256 characters.')],
  },
  permissions_boundary: {
    kind: 'string',
    description: 'ARN of an IAM managed policy set as the permissions boundary of every role the module creates. Empty: no boundary.',
    default: DEFAULTS.permissionsBoundary,
    validation: [check(`${v('permissions_boundary')} == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/", ${v('permissions_boundary')}))`, 'permissions_boundary must be empty or an IAM policy ARN (arn:aws:iam::<account>:policy/<name>).')],
  },
  iam_role_path: {
    kind: 'string',
    description: 'IAM path of every role the module creates (changing it replaces the roles).',
    default: DEFAULTS.iamRolePath,
    validation: [check(`can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", ${v('iam_role_path')})) && length(${v('iam_role_path')}) <= 512`, 'iam_role_path must start and end with / (e.g. /media-store/), at most 512 characters.')],
  },
  access_logs_bucket: {
    kind: 'string',
    description: 'Name of an existing S3 bucket (same account and region) receiving the media and site buckets\' S3 server access logs (under <name_prefix>/s3/media/ and /s3/site/) and the site distribution\'s CloudFront standard logs (under <name_prefix>/cloudfront/). Its policy must let logging.s3.amazonaws.com write and it must have ACLs enabled for CloudFront (docs/module.md, "Access logs"). Empty: no access logs.',
    default: DEFAULTS.accessLogsBucket,
    validation: [check(`${v('access_logs_bucket')} == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ${v('access_logs_bucket')}))`, 'access_logs_bucket must be empty or the name (not the ARN) of an S3 bucket.')],
  },
  waf_web_acl_arn: {
    kind: 'string',
    description: 'ARN of an existing AWS WAFv2 web ACL with scope CLOUDFRONT (so in us-east-1) to associate with the site\'s distribution. Empty: none, unless waf_rate_limit_per_5min creates one.',
    default: DEFAULTS.wafWebAclArn,
    validation: [check(`${v('waf_web_acl_arn')} == "" || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/", ${v('waf_web_acl_arn')}))`, 'waf_web_acl_arn must be empty or the ARN of a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/…).')],
  },
  waf_rate_limit_per_5min: {
    kind: 'number',
    description: 'Above 0: create a WAFv2 web ACL for the site\'s distribution that blocks one address sending more than this many requests in 5 minutes to the login and share unlock routes, and apart to the public share routes (/api/public/…) and share pages (/s/…). The ACL is created with the module\'s AWS provider, which must then be in us-east-1 (CloudFront\'s WAF region); elsewhere pass waf_web_acl_arn. 0: none.',
    default: DEFAULTS.wafRateLimitPer5Min,
    validation: [check(`${v('waf_rate_limit_per_5min')} == 0 || (${v('waf_rate_limit_per_5min')} >= 10 && ${v('waf_rate_limit_per_5min')} <= 2000000000 && floor(${v('waf_rate_limit_per_5min')}) == ${v('waf_rate_limit_per_5min')})`, 'waf_rate_limit_per_5min must be 0 or a whole number from 10 (WAF\'s minimum) to 2000000000.')],
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
export type VariableValues = { -readonly [K in VariableName]?: string | number | boolean | string[] | Record<string, string> };

/**
 * Declares every variable in `scope` (defaults overridable, e.g. from the deploy config) and
 * returns the MediaStore props that read them.
 */
export function declareVariables(scope: Construct, overrides: VariableValues = {}): MediaStoreProps {
  const vars = {} as Record<VariableName, TerraformVariable>;
  for (const [name, spec] of Object.entries(VARIABLES) as [VariableName, VariableSpec][]) {
    vars[name] = new TerraformVariable(scope, name, {
      type: spec.kind,
      description: describedWithExample(name, spec.description),
      default: overrides[name] ?? spec.default,
      nullable: false,
      validation: spec.validation ? [...spec.validation] : undefined,
    });
  }
  const s = (n: VariableName) => vars[n].stringValue;
  const n = (k: VariableName) => vars[k].numberValue;
  const b = (k: VariableName) => vars[k].booleanValue as unknown as boolean;
  const l = (k: VariableName) => vars[k].listValue;
  const m = (k: VariableName) => Token.asStringMap(vars[k].value);
  return {
    namePrefix: s('name_prefix'),
    bucketName: s('bucket_name'),
    forceDestroy: b('force_destroy'),
    versioning: b('versioning'),
    kmsKeyArn: s('kms_key_arn'),
    corsAllowedOrigins: l('cors_allowed_origins'),
    abortIncompleteMultipartDays: n('abort_incomplete_multipart_days'),
    intelligentTieringTransitionDays: n('intelligent_tiering_transition_days'),
    noncurrentVersionExpirationDays: n('noncurrent_version_expiration_days'),
    archiveAccessDays: n('archive_access_days'),
    deepArchiveAccessDays: n('deep_archive_access_days'),
    tableDeletionProtection: b('table_deletion_protection'),
    jwtSecretRecoveryWindowDays: n('jwt_secret_recovery_window_days'),
    architecture: s('architecture'),
    memoryMb: n('memory_mb'),
    timeoutSeconds: n('timeout_seconds'),
    logRetentionDays: n('log_retention_days'),
    tracing: b('tracing'),
    logLevel: s('log_level'),
    jwtIssuer: s('jwt_issuer'),
    tokenTtlSeconds: n('token_ttl_seconds'),
    refreshTokenTtlSeconds: n('refresh_token_ttl_seconds'),
    loginMaxFailures: n('login_max_failures'),
    loginLockoutSeconds: n('login_lockout_seconds'),
    maxUsers: n('max_users'),
    oidcIssuerUrl: s('oidc_issuer_url'),
    oidcClientId: s('oidc_client_id'),
    oidcClientSecretArn: s('oidc_client_secret_arn'),
    oidcScopes: l('oidc_scopes'),
    oidcRoleClaim: s('oidc_role_claim'),
    oidcRoleMapping: vars.oidc_role_mapping.value as Record<string, string>,
    oidcFoldersClaim: s('oidc_folders_claim'),
    oidcAudience: s('oidc_audience'),
    localLoginEnabled: b('local_login_enabled'),
    cognitoUserPool: b('cognito_user_pool'),
    allowedContentTypes: l('allowed_content_types'),
    maxUploadBytes: n('max_upload_bytes'),
    multipartThresholdBytes: n('multipart_threshold_bytes'),
    uploadUrlTtlSeconds: n('upload_url_ttl_seconds'),
    viewUrlTtlSeconds: n('view_url_ttl_seconds'),
    syncMaxRetryAttempts: n('sync_max_retry_attempts'),
    moveJobThresholdBytes: n('move_job_threshold_bytes'),
    videoPosters: b('video_posters'),
    exposeGps: b('expose_gps'),
    videoCopiesEnabled: b('video_copies_enabled'),
    videoMaxHeight: n('video_max_height'),
    processMemoryMb: n('process_memory_mb'),
    processTimeoutSeconds: n('process_timeout_seconds'),
    processReservedConcurrency: n('process_reserved_concurrency'),
    processMaxRetryAttempts: n('process_max_retry_attempts'),
    videoSegmentSeconds: n('video_segment_seconds'),
    videoMaxParallelSegments: n('video_max_parallel_segments'),
    videoTranscodeMemoryMb: n('video_transcode_memory_mb'),
    videoTranscodeEphemeralMb: n('video_transcode_ephemeral_mb'),
    authorizerResultTtlSeconds: n('authorizer_result_ttl_seconds'),
    throttlingBurstLimit: n('throttling_burst_limit'),
    throttlingRateLimit: n('throttling_rate_limit'),
    publicThrottlingBurstLimit: n('public_throttling_burst_limit'),
    publicThrottlingRateLimit: n('public_throttling_rate_limit'),
    shareMaxDays: n('share_max_days'),
    trashRetentionDays: n('trash_retention_days'),
    shareAllowNever: b('share_allow_never'),
    shareExpiryReminders: b('share_expiry_reminders'),
    scrubPeriodDays: n('scrub_period_days'),
    domainName: s('domain_name'),
    hostedZoneId: s('hosted_zone_id'),
    alarmEmail: s('alarm_email'),
    site: b('site'),
    sitePriceClass: s('site_price_class'),
    siteDomainName: s('site_domain_name'),
    siteCertificateArn: s('site_certificate_arn'),
    tags: m('tags'),
    permissionsBoundary: s('permissions_boundary'),
    iamRolePath: s('iam_role_path'),
    accessLogsBucket: s('access_logs_bucket'),
    wafWebAclArn: s('waf_web_acl_arn'),
    wafRateLimitPer5Min: n('waf_rate_limit_per_5min'),
  };
}
