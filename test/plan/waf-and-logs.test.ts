import { ROUTES } from '../../contract/routes';
import { API_PREFIX, SHARE_PAGE_PREFIX } from '../../contract/site';
import { resourcesOf, synthesizeBoth, synthesizeConstruct, theOnly, type StackJson } from './plan';

const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/platform/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Whether a byte match statement (as synthesized) matches a viewer path. */
function matches(statement: StackJson, path: string): boolean {
  if (statement.or_statement) return (statement.or_statement.statement as StackJson[]).some((s) => matches(s, path));
  const m = statement.byte_match_statement;
  expect(m.field_to_match).toEqual({ uri_path: {} });
  const value = m.search_string as string;
  switch (m.positional_constraint) {
    case 'EXACTLY': return path === value;
    case 'STARTS_WITH': return path.startsWith(value);
    case 'ENDS_WITH': return path.endsWith(value);
    default: throw new Error(`unexpected constraint ${m.positional_constraint}`);
  }
}

/** Each route's path as a browser asks the site for it (a sample token and ids): under /api, but share pages at the root. */
const viewerPath = (path: string) => `${path.startsWith(SHARE_PAGE_PREFIX) ? '' : API_PREFIX}${path.replace(/\{[^}]+\}/g, 'x1')}`;

describe('MediaStore WAF and access logs', () => {
  describe('waf_rate_limit_per_5min', () => {
    let plan: StackJson;
    let acl: StackJson;
    beforeAll(() => {
      plan = synthesizeConstruct({ wafRateLimitPer5Min: 300 });
      acl = theOnly(plan, 'aws_wafv2_web_acl');
    });

    it('creates a CloudFront-scope web ACL that allows by default, and puts it on the site\'s distribution', () => {
      expect(acl).toMatchObject({ scope: 'CLOUDFRONT', default_action: { allow: {} } });
      expect(theOnly(plan, 'aws_cloudfront_distribution').web_acl_id).toBe('${aws_wafv2_web_acl.site.arn}');
    });

    it('blocks an address over the limit on login and share unlock, and apart on every public share route and share page, and on nothing else', () => {
      const rules = acl.rule as StackJson[];
      expect(rules.map((r) => r.name)).toEqual(['password-guesses', 'public-shares']);
      for (const rule of rules) {
        expect(rule.action).toEqual({ block: {} });
        expect(rule.statement.rate_based_statement).toMatchObject({ limit: 300, aggregate_key_type: 'IP' });
      }
      const scope = (name: string) => rules.find((r) => r.name === name)!.statement.rate_based_statement.scope_down_statement as StackJson;
      const passwordRoutes = ROUTES.filter((r) => r.path === '/auth/login' || r.path.endsWith('/unlock'));
      expect(passwordRoutes.length).toBe(2);
      for (const route of ROUTES) {
        const path = viewerPath(route.path);
        expect([route.path, matches(scope('password-guesses'), path)]).toEqual([route.path, passwordRoutes.includes(route)]);
        expect([route.path, matches(scope('public-shares'), path)]).toEqual([route.path, route.path.startsWith('/public/') || route.path.startsWith(SHARE_PAGE_PREFIX)]);
      }
      // The share pages are among them (the site sends /s/* to the API at its root).
      expect(matches(scope('public-shares'), '/s/x1')).toBe(true);
      expect(matches(scope('public-shares'), '/index.html')).toBe(false);
    });

    it('records metrics and sampled requests for each rule', () => {
      for (const config of [acl.visibility_config, ...(acl.rule as StackJson[]).map((r) => r.visibility_config)]) {
        expect(config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
      }
    });

    it('refuses at plan a module provider outside us-east-1, naming waf_web_acl_arn as the way out', () => {
      const [precondition] = acl.lifecycle.precondition as StackJson[];
      expect(precondition.condition).toBe('${("us-east-1" == data.aws_region.site_waf.id)}');
      expect(precondition.error_message).toContain('waf_web_acl_arn');
    });

    it('refuses an existing ACL and a created one together', () => {
      expect(() => synthesizeConstruct({ wafRateLimitPer5Min: 300, wafWebAclArn: ACL_ARN })).toThrow(/not both/);
    });
  });

  it('associates an existing web ACL by its ARN, and creates none', () => {
    const plan = synthesizeConstruct({ wafWebAclArn: ACL_ARN });
    expect(theOnly(plan, 'aws_cloudfront_distribution').web_acl_id).toBe(ACL_ARN);
    expect(resourcesOf(plan, 'aws_wafv2_web_acl')).toEqual([]);
  });

  it('has no web ACL and no access logs by default', () => {
    const plan = synthesizeConstruct();
    const distribution = theOnly(plan, 'aws_cloudfront_distribution');
    expect(distribution.web_acl_id).toBeUndefined();
    expect(distribution.logging_config).toBeUndefined();
    expect(resourcesOf(plan, 'aws_wafv2_web_acl')).toEqual([]);
    expect(resourcesOf(plan, 'aws_s3_bucket_logging')).toEqual([]);
  });

  it('sends both buckets\' server access logs and the distribution\'s standard logs to access_logs_bucket, each under its own prefix', () => {
    const plan = synthesizeConstruct({ namePrefix: 'acme-media', accessLogsBucket: 'acme-access-logs' });
    const logging = Object.fromEntries(resourcesOf(plan, 'aws_s3_bucket_logging'));
    expect(logging.media).toMatchObject({ bucket: '${aws_s3_bucket.media.id}', target_bucket: 'acme-access-logs', target_prefix: 'acme-media/s3/media/' });
    expect(logging.site).toMatchObject({ bucket: '${aws_s3_bucket.site.id}', target_bucket: 'acme-access-logs', target_prefix: 'acme-media/s3/site/' });
    expect(theOnly(plan, 'aws_cloudfront_distribution').logging_config).toEqual({
      bucket: 'acme-access-logs.s3.amazonaws.com', prefix: 'acme-media/cloudfront/', include_cookies: false,
    });
  });

  describe('in the module stack', () => {
    let module: StackJson;
    beforeAll(() => {
      module = synthesizeBoth().module;
    });

    it('creates the web ACL only with the site and a rate, and prefers it over an ARN only when both could be set', () => {
      expect(module.resource.aws_wafv2_web_acl.site.count).toBe('${(var.site && (0 < var.waf_rate_limit_per_5min)) ? 1 : 0}');
      expect(module.resource.aws_cloudfront_distribution.site.web_acl_id).toBe(
        '${(0 < var.waf_rate_limit_per_5min) ? aws_wafv2_web_acl.site[0].arn : ("" == var.waf_web_acl_arn) ? null : var.waf_web_acl_arn}',
      );
      expect(module.resource.aws_wafv2_web_acl.site.lifecycle.precondition[1].condition).toBe('${("" == var.waf_web_acl_arn)}');
    });

    it('logs only when access_logs_bucket is set: counted bucket logging, a dynamic logging_config', () => {
      expect(module.resource.aws_s3_bucket_logging.media.count).toBe('${("" != var.access_logs_bucket) ? 1 : 0}');
      expect(module.resource.aws_cloudfront_distribution.site.dynamic.logging_config.for_each).toBe('${("" != var.access_logs_bucket) ? [1] : []}');
    });

    it('validates the ACL ARN as a CloudFront-scope one, the rate from WAF\'s minimum of 10, and the bucket as a name', () => {
      expect(module.variable.waf_web_acl_arn.validation[0].condition).toContain(':wafv2:us-east-1:[0-9]{12}:global/webacl/');
      expect(module.variable.waf_rate_limit_per_5min.validation[0].condition).toContain('>= 10');
      expect(module.variable.access_logs_bucket.validation[0].condition).toContain('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$');
    });
  });
});
