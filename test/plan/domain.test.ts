import { resourcesOf, synthesizeBoth, synthesizeConstruct, theOnly, type StackJson } from './plan';

const DOMAIN_TYPES = [
  'aws_acm_certificate',
  'aws_acm_certificate_validation',
  'aws_apigatewayv2_domain_name',
  'aws_apigatewayv2_api_mapping',
];

describe('MediaStore custom domain', () => {
  let withDomain: StackJson;
  let moduleStack: StackJson;
  beforeAll(() => {
    withDomain = synthesizeConstruct({ domainName: 'media.example.com', hostedZoneId: 'Z0123456789ABC' });
    moduleStack = synthesizeBoth().module;
  });

  it('creates no domain resources when no domain is configured', () => {
    const plain = synthesizeConstruct();
    for (const type of [...DOMAIN_TYPES, 'aws_route53_record']) expect(resourcesOf(plain, type)).toHaveLength(0);
  });

  it('creates no domain resources when only one of domain name and zone is given', () => {
    const half = synthesizeConstruct({ domainName: 'media.example.com' });
    for (const type of DOMAIN_TYPES) expect(resourcesOf(half, type)).toHaveLength(0);
  });

  it('validates a DNS certificate for the domain through Route 53', () => {
    const certificate = theOnly(withDomain, 'aws_acm_certificate');
    expect(certificate.domain_name).toBe('media.example.com');
    expect(certificate.validation_method).toBe('DNS');
    const records = resourcesOf(withDomain, 'aws_route53_record').map(([, r]) => r);
    const validation = records.find((r) => r.ttl === 60)!;
    expect(validation.zone_id).toBe('Z0123456789ABC');
    expect(validation.name).toMatch(/domain_validation_options/);
    expect(theOnly(withDomain, 'aws_acm_certificate_validation').validation_record_fqdns).toEqual([
      expect.stringMatching(/^\$\{aws_route53_record\..+\.fqdn\}$/),
    ]);
  });

  it('serves the API on the domain with TLS 1.2 and an alias record', () => {
    const domain = theOnly(withDomain, 'aws_apigatewayv2_domain_name');
    expect(domain.domain_name_configuration.security_policy).toBe('TLS_1_2');
    expect(domain.domain_name_configuration.endpoint_type).toBe('REGIONAL');
    expect(domain.domain_name_configuration.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\..+\.certificate_arn\}$/);
    expect(theOnly(withDomain, 'aws_apigatewayv2_api_mapping').stage).toMatch(/^\$\{aws_apigatewayv2_stage\./);
    const alias = resourcesOf(withDomain, 'aws_route53_record').map(([, r]) => r).find((r) => r.type === 'A')!;
    expect(alias.name).toBe('media.example.com');
    expect(alias.alias.evaluate_target_health).toBe(false);
  });

  it('counts the domain resources on both variables in the module, indexing every reference', () => {
    for (const type of [...DOMAIN_TYPES, 'aws_route53_record']) {
      // The site's alias records (site_alias*) follow the site's own domain: test/plan/site.test.ts.
      for (const [, resource] of resourcesOf(moduleStack, type).filter(([name]) => !name.startsWith('site_'))) {
        expect(resource.count).toBe('${(("" != var.domain_name) && ("" != var.hosted_zone_id)) ? 1 : 0}');
      }
    }
    const counted = new Set(
      [...DOMAIN_TYPES, 'aws_route53_record'].flatMap((type) =>
        resourcesOf(moduleStack, type).filter(([name]) => !name.startsWith('site_')).map(([name]) => `${type}.${name}`),
      ),
    );
    const text = JSON.stringify(moduleStack);
    for (const address of counted) {
      const unindexed = new RegExp(`${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?!\\[)`);
      expect(text).not.toMatch(unindexed);
    }
  });
});
