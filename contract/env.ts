/**
 * Environment variables the module sets on the functions and each function's config.ts
 * parses once at cold start. Values in the module stack are literals, `${var.NAME}`,
 * `${join(",", var.NAME)}`, or resource attribute references (table/bucket/topic/secret).
 */
export const ENV = {
  /** DynamoDB catalog table name. */
  TABLE_NAME: 'TABLE_NAME',
  /** Media bucket name. */
  BUCKET_NAME: 'BUCKET_NAME',
  /** SNS topic for "upload processed" notifications (may be empty locally). */
  TOPIC_ARN: 'TOPIC_ARN',
  /** Secrets Manager ARN of the JWT signing secret (deployed). */
  JWT_SECRET_ARN: 'JWT_SECRET_ARN',
  /** Secrets Manager ARN of the key that seals listing cursors (created empty; the files function puts its first version). */
  CURSOR_SECRET_ARN: 'CURSOR_SECRET_ARN',
  /** Secrets Manager ARN of the origin secret the site's CloudFront sends (contract/site.ts ORIGIN_VERIFY_HEADER); unset: `sourceIp` only. */
  ORIGIN_SECRET_ARN: 'ORIGIN_SECRET_ARN',
  /** A JWT signing key given directly, without versions: unit tests and tools only, never set by the module. */
  JWT_SECRET: 'JWT_SECRET',
  /** `iss` claim written and required. @default "media-store" */
  JWT_ISSUER: 'JWT_ISSUER',
  /** Access token lifetime in seconds. @default 300 */
  TOKEN_TTL_SECONDS: 'TOKEN_TTL_SECONDS',
  /** Refresh token lifetime in seconds, renewed at each refresh. @default 2592000 (30 days) */
  REFRESH_TOKEN_TTL_SECONDS: 'REFRESH_TOKEN_TTL_SECONDS',
  /** Consecutive failed logins before a user is throttled. @default 5 */
  LOGIN_MAX_FAILURES: 'LOGIN_MAX_FAILURES',
  /** How long a throttled user must wait, seconds. @default 900 */
  LOGIN_LOCKOUT_SECONDS: 'LOGIN_LOCKOUT_SECONDS',
  /** Most users the users API lets exist (module variable `max_users`). @default 10 */
  MAX_USERS: 'MAX_USERS',
  /** Comma-separated content-type patterns, e.g. `image/*,video/*`. */
  ALLOWED_CONTENT_TYPES: 'ALLOWED_CONTENT_TYPES',
  /** Largest accepted upload, bytes. */
  MAX_UPLOAD_BYTES: 'MAX_UPLOAD_BYTES',
  /** Uploads of at least this many bytes go multipart (presigned parts). @default 67108864 (64 MiB) */
  MULTIPART_THRESHOLD_BYTES: 'MULTIPART_THRESHOLD_BYTES',
  /** Lifetime of presigned upload URLs, seconds. @default 900 */
  UPLOAD_URL_TTL_SECONDS: 'UPLOAD_URL_TTL_SECONDS',
  /** Lifetime of presigned view/download URLs, seconds. @default 3600 */
  VIEW_URL_TTL_SECONDS: 'VIEW_URL_TTL_SECONDS',
  /** Name of the move function the files function invokes asynchronously for large moves. */
  MOVE_FUNCTION_NAME: 'MOVE_FUNCTION_NAME',
  /** Moves of files larger than this many bytes run as jobs (202). @default 134217728 (128 MiB) */
  MOVE_JOB_THRESHOLD_BYTES: 'MOVE_JOB_THRESHOLD_BYTES',
  /** "true" to address S3 path-style (local S3 server). @default false */
  S3_FORCE_PATH_STYLE: 'S3_FORCE_PATH_STYLE',
  /** Name of the process function the sync function invokes asynchronously (thumbnails, metadata). */
  PROCESS_FUNCTION_NAME: 'PROCESS_FUNCTION_NAME',
  /** "true" to render video posters with the bundled ffmpeg (module variable `video_posters`). @default true */
  VIDEO_POSTERS: 'VIDEO_POSTERS',
  /** "true" to record photos' GPS coordinates in the catalog and show them (module variable `expose_gps`). @default false */
  EXPOSE_GPS: 'EXPOSE_GPS',
  /** Longest lifetime of a share link, days (module variable `share_max_days`). @default 30 */
  SHARE_MAX_DAYS: 'SHARE_MAX_DAYS',
  /** Days a deleted file stays in the trash (its entry's expiry). @default 30 */
  TRASH_RETENTION_DAYS: 'TRASH_RETENTION_DAYS',
  /** "true" lets share links never expire (module variable `share_allow_never`). @default false */
  SHARE_ALLOW_NEVER: 'SHARE_ALLOW_NEVER',
  /** The web app's `index.html`, read from the web build at synth: share pages (`GET /s/{token}`) are it with Open Graph tags. Empty: a bare page. */
  APP_SHELL_HTML: 'APP_SHELL_HTML',
  /** "true" to send a `share.expiring` message a day before a share ends (module variable `share_expiry_reminders`). @default true */
  SHARE_EXPIRY_REMINDERS: 'SHARE_EXPIRY_REMINDERS',
  /** The identity provider's issuer (contract/settings.ts OIDC_SETTINGS); empty: no provider sign-in. */
  OIDC_ISSUER_URL: 'OIDC_ISSUER_URL',
  /** The web app's client id at the provider. */
  OIDC_CLIENT_ID: 'OIDC_CLIENT_ID',
  /** Secrets Manager ARN of the client secret (never the value). */
  OIDC_CLIENT_SECRET_ARN: 'OIDC_CLIENT_SECRET_ARN',
  /** Scopes asked for at sign-in, space-separated. */
  OIDC_SCOPES: 'OIDC_SCOPES',
  /** The claim whose values map to roles. */
  OIDC_ROLE_CLAIM: 'OIDC_ROLE_CLAIM',
  /** JSON object: claim value (or machine scope) → role. */
  OIDC_ROLE_MAPPING: 'OIDC_ROLE_MAPPING',
  /** The claim holding folder limits; empty: none. */
  OIDC_FOLDERS_CLAIM: 'OIDC_FOLDERS_CLAIM',
  /** Audience of the provider's access tokens the authorizer accepts; empty: none. */
  OIDC_AUDIENCE: 'OIDC_AUDIENCE',
  /** "false" refuses password login and every way to set a password. @default true */
  LOCAL_LOGIN_ENABLED: 'LOCAL_LOGIN_ENABLED',
  /** "true" to make playable copies of videos browsers cannot play (module variable `video_copies_enabled`). @default true */
  VIDEO_COPIES_ENABLED: 'VIDEO_COPIES_ENABLED',
  /** ARN of the video workflow's state machine the process function starts a playable copy with. */
  VIDEO_WORKFLOW_ARN: 'VIDEO_WORKFLOW_ARN',
  /** Seconds of video each parallel transcoding invocation makes (module variable `video_segment_seconds`). @default 120 */
  VIDEO_SEGMENT_SECONDS: 'VIDEO_SEGMENT_SECONDS',
  /** Lines of the short edge of a transcoded copy at most (module variable `video_max_height`). @default 1080 */
  VIDEO_MAX_HEIGHT: 'VIDEO_MAX_HEIGHT',
  /** Days within which the scrub re-verifies every file (module variable `scrub_period_days`). @default 30 */
  SCRUB_PERIOD_DAYS: 'SCRUB_PERIOD_DAYS',
  /** SNS topic the alarms notify (`<prefix>-ops`): the scrub publishes `file.corrupt` there. */
  OPS_TOPIC_ARN: 'OPS_TOPIC_ARN',
  /** Log level for the structured logger. @default "info" */
  LOG_LEVEL: 'LOG_LEVEL',
} as const;
/* Endpoints of local emulators use the SDK's own variables:
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_SECRETS_MANAGER. */

/** Which variables each function reads. The module must set exactly these. */
export const FUNCTION_ENV = {
  authorizer: ['TABLE_NAME', 'JWT_SECRET_ARN', 'JWT_ISSUER', 'OIDC_ISSUER_URL', 'OIDC_AUDIENCE', 'OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAPPING', 'OIDC_FOLDERS_CLAIM', 'LOG_LEVEL'],
  auth: ['TABLE_NAME', 'JWT_SECRET_ARN', 'ORIGIN_SECRET_ARN', 'JWT_ISSUER', 'TOKEN_TTL_SECONDS', 'REFRESH_TOKEN_TTL_SECONDS', 'LOGIN_MAX_FAILURES', 'LOGIN_LOCKOUT_SECONDS', 'MAX_USERS', 'OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET_ARN', 'OIDC_SCOPES', 'OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAPPING', 'OIDC_FOLDERS_CLAIM', 'LOCAL_LOGIN_ENABLED', 'LOG_LEVEL'],
  uploads: ['TABLE_NAME', 'BUCKET_NAME', 'ORIGIN_SECRET_ARN', 'ALLOWED_CONTENT_TYPES', 'MAX_UPLOAD_BYTES', 'MULTIPART_THRESHOLD_BYTES', 'UPLOAD_URL_TTL_SECONDS', 'LOG_LEVEL'],
  files: ['TABLE_NAME', 'BUCKET_NAME', 'CURSOR_SECRET_ARN', 'VIEW_URL_TTL_SECONDS', 'MOVE_FUNCTION_NAME', 'MOVE_JOB_THRESHOLD_BYTES', 'SHARE_MAX_DAYS', 'SHARE_ALLOW_NEVER', 'TRASH_RETENTION_DAYS', 'LOG_LEVEL'],
  shares: ['TABLE_NAME', 'BUCKET_NAME', 'ORIGIN_SECRET_ARN', 'VIEW_URL_TTL_SECONDS', 'LOGIN_MAX_FAILURES', 'LOGIN_LOCKOUT_SECONDS', 'APP_SHELL_HTML', 'LOG_LEVEL'],
  sync: ['TABLE_NAME', 'BUCKET_NAME', 'TOPIC_ARN', 'PROCESS_FUNCTION_NAME', 'LOG_LEVEL'],
  move: ['TABLE_NAME', 'BUCKET_NAME', 'TRASH_RETENTION_DAYS', 'LOG_LEVEL'],
  process: ['TABLE_NAME', 'BUCKET_NAME', 'VIDEO_POSTERS', 'EXPOSE_GPS', 'VIDEO_COPIES_ENABLED', 'VIDEO_MAX_HEIGHT', 'VIDEO_WORKFLOW_ARN', 'LOG_LEVEL'],
  sweep: ['TABLE_NAME', 'TOPIC_ARN', 'SHARE_EXPIRY_REMINDERS', 'LOG_LEVEL'],
  transcode: ['TABLE_NAME', 'BUCKET_NAME', 'VIDEO_SEGMENT_SECONDS', 'VIDEO_MAX_HEIGHT', 'LOG_LEVEL'],
  scrub: ['TABLE_NAME', 'BUCKET_NAME', 'OPS_TOPIC_ARN', 'SCRUB_PERIOD_DAYS', 'LOG_LEVEL'],
} as const satisfies Record<import('./functions').FunctionName, readonly (keyof typeof ENV)[]>;
