/**
 * examples/minimal and examples/complete under the real Terraform CLI, exactly as shipped:
 * `init` (providers from the filesystem mirror), `validate` and `plan -refresh=false` with fake
 * credentials (STS answered on loopback), one root after the other. The complete example is
 * what an enterprise review checks: its plan is held against the AWS provider's own schema
 * (`terraform providers schema -json`), so a resource type that takes tags and does not get
 * them fails the test, whichever construct added it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp } from '../../modules/stacks/synthesize';
import { plannedResources, startFakeSts, terraform, terraformEnv, writeCliConfig, type Json, type PlanJson, type PlannedResource } from './support/terraform';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = ['minimal', 'complete'] as const;
type Example = (typeof EXAMPLES)[number];
const MODULE = 'module.media_store.';

/** What examples/complete sets (its main.tf), checked on the plan. */
const COMPLETE = {
  tags: { environment: 'prod', 'cost-center': 'media', owner: 'platform-team' },
  permissionsBoundary: 'arn:aws:iam::123456789012:policy/platform-boundary',
  iamRolePath: '/media-store/',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  accessLogsBucket: 'media-prod-access-logs-123456789012',
  oidc: {
    issuer: 'https://login.example.com/realms/staff',
    clientId: 'media-store',
    clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:media-prod/oidc-client-AbCdEf',
    roleMapping: { 'media-admins': 'admin', photographers: 'editor', staff: 'viewer' },
    audience: 'api://media-store',
  },
};

describe('the examples under real Terraform', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-examples-'));
  const plans = {} as Record<Example, PlanJson>;
  const validations = {} as Record<Example, Json>;
  /** Resource types of hashicorp/aws whose schema has a `tags` argument. */
  let taggableTypes: Set<string>;

  beforeAll(async () => {
    synthesizeApp({
      outdir: path.join(work, 'cdktf.out'),
      bundleRoot: placeholderBundleRoot(),
      webRoot: placeholderWebRoot(),
      config: { region: 'us-east-1', tags: {}, variables: {} },
    });
    const sts = await startFakeSts();
    try {
      fs.mkdirSync(path.join(work, 'plugin-cache'));
      const env = terraformEnv(writeCliConfig(work), sts.url, path.join(work, 'plugin-cache'));
      // In sequence: two cores are shared with npm test's other lane.
      for (const example of EXAMPLES) {
        const dir = path.join(work, 'examples', example);
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(path.join(PROJECT_ROOT, 'examples', example, 'main.tf'), path.join(dir, 'main.tf'));
        await terraform(dir, ['init', '-no-color'], env);
        validations[example] = JSON.parse(await terraform(dir, ['validate', '-json', '-no-color'], env)) as Json;
        await terraform(dir, ['plan', '-refresh=false', '-lock=false', '-no-color', '-out=plan.bin'], env);
        plans[example] = JSON.parse(await terraform(dir, ['show', '-json', 'plan.bin'], env)) as PlanJson;
        if (example === 'complete') {
          const schemas = JSON.parse(await terraform(dir, ['providers', 'schema', '-json'], env)) as Json;
          const resources = schemas.provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas as Record<string, Json>;
          taggableTypes = new Set(Object.entries(resources).filter(([, schema]) => schema.block?.attributes?.tags).map(([type]) => type));
        }
      }
    } finally {
      await sts.close();
    }
  }, 900_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const moduleResources = (example: Example): PlannedResource[] =>
    plannedResources(plans[example]).filter((r) => r.mode === 'managed' && r.address.startsWith(MODULE));
  const named = (example: Example, address: string): PlannedResource => {
    const found = moduleResources(example).find((r) => r.address === `${MODULE}${address}` || r.address === `${MODULE}${address}[0]`);
    if (!found) throw new Error(`${MODULE}${address} is not planned in examples/${example}`);
    return found;
  };
  const ofType = (example: Example, type: string) => moduleResources(example).filter((r) => r.type === type);

  it.each(EXAMPLES)('validates and plans examples/%s with no error and no warning', (example) => {
    expect(validations[example]).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    expect(plans[example].errored).toBe(false);
    expect(moduleResources(example).length).toBeGreaterThan(100);
  });

  describe('examples/complete', () => {
    const completeModuleCall = (): Json => plans.complete.configuration.root_module.module_calls.media_store as Json;
    // The functions' environments name the JWT secret's ARN, known only at apply, so the plan
    // shows them whole as unknown: what they read is checked on the configuration, their values
    // on the synthesized plan (test/plan/functions.test.ts).
    const environmentOf = (fn: Json): Record<string, string> => (fn.expressions.environment?.[0]?.variables?.constant_value ?? {}) as Record<string, string>;
    const configuredFunctions = (): Json[] => (completeModuleCall().module.resources as Json[]).filter((r) => r.type === 'aws_lambda_function');
    const configuredEnvironment = (name: string): Record<string, string> => environmentOf(configuredFunctions().find((r) => r.name === name) ?? {});

    it('puts its tags on 100 % of the module\'s planned resources whose type takes tags, by the provider\'s schema', () => {
      expect(taggableTypes.size).toBeGreaterThan(500);
      expect(taggableTypes).toContain('aws_lambda_function');
      const taggable = moduleResources('complete').filter((r) => taggableTypes.has(r.type));
      const untagged = taggable.filter((r) => !Object.entries(COMPLETE.tags).every(([k, v]) => r.values.tags?.[k] === v)).map((r) => r.address);
      const types = new Set(taggable.map((r) => r.type));
      process.stdout.write(`examples/complete: ${taggable.length - untagged.length} of ${taggable.length} taggable planned resources (${types.size} types; ${moduleResources('complete').length} resources in all) carry the tags\n`);
      expect(untagged).toEqual([]);
      expect(taggable.length).toBeGreaterThan(60);
      // Resource types without tags exist too (policies, records, objects' settings): they are not counted.
      expect(moduleResources('complete').length).toBeGreaterThan(taggable.length);
    });

    it('keeps a function\'s own name tag beside the caller\'s tags', () => {
      expect(named('complete', 'aws_lambda_function.auth').values.tags).toEqual({ ...COMPLETE.tags, 'media-store:function': 'auth' });
    });

    it('gives every role the permissions boundary and the path', () => {
      const roles = ofType('complete', 'aws_iam_role');
      expect(roles.length).toBeGreaterThanOrEqual(9);
      for (const role of roles) expect([role.address, role.values]).toEqual([role.address, expect.objectContaining({ permissions_boundary: COMPLETE.permissionsBoundary, path: COMPLETE.iamRolePath })]);
    });

    it('encrypts the bucket, the table and the secrets with its KMS key', () => {
      const sse = named('complete', 'aws_s3_bucket_server_side_encryption_configuration.media').values.rule[0];
      expect(sse).toMatchObject({ bucket_key_enabled: true, apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms', kms_master_key_id: COMPLETE.kmsKeyArn }] });
      expect(named('complete', 'aws_dynamodb_table.catalog').values.server_side_encryption).toEqual([{ enabled: true, kms_key_arn: COMPLETE.kmsKeyArn }]);
      const secrets = ofType('complete', 'aws_secretsmanager_secret');
      expect(secrets.length).toBe(3);
      for (const secret of secrets) expect(secret.values.kms_key_id).toBe(COMPLETE.kmsKeyArn);
    });

    it('creates the rate-limiting web ACL for CloudFront in us-east-1', () => {
      const acl = named('complete', 'aws_wafv2_web_acl.site').values;
      expect(acl).toMatchObject({ scope: 'CLOUDFRONT', name: 'media-prod-site' });
      const rules = acl.rule as Json[];
      expect(rules.map((r) => [r.name, r.statement[0].rate_based_statement[0].limit]).sort()).toEqual([['password-guesses', 300], ['public-shares', 300]]);
    });

    it('sends both buckets\' access logs and the distribution\'s standard logs to the log bucket', () => {
      for (const [bucket, prefix] of [['media', 'media-prod/s3/media/'], ['site', 'media-prod/s3/site/']]) {
        expect(named('complete', `aws_s3_bucket_logging.${bucket}`).values).toMatchObject({ target_bucket: COMPLETE.accessLogsBucket, target_prefix: prefix });
      }
      expect(named('complete', 'aws_cloudfront_distribution.site').values.logging_config).toEqual([
        { bucket: `${COMPLETE.accessLogsBucket}.s3.amazonaws.com`, prefix: 'media-prod/cloudfront/', include_cookies: false },
      ]);
    });

    it("signs in through the organisation's provider: its settings reach the module, the auth function and the authorizer read them, password login is off, no Cognito pool", () => {
      const { oidc } = COMPLETE;
      const call = completeModuleCall();
      const rootVariables = (plans.complete as PlanJson & { variables: Record<string, { value: unknown }> }).variables;
      /** What the example gives the module: a constant, or one of its own variables' values. */
      const input = (name: string): unknown => {
        const expression = call.expressions[name] as Json | undefined;
        if (expression === undefined) return undefined;
        if ('constant_value' in expression) return expression.constant_value;
        const [reference] = expression.references as string[];
        return rootVariables[reference?.replace(/^var\./, '') ?? '']?.value;
      };

      expect({
        oidc_issuer_url: input('oidc_issuer_url'),
        oidc_client_id: input('oidc_client_id'),
        oidc_client_secret_arn: input('oidc_client_secret_arn'),
        oidc_scopes: input('oidc_scopes'),
        oidc_role_claim: input('oidc_role_claim'),
        oidc_role_mapping: input('oidc_role_mapping'),
        oidc_folders_claim: input('oidc_folders_claim'),
        oidc_audience: input('oidc_audience'),
        local_login_enabled: input('local_login_enabled'),
        cognito_user_pool: input('cognito_user_pool'),
      }).toEqual({
        oidc_issuer_url: oidc.issuer,
        oidc_client_id: oidc.clientId,
        oidc_client_secret_arn: oidc.clientSecretArn,
        oidc_scopes: ['openid', 'profile', 'email', 'groups'],
        oidc_role_claim: 'groups',
        oidc_role_mapping: oidc.roleMapping,
        oidc_folders_claim: 'media_folders',
        oidc_audience: oidc.audience,
        local_login_enabled: false,
        cognito_user_pool: undefined,
      });
      const reads = (fn: string, variable: string, name: string): [string, string, boolean] => [fn, variable, new RegExp(`var\\.${name}\\b`).test(configuredEnvironment(fn)[variable] ?? '')];
      expect([
        reads('auth', 'OIDC_ISSUER_URL', 'oidc_issuer_url'),
        reads('auth', 'OIDC_CLIENT_ID', 'oidc_client_id'),
        reads('auth', 'OIDC_CLIENT_SECRET_ARN', 'oidc_client_secret_arn'),
        reads('auth', 'OIDC_SCOPES', 'oidc_scopes'),
        reads('auth', 'OIDC_ROLE_CLAIM', 'oidc_role_claim'),
        reads('auth', 'OIDC_ROLE_MAPPING', 'oidc_role_mapping'),
        reads('auth', 'OIDC_FOLDERS_CLAIM', 'oidc_folders_claim'),
        reads('auth', 'LOCAL_LOGIN_ENABLED', 'local_login_enabled'),
        reads('authorizer', 'OIDC_ISSUER_URL', 'oidc_issuer_url'),
        reads('authorizer', 'OIDC_AUDIENCE', 'oidc_audience'),
        reads('authorizer', 'OIDC_ROLE_MAPPING', 'oidc_role_mapping'),
      ].filter(([, , ok]) => !ok)).toEqual([]);
      expect(moduleResources('complete').filter((r) => r.type.startsWith('aws_cognito_'))).toEqual([]);
    });

    it("lets the auth function alone read the client secret: one grant on that ARN, no other function told it", () => {
      const { clientSecretArn } = COMPLETE.oidc;
      // A policy naming another resource's ARN is unknown until apply; test/plan/functions.test.ts
      // holds every policy document of the module against the variable.
      const policies = ofType('complete', 'aws_iam_role_policy')
        .filter((p) => typeof p.values.policy === 'string')
        .map((p) => ({ address: p.address, statements: (JSON.parse(p.values.policy as string) as Json).Statement as Json[] }));
      const readers = policies.filter((p) => p.statements.some((s) => [s.Resource].flat().includes(clientSecretArn)));

      expect(readers.map((p) => p.address)).toEqual([`${MODULE}aws_iam_role_policy.auth_oidc_client_secret[0]`]);
      expect(readers[0]?.statements).toEqual([{ Sid: 'ReadOidcClientSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: clientSecretArn }]);
      const told = configuredFunctions().filter((fn) => Object.values(environmentOf(fn)).some((value) => value.includes('var.oidc_client_secret_arn')));
      expect(told.map((fn) => fn.name as string)).toEqual(['auth']);
    });

    it('serves the site and the API on their custom domains', () => {
      expect(named('complete', 'aws_cloudfront_distribution.site').values.aliases).toEqual(['photos.example.com']);
      expect(named('complete', 'aws_apigatewayv2_domain_name.api').values.domain_name).toBe('media-api.example.com');
    });
  });

  describe('examples/minimal', () => {
    it('plans the secure defaults: no tags argument, no boundary, no WAF, no access logs, SSE-S3', () => {
      expect(ofType('minimal', 'aws_wafv2_web_acl')).toEqual([]);
      expect(ofType('minimal', 'aws_s3_bucket_logging')).toEqual([]);
      for (const role of ofType('minimal', 'aws_iam_role')) expect(role.values).toMatchObject({ permissions_boundary: null, path: '/' });
      expect(named('minimal', 'aws_dynamodb_table.catalog').values.tags ?? {}).toEqual({});
      expect(named('minimal', 'aws_s3_bucket_server_side_encryption_configuration.media').values.rule[0].apply_server_side_encryption_by_default[0].sse_algorithm).toBe('AES256');
      expect(named('minimal', 'aws_cloudfront_distribution.site').values.web_acl_id ?? null).toBeNull();
    });
  });
});
