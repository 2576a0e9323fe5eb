/**
 * Every tunable setting the functions read, declared once: its environment variable, the module
 * variable that sets it, its default, its range (integers) and its doc text. The handlers'
 * config parsers (`setting`/`flag` in handlers/core/env.ts), the module's variables (default,
 * description and the validation made from the range, modules/stacks/variables.ts) and the
 * generated docs (docs/module.md "Inputs") all read them from here; test/unit/contract/settings.test.ts
 * fails when a function or a variable disagrees. Pure data.
 */
import { MAX_OBJECT_SIZE, MiB } from './multipart';

export interface IntegerSetting {
  /** The environment variable the functions read. */
  readonly env: string;
  /** The module variable that sets it. */
  readonly variable: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** What it does: the module variable's description and its row in the docs. */
  readonly description: string;
}

export interface BooleanSetting {
  readonly env: string;
  readonly variable: string;
  readonly default: boolean;
  readonly description: string;
}

export type Setting = IntegerSetting | BooleanSetting;

export const isIntegerSetting = (spec: Setting): spec is IntegerSetting => typeof spec.default === 'number';

/**
 * The longest presigned URL the functions sign, seconds. URLs are signed with the Lambda role's
 * temporary credentials and die when those expire; AWS documents no Lambda credential lifetime
 * (role session settings do not apply to Lambda), so the 1-hour role session default is the
 * most a URL can honestly promise.
 */
const MAX_PRESIGNED_URL_SECONDS = 3600;
const PRESIGNED_URL_CAP_REASON =
  'the functions sign URLs with their Lambda role\'s temporary credentials, and S3 refuses a URL once they expire, whatever the URL says; AWS promises them no longer than a role session\'s 1-hour default.';
const GiB = 1024 * MiB;

export const SETTINGS = {
  tokenTtlSeconds: {
    env: 'TOKEN_TTL_SECONDS',
    variable: 'token_ttl_seconds',
    // Access tokens are short: a session lives on in its refresh token.
    default: 300,
    min: 60,
    max: 24 * 3600,
    description: 'Lifetime of an access token, seconds. Clients renew it with their refresh token.',
  },
  refreshTokenTtlSeconds: {
    env: 'REFRESH_TOKEN_TTL_SECONDS',
    variable: 'refresh_token_ttl_seconds',
    // "Stay logged in for days": 30 days, renewed at each refresh (sliding).
    default: 30 * 24 * 3600,
    min: 300,
    max: 365 * 24 * 3600,
    description: 'Lifetime of a refresh token, seconds, renewed at each refresh (sliding): how long an idle session stays logged in.',
  },
  /** Password attempts per (user, source) and per (share, source) before a lockout. */
  loginMaxFailures: {
    env: 'LOGIN_MAX_FAILURES',
    variable: 'login_max_failures',
    default: 5,
    min: 1,
    max: 100,
    description: 'Consecutive failed logins after which a user is throttled (HTTP 429).',
  },
  /** How long a lockout lasts, seconds. */
  loginLockoutSeconds: {
    env: 'LOGIN_LOCKOUT_SECONDS',
    variable: 'login_lockout_seconds',
    default: 900,
    min: 1,
    max: 24 * 3600,
    description: 'How long a throttled user must wait before trying again, seconds.',
  },
  maxUsers: {
    env: 'MAX_USERS',
    variable: 'max_users',
    // A family or a small team (the seeds' family app has two users), with room to grow; the
    // users list is one page of batched reads, so at most 1,000.
    default: 10,
    min: 1,
    max: 1000,
    description: 'Most users that may exist, admins included; creating one more through the users API (or npm run users) answers 409 MaxUsersReached.',
  },
  maxUploadBytes: {
    env: 'MAX_UPLOAD_BYTES',
    variable: 'max_upload_bytes',
    default: 5 * GiB,
    min: 1,
    max: MAX_OBJECT_SIZE,
    description: 'Largest accepted upload, bytes, up to 5 TiB (S3\'s object limit); sizes from multipart_threshold_bytes on are uploaded in parts.',
  },
  multipartThresholdBytes: {
    env: 'MULTIPART_THRESHOLD_BYTES',
    variable: 'multipart_threshold_bytes',
    default: 64 * MiB,
    // S3's smallest part; a size below the threshold is a single PUT, which S3 caps at 5 GiB.
    min: 5 * MiB,
    max: 5 * GiB,
    description: 'Uploads of at least this many bytes are multipart (resumable, parts signed on demand); smaller ones a single presigned PUT. At most 5 GiB, a single PUT\'s limit.',
  },
  uploadUrlTtlSeconds: {
    env: 'UPLOAD_URL_TTL_SECONDS',
    variable: 'upload_url_ttl_seconds',
    default: 900,
    // Short lifetimes are allowed (the e2e stacks use seconds to watch URLs and holds expire).
    min: 1,
    max: MAX_PRESIGNED_URL_SECONDS,
    description: `Lifetime of presigned upload URLs, seconds, at most ${MAX_PRESIGNED_URL_SECONDS}: ${PRESIGNED_URL_CAP_REASON}`,
  },
  viewUrlTtlSeconds: {
    env: 'VIEW_URL_TTL_SECONDS',
    variable: 'view_url_ttl_seconds',
    default: 3600,
    min: 60,
    max: MAX_PRESIGNED_URL_SECONDS,
    description: `Lifetime of presigned view URLs in file listings, seconds, at most ${MAX_PRESIGNED_URL_SECONDS}: ${PRESIGNED_URL_CAP_REASON}`,
  },
  moveJobThresholdBytes: {
    env: 'MOVE_JOB_THRESHOLD_BYTES',
    variable: 'move_job_threshold_bytes',
    // 128 MiB: a single CopyObject of that size takes seconds, well inside the files function's timeout.
    default: 128 * MiB,
    min: 0,
    max: MAX_OBJECT_SIZE,
    description: 'Renames and moves of files larger than this many bytes run as jobs in the move function (PATCH /files/{id} answers 202, GET /jobs/{id} follows); smaller ones are copied within the request.',
  },
  trashRetentionDays: {
    env: 'TRASH_RETENTION_DAYS',
    variable: 'trash_retention_days',
    // Immich's and most photo services' default: a month to change your mind.
    default: 30,
    min: 1,
    max: 3650,
    description:
      'Days a deleted file (or a deleted folder\'s files) stays in the trash, restorable by its owner or an admin; then the bucket\'s lifecycle deletes its bytes (the trash/ prefix) and its trash entry expires. With versioning on, noncurrent_version_expiration_days may not exceed it (a deleted file\'s bytes never outlive its trash).',
  },
  shareMaxDays: {
    env: 'SHARE_MAX_DAYS',
    variable: 'share_max_days',
    default: 30,
    min: 1,
    max: 3650,
    description: 'Longest lifetime of a share link, days (a share asks for seconds, default 7 days).',
  },
  shareAllowNever: {
    env: 'SHARE_ALLOW_NEVER',
    variable: 'share_allow_never',
    // Share links always expire unless the module allows otherwise.
    default: false,
    description: 'Let share links never expire ("expires": "never"). Off: every link expires within share_max_days.',
  },
  shareExpiryReminders: {
    env: 'SHARE_EXPIRY_REMINDERS',
    variable: 'share_expiry_reminders',
    // Owners know their links expire: one message per share, from the hourly sweep the quota needs anyway.
    default: true,
    description: 'Publish share.expiring on the notifications topic a day before a share with an expiry ends (once per share, from the hourly sweep function).',
  },
  videoPosters: {
    env: 'VIDEO_POSTERS',
    variable: 'video_posters',
    // ffmpeg is a static GPL build: on by default, switchable off.
    default: true,
    description: 'Render video posters, durations and codecs with the ffmpeg shipped in the process function (a static GPL build, see README). Off: videos are catalogued as unsupported for processing.',
  },
  videoCopiesEnabled: {
    env: 'VIDEO_COPIES_ENABLED',
    variable: 'video_copies_enabled',
    // Videos a browser cannot play as stored (HEVC, MPEG-2, …) are otherwise useless on the web.
    default: true,
    description: 'Make playable copies (H.264/AAC MP4, faststart) of videos browsers cannot play as stored, and a smaller copy of very large ones, in the video workflow (Step Functions and the transcoding function; costs in docs/media.md). Off: no copy is ever made; such videos keep their poster and download as stored.',
  },
  videoMaxHeight: {
    env: 'VIDEO_MAX_HEIGHT',
    variable: 'video_max_height',
    // "1080p": what phones and laptops show; 240p to 4K.
    default: 1080,
    min: 240,
    max: 2160,
    description: 'Lines of the short edge of a playable copy at most (1080: "1080p", portrait videos too): larger videos are scaled down, and a playable original above it (or above 20 Mbit/s) also gets a copy this size.',
  },
  videoSegmentSeconds: {
    env: 'VIDEO_SEGMENT_SECONDS',
    variable: 'video_segment_seconds',
    default: 120,
    // 2 s: the copies' keyframe interval; 600 s keeps one invocation well inside Lambda's 15 minutes.
    min: 2,
    max: 600,
    description: 'Seconds of video one transcoding invocation makes (a multiple of 2, the copies\' keyframe interval): longer videos are cut into segments transcoded in parallel and joined. Shorter segments: sooner playable on AWS, more invocations and state transitions (Step Functions Standard: $0.025 per 1,000; about 3 per segment); each invocation must finish within 15 minutes.',
  },
  localLoginEnabled: {
    env: 'LOCAL_LOGIN_ENABLED',
    variable: 'local_login_enabled',
    // Password login works out of the box; an organisation with its own provider turns it off.
    default: true,
    description: 'Password login. False refuses POST /auth/login and every way to set a password (POST /users with one, PATCH /users/{username} with one, npm run users passwd); the web app offers only "Sign in with …".',
  },
  exposeGps: {
    env: 'EXPOSE_GPS',
    variable: 'expose_gps',
    // Locations are personal data: not stored unless asked for.
    default: false,
    description: 'Record the GPS coordinates of photos in the catalog and return them from the files API. Off, they are never stored (derived images never carry any metadata).',
  },
  scrubPeriodDays: {
    env: 'SCRUB_PERIOD_DAYS',
    variable: 'scrub_period_days',
    // A month: a silent corruption is found while the versions and backups that could repair it still exist.
    default: 30,
    min: 1,
    max: 365,
    description: 'Days within which the hourly scrub re-reads every file and checks it against its SHA-256 (each run reads its share; docs/media.md "Scrub" has the cost). A mismatch marks the file and publishes file.corrupt on the ops topic.',
  },
} as const satisfies Record<string, Setting>;

/**
 * The scrub's schedule: the module's EventBridge rule and the function's pacing (each run reads
 * `files / (scrub_period_days × runsPerDay)`, plus catch-up) are made from this one declaration.
 */
export const SCRUB_SCHEDULE = { expression: 'rate(1 hour)', runsPerDay: 24 } as const;

export type SettingName = keyof typeof SETTINGS;


/**
 * A text setting: the environment variable the functions read, the module variable behind it,
 * its Terraform type, default and doc text (its validation, a Terraform expression, stays with
 * the variable in modules/stacks/variables.ts).
 */
export interface TextSetting {
  readonly env: string;
  readonly variable: string;
  readonly kind: 'string' | 'list(string)' | 'map(string)';
  readonly default: string | readonly string[] | Readonly<Record<string, string>>;
  readonly description: string;
}

/** Scopes asked for when `oidc_scopes` is not set. */
const DEFAULT_OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

/**
 * Sign-in with the organisation's identity provider (docs/security.md "Identity provider").
 * Empty `oidc_issuer_url`: off. The client secret is a Secrets Manager ARN, never a value.
 * (`local_login_enabled`, an on/off setting, is SETTINGS.localLoginEnabled.)
 */
export const OIDC_SETTINGS = {
  /** The provider's issuer (its discovery document is `<issuer>/.well-known/openid-configuration`). */
  issuerUrl: {
    env: 'OIDC_ISSUER_URL',
    variable: 'oidc_issuer_url',
    kind: 'string',
    default: '',
    description:
      'Issuer URL of the organisation\'s OpenID provider (Okta, Entra ID, Auth0, Keycloak, Cognito…), e.g. https://login.example.com/realms/staff. Users then sign in through it ("Sign in with …" in the web app, media-store login --sso) and machine clients may call the API with its access tokens (oidc_audience). Empty: no provider.',
  },
  /** The web app's client at the provider (authorization code with PKCE, device flow). */
  clientId: {
    env: 'OIDC_CLIENT_ID',
    variable: 'oidc_client_id',
    kind: 'string',
    default: '',
    description:
      'Client id of the web app at the provider (a confidential client allowed the authorization code and device flows), e.g. media-store. Needed for users to sign in through oidc_issuer_url.',
  },
  /** Secrets Manager ARN of the client's secret (the secret's value is the client secret). */
  clientSecretArn: {
    env: 'OIDC_CLIENT_SECRET_ARN',
    variable: 'oidc_client_secret_arn',
    kind: 'string',
    default: '',
    description:
      'ARN of the Secrets Manager secret whose value is the client\'s secret, e.g. arn:aws:secretsmanager:eu-west-1:123456789012:secret:media-store-oidc-AbCdEf. Only the auth function may read it; the value never enters Terraform.',
  },
  /** Scopes asked for at sign-in, space-separated in the environment. */
  scopes: {
    env: 'OIDC_SCOPES',
    variable: 'oidc_scopes',
    kind: 'list(string)',
    default: DEFAULT_OIDC_SCOPES,
    description:
      'Scopes asked for at sign-in, e.g. ["openid", "profile", "email", "groups"]; must include openid.',
  },
  /** The claim (of the ID token, and of machine access tokens) whose values map to roles. */
  roleClaim: {
    env: 'OIDC_ROLE_CLAIM',
    variable: 'oidc_role_claim',
    kind: 'string',
    default: 'groups',
    description:
      'The claim whose values (a string or a list, e.g. the user\'s groups) oidc_role_mapping maps to roles, in ID tokens and in machine clients\' access tokens.',
  },
  /** Claim value (or machine token scope) → admin, editor or viewer; JSON in the environment. */
  roleMapping: {
    env: 'OIDC_ROLE_MAPPING',
    variable: 'oidc_role_mapping',
    kind: 'map(string)',
    default: {},
    description:
      'Claim value → role (admin, editor or viewer), e.g. { "media-admins" = "admin", "staff" = "viewer" }. A machine client\'s access token may also carry the key as a scope. A user none of whose values is mapped is refused (no default role); several: the highest role.',
  },
  /** The claim holding a user's folder limits (a list of folders); empty: no limits from the provider. */
  foldersClaim: {
    env: 'OIDC_FOLDERS_CLAIM',
    variable: 'oidc_folders_claim',
    kind: 'string',
    default: '',
    description:
      'The claim holding the folders a user is limited to (a list such as ["/family"]), e.g. media_folders. Empty: users from the provider reach every folder their role does.',
  },
  /** The audience machine clients' access tokens must carry; empty: the authorizer takes no provider tokens. */
  audience: {
    env: 'OIDC_AUDIENCE',
    variable: 'oidc_audience',
    kind: 'string',
    default: '',
    description:
      'Audience (aud) of the provider\'s access tokens the API accepts from machine clients, e.g. a CI job\'s client-credentials token for api://media-store. Empty: the API takes only its own tokens.',
  },
} as const satisfies Record<string, TextSetting>;
