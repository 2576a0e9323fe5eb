/**
 * `cognito_user_pool = true`: an Amazon Cognito user pool as the identity provider, for a team
 * without one of its own. A pool (administrators create the users: no self sign-up), its hosted
 * sign-in domain, one group per role, and the web app's client, wired in as the provider the
 * auth function and the authorizer use (docs/security.md "Identity provider", docs/module.md).
 *
 * The client is public (no secret) and uses the authorization code flow with PKCE, exchanged by
 * the auth function: a Cognito client's generated secret is always recorded in Terraform state
 * by the AWS provider, and a public client has none to leak. Cognito has no device
 * authorization endpoint, so `media-store login --sso` is not available with it.
 *
 * Plan-tested only (test/plan/user-pool.test.ts): no Cognito emulator runs in the local stack.
 */
import { Construct } from 'constructs';
import { Fn, Lazy, Token } from 'cdktf';
import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { attributeOf, ifPresent, type Presence } from './expressions';

/** The pool's groups and the role each gives (the ID token's `cognito:groups` claim). */
const USER_POOL_GROUPS: Readonly<Record<string, 'admin' | 'editor' | 'viewer'>> = {
  'media-admins': 'admin',
  'media-editors': 'editor',
  'media-viewers': 'viewer',
};
/** The claim Cognito puts a user's groups in. */
const USER_POOL_ROLE_CLAIM = 'cognito:groups';
/** Scopes a Cognito app client may ask for in the code flow (no `groups` scope there). */
const USER_POOL_SCOPES = ['openid', 'email', 'profile'];

export interface UserPoolProps {
  readonly namePrefix: string;
  readonly presence: Presence;
  /** The web app's origins (the site's URL): the client's callback and logout URLs are under them. Evaluated at synthesis. */
  readonly appUrls: () => string[];
}

/** What the functions are told instead of the `oidc_*` variables when the pool is on. */
interface UserPoolWiring {
  readonly oidcIssuerUrl: string;
  readonly oidcClientId: string;
  readonly oidcClientSecretArn: string;
  readonly oidcRoleClaim: string;
  readonly oidcRoleMapping: Record<string, string>;
  readonly oidcScopes: string[];
}

const named = <T extends { overrideLogicalId(id: string): void }>(resource: T, logicalId: string): T => {
  resource.overrideLogicalId(logicalId);
  return resource;
};

export class UserPool extends Construct {
  readonly pool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  private readonly presence: Presence;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    this.presence = props.presence;
    const count = props.presence.count;
    this.pool = named(
      new CognitoUserPool(this, 'pool', {
        count,
        name: `${props.namePrefix}-users`,
        deletionProtection: 'ACTIVE',
        // Administrators create the users (the console, or aws cognito-idp admin-create-user): no self sign-up.
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: ['email'],
        passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 },
        mfaConfiguration: 'OPTIONAL',
        softwareTokenMfaConfiguration: { enabled: true },
        accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      }),
      'user_pool',
    );
    const poolId = attributeOf(this.pool, props.presence, 'id');

    // The hosted sign-in pages: a prefix unique in the region, from the name prefix and the account.
    const account = named(new DataAwsCallerIdentity(this, 'account', { count }), 'user_pool_account');
    this.domain = named(
      new CognitoUserPoolDomain(this, 'domain', { count, domain: `${props.namePrefix}-${attributeOf(account, props.presence, 'account_id')}`, userPoolId: poolId }),
      'user_pool_domain',
    );

    Object.entries(USER_POOL_GROUPS).forEach(([group, role], i) => {
      named(
        new CognitoUserGroup(this, `group-${role}`, { count, userPoolId: poolId, name: group, description: `media-store ${role}s`, precedence: i + 1 }),
        `user_pool_group_${role}`,
      );
    });

    this.client = named(
      new CognitoUserPoolClient(this, 'client', {
        count,
        name: `${props.namePrefix}-web`,
        userPoolId: poolId,
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ['code'],
        allowedOauthScopes: USER_POOL_SCOPES,
        supportedIdentityProviders: ['COGNITO'],
        callbackUrls: Lazy.listValue({ produce: () => props.appUrls().map((url) => `${url}/api/auth/oidc/callback`) }),
        logoutUrls: Lazy.listValue({ produce: () => props.appUrls().map((url) => `${url}/`) }),
        explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        preventUserExistenceErrors: 'ENABLED',
        enableTokenRevocation: true,
        // Only the ID token is used, once, at sign-in; the service's own session takes over.
        idTokenValidity: 5,
        accessTokenValidity: 5,
        refreshTokenValidity: 60,
        tokenValidityUnits: [{ idToken: 'minutes', accessToken: 'minutes', refreshToken: 'minutes' }],
      }),
      'user_pool_client',
    );
  }

  /** The provider settings the functions get: the pool's when it is on, else the `oidc_*` values given. */
  wiring(given: { oidcIssuerUrl: string; oidcClientId: string; oidcClientSecretArn: string; oidcRoleClaim: string; oidcRoleMapping: Record<string, string>; oidcScopes: string[] }): UserPoolWiring {
    const on = this.presence.condition;
    const issuer = `https://${attributeOf(this.pool, this.presence, 'endpoint')}`;
    const pick = (pool: string, other: string): string => ifPresent(this.presence, pool, other);
    const groups = Fn.tomap({ ...USER_POOL_GROUPS });
    return {
      oidcIssuerUrl: pick(issuer, given.oidcIssuerUrl),
      oidcClientId: pick(attributeOf(this.client, this.presence, 'id'), given.oidcClientId),
      // A public client: no secret to read. In tostring(): the grant's count compares it with "",
      // and a bare conditional there would bind to the comparison.
      oidcClientSecretArn: on === undefined ? '' : Fn.tostring(Fn.conditional(on, '', given.oidcClientSecretArn)),
      oidcRoleClaim: pick(USER_POOL_ROLE_CLAIM, given.oidcRoleClaim),
      // The pool's groups, plus whatever oidc_role_mapping adds.
      oidcRoleMapping: (on === undefined ? { ...USER_POOL_GROUPS, ...given.oidcRoleMapping } : Token.asAny(Fn.conditional(on, Fn.merge([groups, given.oidcRoleMapping]), given.oidcRoleMapping))) as Record<string, string>,
      oidcScopes: on === undefined ? [...USER_POOL_SCOPES] : Token.asList(Fn.conditional(on, USER_POOL_SCOPES, given.oidcScopes)),
    };
  }

  /** The hosted sign-in domain's prefix ("" when the pool is off): `https://<prefix>.auth.<region>.amazoncognito.com`. */
  get domainPrefix(): string {
    return ifPresent(this.presence, attributeOf(this.domain, this.presence, 'domain'), '');
  }

  get poolId(): string {
    return ifPresent(this.presence, attributeOf(this.pool, this.presence, 'id'), '');
  }
}
