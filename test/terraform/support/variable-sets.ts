/** Module inputs the terraform tests plan with, one module call each. */

export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Custom domain, KMS key, archive tiers, versioning off, CORS: the inputs of release 0.1 that
 * make every optional resource of it exist — what the upgrade test's deployment was planned with.
 */
export const RELEASE_0_1_CUSTOM = {
  name_prefix: 'media-custom',
  domain_name: 'media.example.com',
  hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
  kms_key_arn: KMS_KEY_ARN,
  archive_access_days: 90,
  deep_archive_access_days: 180,
  versioning: false,
  cors_allowed_origins: ['https://app.example.com'],
} as const;

/**
 * The same, plus the web app on its own custom domain, a WAF rate limit, access logs, tags, a
 * permissions boundary, a role path and an OpenID provider: every optional resource but the alarm email.
 */
export const CUSTOM = {
  ...RELEASE_0_1_CUSTOM,
  site_domain_name: 'photos.example.com',
  site_certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456',
  waf_rate_limit_per_5min: 300,
  access_logs_bucket: 'media-custom-access-logs',
  tags: { 'cost-center': 'media' },
  permissions_boundary: 'arn:aws:iam::123456789012:policy/platform-boundary',
  iam_role_path: '/media-store/',
  oidc_issuer_url: 'https://login.example.com/realms/staff',
  oidc_client_id: 'media-store',
  oidc_client_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:media-store-oidc-AbCdEf',
} as const;

/** Every option at the other end of its range from its default. */
export const EXTREMES = {
  name_prefix: 'x23456789012345678901234',
  site: false,
  bucket_name: 'media-store-extremes.example-bucket',
  force_destroy: true,
  versioning: false,
  kms_key_arn: KMS_KEY_ARN,
  cors_allowed_origins: ['https://a.example.com', 'http://localhost:5173'],
  abort_incomplete_multipart_days: 365,
  intelligent_tiering_transition_days: 3650,
  noncurrent_version_expiration_days: 1,
  archive_access_days: 730,
  deep_archive_access_days: 730,
  table_deletion_protection: false,
  jwt_secret_recovery_window_days: 0,
  architecture: 'x86_64',
  memory_mb: 10240,
  timeout_seconds: 900,
  log_retention_days: 3653,
  tracing: false,
  log_level: 'debug',
  jwt_issuer: 'https://issuer.example.com/media',
  token_ttl_seconds: 60,
  login_max_failures: 100,
  login_lockout_seconds: 86400,
  max_users: 1000,
  allowed_content_types: ['application/pdf'],
  max_upload_bytes: 5 * 1024 ** 4,
  multipart_threshold_bytes: 5 * 1024 ** 2,
  upload_url_ttl_seconds: 3600,
  view_url_ttl_seconds: 60,
  sync_max_retry_attempts: 0,
  authorizer_result_ttl_seconds: 0,
  throttling_burst_limit: 100000,
  throttling_rate_limit: 0.5,
  domain_name: 'media.example.org',
  hosted_zone_id: 'Z9876543210ABCDEFGHIJ',
  alarm_email: 'ops@example.com',
  access_logs_bucket: 'a.b',
  waf_web_acl_arn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/platform/1234abcd-12ab-34cd-56ef-1234567890ab',
  tags: { [`k${'x'.repeat(127)}`]: 'v'.repeat(256) },
  permissions_boundary: 'arn:aws-us-gov:iam::123456789012:policy/a/b/boundary',
  iam_role_path: '/a/b.c@d=e/',
  oidc_issuer_url: 'http://127.0.0.1:9999/idp',
  oidc_client_id: 'c',
  oidc_client_secret_arn: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:s',
  oidc_scopes: ['openid', 'profile', 'email', 'offline_access'],
  local_login_enabled: false,
  video_transcode_memory_mb: 10240,
  video_transcode_ephemeral_mb: 10240,
} as const;
