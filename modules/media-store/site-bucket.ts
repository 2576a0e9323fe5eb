import { Construct } from 'constructs';
import { AssetType, TerraformAsset, Token, ref } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { BLOCK_ALL_PUBLIC_ACCESS, tlsOnlyStatements } from './defaults';
import { attributeOf, named, type Presence } from './expressions';
import type { SiteFile } from './site-files';
import { accessLogPrefix, logBucketAccess } from './access-logs';

export interface SiteBucketProps {
  /** Prefix of the generated bucket name (`<prefix>-site-…`). */
  readonly namePrefix: string;
  /** The built files to upload, as readWebBuild lists them. */
  readonly files: readonly SiteFile[];
  /** Folder holding `files`. */
  readonly webRoot: string;
  /** `{ count }` when Terraform decides whether the site exists. @default {} (it exists) */
  readonly presence?: Presence;
  /** Existing bucket receiving its S3 server access logs (under `<prefix>/s3/site/`); empty: none. @default "" */
  readonly accessLogsBucket?: string;
}

/**
 * The private bucket of the web app: all public access blocked, ACLs off, SSE-S3, TLS 1.2+
 * only, and one object per built file. Nobody may read it until `allowReadsFrom` names the
 * one CloudFront distribution that may.
 */
export class SiteBucket extends Construct {
  readonly bucket: S3Bucket;
  private readonly presence: Presence;
  private readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, props: SiteBucketProps) {
    super(scope, id);
    this.presence = props.presence ?? {};
    const counted = { count: this.presence.count };
    this.bucket = named(new S3Bucket(this, 'bucket', {
      ...counted,
      bucketPrefix: `${props.namePrefix}-site-`,
      // Holds only the build, which Terraform uploads again from the module's assets.
      forceDestroy: true,
    }), 'site');
    const bucketId = this.attribute('id');
    this.publicAccessBlock = named(new S3BucketPublicAccessBlock(this, 'public-access-block', {
      ...counted,
      bucket: bucketId,
      ...BLOCK_ALL_PUBLIC_ACCESS,
    }), 'site');
    named(new S3BucketOwnershipControls(this, 'ownership', {
      ...counted,
      bucket: bucketId,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    }), 'site');
    named(new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      ...counted,
      bucket: bucketId,
      // SSE-S3: the ETag stays the MD5 Terraform compares, and CloudFront reads without a KMS grant.
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    }), 'site');
    logBucketAccess(this, {
      logicalId: 'site',
      bucket: bucketId,
      accessLogsBucket: props.accessLogsBucket ?? '',
      prefix: accessLogPrefix(props.namePrefix, 'siteBucket'),
      exists: this.presence.condition,
    });
    this.upload(props.files, props.webRoot);
  }

  /** An attribute of the bucket (`aws_s3_bucket.site[0].…` when the site is counted). */
  attribute(name: string): string {
    return attributeOf(this.bucket, this.presence, name);
  }

  /** The bucket policy: TLS 1.2+ for everyone, and `s3:GetObject` for this distribution only (`AWS:SourceArn`). */
  allowReadsFrom(distributionArn: string): void {
    const counted = { count: this.presence.count };
    const bucketArn = this.attribute('arn');
    const document = named(new DataAwsIamPolicyDocument(this, 'policy-document', {
      ...counted,
      statement: [
        ...tlsOnlyStatements(bucketArn),
        {
          sid: 'AllowThisDistributionToRead',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] }],
          actions: ['s3:GetObject'],
          resources: [`${bucketArn}/*`],
          condition: [{ test: 'StringEquals', variable: 'AWS:SourceArn', values: [distributionArn] }],
        },
      ],
    }), 'site_bucket');
    named(new S3BucketPolicy(this, 'policy', {
      ...counted,
      bucket: this.attribute('id'),
      policy: attributeOf(document, this.presence, 'json'),
      // S3 rejects a policy put while the public access block is being changed.
      dependsOn: [this.publicAccessBlock],
    }), 'site');
  }

  /**
   * One object per built file, read by Terraform from the module's own copy of the build
   * (`${path.module}/assets/…/web/`), so the module stays self-contained. The ETag is the
   * file's MD5: a changed file is uploaded again, an unchanged one is left alone. The copy's
   * folder name is fixed (not a hash of the build) so unchanged files keep their source path.
   */
  private upload(files: readonly SiteFile[], webRoot: string): void {
    const copy = new TerraformAsset(this, 'web', { path: webRoot, type: AssetType.DIRECTORY, assetHash: 'web' });
    const folder = `${Token.asString(ref('path.module'))}/${copy.path.replace(/\/$/, '')}`;
    const used = new Map<string, string>();
    for (const file of files) {
      const logicalId = `site_${file.key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const clash = used.get(logicalId);
      if (clash) throw new Error(`SiteBucket: ${clash} and ${file.key} would share the Terraform address aws_s3_object.${logicalId}`);
      used.set(logicalId, file.key);
      named(new S3Object(this, `file-${logicalId}`, {
        count: this.presence.count,
        bucket: this.attribute('id'),
        key: file.key,
        source: `${folder}/${file.key}`,
        contentType: file.contentType,
        cacheControl: file.cacheControl,
        etag: file.md5,
      }), logicalId);
    }
  }
}
