import * as path from 'node:path';
import { Construct } from 'constructs';
import { Aspects } from 'cdktf';
import { Governance } from './governance';
import { LegacyAddresses } from './addresses';
import { Alarms, OpsTopic } from './alarms';
import { Api } from './api';
import { Catalog } from './catalog';
import { DEFAULTS } from './defaults';
import { FailedEvents } from './failed-events';
import { CustomDomain } from './domain';
import { both, concatLists, ifPresent, isNonEmpty, presenceOf } from './expressions';
import type { MediaStoreFunction } from './function';
import { appShellOf, Functions, PROJECT_ROOT, type FunctionSettings } from './functions';
import { MoveJobs } from './move-jobs';
import { VideoWorkflow } from './video-workflow';
import { UserPool } from './user-pool';
import { Notifications } from './notifications';
import { CURSOR_KEY, ORIGIN_VERIFY, SigningSecret } from './secrets';
import { Site } from './site';
import { Storage, type StorageProps } from './storage';
import type { FunctionName } from '../../contract/functions';
import { WEB_BUILD_DIR } from '../../contract/site';

export interface MediaStoreProps extends Omit<StorageProps, 'namePrefix'>, FunctionSettings {
  /** Prefix of every resource name (lowercase letters, digits, hyphens). @default "media-store" */
  readonly namePrefix?: string;
  /** Refuse to delete the catalog table until this is switched off. @default true */
  readonly tableDeletionProtection?: boolean;
  /** Days a deleted JWT secret stays recoverable (0, or 7-30). @default 30 */
  readonly jwtSecretRecoveryWindowDays?: number;
  /** Seconds API Gateway caches an authorizer decision; 0 disables; at most 60. @default 60 */
  readonly authorizerResultTtlSeconds?: number;
  /** API stage burst limit, requests. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** API stage steady-state limit, requests per second. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst limit of each public share route, requests. @default 20 */
  readonly publicThrottlingBurstLimit?: number;
  /** Steady-state limit of each public share route, requests per second. @default 10 */
  readonly publicThrottlingRateLimit?: number;
  /** Custom domain of the API; used only together with `hostedZoneId`. @default "" */
  readonly domainName?: string;
  /** Route 53 zone of `domainName` (and of `siteDomainName`, for its alias records). @default "" */
  readonly hostedZoneId?: string;
  /** Email address subscribed to the ops topic the alarms notify; empty: nobody. @default "" */
  readonly alarmEmail?: string;
  /** Serve the web app from CloudFront, with the API under `/api` on the same origin. @default true */
  readonly site?: boolean;
  /** Folder of the built web app. @default `<project root>/dist/web` */
  readonly webRoot?: string;
  /** CloudFront price class of the site. @default "PriceClass_100" */
  readonly sitePriceClass?: string;
  /** Custom domain of the site; needs `siteCertificateArn`. @default "" */
  readonly siteDomainName?: string;
  /** ACM certificate for `siteDomainName`, in us-east-1 (CloudFront's only region for them). @default "" */
  readonly siteCertificateArn?: string;
  /** Tags on every taggable resource under the MediaStore (its own tags win on a clash). @default {} */
  readonly tags?: Record<string, string>;
  /** Permissions boundary (IAM policy ARN) of every role under the MediaStore; empty: none. @default "" */
  readonly permissionsBoundary?: string;
  /** IAM path of every role under the MediaStore. @default "/" */
  readonly iamRolePath?: string;
  /** ARN of an existing WAFv2 web ACL (scope CLOUDFRONT) for the site's distribution. @default "" */
  readonly wafWebAclArn?: string;
  /** Above 0: create a web ACL (in us-east-1) limiting each address on the password and public share routes, per 5 minutes. @default 0 */
  readonly wafRateLimitPer5Min?: number;
  /** Create an Amazon Cognito user pool (hosted sign-in, a group per role, a public client with PKCE) and sign in with it instead of `oidcIssuerUrl`. Needs the site. @default false */
  readonly cognitoUserPool?: boolean;
}

/**
 * Private serverless media storage: a locked-down bucket, a catalog table kept in sync by S3
 * events, a JWT-protected HTTP API over Lambda, an optional custom domain, and the web app on
 * CloudFront.
 */
export class MediaStore extends Construct {
  readonly storage: Storage;
  readonly catalog: Catalog;
  readonly secret: SigningSecret;
  /** The key of listing cursors, apart from the JWT key. */
  readonly cursorSecret: SigningSecret;
  /** The value the site's CloudFront sends to the API (the viewer's address is believed only with it). */
  readonly originSecret: SigningSecret;
  readonly notifications: Notifications;
  /** Dead-letter queue of S3 events the sync function failed to process. */
  readonly failedEvents: FailedEvents;
  readonly functions: Readonly<Record<FunctionName, MediaStoreFunction>>;
  /** The move function (large renames and moves run as jobs there). */
  readonly moveJobs: MoveJobs;
  /** Playable copies of videos: the state machine and its transcoding function. */
  readonly videoWorkflow: VideoWorkflow;
  readonly api: Api;
  /** Present when a domain name and hosted zone are configured (or may be, in a module). */
  readonly domain?: CustomDomain;
  /** `https://<domain_name>` when a custom domain is configured, else "". */
  readonly customDomainUrl: string;
  /** CloudWatch alarms and the ops topic they notify. */
  readonly alarms: Alarms;
  /** The web app on CloudFront; absent when `site` is false. */
  readonly site?: Site;
  /** The Cognito user pool signed in with; absent when `cognito_user_pool` is false. */
  readonly userPool?: UserPool;

  constructor(scope: Construct, id: string, props: MediaStoreProps = {}) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? DEFAULTS.namePrefix;
    // At synthesis, so whatever is added under this construct later is covered too.
    Aspects.of(this).add(new Governance({ tags: props.tags, permissionsBoundary: props.permissionsBoundary, iamRolePath: props.iamRolePath }));

    this.storage = new Storage(this, 'storage', { ...props, namePrefix });
    this.catalog = new Catalog(this, 'catalog', {
      tableName: `${namePrefix}-catalog`,
      deletionProtection: props.tableDeletionProtection,
      kmsKeyArn: props.kmsKeyArn,
    });
    this.secret = new SigningSecret(this, 'signing-secret', {
      namePrefix,
      recoveryWindowDays: props.jwtSecretRecoveryWindowDays,
      kmsKeyArn: props.kmsKeyArn,
    });
    this.cursorSecret = new SigningSecret(this, 'cursor-secret', {
      namePrefix,
      recoveryWindowDays: props.jwtSecretRecoveryWindowDays,
      kmsKeyArn: props.kmsKeyArn,
      purpose: CURSOR_KEY,
    });
    this.originSecret = new SigningSecret(this, 'origin-secret', {
      namePrefix,
      recoveryWindowDays: props.jwtSecretRecoveryWindowDays,
      kmsKeyArn: props.kmsKeyArn,
      purpose: ORIGIN_VERIFY,
    });
    this.notifications = new Notifications(this, 'notifications', { topicName: `${namePrefix}-upload-processed` });
    this.failedEvents = new FailedEvents(this, 'failed-events', { queueName: `${namePrefix}-sync-failures` });

    this.moveJobs = new MoveJobs(this, 'move-jobs', {
      namePrefix,
      storage: this.storage,
      catalog: this.catalog,
      bundleRoot: props.bundleRoot ?? PROJECT_ROOT,
      architecture: props.architecture,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
      logLevel: props.logLevel,
      trashRetentionDays: props.trashRetentionDays,
    });
    this.videoWorkflow = new VideoWorkflow(this, 'video-workflow', {
      namePrefix,
      storage: this.storage,
      catalog: this.catalog,
      bundleRoot: props.bundleRoot ?? PROJECT_ROOT,
      architecture: props.architecture,
      segmentSeconds: props.videoSegmentSeconds,
      maxParallelSegments: props.videoMaxParallelSegments,
      transcodeMemoryMb: props.videoTranscodeMemoryMb,
      transcodeEphemeralMb: props.videoTranscodeEphemeralMb,
      maxHeight: props.videoMaxHeight,
      logRetentionDays: props.logRetentionDays,
      tracing: props.tracing,
      logLevel: props.logLevel,
    });
    const ops = new OpsTopic(this, 'ops', { namePrefix });
    const userPoolPresence = presenceOf(props.cognitoUserPool ?? DEFAULTS.cognitoUserPool);
    if (userPoolPresence) {
      // Its client's callback is under the site, made below: read when Terraform JSON is written.
      this.userPool = new UserPool(this, 'user-pool', { namePrefix, presence: userPoolPresence, appUrls: () => (this.site ? [this.site.url] : []) });
    }
    const identityProvider = this.userPool?.wiring({
      oidcIssuerUrl: props.oidcIssuerUrl ?? DEFAULTS.oidcIssuerUrl,
      oidcClientId: props.oidcClientId ?? DEFAULTS.oidcClientId,
      oidcClientSecretArn: props.oidcClientSecretArn ?? DEFAULTS.oidcClientSecretArn,
      oidcRoleClaim: props.oidcRoleClaim ?? DEFAULTS.oidcRoleClaim,
      oidcRoleMapping: props.oidcRoleMapping ?? DEFAULTS.oidcRoleMapping,
      oidcScopes: props.oidcScopes ?? DEFAULTS.oidcScopes,
    });
    this.functions = new Functions(this, 'functions', {
      opsTopic: ops.topic,
      moveJobs: this.moveJobs,
      videoWorkflow: this.videoWorkflow,
      ...props,
      ...identityProvider,
      namePrefix,
      storage: this.storage,
      catalog: this.catalog,
      secret: this.secret,
      cursorSecret: this.cursorSecret,
      originSecret: this.originSecret,
      notifications: this.notifications,
      failedEvents: this.failedEvents,
      // Share pages are the app's index.html with Open Graph tags (handlers/shares/share-page.ts).
      appShellHtml: appShellOf(props.webRoot ?? path.join(PROJECT_ROOT, WEB_BUILD_DIR)),
    }).byName;

    this.api = new Api(this, 'api', {
      name: namePrefix,
      authorizer: this.functions.authorizer,
      handlers: { auth: this.functions.auth, uploads: this.functions.uploads, files: this.functions.files, shares: this.functions.shares },
      corsAllowedOrigins: props.corsAllowedOrigins,
      authorizerResultTtlSeconds: props.authorizerResultTtlSeconds,
      throttlingBurstLimit: props.throttlingBurstLimit,
      throttlingRateLimit: props.throttlingRateLimit,
      publicThrottlingBurstLimit: props.publicThrottlingBurstLimit,
      publicThrottlingRateLimit: props.publicThrottlingRateLimit,
      logRetentionDays: props.logRetentionDays,
    });

    const domainName = props.domainName ?? DEFAULTS.domainName;
    const hostedZoneId = props.hostedZoneId ?? DEFAULTS.hostedZoneId;
    const domainPresence = presenceOf(both(isNonEmpty(domainName), isNonEmpty(hostedZoneId)));
    if (domainPresence) {
      this.domain = new CustomDomain(this, 'domain', { domainName, hostedZoneId, api: this.api, presence: domainPresence });
    }
    this.customDomainUrl = ifPresent(domainPresence, `https://${domainName}`, '');

    const sitePresence = presenceOf(props.site ?? DEFAULTS.site);
    if (sitePresence) {
      this.site = new Site(this, 'site', {
        namePrefix,
        storage: this.storage,
        api: this.api,
        webRoot: props.webRoot,
        priceClass: props.sitePriceClass,
        domainName: props.siteDomainName,
        certificateArn: props.siteCertificateArn,
        hostedZoneId,
        presence: sitePresence,
        accessLogsBucket: props.accessLogsBucket,
        wafWebAclArn: props.wafWebAclArn,
        wafRateLimitPer5Min: props.wafRateLimitPer5Min,
      });
    }
    // Browsers on the site's own origin upload to and view from the media bucket.
    this.storage.allowBrowserOrigins(concatLists(this.storage.corsAllowedOrigins, this.site?.origins ?? []));

    this.alarms = new Alarms(this, 'alarms', {
      namePrefix,
      functions: this.functions,
      deadLetterQueueName: this.failedEvents.queue.name,
      apiId: this.api.api.id,
      stateMachines: [{ address: 'video', name: this.videoWorkflow.stateMachine.name, arn: this.videoWorkflow.stateMachine.arn }],
      alarmEmail: props.alarmEmail,
      topic: ops.topic,
    });

    new LegacyAddresses(this, 'legacy-addresses');
  }
}

export { DEFAULTS } from './defaults';
export type { MediaStoreFunction } from './function';
