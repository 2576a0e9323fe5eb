import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { DEFAULTS } from './defaults';
import { unlessEmpty } from './expressions';

/** What a secret is for: its name, Terraform address and description. */
interface SecretPurpose {
  /** Middle of the secret's name: `<prefix>-<name>-<unique suffix>`. */
  readonly name: string;
  /** Terraform address: `aws_secretsmanager_secret.<logicalId>`. */
  readonly logicalId: string;
  readonly description: string;
}

const JWT_SIGNING_KEY: SecretPurpose = {
  name: 'jwt-signing-key',
  logicalId: 'jwt_signing_key',
  description: 'HS256 key that signs and verifies media-store access tokens',
};

export const CURSOR_KEY: SecretPurpose = {
  name: 'cursor-key',
  logicalId: 'cursor_key',
  description: 'Key that seals media-store listing cursors (never the token key)',
};

export const ORIGIN_VERIFY: SecretPurpose = {
  name: 'origin-verify',
  logicalId: 'origin_verify',
  description: 'Value the site\'s CloudFront sends to the API so it may believe CloudFront-Viewer-Address',
};

export interface SigningSecretProps {
  /** Prefix of the secret's name (a unique suffix is appended). */
  readonly namePrefix: string;
  /** Days Secrets Manager keeps a deleted secret recoverable (0 = delete at once, else 7-30). @default 30 */
  readonly recoveryWindowDays?: number;
  /** @default JWT_SIGNING_KEY */
  readonly purpose?: SecretPurpose;
  /** Customer managed KMS key of the secret; empty: Secrets Manager's AWS managed key. @default "" */
  readonly kmsKeyArn?: string;
}

/**
 * A key created empty: Terraform never sees it, so it is in no plan, state or output. The
 * function that owns it creates it at first use inside AWS (PutSecretValue with a fixed
 * ClientRequestToken, so concurrent cold starts converge on one key): the auth function the
 * JWT key, the files function the cursor key. The functions read it from Secrets Manager.
 */
export class SigningSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: SigningSecretProps) {
    super(scope, id);
    const purpose = props.purpose ?? JWT_SIGNING_KEY;
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      namePrefix: `${props.namePrefix}-${purpose.name}-`,
      description: purpose.description,
      recoveryWindowInDays: props.recoveryWindowDays ?? DEFAULTS.jwtSecretRecoveryWindowDays,
      kmsKeyId: unlessEmpty(props.kmsKeyArn ?? DEFAULTS.kmsKeyArn),
    });
    this.secret.overrideLogicalId(purpose.logicalId);
  }

  get arn(): string {
    return this.secret.arn;
  }
}
