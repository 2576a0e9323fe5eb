/**
 * `cognito_user_pool = true` (modules/media-store/user-pool.ts), plan-tested only: there is no
 * Cognito to run locally, so these check what Terraform is asked to create and what the
 * functions are told.
 */
import { synthesizeBoth, synthesizeConstruct, theOnly, type StackJson } from './plan';

const env = (plan: StackJson, fn: string): Record<string, string> => plan.resource.aws_lambda_function[fn].environment.variables;

describe('MediaStore with its own Cognito user pool', () => {
  describe('the construct with cognitoUserPool: true', () => {
    let plan: StackJson;
    beforeAll(() => {
      plan = synthesizeConstruct({ cognitoUserPool: true, oidcRoleMapping: { staff: 'viewer' } });
    });

    it('creates a pool where only administrators create users, with strong passwords, optional TOTP, email recovery, protected from deletion', () => {
      expect(theOnly(plan, 'aws_cognito_user_pool')).toMatchObject({
        name: 'media-store-users',
        deletion_protection: 'ACTIVE',
        admin_create_user_config: { allow_admin_create_user_only: true },
        password_policy: { minimum_length: 12, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true },
        mfa_configuration: 'OPTIONAL',
        software_token_mfa_configuration: { enabled: true },
        account_recovery_setting: { recovery_mechanism: [{ name: 'verified_email', priority: 1 }] },
      });
    });

    it('creates a group per role and a hosted sign-in domain named after the prefix and the account', () => {
      const groups = Object.values(plan.resource.aws_cognito_user_group as Record<string, StackJson>).map((g) => g.name).sort();
      expect(groups).toEqual(['media-admins', 'media-editors', 'media-viewers']);
      expect(theOnly(plan, 'aws_cognito_user_pool_domain').domain).toBe('media-store-${data.aws_caller_identity.user_pool_account.account_id}');
    });

    it('gives the web app a public client: code flow only, no secret, called back under the site, nothing but Cognito\'s own users', () => {
      const client = theOnly(plan, 'aws_cognito_user_pool_client');
      expect(client).toMatchObject({
        generate_secret: false,
        allowed_oauth_flows: ['code'],
        allowed_oauth_flows_user_pool_client: true,
        allowed_oauth_scopes: ['openid', 'email', 'profile'],
        supported_identity_providers: ['COGNITO'],
        explicit_auth_flows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        prevent_user_existence_errors: 'ENABLED',
      });
      // The site's https:// URL (its distribution's domain here), then the path.
      expect(client.callback_urls).toEqual([expect.stringMatching(/^\$\{join\("", \["https:\/\/", aws_cloudfront_distribution\.site\.domain_name\]\)\}\/api\/auth\/oidc\/callback$/)]);
      expect(client.logout_urls).toEqual([expect.stringMatching(/aws_cloudfront_distribution\.site\.domain_name.*\/$/)]);
    });

    it('tells the auth function and the authorizer the pool as their provider, with no client secret to read', () => {
      expect(env(plan, 'auth')).toMatchObject({
        OIDC_ISSUER_URL: 'https://${aws_cognito_user_pool.user_pool.endpoint}',
        OIDC_CLIENT_ID: '${aws_cognito_user_pool_client.user_pool_client.id}',
        OIDC_CLIENT_SECRET_ARN: '',
        OIDC_ROLE_CLAIM: 'cognito:groups',
        OIDC_SCOPES: 'openid email profile',
      });
      expect(JSON.parse(env(plan, 'auth').OIDC_ROLE_MAPPING ?? '{}')).toEqual({ 'media-admins': 'admin', 'media-editors': 'editor', 'media-viewers': 'viewer', staff: 'viewer' });
      expect(env(plan, 'authorizer')).toMatchObject({ OIDC_ISSUER_URL: 'https://${aws_cognito_user_pool.user_pool.endpoint}', OIDC_ROLE_CLAIM: 'cognito:groups' });
      const grants = JSON.stringify(plan.data.aws_iam_policy_document);
      expect(grants).not.toContain('ReadOidcClientSecret');
    });
  });

  it('creates nothing of Cognito by default', () => {
    const plan = synthesizeConstruct({});
    expect(plan.resource.aws_cognito_user_pool).toBeUndefined();
    expect(plan.resource.aws_cognito_user_pool_client).toBeUndefined();
  });

  describe('in the module stack (variable cognito_user_pool)', () => {
    let module: StackJson;
    beforeAll(() => {
      module = synthesizeBoth().module;
    });

    it('counts every Cognito resource on the variable, and picks the pool\'s settings over the oidc_* variables only when it is on', () => {
      for (const type of ['aws_cognito_user_pool', 'aws_cognito_user_pool_client', 'aws_cognito_user_pool_domain', 'aws_cognito_user_group']) {
        for (const resource of Object.values(module.resource[type] as Record<string, StackJson>)) expect(resource.count).toBe('${var.cognito_user_pool ? 1 : 0}');
      }
      const auth = env(module, 'auth');
      expect(auth.OIDC_ISSUER_URL).toBe('${var.cognito_user_pool ? "https://${aws_cognito_user_pool.user_pool[0].endpoint}" : var.oidc_issuer_url}');
      expect(auth.OIDC_CLIENT_SECRET_ARN).toBe('${tostring(var.cognito_user_pool ? "" : var.oidc_client_secret_arn)}');
      expect(module.variable.cognito_user_pool).toMatchObject({ type: 'bool', default: false });
      expect(module.output.cognito_user_pool_id.value).toContain('aws_cognito_user_pool.user_pool[0].id');
    });
  });
});
