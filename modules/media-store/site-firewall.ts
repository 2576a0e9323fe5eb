import { Construct } from 'constructs';
import { Op } from 'cdktf';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { API_PREFIX, SHARE_PAGE_PREFIX } from '../../contract/site';
import { attributeOf, isUnresolved, named, type Presence } from './expressions';

const EXCLUSIVE = 'Set waf_web_acl_arn or waf_rate_limit_per_5min, not both: a distribution has one web ACL.';

/** CloudFront's web ACLs live in us-east-1 only (scope CLOUDFRONT), whatever region the rest is in. */
const CLOUDFRONT_WAF_REGION = 'us-east-1';

/**
 * The paths the created web ACL limits per address, as the viewer asks for them (under the
 * site's `/api`): password guesses (login and a share's unlock), then every public share route
 * and the share pages (`/s/…`, sent to the API at the site's root, not under `/api`).
 */
const WAF_RATE_LIMITED_PATHS = {
  passwords: { login: `${API_PREFIX}/auth/login`, unlockSuffix: '/unlock' },
  publicShares: [`${API_PREFIX}/public/`, SHARE_PAGE_PREFIX],
} as const;

export interface SiteFirewallProps {
  /** Prefix of the web ACL's name and metrics. */
  readonly namePrefix: string;
  /** Requests one address may send to the limited paths in 5 minutes (each rule counts apart). */
  readonly ratePer5Min: number;
  /** Whether the ACL exists (`{ count }` when Terraform decides). */
  readonly presence: Presence;
  /** An existing web ACL the caller also named: the two are exclusive, Terraform says so at plan. */
  readonly existingWebAclArn: string;
}

const byteMatch = (constraint: 'EXACTLY' | 'STARTS_WITH' | 'ENDS_WITH', value: string) => ({
  byte_match_statement: {
    field_to_match: { uri_path: {} },
    positional_constraint: constraint,
    search_string: value,
    text_transformation: [{ priority: 0, type: 'NONE' }],
  },
});

/**
 * A WAFv2 web ACL (scope CLOUDFRONT) for the site's distribution: everything allowed, except
 * that one address sending more than `ratePer5Min` requests in 5 minutes to the password
 * routes, or to the public share routes, is blocked (403) on them until its rate drops. The
 * per-address limit API Gateway's stage throttle cannot give (docs/security.md section 10).
 *
 * It is created with the module's own AWS provider, so that provider must be in us-east-1:
 * a precondition says so at plan time. Elsewhere, create the ACL with a us-east-1 provider in
 * the root module and pass its ARN as `waf_web_acl_arn` (docs/module.md).
 */
export class SiteFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;

  /** ARN of the web ACL (for the distribution's `web_acl_id`). */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: SiteFirewallProps) {
    super(scope, id);
    if (!isUnresolved(props.existingWebAclArn) && props.existingWebAclArn !== '') throw new Error(`SiteFirewall: ${EXCLUSIVE}`);
    const counted = { count: props.presence.count };
    const region = named(new DataAwsRegion(this, 'region', counted), 'site_waf');
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const rateRule = (name: string, priority: number, scopeDown: object) => ({
      name,
      priority,
      action: { block: {} },
      statement: { rate_based_statement: { limit: props.ratePer5Min, aggregate_key_type: 'IP', scope_down_statement: scopeDown } },
      visibilityConfig: visibility(`${props.namePrefix}-${name}`),
    });
    const { passwords, publicShares } = WAF_RATE_LIMITED_PATHS;
    this.webAcl = named(new Wafv2WebAcl(this, 'web-acl', {
      ...counted,
      name: `${props.namePrefix}-site`,
      description: `Per-address rate limits on the password and public share routes of ${props.namePrefix}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rule: [
        rateRule('password-guesses', 0, { or_statement: { statement: [byteMatch('EXACTLY', passwords.login), byteMatch('ENDS_WITH', passwords.unlockSuffix)] } }),
        rateRule('public-shares', 1, { or_statement: { statement: publicShares.map((prefix) => byteMatch('STARTS_WITH', prefix)) } }),
      ],
      visibilityConfig: visibility(`${props.namePrefix}-site`),
      lifecycle: {
        precondition: [
          {
            condition: Op.eq(CLOUDFRONT_WAF_REGION, attributeOf(region, props.presence, 'id')),
            errorMessage: `waf_rate_limit_per_5min creates a CloudFront web ACL, which AWS keeps in ${CLOUDFRONT_WAF_REGION} only, with the module's AWS provider, which is in another region: create the ACL with a ${CLOUDFRONT_WAF_REGION} provider in your root module and pass its ARN as waf_web_acl_arn instead (docs/module.md, "WAF").`,
          },
          ...(isUnresolved(props.existingWebAclArn)
            ? [{ condition: Op.eq('', props.existingWebAclArn), errorMessage: EXCLUSIVE }]
            : []),
        ],
      },
    }), 'site');
    this.arn = attributeOf(this.webAcl, props.presence, 'arn');
  }
}
