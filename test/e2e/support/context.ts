/**
 * What the global setup hands to the e2e tests: the running local stack's endpoints, the
 * users it created and where its JWT secret lives. Read from the file named by
 * MEDIA_STORE_E2E_CONTEXT (env set by global-setup.ts, inherited by the jest workers).
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalStack } from '../../../local/stack';

export interface E2eUser {
  readonly username: string;
  readonly password: string;
}

/** The stack's own fields, as global-setup.ts copies them, and what the setup adds. */
export interface E2eContext
  extends Pick<
    LocalStack,
    'apiUrl' | 's3Endpoint' | 'dynamodbEndpoint' | 'region' | 'tableName' | 'bucketName' | 'snsEndpoint' | 'deadLetterDir' | 'lambdaEndpoint' | 'secretsManagerEndpoint' | 'jwtSecretArn' | 'originSecretArn' | 'functionsDir' | 'planDir' | 'credentials' | 'functionNames' | 'sfnEndpoint' | 'stateMachineArns'
  > {
  readonly logFile: string;
  readonly admin: E2eUser;
  readonly editor: E2eUser;
  readonly viewer: E2eUser;
  /** A user that only the login-throttling test fails against. */
  readonly throttled: E2eUser;
  /** An editor limited to FAMILY_EDITOR_FOLDERS. */
  readonly familyEditor: E2eUser;
}

/** The folder limits of the e2e stack's `familyEditor`. */
export const FAMILY_EDITOR_FOLDERS = ['/family', '/trips/2024'] as const;

export const CONTEXT_ENV = 'MEDIA_STORE_E2E_CONTEXT';
/** The one origin the e2e stack allows (module variable `cors_allowed_origins`). */
export const BROWSER_ORIGIN = 'http://localhost:5173';

export function e2eContext(): E2eContext {
  const file = process.env[CONTEXT_ENV];
  if (!file) throw new Error(`${CONTEXT_ENV} is not set: run the e2e tests through jest (--selectProjects e2e)`);
  return JSON.parse(readFileSync(file, 'utf8')) as E2eContext;
}

/** The local Secrets Manager of a stack, as the functions reach it. */
export function secretsManager(context: Pick<E2eContext, 'secretsManagerEndpoint' | 'region' | 'credentials'> = e2eContext()): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: context.secretsManagerEndpoint, region: context.region, credentials: context.credentials });
}

/** The stack's current JWT signing key (AWSCURRENT) and its version id, to forge tokens the authorizer must still refuse. */
export async function jwtSigningKey(context: Pick<E2eContext, 'secretsManagerEndpoint' | 'region' | 'jwtSecretArn' | 'credentials'> = e2eContext()): Promise<{ id: string; secret: string }> {
  const client = secretsManager(context);
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: context.jwtSecretArn, VersionStage: 'AWSCURRENT' }));
    return { id: out.VersionId as string, secret: out.SecretString as string };
  } finally {
    client.destroy();
  }
}
