import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { contentSecurityPolicy, preconnectLinks, SECURITY_HEADERS } from '../../contract/site';
import { isUnresolved, type Presence } from './expressions';
import type { Storage } from './storage';

export interface SiteHeadersProps {
  /** Name of the policy (unique in the account). */
  readonly name: string;
  /** The media bucket: presigned URLs point at it, so the CSP admits its endpoint. */
  readonly storage: Storage;
  /** `{ count }` when Terraform decides whether the site exists. @default {} (it exists) */
  readonly presence?: Presence;
}

/**
 * The response headers policy of every response of the site, the API's included: a CSP with
 * no inline script that admits media only from the media bucket's endpoint, HSTS, nosniff,
 * frame denial, a referrer policy, a few cross-origin isolation headers, and a preconnect
 * `Link` to the media bucket (the app's HTML is a file in the site bucket: its origin is known
 * to Terraform, not to the build).
 */
export class SiteHeaders extends Construct {
  readonly policy: CloudfrontResponseHeadersPolicy;
  /** The CSP header value (a Terraform expression when the bucket name is). */
  readonly contentSecurityPolicy: string;
  /** `Link: <https://media endpoint>; rel=preconnect`: pages open the connection their thumbnails need while their scripts load. */
  readonly preconnect: string;

  constructor(scope: Construct, id: string, props: SiteHeadersProps) {
    super(scope, id);
    const headers = SECURITY_HEADERS;
    const mediaOrigin = `https://${mediaEndpointHost(props.storage)}`;
    this.contentSecurityPolicy = contentSecurityPolicy([mediaOrigin]);
    // The bucket's endpoint is never the site's origin (CloudFront's domain or the custom one).
    this.preconnect = preconnectLinks([mediaOrigin]) as string;
    this.policy = new CloudfrontResponseHeadersPolicy(this, 'policy', {
      count: props.presence?.count,
      name: props.name,
      comment: 'Security headers of the media-store site and its /api',
      securityHeadersConfig: {
        contentSecurityPolicy: { contentSecurityPolicy: this.contentSecurityPolicy, override: true },
        strictTransportSecurity: {
          accessControlMaxAgeSec: headers.strictTransportSecurity.maxAgeSeconds,
          includeSubdomains: headers.strictTransportSecurity.includeSubdomains,
          preload: headers.strictTransportSecurity.preload,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: headers.frameOptions, override: true },
        referrerPolicy: { referrerPolicy: headers.referrerPolicy, override: true },
        xssProtection: { protection: false, override: true },
      },
      customHeadersConfig: {
        items: [
          { header: 'Permissions-Policy', value: headers.permissionsPolicy, override: true },
          { header: 'Cross-Origin-Opener-Policy', value: headers.crossOriginOpenerPolicy, override: true },
          // On every response of the site (one policy for all behaviours): browsers act on it for pages only.
          { header: 'Link', value: this.preconnect, override: true },
        ],
      },
    });
    this.policy.overrideLogicalId('site');
  }
}

/**
 * The host presigned URLs of the media bucket name, as handlers/core/presign.ts builds them:
 * `<bucket>.s3.<region>.<suffix>` (the bucket's regional domain name), or the path-style
 * `s3.<region>.<suffix>` for a bucket name with dots, which virtual hosting cannot serve over TLS.
 */
function mediaEndpointHost(storage: Storage): string {
  const regional = storage.bucket.bucketRegionalDomainName;
  const name = storage.configuredBucketName;
  if (!isUnresolved(name) && !name.includes('.')) return regional;
  const bucket = storage.bucket.bucket;
  return Token.asString(Fn.conditional(Fn.strcontains(bucket, '.'), Fn.trimprefix(regional, `${bucket}.`), regional));
}
