import { Construct } from 'constructs';
import { LegacyAddresses } from './addresses';
import { Alarms } from './alarms';
import { Api } from './api';
import { Catalog } from './catalog';
import { DEFAULTS } from './defaults';
import { FailedEvents } from './failed-events';
import { CustomDomain } from './domain';
import { both, ifPresent, isNonEmpty, presenceOf } from './expressions';
import type { MediaStoreFunction } from './function';
import { Functions, type FunctionSettings } from './functions';
import { Notifications } from './notifications';
import { SigningSecret } from './secrets';
import { Storage, type StorageProps } from './storage';
import type { FunctionName } from '../../contract/functions';

export interface MediaStoreProps extends Omit<StorageProps, 'namePrefix'>, FunctionSettings {
  /** Prefix of every resource name (lowercase letters, digits, hyphens). @default "media-store" */
  readonly namePrefix?: string;
  /** Refuse to delete the catalog table until this is switched off. @default true */
  readonly tableDeletionProtection?: boolean;
  /** Days a deleted JWT secret stays recoverable (0, or 7-30). @default 30 */
  readonly jwtSecretRecoveryWindowDays?: number;
  /** Seconds API Gateway caches an authorizer decision; 0 disables. @default 300 */
  readonly authorizerResultTtlSeconds?: number;
  /** API stage burst limit, requests. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** API stage steady-state limit, requests per second. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Custom domain of the API; used only together with `hostedZoneId`. @default "" */
  readonly domainName?: string;
  /** Route 53 zone of `domainName`; used only together with it. @default "" */
  readonly hostedZoneId?: string;
  /** Email address subscribed to the ops topic the alarms notify; empty: nobody. @default "" */
  readonly alarmEmail?: string;
}

/**
 * Private serverless media storage: a locked-down bucket, a catalog table kept in sync by S3
 * events, a JWT-protected HTTP API over Lambda, and an optional custom domain.
 */
export class MediaStore extends Construct {
  readonly storage: Storage;
  readonly catalog: Catalog;
  readonly secret: SigningSecret;
  readonly notifications: Notifications;
  /** Dead-letter queue of S3 events the sync function failed to process. */
  readonly failedEvents: FailedEvents;
  readonly functions: Readonly<Record<FunctionName, MediaStoreFunction>>;
  readonly api: Api;
  /** Present when a domain name and hosted zone are configured (or may be, in a module). */
  readonly domain?: CustomDomain;
  /** `https://<domain_name>` when a custom domain is configured, else "". */
  readonly customDomainUrl: string;
  /** CloudWatch alarms and the ops topic they notify. */
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: MediaStoreProps = {}) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? DEFAULTS.namePrefix;

    this.storage = new Storage(this, 'storage', { ...props, namePrefix });
    this.catalog = new Catalog(this, 'catalog', {
      tableName: `${namePrefix}-catalog`,
      deletionProtection: props.tableDeletionProtection,
    });
    this.secret = new SigningSecret(this, 'signing-secret', {
      namePrefix,
      recoveryWindowDays: props.jwtSecretRecoveryWindowDays,
    });
    this.notifications = new Notifications(this, 'notifications', { topicName: `${namePrefix}-upload-processed` });
    this.failedEvents = new FailedEvents(this, 'failed-events', { queueName: `${namePrefix}-sync-failures` });

    this.functions = new Functions(this, 'functions', {
      ...props,
      namePrefix,
      storage: this.storage,
      catalog: this.catalog,
      secret: this.secret,
      notifications: this.notifications,
      failedEvents: this.failedEvents,
    }).byName;

    this.api = new Api(this, 'api', {
      name: namePrefix,
      authorizer: this.functions.authorizer,
      handlers: { auth: this.functions.auth, uploads: this.functions.uploads, files: this.functions.files },
      corsAllowedOrigins: props.corsAllowedOrigins,
      authorizerResultTtlSeconds: props.authorizerResultTtlSeconds,
      throttlingBurstLimit: props.throttlingBurstLimit,
      throttlingRateLimit: props.throttlingRateLimit,
      logRetentionDays: props.logRetentionDays,
    });

    const domainName = props.domainName ?? DEFAULTS.domainName;
    const hostedZoneId = props.hostedZoneId ?? DEFAULTS.hostedZoneId;
    const domainPresence = presenceOf(both(isNonEmpty(domainName), isNonEmpty(hostedZoneId)));
    if (domainPresence) {
      this.domain = new CustomDomain(this, 'domain', { domainName, hostedZoneId, api: this.api, presence: domainPresence });
    }
    this.customDomainUrl = ifPresent(domainPresence, `https://${domainName}`, '');

    this.alarms = new Alarms(this, 'alarms', {
      namePrefix,
      functions: this.functions,
      deadLetterQueueName: this.failedEvents.queue.name,
      apiId: this.api.api.id,
      alarmEmail: props.alarmEmail,
    });

    new LegacyAddresses(this, 'legacy-addresses');
  }
}

export { DEFAULTS } from './defaults';
export type { MediaStoreFunction } from './function';
