import { Construct } from 'constructs';
import { Password } from '@cdktf/provider-random/lib/password';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { DEFAULTS } from './defaults';

export interface SigningSecretProps {
  /** Prefix of the secret's name (a unique suffix is appended). */
  readonly namePrefix: string;
  /** Days Secrets Manager keeps a deleted secret recoverable (0 = delete at once, else 7-30). @default 30 */
  readonly recoveryWindowDays?: number;
}

/**
 * The JWT signing secret. Terraform generates it (`random_password`, a sensitive value that is
 * unknown at plan time), so it is never written in source or in the plan's plain values;
 * the functions fetch it from Secrets Manager at cold start.
 */
export class SigningSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: SigningSecretProps) {
    super(scope, id);
    // 64 alphanumerics: about 380 bits, well above HS256's 256-bit key size.
    const value = new Password(this, 'value', { length: 64, special: false });
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      namePrefix: `${props.namePrefix}-jwt-signing-key-`,
      description: 'HS256 key that signs and verifies media-store access tokens',
      recoveryWindowInDays: props.recoveryWindowDays ?? DEFAULTS.jwtSecretRecoveryWindowDays,
    });
    this.version = new SecretsmanagerSecretVersion(this, 'version', {
      secretId: this.secret.id,
      secretString: value.result,
    });
  }

  get arn(): string {
    return this.secret.arn;
  }
}
