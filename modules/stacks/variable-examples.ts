import type { VariableName } from './variables';

type Example = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/**
 * An example value of every module variable, in its description (so in docs/module.md's Inputs
 * table and in what `terraform-docs` or an IDE shows a caller). Typed over every variable name:
 * a new variable does not compile without its example.
 */
export const VARIABLE_EXAMPLES: Readonly<Record<VariableName, Example>> = {
  name_prefix: 'media-prod',
  bucket_name: 'acme-media-prod',
  force_destroy: true,
  versioning: false,
  kms_key_arn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  cors_allowed_origins: ['https://photos.example.com'],
  abort_incomplete_multipart_days: 3,
  intelligent_tiering_transition_days: 30,
  noncurrent_version_expiration_days: 90,
  archive_access_days: 180,
  deep_archive_access_days: 365,
  table_deletion_protection: false,
  jwt_secret_recovery_window_days: 7,
  architecture: 'x86_64',
  memory_mb: 1024,
  timeout_seconds: 30,
  log_retention_days: 90,
  tracing: false,
  log_level: 'debug',
  jwt_issuer: 'https://media.example.com',
  token_ttl_seconds: 600,
  refresh_token_ttl_seconds: 7 * 24 * 3600,
  login_max_failures: 10,
  login_lockout_seconds: 3600,
  max_users: 50,
  oidc_issuer_url: 'https://login.example.com/realms/staff',
  oidc_client_id: 'media-store',
  oidc_client_secret_arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:media-store-oidc-AbCdEf',
  oidc_scopes: ['openid', 'profile', 'email', 'groups'],
  oidc_role_claim: 'groups',
  oidc_role_mapping: { 'media-admins': 'admin', photographers: 'editor', staff: 'viewer' },
  oidc_folders_claim: 'media_folders',
  oidc_audience: 'api://media-store',
  local_login_enabled: false,
  cognito_user_pool: true,
  allowed_content_types: ['image/jpeg', 'image/png', 'image/heic', 'video/mp4'],
  max_upload_bytes: 2 * 1024 ** 3,
  multipart_threshold_bytes: 16 * 1024 ** 2,
  upload_url_ttl_seconds: 1800,
  view_url_ttl_seconds: 900,
  move_job_threshold_bytes: 512 * 1024 ** 2,
  sync_max_retry_attempts: 1,
  video_posters: false,
  video_copies_enabled: false,
  expose_gps: true,
  process_memory_mb: 3008,
  process_timeout_seconds: 120,
  process_reserved_concurrency: 5,
  process_max_retry_attempts: 0,
  video_segment_seconds: 60,
  scrub_period_days: 14,
  video_max_height: 720,
  video_max_parallel_segments: 50,
  video_transcode_memory_mb: 5308,
  video_transcode_ephemeral_mb: 4096,
  authorizer_result_ttl_seconds: 30,
  throttling_burst_limit: 200,
  public_throttling_burst_limit: 50,
  public_throttling_rate_limit: 25,
  share_max_days: 90,
  trash_retention_days: 90,
  share_allow_never: true,
  share_expiry_reminders: false,
  throttling_rate_limit: 100,
  domain_name: 'media-api.example.com',
  hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
  alarm_email: 'oncall@example.com',
  site: false,
  site_price_class: 'PriceClass_All',
  site_domain_name: 'photos.example.com',
  site_certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd1234-ab12-cd34-ef56-abcdef123456',
  tags: { 'cost-center': 'media', owner: 'platform-team' },
  permissions_boundary: 'arn:aws:iam::123456789012:policy/platform-boundary',
  iam_role_path: '/media-store/',
  access_logs_bucket: 'acme-access-logs',
  waf_web_acl_arn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/platform/1234abcd-12ab-34cd-56ef-1234567890ab',
  waf_rate_limit_per_5min: 300,
};

/** A value as HCL: `"text"`, `10`, `true`, `["a", "b"]`, `{ key = "value" }`. */
function hcl(value: Example): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, string>).map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${JSON.stringify(v)}`);
  return `{ ${entries.join(', ')} }`;
}

/** The description with its example: `… Example: name_prefix = "media-prod".` */
export function describedWithExample(name: VariableName, description: string): string {
  return `${description} Example: ${name} = ${hcl(VARIABLE_EXAMPLES[name])}`;
}
