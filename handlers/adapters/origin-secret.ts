/**
 * The origin secret the site's CloudFront distribution sends to the API (contract/site.ts
 * `ORIGIN_VERIFY_HEADER`), read from the Secrets Manager secret behind `ORIGIN_SECRET_ARN`:
 * its AWSCURRENT and, during a rotation, AWSPREVIOUS versions. The functions only read it.
 *
 * Never fails a request: no variable (the site is off), no version yet, or a failed read all
 * mean "no secret", so `CloudFront-Viewer-Address` is not believed and `sourceIp` is used.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { optionalString, type Env } from '../core/env';

export interface OriginSecretsOptions {
  /** @default a client configured from the environment (AWS_ENDPOINT_URL_SECRETS_MANAGER honoured) */
  readonly client?: SecretsManagerClient;
  /** Keep values read for this long, so a rotation reaches warm functions. @default 300 */
  readonly maxAgeSeconds?: number;
  /** Try again this soon after finding no value (before the first deploy fills it). @default 60 */
  readonly retrySeconds?: number;
  /** Milliseconds. @default the clock */
  readonly now?: () => number;
}

const STAGES = ['AWSCURRENT', 'AWSPREVIOUS'] as const;

/** The origin secrets the API accepts now (empty when none). */
export function originSecrets(env: Env, options: OriginSecretsOptions = {}): () => Promise<readonly string[]> {
  const arn = optionalString(env, 'ORIGIN_SECRET_ARN');
  if (arn === undefined) return () => Promise.resolve([]);
  const now = options.now ?? Date.now;
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  const retryMs = (options.retrySeconds ?? 60) * 1000;
  let client = options.client;
  let cached: { readonly values: readonly string[]; readonly until: number } | undefined;
  let pending: Promise<readonly string[]> | undefined;

  const read = async (stage: string): Promise<string | undefined> => {
    client ??= new SecretsManagerClient({});
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
      return out.SecretString === undefined || out.SecretString === '' ? undefined : out.SecretString;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  const load = async (): Promise<readonly string[]> => {
    try {
      const values = (await Promise.all(STAGES.map(read))).filter((v): v is string => v !== undefined);
      cached = { values, until: now() + (values.length > 0 ? maxAgeMs : retryMs) };
    } catch {
      // Keep what was known; try again soon.
      cached = { values: cached?.values ?? [], until: now() + retryMs };
    }
    return cached.values;
  };
  return async () => {
    if (cached !== undefined && now() < cached.until) return cached.values;
    pending ??= load().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
