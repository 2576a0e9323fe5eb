/**
 * The JWT signing secret: `JWT_SECRET` itself (local stack only) or the Secrets Manager
 * value behind `JWT_SECRET_ARN`, fetched once per cold start. A failed fetch is not cached,
 * so the next invocation tries again.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';
import { optionalString, type Env } from '../core/env';
import { MIN_SECRET_BYTES } from '../core/token';

export type JwtSecretSource = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'arn'; readonly arn: string };

/** Where the secret comes from; throws naming the variable when neither is set. */
export function jwtSecretSource(env: Env): JwtSecretSource {
  const value = optionalString(env, 'JWT_SECRET');
  if (value !== undefined) {
    checkStrength(value, 'JWT_SECRET');
    return { kind: 'value', value };
  }
  const arn = optionalString(env, 'JWT_SECRET_ARN');
  if (arn === undefined) throw new ConfigError('JWT_SECRET_ARN', 'is required but not set (the local stack sets JWT_SECRET instead)');
  return { kind: 'arn', arn };
}

function checkStrength(secret: string, variable: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) throw new ConfigError(variable, `must hold at least ${MIN_SECRET_BYTES} bytes`);
}

export type SecretLoader = () => Promise<string>;

/** A loader that resolves the secret once and then serves it from memory. */
export function jwtSecretLoader(source: JwtSecretSource, client?: SecretsManagerClient): SecretLoader {
  if (source.kind === 'value') return () => Promise.resolve(source.value);
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= fetchSecret(source.arn, client ?? new SecretsManagerClient({})).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function fetchSecret(arn: string, client: SecretsManagerClient): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const secret = out.SecretString;
  if (secret === undefined || secret === '') throw new ConfigError('JWT_SECRET_ARN', 'names a secret without a string value');
  checkStrength(secret, 'JWT_SECRET_ARN');
  return secret;
}
