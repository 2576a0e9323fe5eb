import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { DEFAULTS } from './defaults';

export interface SigningSecretProps {
  /** Prefix of the secret's name (a unique suffix is appended). */
  readonly namePrefix: string;
  /** Days Secrets Manager keeps a deleted secret recoverable (0 = delete at once, else 7-30). @default 30 */
  readonly recoveryWindowDays?: number;
}

/**
 * The JWT signing secret, created empty: Terraform never sees the key, so it is in no plan,
 * state or output. The auth function creates it at first use inside AWS (PutSecretValue with
 * a fixed ClientRequestToken, so concurrent cold starts converge on one key); the functions
 * read it from Secrets Manager at cold start.
 */
export class SigningSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: SigningSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      namePrefix: `${props.namePrefix}-jwt-signing-key-`,
      description: 'HS256 key that signs and verifies media-store access tokens',
      recoveryWindowInDays: props.recoveryWindowDays ?? DEFAULTS.jwtSecretRecoveryWindowDays,
    });
    this.secret.overrideLogicalId('jwt_signing_key');
  }

  get arn(): string {
    return this.secret.arn;
  }
}
