import * as path from 'node:path';
import { Construct } from 'constructs';
import { Fn, Token, ref, type TerraformResource } from 'cdktf';
import { CloudfrontCachePolicy } from '@cdktf/provider-aws/lib/cloudfront-cache-policy';
import { CloudfrontDistribution, type CloudfrontDistributionLoggingConfig } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontFunction } from '@cdktf/provider-aws/lib/cloudfront-function';
import { CloudfrontKeyValueStore } from '@cdktf/provider-aws/lib/cloudfront-key-value-store';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { API_PREFIX, HASHED_ASSETS_DIR, SHARE_PAGE_PREFIX, WEB_BUILD_DIR } from '../../contract/site';
import type { Api } from './api';
import { CLOUDFRONT_MANAGED_POLICIES, DEFAULTS, IMMUTABLE_TTL_SECONDS } from './defaults';
import {
  attributeOf,
  both,
  concatLists,
  ifPresent,
  isNonEmpty,
  isPositive,
  isUnresolved,
  listWhen,
  named,
  not,
  pickString,
  presenceOf,
  unlessEmpty,
  valueWhen,
  type Presence,
} from './expressions';
import { PROJECT_ROOT } from './functions';
import { SiteBucket } from './site-bucket';
import { SiteFirewall } from './site-firewall';
import { accessLogPrefix } from './access-logs';
import { SiteHeaders } from './site-headers';
import { readWebBuild, type SiteFile } from './site-files';
import { shareViewerHostCode, spaRoutingCode, stripApiPrefixCode } from './site-routing';
import type { Storage } from './storage';

const SITE_ORIGIN = 'site-bucket';
const API_ORIGIN = 'api';
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
const READ_METHODS = ['GET', 'HEAD'];

export interface SiteProps {
  /** Prefix of the bucket and of the CloudFront policies' and functions' names. */
  readonly namePrefix: string;
  /** The media bucket: the CSP admits its endpoint (it never becomes an origin of the site). */
  readonly storage: Storage;
  /** The API, reached on the site's own origin under `/api`. */
  readonly api: Api;
  /** Folder of the built web app, uploaded file by file. @default `<project root>/dist/web` */
  readonly webRoot?: string;
  /** CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All. @default "PriceClass_100" */
  readonly priceClass?: string;
  /** Custom domain of the site, e.g. `photos.example.com`; needs `certificateArn`. @default "" */
  readonly domainName?: string;
  /**
   * ACM certificate for `domainName`. CloudFront only uses certificates from us-east-1,
   * whatever the region of the rest. @default ""
   */
  readonly certificateArn?: string;
  /** Route 53 zone of `domainName`: when given, A and AAAA alias records are created. @default "" */
  readonly hostedZoneId?: string;
  /** `{ count }` when Terraform decides whether the site exists. @default {} (it exists) */
  readonly presence?: Presence;
  /** Existing bucket for the distribution's standard logs and the site bucket's access logs; empty: none. @default "" */
  readonly accessLogsBucket?: string;
  /** ARN of an existing WAFv2 web ACL (scope CLOUDFRONT) for the distribution; empty: none. @default "" */
  readonly wafWebAclArn?: string;
  /** Above 0: create a web ACL limiting each address to this many requests per 5 minutes on the password and public share routes. @default 0 */
  readonly wafRateLimitPer5Min?: number;
}

/**
 * The web app on CloudFront: a private bucket read only by this distribution (Origin Access
 * Control), one object per built file with its type and caching, app routes answered with
 * `index.html`, the API under `/api` on the same origin (uncached), and strict security headers.
 */
export class Site extends Construct {
  readonly bucket: SiteBucket;
  readonly distribution: CloudfrontDistribution;
  readonly headers: SiteHeaders;
  /** The key value store the API-prefix function reads the origin secret from. */
  readonly originSecretStore: CloudfrontKeyValueStore;
  readonly files: readonly SiteFile[];
  /** The web ACL created for `wafRateLimitPer5Min` (absent when it is certainly 0). */
  readonly firewall?: SiteFirewall;
  /** `https://<custom domain>` or `https://<distribution domain>`. */
  readonly url: string;
  /** The browser origins the site answers on, for the media bucket's CORS. */
  readonly origins: string[];
  private readonly presence: Presence;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const presence = (this.presence = props.presence ?? {});
    const counted = { count: presence.count };
    const at = (element: TerraformResource, attribute: string) => attributeOf(element, presence, attribute);
    const domainName = props.domainName ?? DEFAULTS.siteDomainName;
    const certificateArn = props.certificateArn ?? DEFAULTS.siteCertificateArn;
    const hasDomain = isNonEmpty(domainName);
    if (hasDomain === true && !isNonEmpty(certificateArn)) {
      throw new Error(`Site: domainName ${domainName} needs certificateArn, an ACM certificate in us-east-1`);
    }

    const webRoot = props.webRoot ?? path.join(PROJECT_ROOT, WEB_BUILD_DIR);
    this.files = readWebBuild(webRoot);

    const accessLogsBucket = props.accessLogsBucket ?? DEFAULTS.accessLogsBucket;
    this.bucket = new SiteBucket(this, 'bucket', { namePrefix: props.namePrefix, files: this.files, webRoot, presence, accessLogsBucket });
    const exists = presence.condition ?? true;

    const wafWebAclArn = props.wafWebAclArn ?? DEFAULTS.wafWebAclArn;
    const ratePer5Min = props.wafRateLimitPer5Min ?? DEFAULTS.wafRateLimitPer5Min;
    const firewallPresence = presenceOf(both(exists, isPositive(ratePer5Min)));
    if (firewallPresence) {
      this.firewall = new SiteFirewall(this, 'firewall', { namePrefix: props.namePrefix, ratePer5Min, presence: firewallPresence, existingWebAclArn: wafWebAclArn });
    }
    const webAclId = this.firewall ? pickOptional(isPositive(ratePer5Min), this.firewall.arn, unlessEmpty(wafWebAclArn)) : unlessEmpty(wafWebAclArn);
    const logs = presenceOf(isNonEmpty(accessLogsBucket));

    const accessControl = named(new CloudfrontOriginAccessControl(this, 'origin-access-control', {
      ...counted,
      name: `${props.namePrefix}-site`,
      description: 'CloudFront signs every request to the site bucket',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    }), 'site');

    const cachePolicy = (logicalId: string, name: string, comment: string, defaultTtl: number) =>
      named(new CloudfrontCachePolicy(this, `${logicalId}-cache-policy`, {
        ...counted,
        name: `${props.namePrefix}-${name}`,
        comment,
        minTtl: 0,
        defaultTtl,
        maxTtl: IMMUTABLE_TTL_SECONDS,
        parametersInCacheKeyAndForwardedToOrigin: {
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
          cookiesConfig: { cookieBehavior: 'none' },
          headersConfig: { headerBehavior: 'none' },
          queryStringsConfig: { queryStringBehavior: 'none' },
        },
      }), logicalId);
    const assetsCache = cachePolicy('site_assets', 'site-assets', 'Content-hashed files: a year at the edge', IMMUTABLE_TTL_SECONDS);
    const pagesCache = cachePolicy('site_pages', 'site-pages', 'index.html and other unhashed files: revalidated (no-cache)', 0);

    const routing = named(new CloudfrontFunction(this, 'spa-routing', {
      ...counted,
      name: `${props.namePrefix}-site-routes`,
      runtime: 'cloudfront-js-2.0',
      comment: 'App routes are answered with /index.html',
      code: spaRoutingCode(this.files.filter((f) => !f.key.startsWith(`${HASHED_ASSETS_DIR}/`)).map((f) => f.key)),
      publish: true,
    }), 'site_routes');
    // The origin secret reaches the API function through this store, written inside AWS (never
    // by Terraform: its keys are not in the state). See docs/security.md section 5.
    this.originSecretStore = named(new CloudfrontKeyValueStore(this, 'origin-secret-store', {
      ...counted,
      name: `${props.namePrefix}-site-origin`,
      comment: 'The origin secret the site sends to the API (key origin-verify); written inside AWS, never by Terraform',
    }), 'site_origin');
    const storeArn = at(this.originSecretStore, 'arn');
    const stripApiPrefix = named(new CloudfrontFunction(this, 'strip-api-prefix', {
      ...counted,
      name: `${props.namePrefix}-site-api-prefix`,
      runtime: 'cloudfront-js-2.0',
      comment: `Removes ${API_PREFIX} so the API sees its own routes; adds the origin secret`,
      code: stripApiPrefixCode(Token.asString(Fn.element(Fn.split('/', storeArn), 1))),
      keyValueStoreAssociations: [storeArn],
      publish: true,
    }), 'site_api_prefix');

    const shareViewerHost = named(new CloudfrontFunction(this, 'share-viewer-host', {
      ...counted,
      name: `${props.namePrefix}-site-share-host`,
      runtime: 'cloudfront-js-2.0',
      comment: 'Share pages: passes the viewer\'s Host on to the API, for og:image URLs on the site',
      code: shareViewerHostCode(),
      publish: true,
    }), 'site_share_host');

    this.headers = new SiteHeaders(this, 'headers', {
      name: `${props.namePrefix}-site-headers`,
      storage: props.storage,
      presence,
    });
    const headersPolicyId = at(this.headers.policy, 'id');

    const readBehavior = {
      targetOriginId: SITE_ORIGIN,
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: READ_METHODS,
      cachedMethods: READ_METHODS,
      compress: true,
      responseHeadersPolicyId: headersPolicyId,
    };
    this.distribution = named(new CloudfrontDistribution(this, 'distribution', {
      ...counted,
      enabled: true,
      comment: `${props.namePrefix} web app`,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: props.priceClass ?? DEFAULTS.sitePriceClass,
      defaultRootObject: 'index.html',
      aliases: listWhen(hasDomain, domainName),
      origin: [
        {
          originId: SITE_ORIGIN,
          domainName: this.bucket.attribute('bucket_regional_domain_name'),
          originAccessControlId: at(accessControl, 'id'),
        },
        {
          originId: API_ORIGIN,
          domainName: Fn.trimprefix(props.api.api.apiEndpoint, 'https://'),
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: 'https-only',
            originSslProtocols: ['TLSv1.2'],
          },
        },
      ],
      defaultCacheBehavior: {
        ...readBehavior,
        cachePolicyId: at(pagesCache, 'id'),
        functionAssociation: [{ eventType: 'viewer-request', functionArn: at(routing, 'arn') }],
      },
      orderedCacheBehavior: [
        { ...readBehavior, pathPattern: `/${HASHED_ASSETS_DIR}/*`, cachePolicyId: at(assetsCache, 'id') },
        {
          pathPattern: `${API_PREFIX}/*`,
          targetOriginId: API_ORIGIN,
          // A redirect would drop a POST's body: plain HTTP is refused instead.
          viewerProtocolPolicy: 'https-only',
          allowedMethods: ALL_METHODS,
          cachedMethods: READ_METHODS,
          compress: false,
          cachePolicyId: CLOUDFRONT_MANAGED_POLICIES.cachingDisabled,
          originRequestPolicyId: CLOUDFRONT_MANAGED_POLICIES.allViewerExceptHostHeader,
          responseHeadersPolicyId: headersPolicyId,
          functionAssociation: [{ eventType: 'viewer-request', functionArn: at(stripApiPrefix, 'arn') }],
        },
        {
          // Share pages: the API's GET /s/{token} (the shares function) answers the app's HTML with
          // the share's Open Graph tags for link previews. Uncached (the page says no-store, and a
          // revoked share must lose its preview at once); the viewer's headers go along, as to /api.
          pathPattern: `${SHARE_PAGE_PREFIX}*`,
          targetOriginId: API_ORIGIN,
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: READ_METHODS,
          cachedMethods: READ_METHODS,
          compress: true,
          cachePolicyId: CLOUDFRONT_MANAGED_POLICIES.cachingDisabled,
          originRequestPolicyId: CLOUDFRONT_MANAGED_POLICIES.allViewerExceptHostHeader,
          responseHeadersPolicyId: headersPolicyId,
          // The page's og:image (/s/<token>/preview) is an absolute URL on the viewer's host.
          functionAssociation: [{ eventType: 'viewer-request', functionArn: at(shareViewerHost, 'arn') }],
        },
      ],
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      webAclId,
      loggingConfig: logs && logs.condition === undefined ? standardLogs(accessLogsBucket, accessLogPrefix(props.namePrefix, 'cloudfront')) : undefined,
      viewerCertificate: {
        cloudfrontDefaultCertificate: not(hasDomain),
        acmCertificateArn: valueWhen(hasDomain, certificateArn),
        sslSupportMethod: valueWhen(hasDomain, 'sni-only'),
        minimumProtocolVersion: pickString(hasDomain, 'TLSv1.2_2021', 'TLSv1'),
      },
      // Only Terraform knows whether a domain is set: it checks the certificate came with it.
      lifecycle: isUnresolved(hasDomain)
        ? {
            precondition: [
              {
                condition: Fn.conditional(hasDomain, isNonEmpty(certificateArn), true),
                errorMessage: 'site_domain_name needs site_certificate_arn: an ACM certificate in us-east-1 covering that name.',
              },
            ],
          }
        : undefined,
    }), 'site');

    if (logs?.condition !== undefined) {
      // Only Terraform knows whether a log bucket is set: a logging_config block present only then.
      const config = standardLogs(accessLogsBucket, accessLogPrefix(props.namePrefix, 'cloudfront'));
      this.distribution.addOverride('dynamic.logging_config', {
        for_each: Fn.conditional(logs.condition, [1], []),
        content: { bucket: config.bucket, prefix: config.prefix, include_cookies: config.includeCookies },
      });
    }
    this.bucket.allowReadsFrom(at(this.distribution, 'arn'));

    const distributionDomain = at(this.distribution, 'domain_name');
    const customDomainUrl = httpsUrl(domainName);
    const distributionUrl = httpsUrl(distributionDomain);
    this.url = pickString(hasDomain, customDomainUrl, distributionUrl);
    this.origins = concatLists(listWhen(exists, distributionUrl), listWhen(both(exists, hasDomain), customDomainUrl));

    const hostedZoneId = props.hostedZoneId ?? DEFAULTS.hostedZoneId;
    const aliasPresence = presenceOf(both(exists, both(hasDomain, isNonEmpty(hostedZoneId))));
    if (aliasPresence) {
      for (const [logicalId, type] of [['site_alias', 'A'], ['site_alias_ipv6', 'AAAA']] as const) {
        named(new Route53Record(this, `alias-${type.toLowerCase()}`, {
          count: aliasPresence.count,
          zoneId: hostedZoneId,
          name: domainName,
          type,
          alias: { name: distributionDomain, zoneId: at(this.distribution, 'hosted_zone_id'), evaluateTargetHealth: false },
        }), logicalId);
      }
    }
  }

  /** The distribution's id (a Terraform expression that is "" when the site is off). */
  get distributionId(): string {
    return this.whenPresent(attributeOf(this.distribution, this.presence, 'id'));
  }

  get distributionDomainName(): string {
    return this.whenPresent(attributeOf(this.distribution, this.presence, 'domain_name'));
  }

  get bucketName(): string {
    return this.whenPresent(this.bucket.attribute('bucket'));
  }

  get siteUrl(): string {
    return this.whenPresent(this.url);
  }

  private whenPresent(value: string): string {
    return ifPresent(this.presence, value, '');
  }
}

/** `condition ? whenTrue : whenFalse` for an optional attribute (`null` leaves it unset). */
function pickOptional(condition: boolean, whenTrue: string, whenFalse: string | undefined): string | undefined {
  if (!isUnresolved(condition)) return condition ? whenTrue : whenFalse;
  return Token.asString(Fn.conditional(condition, whenTrue, whenFalse ?? ref('null')));
}

/** The distribution's standard logs: to `<bucket>.s3.amazonaws.com` under `prefix`, without cookies. */
function standardLogs(bucket: string, prefix: string): CloudfrontDistributionLoggingConfig & { bucket: string } {
  return { bucket: isUnresolved(bucket) ? Token.asString(Fn.join('', [bucket, '.s3.amazonaws.com'])) : `${bucket}.s3.amazonaws.com`, prefix, includeCookies: false };
}

/** `https://<host>`; a join when the host is a Terraform expression, which cdktf cannot nest in a template inside a function. */
function httpsUrl(host: string): string {
  return isUnresolved(host) ? Token.asString(Fn.join('', ['https://', host])) : `https://${host}`;
}
