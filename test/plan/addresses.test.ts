import { FORGOTTEN_LEGACY_RESOURCES, LEGACY_ADDRESSES, cdktfLogicalId } from '../../modules/media-store/addresses';
import { ROUTES } from '../../contract/routes';
import { FUNCTION_NAMES } from '../../contract/functions';
import { synthesizeBoth, type StackJson } from './plan';

/**
 * Every Terraform address of the module. An address is part of the module's interface: a
 * change makes Terraform destroy the resource and create a new one, so this list changes only
 * together with a `moved` block (modules/media-store/addresses.ts). Adding a resource: add
 * its address here (resources are `type.name`, data sources `data.type.name`).
 */
const ADDRESSES = [
  'data.aws_caller_identity.current',
  'data.aws_iam_policy_document.media_tls_only',
  ...FUNCTION_NAMES.flatMap((fn) => [
    `aws_cloudwatch_log_group.${fn}`,
    `aws_iam_role.${fn}`,
    `aws_iam_role_policy.${fn}`,
    `aws_lambda_function.${fn}`,
    `data.aws_iam_policy_document.${fn}`,
    `data.aws_iam_policy_document.${fn}_assume_role`,
    `aws_cloudwatch_metric_alarm.${fn}_errors`,
    `aws_cloudwatch_metric_alarm.${fn}_throttles`,
  ]),
  ...['uploads', 'files', 'shares', 'process', 'move', 'transcode', 'scrub'].flatMap((fn) => [`aws_iam_role_policy.${fn}_bucket_kms_key`, `data.aws_iam_policy_document.${fn}_bucket_kms_key`]),
  ...FUNCTION_NAMES.flatMap((fn) => [`aws_iam_role_policy.${fn}_data_kms_key`, `data.aws_iam_policy_document.${fn}_data_kms_key`]),
  'aws_s3_bucket_logging.media',
  'aws_s3_bucket_logging.site',
  'aws_wafv2_web_acl.site',
  'data.aws_region.site_waf',
  'aws_iam_role_policy.sync_invoke_process',
  // A trash job longer than a run invokes its next run.
  'aws_iam_role_policy.move_invoke_itself',
  'data.aws_iam_policy_document.move_invoke_itself',
  // Only with oidc_client_secret_arn: the auth function may read the identity provider's client secret.
  'aws_iam_role_policy.auth_oidc_client_secret',
  'data.aws_iam_policy_document.auth_oidc_client_secret',
  'data.aws_iam_policy_document.sync_invoke_process',
  'aws_lambda_function_event_invoke_config.process_invoke_config',
  'aws_lambda_function_event_invoke_config.move',
  'aws_s3_object.process_bundle',
  'aws_s3_object.transcode_bundle',
  'aws_sfn_state_machine.video',
  'aws_iam_role.video_workflow',
  'aws_iam_role_policy.video_workflow',
  'data.aws_iam_policy_document.video_workflow',
  'data.aws_iam_policy_document.video_workflow_assume_role',
  'aws_cloudwatch_log_group.video_workflow',
  'aws_cloudwatch_metric_alarm.video_executions_failed',
  // cognito_user_pool = true (modules/media-store/user-pool.ts).
  'data.aws_caller_identity.user_pool_account',
  'aws_cognito_user_pool.user_pool',
  'aws_cognito_user_pool_domain.user_pool_domain',
  'aws_cognito_user_pool_client.user_pool_client',
  'aws_cognito_user_group.user_pool_group_admin',
  'aws_cognito_user_group.user_pool_group_editor',
  'aws_cognito_user_group.user_pool_group_viewer',
  'aws_s3_bucket.media',
  'aws_s3_bucket_cors_configuration.media',
  'aws_s3_bucket_intelligent_tiering_configuration.media',
  'aws_s3_bucket_lifecycle_configuration.media',
  'aws_s3_bucket_notification.media',
  'aws_s3_bucket_ownership_controls.media',
  'aws_s3_bucket_policy.media',
  'aws_s3_bucket_public_access_block.media',
  'aws_s3_bucket_server_side_encryption_configuration.media',
  'aws_s3_bucket_versioning.media',
  'aws_lambda_permission.s3_sync',
  'aws_cloudwatch_event_rule.sweep',
  'aws_cloudwatch_event_target.sweep',
  'aws_lambda_permission.sweep_schedule',
  'aws_cloudwatch_event_rule.scrub',
  'aws_cloudwatch_event_target.scrub',
  'aws_lambda_permission.scrub_schedule',
  'aws_dynamodb_table.catalog',
  'aws_secretsmanager_secret.jwt_signing_key',
  'aws_secretsmanager_secret.cursor_key',
  'aws_secretsmanager_secret.origin_verify',
  'aws_sns_topic.upload_processed',
  'aws_sqs_queue.sync_failures',
  'aws_lambda_function_event_invoke_config.sync',
  'aws_apigatewayv2_api.api',
  'aws_apigatewayv2_authorizer.jwt',
  'aws_apigatewayv2_stage.default',
  'aws_cloudwatch_log_group.api_access',
  'aws_lambda_permission.authorizer',
  'aws_acm_certificate.api',
  'aws_acm_certificate_validation.api',
  'aws_apigatewayv2_domain_name.api',
  'aws_apigatewayv2_api_mapping.api',
  'aws_route53_record.api_validation',
  'aws_route53_record.api_alias',
  'aws_sns_topic.ops',
  'aws_sns_topic_subscription.ops_email',
  'aws_cloudwatch_metric_alarm.sync_dead_letters',
  'aws_cloudwatch_metric_alarm.api_5xx_rate',
  'aws_s3_bucket.site',
  'aws_s3_bucket_ownership_controls.site',
  'aws_s3_bucket_policy.site',
  'aws_s3_bucket_public_access_block.site',
  'aws_s3_bucket_server_side_encryption_configuration.site',
  'data.aws_iam_policy_document.site_bucket',
  'aws_cloudfront_cache_policy.site_assets',
  'aws_cloudfront_cache_policy.site_pages',
  'aws_cloudfront_distribution.site',
  'aws_cloudfront_function.site_api_prefix',
  'aws_cloudfront_function.site_routes',
  'aws_cloudfront_function.site_share_host',
  'aws_cloudfront_key_value_store.site_origin',
  'aws_cloudfront_origin_access_control.site',
  'aws_cloudfront_response_headers_policy.site',
  'aws_route53_record.site_alias',
  'aws_route53_record.site_alias_ipv6',
];

/**
 * One S3 object per file of the web build, `aws_s3_object.site_<key>` (content-hashed names
 * come and go with each build, as the files do): checked by shape, not listed.
 */
const WEB_FILE = /^aws_s3_object\.site_[A-Za-z0-9_-]+$/;

/** Routes are declared once (contract/routes.ts): each gets an integration, a route and a permission named after it. */
const routeAddresses = () =>
  ROUTES.flatMap((r) => {
    const name = `${r.method}${r.path}`.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/_+$/, '');
    return [`aws_apigatewayv2_integration.${name}`, `aws_apigatewayv2_route.${name}`, `aws_lambda_permission.${name}`];
  });

function addressesOf(stack: StackJson): string[] {
  const resources = Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`));
  const data = Object.entries(stack.data ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `data.${type}.${n}`));
  return [...resources, ...data].sort();
}

describe('Terraform addresses', () => {
  let deployable: StackJson;
  let moduleStack: StackJson;
  beforeAll(() => {
    ({ deployable, module: moduleStack } = synthesizeBoth());
  });

  it.each(['module', 'deployable'] as const)('gives every resource of the %s stack the listed short address', (which) => {
    const stack = which === 'module' ? moduleStack : deployable;
    const addresses = addressesOf(stack);
    expect(addresses.filter((a) => !WEB_FILE.test(a))).toEqual([...ADDRESSES, ...routeAddresses()].sort());
    expect(addresses.filter((a) => WEB_FILE.test(a)).length).toBeGreaterThan(0);
  });

  it('keeps addresses short snake_case names, never cdktf\'s hashed construct paths', () => {
    for (const address of addressesOf(moduleStack).filter((a) => !WEB_FILE.test(a))) expect(address).toMatch(/^(data\.)?[a-z0-9_]+\.[a-z][a-z0-9_]{0,63}$/);
  });

  describe('moved blocks from release 0.1', () => {
    const moved = () => moduleStack.moved as { from: string; to: string }[];

    it('moves every 0.1 address to a resource that exists, of the same type', () => {
      const declared = new Set(addressesOf(moduleStack));
      expect(moved().length).toBe(Object.keys(LEGACY_ADDRESSES).length);
      for (const { from, to } of moved()) {
        expect(declared.has(to)).toBe(true);
        expect(from.split('.')[0]).toBe(to.split('.')[0]);
      }
    });

    it('computes the 0.1 ids exactly as cdktf 0.21 did', () => {
      const from = Object.fromEntries(moved().map((m) => [m.to, m.from]));
      // Ids read from release 0.1's synthesized module.
      expect(from['aws_s3_bucket.media']).toBe('aws_s3_bucket.media-store_storage_bucket_079F2F4D');
      expect(from['aws_dynamodb_table.catalog']).toBe('aws_dynamodb_table.media-store_catalog_table_15AD9835');
      expect(from['aws_secretsmanager_secret.jwt_signing_key']).toBe('aws_secretsmanager_secret.media-store_signing-secret_80BCF197');
      expect(from['aws_apigatewayv2_domain_name.api']).toBe('aws_apigatewayv2_domain_name.media-store_domain_651B7477');
      expect(from['aws_lambda_function.files']).toBe('aws_lambda_function.media-store_functions_files_function_D00CA896');
      expect(from['aws_apigatewayv2_route.post_auth_login']).toBe('aws_apigatewayv2_route.media-store_api_post-auth-login-route_F29BED93');
      expect(cdktfLogicalId(['media-store', 'api', 'api'])).toBe('media-store_api_383C232C');
    });

    it('ships the same moved and removed blocks in the deployable stack', () => {
      expect(deployable.moved).toEqual(moduleStack.moved);
      expect(deployable.removed).toEqual(moduleStack.removed);
    });

    it('forgets, never destroys, the Terraform-generated JWT key and its secret version', () => {
      expect(moduleStack.removed).toEqual([
        { from: 'random_password.media-store_signing-secret_value_5B12A020', lifecycle: { destroy: false } },
        { from: 'aws_secretsmanager_secret_version.media-store_signing-secret_version_CD08C38F', lifecycle: { destroy: false } },
      ]);
      expect(Object.keys(FORGOTTEN_LEGACY_RESOURCES)).toHaveLength(2);
    });
  });
});
