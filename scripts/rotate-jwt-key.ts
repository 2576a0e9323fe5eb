/**
 * `npm run rotate-jwt-key`: puts a new JWT signing key as the secret's AWSCURRENT version;
 * Secrets Manager moves the old one to AWSPREVIOUS. New tokens are signed with the new key
 * within seconds (the auth function re-reads AWSCURRENT every 10 s); tokens signed with the
 * previous key stay valid until they expire (access tokens: `token_ttl_seconds`). Rotating
 * twice within one access token lifetime refuses the tokens of the key two versions back:
 * clients then refresh, nobody is logged out.
 *
 * Target: the local stack (`.local/stack.json`, or `--stack <file>`) by default, or a
 * deployed secret: `--secret-id <arn> [--region <r>]` with your AWS credentials.
 * The key itself is never printed.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { newSigningSecret } from '../handlers/adapters/jwt-secret';
import type { StackInfo } from '../local/stack';
import { parseCommandLine } from './args';

const USAGE = `usage: npm run rotate-jwt-key -- [--stack <.local/stack.json>] | [--secret-id <arn> [--region <r>]]`;

/** Puts a new AWSCURRENT version; returns its version id. */
export async function rotateJwtKey(client: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: randomUUID(), SecretString: newSigningSecret() }));
  return out.VersionId as string;
}

async function main(argv: readonly string[]): Promise<void> {
  let values: Readonly<Record<string, string | undefined>>;
  try {
    ({ values } = parseCommandLine(argv, { values: ['secret-id', 'region', 'stack'] }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  const secretId = values['secret-id'];
  let client: SecretsManagerClient;
  let target: string;
  if (secretId !== undefined) {
    const region = values.region;
    client = new SecretsManagerClient(region !== undefined ? { region } : {});
    target = secretId;
  } else {
    const file = values.stack ?? path.resolve(__dirname, '..', '.local', 'stack.json');
    const stack = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
    client = new SecretsManagerClient({ endpoint: stack.secretsManagerEndpoint, region: stack.region, credentials: stack.credentials });
    target = stack.jwtSecretArn;
  }
  const versionId = await rotateJwtKey(client, target);
  process.stdout.write(`new signing key version ${versionId} is AWSCURRENT; the previous one stays valid for tokens it signed\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`rotate-jwt-key: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
