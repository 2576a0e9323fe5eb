import { Construct } from 'constructs';
import { Fn, Op, TerraformIterator, Token } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketCorsConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-cors-configuration';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import {
  S3BucketIntelligentTieringConfiguration,
  type S3BucketIntelligentTieringConfigurationTiering,
} from '@cdktf/provider-aws/lib/s3-bucket-intelligent-tiering-configuration';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SCRATCH_PREFIX, TRASH_PREFIX } from '../../contract/bucket';
import { ARTIFACTS_PREFIX, BLOCK_ALL_PUBLIC_ACCESS, BUCKET_CORS, DEFAULTS, DERIVED_NONCURRENT_DAYS, DERIVED_PREFIX, MEDIA_PREFIX, tlsOnlyStatements } from './defaults';
import { hasItems, ifEmpty, isNonEmpty, isPositive, isUnresolved, pickString, presenceOf, unlessEmpty, type Presence } from './expressions';
import type { MediaStoreFunction } from './function';
import { accessLogPrefix, logBucketAccess } from './access-logs';

export interface StorageProps {
  /** Prefix of the generated bucket name (when `bucketName` is empty). */
  readonly namePrefix: string;
  /** Exact bucket name; empty lets S3 generate a unique one from `namePrefix`. @default "" */
  readonly bucketName?: string;
  /** Let `terraform destroy` delete a bucket that still holds objects. @default false */
  readonly forceDestroy?: boolean;
  /** Keep previous versions of overwritten and deleted objects. @default true */
  readonly versioning?: boolean;
  /** KMS key for SSE-KMS; empty keeps SSE-S3 (AES256). @default "" */
  readonly kmsKeyArn?: string;
  /** Origins allowed to upload and view from a browser; empty means no CORS rule. @default [] */
  readonly corsAllowedOrigins?: string[];
  /** Abort multipart uploads left incomplete after this many days. @default 7 */
  readonly abortIncompleteMultipartDays?: number;
  /** Move media to INTELLIGENT_TIERING after this many days. @default 0 */
  readonly intelligentTieringTransitionDays?: number;
  /** Delete noncurrent object versions after this many days; with versioning, at most `trashRetentionDays`. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Delete what waits in the trash (`trash/`) after this many days. @default 30 */
  readonly trashRetentionDays?: number;
  /** Intelligent-Tiering ARCHIVE_ACCESS after this many days without access; 0 disables. @default 0 */
  readonly archiveAccessDays?: number;
  /** Intelligent-Tiering DEEP_ARCHIVE_ACCESS after this many days without access; 0 disables. @default 0 */
  readonly deepArchiveAccessDays?: number;
  /** Existing bucket receiving the S3 server access logs (under `<prefix>/s3/media/`); empty: none. @default "" */
  readonly accessLogsBucket?: string;
}

/** The private media bucket with its encryption, policy, CORS, lifecycle and tiering. */
export class Storage extends Construct {
  readonly bucket: S3Bucket;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly policy: S3BucketPolicy;
  /** ARN pattern of every media object (`<bucket ARN>/media/*`). */
  readonly mediaObjectsArn: string;
  /** ARN pattern of every derived image (`<bucket ARN>/derived/*`). */
  readonly derivedObjectsArn: string;
  /** ARN pattern of every deleted file waiting in the trash (`<bucket ARN>/trash/*`). */
  readonly trashObjectsArn: string;
  /** The bucket name as configured: "" when S3 generates it from the prefix. */
  readonly configuredBucketName: string;
  /** The origins given in the props (`cors_allowed_origins`). */
  readonly corsAllowedOrigins: string[];
  private corsDeclared = false;
  private readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const bucketName = props.bucketName ?? DEFAULTS.bucketName;
    this.configuredBucketName = bucketName;
    this.kmsKeyArn = props.kmsKeyArn ?? DEFAULTS.kmsKeyArn;

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: unlessEmpty(bucketName),
      bucketPrefix: ifEmpty(bucketName, `${props.namePrefix}-`),
      forceDestroy: props.forceDestroy ?? DEFAULTS.forceDestroy,
    });
    this.bucket.overrideLogicalId('media');
    this.mediaObjectsArn = `${this.bucket.arn}/${MEDIA_PREFIX}*`;
    this.derivedObjectsArn = `${this.bucket.arn}/${DERIVED_PREFIX}*`;
    this.trashObjectsArn = `${this.bucket.arn}/${TRASH_PREFIX}*`;

    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      ...BLOCK_ALL_PUBLIC_ACCESS,
    });
    this.publicAccessBlock.overrideLogicalId('media');

    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    }).overrideLogicalId('media');

    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: pickString(isNonEmpty(this.kmsKeyArn), 'aws:kms', 'AES256'),
            kmsMasterKeyId: unlessEmpty(this.kmsKeyArn),
          },
          bucketKeyEnabled: true,
        },
      ],
    }).overrideLogicalId('media');

    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: pickString(props.versioning ?? DEFAULTS.versioning, 'Enabled', 'Suspended') },
    });
    versioning.overrideLogicalId('media');

    const policyDocument = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: tlsOnlyStatements(this.bucket.arn),
    });
    policyDocument.overrideLogicalId('media_tls_only');
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyDocument.json,
      // S3 rejects a policy put while the public access block is being changed.
      dependsOn: [this.publicAccessBlock],
    });
    this.policy.overrideLogicalId('media');

    this.corsAllowedOrigins = props.corsAllowedOrigins ?? DEFAULTS.corsAllowedOrigins;

    const noncurrentDays = props.noncurrentVersionExpirationDays ?? DEFAULTS.noncurrentVersionExpirationDays;
    const trashRetentionDays = props.trashRetentionDays ?? DEFAULTS.trashRetentionDays;
    const versioningOn = props.versioning ?? DEFAULTS.versioning;
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'abort-incomplete-multipart-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [
            { daysAfterInitiation: props.abortIncompleteMultipartDays ?? DEFAULTS.abortIncompleteMultipartDays },
          ],
        },
        {
          id: 'media-to-intelligent-tiering',
          status: 'Enabled',
          filter: [{ prefix: MEDIA_PREFIX }],
          transition: [
            {
              days: props.intelligentTieringTransitionDays ?? DEFAULTS.intelligentTieringTransitionDays,
              storageClass: 'INTELLIGENT_TIERING',
            },
          ],
        },
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        {
          // Thumbnails and posters are made again on demand: old versions need not wait with the media's.
          id: 'expire-noncurrent-derived-images',
          status: 'Enabled',
          filter: [{ prefix: DERIVED_PREFIX }],
          noncurrentVersionExpiration: [{ noncurrentDays: DERIVED_NONCURRENT_DAYS }],
        },
        {
          // Segments of video copies: the workflow deletes them; what a stopped execution left goes after a day.
          id: 'expire-video-scratch',
          status: 'Enabled',
          filter: [{ prefix: SCRATCH_PREFIX }],
          expiration: [{ days: 1 }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
        {
          // Deleted files wait here for their retention (handlers/files/trash.ts); a copy deleted
          // forever or expired leaves a noncurrent version (versioning on) that goes a day later.
          id: 'empty-trash',
          status: 'Enabled',
          filter: [{ prefix: TRASH_PREFIX }],
          expiration: [{ days: trashRetentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
      dependsOn: [versioning],
      lifecycle: {
        precondition: [
          {
            // A deleted file's original version (versioning on) must not outlive its trash.
            condition: Op.or(Op.not(versioningOn), Op.lte(noncurrentDays, trashRetentionDays)),
            errorMessage: 'noncurrent_version_expiration_days must not exceed trash_retention_days while versioning is on: a deleted file\'s bytes would outlive its trash (docs/module.md, "Trash and retention").',
          },
        ],
      },
    }).overrideLogicalId('media');

    logBucketAccess(this, {
      logicalId: 'media',
      bucket: this.bucket.id,
      accessLogsBucket: props.accessLogsBucket ?? DEFAULTS.accessLogsBucket,
      prefix: accessLogPrefix(props.namePrefix, 'mediaBucket'),
    });

    this.addArchiveTiers(
      props.archiveAccessDays ?? DEFAULTS.archiveAccessDays,
      props.deepArchiveAccessDays ?? DEFAULTS.deepArchiveAccessDays,
    );
  }

  /**
   * The CORS rule letting browsers on `origins` upload to and view from the bucket (the props'
   * origins plus, from index.ts, the site's own); none at all when the list is empty.
   */
  allowBrowserOrigins(origins: string[]): void {
    if (this.corsDeclared) throw new Error('Storage.allowBrowserOrigins may be called once: pass every origin together');
    this.corsDeclared = true;
    const cors = presenceOf(hasItems(origins));
    if (!cors) return;
    new S3BucketCorsConfiguration(this, 'cors', {
      count: cors.count,
      bucket: this.bucket.id,
      corsRule: [
        {
          id: 'browser-uploads',
          allowedMethods: [...BUCKET_CORS.allowedMethods],
          allowedOrigins: origins,
          allowedHeaders: [...BUCKET_CORS.allowedHeaders],
          exposeHeaders: [...BUCKET_CORS.exposeHeaders],
          maxAgeSeconds: BUCKET_CORS.maxAgeSeconds,
        },
      ],
    }).overrideLogicalId('media');
  }

  /** Whether objects are encrypted with a customer KMS key (then readers need kms:Decrypt). */
  get kmsKey(): { readonly arn: string; readonly enabled: boolean } {
    return { arn: this.kmsKeyArn, enabled: isNonEmpty(this.kmsKeyArn) };
  }

  /**
   * Puts a function bundle into the bucket (under `artifacts/`) for
   * bundles over Lambda's 50 MB direct-upload limit.
   */
  addArtifact(id: string, logicalId: string, source: string, name: string): S3Object {
    const object = new S3Object(this, id, {
      bucket: this.bucket.id,
      key: `${ARTIFACTS_PREFIX}${name}.zip`,
      source,
      // A new bundle is a new upload; the function's own source_code_hash then redeploys it.
      sourceHash: Fn.filemd5(source),
      contentType: 'application/zip',
    });
    object.overrideLogicalId(logicalId);
    return object;
  }

  /**
   * Invoke `target` for every object created or removed under `media/`. The notification
   * waits for the permission: S3 validates the destination when it is saved.
   */
  notifyOnMediaChange(target: MediaStoreFunction): S3BucketNotification {
    const account = new DataAwsCallerIdentity(this, 'account');
    account.overrideLogicalId('current');
    const permission = new LambdaPermission(this, 'allow-s3-invoke', {
      statementId: 'AllowMediaBucketNotifications',
      action: 'lambda:InvokeFunction',
      functionName: target.function.functionName,
      principal: 's3.amazonaws.com',
      sourceArn: this.bucket.arn,
      sourceAccount: account.accountId,
    });
    permission.overrideLogicalId('s3_sync');
    const notification = new S3BucketNotification(this, 'notification', {
      bucket: this.bucket.id,
      lambdaFunction: [
        {
          id: 'catalog-sync',
          lambdaFunctionArn: target.function.arn,
          events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          filterPrefix: MEDIA_PREFIX,
        },
      ],
      dependsOn: [permission],
    });
    notification.overrideLogicalId('media');
    return notification;
  }

  private addArchiveTiers(archiveDays: number, deepArchiveDays: number): void {
    const tiers: Array<{ accessTier: string; days: number }> = [
      { accessTier: 'ARCHIVE_ACCESS', days: archiveDays },
      { accessTier: 'DEEP_ARCHIVE_ACCESS', days: deepArchiveDays },
    ];
    let tiering: S3BucketIntelligentTieringConfigurationTiering[] | ReturnType<TerraformIterator['dynamic']>;
    let presence: Presence | undefined;
    if (!isUnresolved(archiveDays) && !isUnresolved(deepArchiveDays)) {
      tiering = tiers.filter((t) => t.days > 0);
      presence = tiering.length > 0 ? {} : undefined;
    } else {
      // Only Terraform knows which tiers are on: a dynamic block over the enabled ones.
      const enabled = Fn.concat(
        tiers.map((t) =>
          Fn.conditional(isPositive(t.days), [{ access_tier: t.accessTier, days: t.days }], []),
        ),
      );
      const iterator = TerraformIterator.fromList(enabled);
      tiering = iterator.dynamic({ access_tier: iterator.getString('access_tier'), days: iterator.getNumber('days') });
      presence = presenceOf(Token.asAny(Op.lt(0, Fn.lengthOf(enabled))) as unknown as boolean);
    }
    if (!presence) return;
    new S3BucketIntelligentTieringConfiguration(this, 'archive-tiers', {
      count: presence.count,
      bucket: this.bucket.id,
      name: 'media-archive',
      status: 'Enabled',
      filter: { prefix: MEDIA_PREFIX },
      tiering,
    }).overrideLogicalId('media');
  }
}
