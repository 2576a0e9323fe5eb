import type { Construct } from 'constructs';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { both, isNonEmpty, named, presenceOf } from './expressions';

/**
 * Where each source writes its access logs in `access_logs_bucket`, under the name prefix:
 * `<prefix>/<source>/`. S3 server access logs need the target bucket's policy to let
 * `logging.s3.amazonaws.com` put objects there; CloudFront standard logs need ACLs enabled on it
 * (docs/module.md, "Access logs").
 */
const ACCESS_LOG_PREFIXES = {
  mediaBucket: 's3/media/',
  siteBucket: 's3/site/',
  cloudfront: 'cloudfront/',
} as const;

export function accessLogPrefix(namePrefix: string, source: keyof typeof ACCESS_LOG_PREFIXES): string {
  return `${namePrefix}/${ACCESS_LOG_PREFIXES[source]}`;
}

/**
 * S3 server access logs of a bucket, sent to `accessLogsBucket` when it is set (and, for a
 * counted bucket, when the bucket exists: `exists`).
 */
export function logBucketAccess(
  scope: Construct,
  props: { readonly logicalId: string; readonly bucket: string; readonly accessLogsBucket: string; readonly prefix: string; readonly exists?: boolean },
): void {
  const presence = presenceOf(both(props.exists ?? true, isNonEmpty(props.accessLogsBucket)));
  if (!presence) return;
  named(new S3BucketLoggingA(scope, 'access-logs', {
    count: presence.count,
    bucket: props.bucket,
    targetBucket: props.accessLogsBucket,
    targetPrefix: props.prefix,
  }), props.logicalId);
}
