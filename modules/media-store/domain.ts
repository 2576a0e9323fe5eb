import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { attributeOf, type Presence } from './expressions';
import type { Api } from './api';

export interface CustomDomainProps {
  /** Fully qualified name the API answers on, e.g. `media.example.com`. */
  readonly domainName: string;
  /** Route 53 hosted zone that holds `domainName`. */
  readonly hostedZoneId: string;
  readonly api: Api;
  /** `{ count }` when Terraform decides whether the domain exists. @default {} (it exists) */
  readonly presence?: Presence;
}

/**
 * A custom domain for the API: ACM certificate validated through Route 53, the API Gateway
 * domain name (TLS 1.2) mapped to the `$default` stage, and an alias record.
 */
export class CustomDomain extends Construct {
  readonly certificate: AcmCertificate;
  readonly domain: Apigatewayv2DomainName;
  /** `https://<domain>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    const presence = props.presence ?? {};
    const counted = { count: presence.count };

    this.certificate = new AcmCertificate(this, 'certificate', {
      ...counted,
      domainName: props.domainName,
      validationMethod: 'DNS',
      lifecycle: { createBeforeDestroy: true },
    });
    this.certificate.overrideLogicalId('api');
    // One name, so exactly one validation record.
    const validationOption = (field: string) =>
      Token.asString(Fn.lookup(Fn.element(Fn.tolist(Token.asList(attributeOf(this.certificate, presence, 'domain_validation_options'))), 0), field));
    const validationRecord = new Route53Record(this, 'validation-record', {
      ...counted,
      zoneId: props.hostedZoneId,
      name: validationOption('resource_record_name'),
      type: validationOption('resource_record_type'),
      records: [validationOption('resource_record_value')],
      ttl: 60,
      allowOverwrite: true,
    });
    validationRecord.overrideLogicalId('api_validation');
    const validation = new AcmCertificateValidation(this, 'validation', {
      ...counted,
      certificateArn: attributeOf(this.certificate, presence, 'arn'),
      validationRecordFqdns: [attributeOf(validationRecord, presence, 'fqdn')],
    });
    validation.overrideLogicalId('api');

    this.domain = new Apigatewayv2DomainName(this, 'domain', {
      ...counted,
      domainName: props.domainName,
      domainNameConfiguration: {
        certificateArn: attributeOf(validation, presence, 'certificate_arn'),
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
      },
    });
    this.domain.overrideLogicalId('api');
    new Apigatewayv2ApiMapping(this, 'mapping', {
      ...counted,
      apiId: props.api.api.id,
      domainName: attributeOf(this.domain, presence, 'id'),
      stage: props.api.stage.id,
    }).overrideLogicalId('api');
    new Route53Record(this, 'alias', {
      ...counted,
      zoneId: props.hostedZoneId,
      name: props.domainName,
      type: 'A',
      alias: {
        name: attributeOf(this.domain, presence, 'domain_name_configuration[0].target_domain_name'),
        zoneId: attributeOf(this.domain, presence, 'domain_name_configuration[0].hosted_zone_id'),
        evaluateTargetHealth: false,
      },
    }).overrideLogicalId('api_alias');
    this.url = `https://${props.domainName}`;
  }
}
