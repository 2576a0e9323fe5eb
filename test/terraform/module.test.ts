/**
 * The synthesized module and deployable stack under the real Terraform CLI: `init`, `validate`
 * and `plan -refresh=false` with fake credentials (STS answered on loopback, nothing reaches
 * AWS), asserting on `terraform show -json` of each plan.
 *
 * Roots, planned at most two at a time:
 * - variants: the module called three times — defaults, CUSTOM (domain, KMS, archive tiers,
 *   versioning off, CORS) and EXTREMES (every option at the other end of its range);
 * - example: examples/hcl-consumer exactly as shipped;
 * - deployable: the `cdktf deploy` stack (its backend pointed at a temp state file);
 * - upgrade: the module over the state of a release-0.1 deployment (fixtures/), whose
 *   addresses were cdktf's hashed construct paths: the moved blocks must make it plan
 *   without destroying or re-creating anything.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp } from '../../modules/stacks/synthesize';
import { DEPLOYABLE_STACK, MODULE_STACK } from '../../modules/stacks/app';
import { AWS_PROVIDER_VERSION } from '../../modules/stacks/module-stack';
import { LEGACY_ADDRESSES } from '../../modules/media-store/addresses';
import { FUNCTION_NAMES } from '../../contract/functions';
import { MODULE_CALL, upgradeRoot } from './support/release-state';
import {
  FAKE_ACCOUNT_ID,
  limiter,
  plannedResources,
  startFakeSts,
  terraform,
  terraformEnv,
  writeCliConfig,
  type Json,
  type PlanJson,
  type PlannedResource,
} from './support/terraform';
import { CUSTOM, EXTREMES, KMS_KEY_ARN } from './support/variable-sets';
import { VARIABLE_EXAMPLES } from '../../modules/stacks/variable-examples';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const MODULE_SOURCE = `../../cdktf.out/stacks/${MODULE_STACK}`;
const PROVIDER = { terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } }, provider: { aws: [{ region: 'us-east-1' }] } };

type Root = 'variants' | 'example' | 'deployable' | 'upgrade';

interface RootResult {
  readonly dir: string;
  readonly validate?: Json;
  readonly plan: PlanJson;
}

describe('the module under real Terraform', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-terraform-'));
  const results = {} as Record<Root, RootResult>;
  let stsRequests = 0;
  let moduleJson: Json;

  beforeAll(async () => {
    synthesizeApp({
      outdir: path.join(work, 'cdktf.out'),
      bundleRoot: placeholderBundleRoot(),
      webRoot: placeholderWebRoot(),
      config: { region: 'us-east-1', tags: { project: 'media-store' }, variables: {} },
    });
    moduleJson = JSON.parse(fs.readFileSync(path.join(work, 'cdktf.out', 'stacks', MODULE_STACK, 'cdk.tf.json'), 'utf8')) as Json;

    const writeRoot = (dir: string, files: Record<string, unknown>) => {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      }
      return dir;
    };
    const dirs: Record<Root, string> = {
      variants: writeRoot(path.join(work, 'roots', 'variants'), {
        'main.tf.json': {
          ...PROVIDER,
          module: {
            defaults: { source: MODULE_SOURCE, name_prefix: 'media-defaults' },
            custom: { source: MODULE_SOURCE, ...CUSTOM },
            extremes: { source: MODULE_SOURCE, ...EXTREMES },
            examples: { source: MODULE_SOURCE, ...VARIABLE_EXAMPLES },
          },
        },
      }),
      example: writeRoot(path.join(work, 'examples', 'hcl-consumer'), {
        'main.tf': fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'hcl-consumer', 'main.tf'), 'utf8'),
      }),
      deployable: writeRoot(path.join(work, 'cdktf.out', 'stacks', DEPLOYABLE_STACK), {
        // Never the developer's own state file: override files replace the backend block.
        'backend_override.tf.json': { terraform: { backend: { local: { path: path.join(work, 'deployable.tfstate') } } } },
      }),
      upgrade: writeRoot(path.join(work, 'roots', 'upgrade'), {
        'main.tf.json': upgradeRoot(MODULE_SOURCE),
        'terraform.tfstate': fs.readFileSync(path.join(__dirname, 'fixtures', 'release-0.1.tfstate.json'), 'utf8'),
      }),
    };

    const sts = await startFakeSts();
    try {
      fs.mkdirSync(path.join(work, 'plugin-cache'));
      const env = terraformEnv(writeCliConfig(work), sts.url, path.join(work, 'plugin-cache'));
      const twoAtATime = limiter(2);
      const oneInit = limiter(1); // the plugin cache is not safe for concurrent installs
      await Promise.all(
        (Object.entries(dirs) as [Root, string][]).map(([root, dir]) =>
          twoAtATime(async () => {
            await oneInit(() => terraform(dir, ['init', '-no-color'], env));
            // The upgrade root holds the same module as the variants: its plan is what it adds.
            const validate = root === 'upgrade' ? undefined : (JSON.parse(await terraform(dir, ['validate', '-json', '-no-color'], env)) as Json);
            await terraform(dir, ['plan', '-refresh=false', '-lock=false', '-no-color', '-out=plan.bin'], env);
            const plan = JSON.parse(await terraform(dir, ['show', '-json', 'plan.bin'], env)) as PlanJson;
            results[root] = { dir, validate, plan };
          }),
        ),
      );
      stsRequests = sts.requests();
    } finally {
      await sts.close();
    }
    // Four roots, init + validate + plan each: two to three minutes alone, more beside npm test's
    // other lane (browser tests) on two cores. A setup budget, not a speed target.
  }, 900_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const resourcesOf = (root: Root, module?: string): PlannedResource[] =>
    plannedResources(results[root].plan).filter((r) => r.mode === 'managed' && (module === undefined || r.address.startsWith(`module.${module}.`)));
  const only = (root: Root, module: string, type: string): PlannedResource => {
    const found = resourcesOf(root, module).filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`expected one ${type} in module.${module}, found ${found.length}`);
    return found[0];
  };
  const named = (root: Root, module: string, address: string): PlannedResource => {
    const found = resourcesOf(root, module).find((r) => r.address === `module.${module}.${address}` || r.address === `module.${module}.${address}[0]`);
    if (!found) throw new Error(`module.${module}.${address} is not planned`);
    return found;
  };
  const declaredAddresses = () => Object.entries(moduleJson.resource as Json).flatMap(([type, byName]) => Object.keys(byName as Json).map((n) => `${type}.${n}`));
  const declared = () => declaredAddresses().length;
  /** Resources that exist only with an option: the API domain, the KMS grants, the OIDC client secret's grant, the archive tiers, the alarm email, the site's domain. */
  const OPTIONAL = {
    apiDomain: ['aws_acm_certificate.api', 'aws_acm_certificate_validation.api', 'aws_apigatewayv2_domain_name.api', 'aws_apigatewayv2_api_mapping.api', 'aws_route53_record.api_validation', 'aws_route53_record.api_alias'],
    kms: [
      'aws_iam_role_policy.uploads_bucket_kms_key', 'aws_iam_role_policy.files_bucket_kms_key', 'aws_iam_role_policy.shares_bucket_kms_key', 'aws_iam_role_policy.process_bucket_kms_key', 'aws_iam_role_policy.move_bucket_kms_key',
      'aws_iam_role_policy.transcode_bucket_kms_key',
      'aws_iam_role_policy.scrub_bucket_kms_key',
      ...FUNCTION_NAMES.map((fn) => `aws_iam_role_policy.${fn}_data_kms_key`),
    ],
    waf: ['aws_wafv2_web_acl.site'],
    oidc: ['aws_iam_role_policy.auth_oidc_client_secret'],
    cognito: [
      'aws_cognito_user_pool.user_pool', 'aws_cognito_user_pool_client.user_pool_client', 'aws_cognito_user_pool_domain.user_pool_domain',
      'aws_cognito_user_group.user_pool_group_admin', 'aws_cognito_user_group.user_pool_group_editor', 'aws_cognito_user_group.user_pool_group_viewer',
    ],
    accessLogs: ['aws_s3_bucket_logging.media', 'aws_s3_bucket_logging.site'],
    tiers: ['aws_s3_bucket_intelligent_tiering_configuration.media'],
    alarmEmail: ['aws_sns_topic_subscription.ops_email'],
    siteDomain: ['aws_route53_record.site_alias', 'aws_route53_record.site_alias_ipv6'],
  };
  const siteAddresses = () => declaredAddresses().filter((a) => /^aws_cloudfront_|^aws_s3_object\.site_|\.site(_|$)/.test(a));
  const plannedAddresses = (root: Root, module: string) => resourcesOf(root, module).map((r) => r.address.replace(`module.${module}.`, '').replace(/\[0\]$/, '')).sort();
  const uncounted = () => declared() - Object.values(OPTIONAL).flat().length;

  describe('init, validate and plan', () => {
    it.each(['variants', 'example', 'deployable'] as const)('validates the %s root with no error and no warning', (root) => {
      expect(results[root].validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    });

    it.each(['variants', 'example', 'deployable', 'upgrade'] as const)('plans the %s root completely, with no error', (root) => {
      expect(results[root].plan.errored).toBe(false);
    });

    it('installs hashicorp/aws within the declared range, the oldest the module allows when the mirror holds it', () => {
      const lock = fs.readFileSync(path.join(results.variants.dir, '.terraform.lock.hcl'), 'utf8');
      const version = /provider "registry\.terraform\.io\/hashicorp\/aws" \{\s*version\s*=\s*"([0-9.]+)"/.exec(lock)?.[1];
      const [major, minor] = (version ?? '0.0').split('.').map(Number);
      expect(AWS_PROVIDER_VERSION).toBe('>= 5.100, < 7.0');
      expect((major === 5 && minor >= 100) || major === 6).toBe(true);
      if (fs.existsSync('/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0')) expect(version).toBe('5.100.0');
    });

    it('answers the AWS calls of the plan locally (the caller identity)', () => {
      expect(stsRequests).toBeGreaterThan(0);
      const identity = results.variants.plan as Json;
      const accounts = JSON.stringify(identity.prior_state ?? {}).match(new RegExp(FAKE_ACCOUNT_ID, 'g')) ?? [];
      expect(accounts.length).toBeGreaterThan(0);
    });
  });

  describe('with the default inputs', () => {
    it('plans every resource that exists without options (the site included), and nothing optional', () => {
      const optional = Object.values(OPTIONAL).flat();
      expect(plannedAddresses('variants', 'defaults')).toEqual(declaredAddresses().filter((a) => !optional.includes(a)).sort());
      expect(named('variants', 'defaults', 'aws_cloudfront_distribution.site').values.enabled).toBe(true);
    });

    it('keeps the secure defaults: private versioned bucket with SSE-S3, protected table with PITR', () => {
      const m = 'defaults';
      expect(named('variants', m, 'aws_s3_bucket.media').values).toMatchObject({ bucket_prefix: 'media-defaults-', force_destroy: false });
      expect(named('variants', m, 'aws_s3_bucket_public_access_block.media').values).toMatchObject({
        block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
      });
      expect(named('variants', m, 'aws_s3_bucket_versioning.media').values.versioning_configuration[0].status).toBe('Enabled');
      expect(named('variants', m, 'aws_s3_bucket_server_side_encryption_configuration.media').values.rule[0].apply_server_side_encryption_by_default).toEqual([
        expect.objectContaining({ sse_algorithm: 'AES256' }),
      ]);
      const table = named('variants', m, 'aws_dynamodb_table.catalog').values;
      expect(table).toMatchObject({ name: 'media-defaults-catalog', billing_mode: 'PAY_PER_REQUEST', deletion_protection_enabled: true });
      expect(table.point_in_time_recovery).toEqual([expect.objectContaining({ enabled: true })]);
    });

    it('runs every function on nodejs22.x arm64 with active tracing', () => {
      // The process and transcode functions have their own memory variables; move jobs run 1 GiB for Lambda's 15 minutes.
      const functions = resourcesOf('variants', 'defaults').filter((r) => r.type === 'aws_lambda_function' && !['process', 'move', 'transcode', 'scrub'].includes(r.name));
      expect(functions.length).toBeGreaterThanOrEqual(5);
      for (const fn of functions) {
        expect(fn.values).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], memory_size: 512, timeout: 10 });
        expect(fn.values.tracing_config).toEqual([{ mode: 'Active' }]);
      }
      const move = named('variants', 'defaults', 'aws_lambda_function.move');
      expect(move.values).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], memory_size: 1024, timeout: 900 });
      expect(move.values.tracing_config).toEqual([{ mode: 'Active' }]);
      // A segment of video is transcoded in at most Lambda's 15 minutes on about two vCPUs.
      const transcode = named('variants', 'defaults', 'aws_lambda_function.transcode');
      expect(transcode.values).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'], memory_size: 3008, timeout: 900 });
      expect(transcode.values.tracing_config).toEqual([{ mode: 'Active' }]);
    });

    it('creates the JWT, cursor and origin secrets with no value: no secret version anywhere in the plan', () => {
      expect(named('variants', 'defaults', 'aws_secretsmanager_secret.jwt_signing_key').values).toMatchObject({ name_prefix: 'media-defaults-jwt-signing-key-', recovery_window_in_days: 30 });
      expect(named('variants', 'defaults', 'aws_secretsmanager_secret.cursor_key').values).toMatchObject({ name_prefix: 'media-defaults-cursor-key-' });
      expect(named('variants', 'defaults', 'aws_secretsmanager_secret.origin_verify').values).toMatchObject({ name_prefix: 'media-defaults-origin-verify-' });
      expect(plannedResources(results.variants.plan).filter((r) => r.type === 'aws_secretsmanager_secret_version' || r.type.startsWith('random_'))).toEqual([]);
    });
  });

  describe('with a custom domain, a KMS key, archive tiers, versioning off, a WAF rate limit, access logs, tags and a boundary', () => {
    it('plans every resource the module declares but the alarm email subscription and the Cognito user pool', () => {
      // Its users sign in through their own provider: no Cognito user pool.
      expect(plannedAddresses('variants', 'custom')).toEqual(declaredAddresses().filter((a) => ![...OPTIONAL.alarmEmail, ...OPTIONAL.cognito].includes(a)).sort());
    });

    it('serves the API on the domain over TLS 1.2 with a DNS-validated certificate', () => {
      expect(named('variants', 'custom', 'aws_acm_certificate.api').values).toMatchObject({ domain_name: 'media.example.com', validation_method: 'DNS' });
      const domain = named('variants', 'custom', 'aws_apigatewayv2_domain_name.api').values;
      expect(domain.domain_name).toBe('media.example.com');
      expect(domain.domain_name_configuration[0]).toMatchObject({ endpoint_type: 'REGIONAL', security_policy: 'TLS_1_2' });
      expect(named('variants', 'custom', 'aws_route53_record.api_alias').values).toMatchObject({ name: 'media.example.com', type: 'A', zone_id: CUSTOM.hosted_zone_id });
    });

    it('encrypts with the KMS key and grants it to uploads, files, shares, process, move and transcode only through S3', () => {
      const sse = named('variants', 'custom', 'aws_s3_bucket_server_side_encryption_configuration.media').values.rule[0];
      expect(sse.apply_server_side_encryption_by_default).toEqual([{ sse_algorithm: 'aws:kms', kms_master_key_id: KMS_KEY_ARN }]);
      expect(sse.bucket_key_enabled).toBe(true);
      const kmsPolicies = resourcesOf('variants', 'custom').filter((r) => r.type === 'aws_iam_role_policy' && r.address.includes('bucket_kms_key'));
      expect(kmsPolicies.map((p) => p.name).sort()).toEqual(['files_bucket_kms_key', 'move_bucket_kms_key', 'process_bucket_kms_key', 'scrub_bucket_kms_key', 'shares_bucket_kms_key', 'transcode_bucket_kms_key', 'uploads_bucket_kms_key']);
    });

    it('configures both archive tiers and suspends versioning', () => {
      const tiering = named('variants', 'custom', 'aws_s3_bucket_intelligent_tiering_configuration.media').values.tiering as Json[];
      expect(tiering.map((t) => [t.access_tier, t.days]).sort()).toEqual([['ARCHIVE_ACCESS', 90], ['DEEP_ARCHIVE_ACCESS', 180]]);
      expect(named('variants', 'custom', 'aws_s3_bucket_versioning.media').values.versioning_configuration[0].status).toBe('Suspended');
      // The site's CloudFront origin joins the given ones: known only after apply.
      expect(named('variants', 'custom', 'aws_s3_bucket_cors_configuration.media')).toBeDefined();
    });
  });

  describe('with every option at its other extreme', () => {
    it('plans every resource the module declares but the site, which is off, and the Cognito user pool (an OpenID provider of its own)', () => {
      const site = siteAddresses();
      expect(site.length).toBeGreaterThan(10);
      expect(plannedAddresses('variants', 'extremes')).toEqual(declaredAddresses().filter((a) => !site.includes(a) && !OPTIONAL.cognito.includes(a)).sort());
    });

    it('applies the bucket, table and secret extremes', () => {
      expect(named('variants', 'extremes', 'aws_s3_bucket.media').values).toMatchObject({ bucket: EXTREMES.bucket_name, force_destroy: true });
      expect(named('variants', 'extremes', 'aws_dynamodb_table.catalog').values.deletion_protection_enabled).toBe(false);
      for (const secret of ['jwt_signing_key', 'cursor_key', 'origin_verify']) {
        expect(named('variants', 'extremes', `aws_secretsmanager_secret.${secret}`).values.recovery_window_in_days).toBe(0);
      }
      const lifecycle = named('variants', 'extremes', 'aws_s3_bucket_lifecycle_configuration.media').values.rule as Json[];
      const rule = (id: string) => lifecycle.find((r) => r.id === id)!;
      expect(rule('abort-incomplete-multipart-uploads').abort_incomplete_multipart_upload[0].days_after_initiation).toBe(365);
      expect(rule('media-to-intelligent-tiering').transition[0].days).toBe(3650);
      expect(rule('expire-noncurrent-versions').noncurrent_version_expiration[0].noncurrent_days).toBe(1);
    });

    it('applies the function extremes to every function', () => {
      for (const fn of resourcesOf('variants', 'extremes').filter((r) => r.type === 'aws_lambda_function' && r.name !== 'process')) {
        // The move and scrub functions keep their own 1 GiB (a server-side copy or a streamed read
        // needs no more) and 900 s; the transcode function's memory is video_transcode_memory_mb,
        // at its own extreme.
        expect(fn.values).toMatchObject({ architectures: ['x86_64'], memory_size: ['move', 'scrub'].includes(fn.name) ? 1024 : 10240, timeout: 900 });
        expect(fn.values.tracing_config).toEqual([{ mode: 'PassThrough' }]);
      }
      for (const group of resourcesOf('variants', 'extremes').filter((r) => r.type === 'aws_cloudwatch_log_group')) {
        expect(group.values.retention_in_days).toBe(3653);
      }
      // The uploads function's environment names the origin secret by its ARN, which Terraform
      // learns only at apply, so the plan shows that whole map as unknown: its entries (upload
      // limits, URL lifetime, content types) are checked on the synthesized plan
      // (test/plan/functions.test.ts). So does the process function's (the video workflow's ARN):
      // the move function's map is known here.
      expect(named('variants', 'extremes', 'aws_lambda_function.move').values.environment[0].variables).toMatchObject({
        BUCKET_NAME: EXTREMES.bucket_name,
        LOG_LEVEL: 'debug',
      });
      expect(named('variants', 'extremes', 'aws_lambda_function_event_invoke_config.sync').values.maximum_retry_attempts).toBe(0);
    });

    it('subscribes the alarm email to the ops topic every alarm notifies', () => {
      expect(named('variants', 'extremes', 'aws_sns_topic_subscription.ops_email').values).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
      expect(named('variants', 'extremes', 'aws_sns_topic.ops').values.name).toBe(`${EXTREMES.name_prefix}-ops`);
      const alarms = resourcesOf('variants', 'extremes').filter((r) => r.type === 'aws_cloudwatch_metric_alarm');
      expect(alarms.length).toBeGreaterThanOrEqual(12);
      for (const a of alarms) expect(a.values).toMatchObject({ treat_missing_data: 'notBreaching', evaluation_periods: 1 });
    });

    it('lets exactly the given origins use the media bucket from a browser when the site is off', () => {
      expect(named('variants', 'extremes', 'aws_s3_bucket_cors_configuration.media').values.cors_rule[0].allowed_origins.sort()).toEqual([...EXTREMES.cors_allowed_origins].sort());
    });

    it('applies the API extremes', () => {
      expect(only('variants', 'extremes', 'aws_apigatewayv2_authorizer').values.authorizer_result_ttl_in_seconds).toBe(0);
      expect(only('variants', 'extremes', 'aws_apigatewayv2_stage').values.default_route_settings[0]).toMatchObject({
        throttling_burst_limit: 100000,
        throttling_rate_limit: 0.5,
      });
      expect(only('variants', 'extremes', 'aws_apigatewayv2_api').values.cors_configuration[0].allow_origins.sort()).toEqual([...EXTREMES.cors_allowed_origins].sort());
    });
  });

  describe('with every variable at its documented example', () => {
    it('accepts every example (each passes its variable\'s validation) and plans', () => {
      expect(resourcesOf('variants', 'examples').length).toBeGreaterThan(uncounted() - siteAddresses().length);
      expect(named('variants', 'examples', 'aws_dynamodb_table.catalog').values).toMatchObject({ name: `${VARIABLE_EXAMPLES.name_prefix}-catalog`, tags: VARIABLE_EXAMPLES.tags });
    });
  });

  describe('examples/hcl-consumer', () => {
    it('plans the module with the example\'s inputs', () => {
      expect(resourcesOf('example', 'media_store').length).toBeGreaterThan(uncounted());
      expect(named('example', 'media_store', 'aws_dynamodb_table.catalog').values).toMatchObject({ name: 'media-dev-catalog', deletion_protection_enabled: false });
      expect(named('example', 'media_store', 'aws_s3_bucket.media').values.force_destroy).toBe(true);
      expect(named('example', 'media_store', 'aws_s3_bucket_intelligent_tiering_configuration.media').values.tiering).toEqual([{ access_tier: 'ARCHIVE_ACCESS', days: 180 }]);
      const groups = resourcesOf('example', 'media_store').filter((r) => r.type === 'aws_cloudwatch_log_group');
      for (const group of groups) expect(group.values.retention_in_days).toBe(90);
    });

    it('tags every resource through the provider\'s default tags', () => {
      const table = named('example', 'media_store', 'aws_dynamodb_table.catalog').values;
      expect(table.tags_all).toEqual({ project: 'media-store', environment: 'dev' });
    });
  });

  describe('the deployable stack', () => {
    it('plans the same resources as the module with its defaults, at the same addresses', () => {
      const addresses = (rs: PlannedResource[], prefix: string) => rs.map((r) => r.address.replace(prefix, '')).sort();
      expect(addresses(resourcesOf('deployable'), '')).toEqual(addresses(resourcesOf('variants', 'defaults'), 'module.defaults.'));
    });

    it('tags every resource with the configured default tags', () => {
      expect(plannedResources(results.deployable.plan).find((r) => r.address === 'aws_dynamodb_table.catalog')!.values.tags_all).toEqual({ project: 'media-store' });
    });
  });

  describe('upgrading a release-0.1 deployment', () => {
    const changes = () => (results.upgrade.plan.resource_changes ?? []).filter((c) => c.mode === 'managed');
    const actions = (c: { change: { actions: string[] } }) => c.change.actions.join('+');

    it('destroys and replaces nothing', () => {
      const destructive = changes().filter((c) => c.change.actions.includes('delete')).map((c) => `${c.address}: ${actions(c)}`);
      expect(destructive).toEqual([]);
    });

    it('moves every resource of release 0.1 to its new address instead of creating it', () => {
      const moved = changes().filter((c) => c.previous_address !== undefined);
      const movedTo = new Set(moved.map((c) => c.address.replace(`module.${MODULE_CALL}.`, '').replace(/\[0\]$/, '')));
      expect([...movedTo].sort()).toEqual(Object.keys(LEGACY_ADDRESSES).sort());
      for (const c of moved) expect(['no-op', 'update']).toContain(actions(c));
      expect(moved.every((c) => /^module\.media_store\.[a-z0-9_]+\.[a-z0-9_-]+_[0-9A-F]{8}(\[0\])?$/.test(c.previous_address!))).toBe(true);
    });

    it('creates only resources that release 0.1 did not have', () => {
      const created = changes().filter((c) => actions(c) === 'create').map((c) => c.address.replace(`module.${MODULE_CALL}.`, '').replace(/\[0\]$/, ''));
      for (const address of created) expect(Object.keys(LEGACY_ADDRESSES)).not.toContain(address);
    });

    it('forgets the secret version holding the Terraform-generated key, leaving the key in AWS', () => {
      const version = changes().find((c) => c.type === 'aws_secretsmanager_secret_version')!;
      expect(actions(version)).toBe('forget');
    });
  });
});
