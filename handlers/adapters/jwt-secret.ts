/**
 * The JWT signing keys: the versions of the Secrets Manager secret behind `JWT_SECRET_ARN`.
 * New tokens are signed with the AWSCURRENT version and name it in their `kid`; tokens
 * signed with the AWSPREVIOUS version stay valid until they expire, so a rotation
 * (`npm run rotate-jwt-key`: a new AWSCURRENT) logs nobody out. Any other version is refused.
 *
 * The module creates the secret without a value. At first use the auth function finds no
 * AWSCURRENT version and puts one with a fixed ClientRequestToken: Secrets Manager makes that
 * call idempotent, so concurrent cold starts converge on the first value written, which
 * each then reads back. The authorizer never writes (its role may not).
 *
 * `JWT_SECRET` (a key given directly, without versions) is for unit tests and tools only;
 * the module never sets it and the local stack runs the Secrets Manager path.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';
import { optionalString, type Env } from '../core/env';
import { MIN_SECRET_BYTES, type KeyLookup, type SigningKey } from '../core/token';

export type JwtSecretSource = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'arn'; readonly arn: string };

/** Where the keys come from; throws naming the variable when neither is set. */
export function jwtSecretSource(env: Env): JwtSecretSource {
  const value = optionalString(env, 'JWT_SECRET');
  if (value !== undefined) {
    checkStrength(value, 'JWT_SECRET');
    return { kind: 'value', value };
  }
  const arn = optionalString(env, 'JWT_SECRET_ARN');
  if (arn === undefined) throw new ConfigError('JWT_SECRET_ARN', 'is required but not set');
  return { kind: 'arn', arn };
}

function checkStrength(secret: string, variable: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) throw new ConfigError(variable, `must hold at least ${MIN_SECRET_BYTES} bytes`);
}

export interface JwtKeys {
  /** The key new tokens are signed with (AWSCURRENT). */
  signingKey(): Promise<SigningKey>;
  /** The key a token's `kid` names, when that version is AWSCURRENT or AWSPREVIOUS. */
  readonly verificationKey: KeyLookup;
}

export interface JwtKeysOptions {
  /** @default a client configured from the environment (AWS_ENDPOINT_URL_SECRETS_MANAGER honoured) */
  readonly client?: SecretsManagerClient;
  /** Put the first key when the secret has none (the auth function). @default false */
  readonly createIfMissing?: boolean;
  /** Re-read the versions after this long, so a rotation reaches warm functions. @default 300 */
  readonly maxAgeSeconds?: number;
  /** Milliseconds. @default the clock */
  readonly now?: () => number;
  /** The variable that named the secret, for error messages. @default "JWT_SECRET_ARN" */
  readonly variable?: string;
  /** ClientRequestToken of the first version put (`createIfMissing`). @default INITIAL_KEY_REQUEST_TOKEN */
  readonly initialRequestToken?: string;
}

/** The ClientRequestToken (= version id) of the first key: the same in every cold start. */
export const INITIAL_KEY_REQUEST_TOKEN = 'media-store-initial-jwt-signing-key-0001';
const CURRENT_STAGE = 'AWSCURRENT';
const PREVIOUS_STAGE = 'AWSPREVIOUS';
/** An unknown `kid` re-reads the versions at most this often (forged kids cost no calls). */
const MIN_RELOAD_INTERVAL_MS = 5_000;
/** 48 random bytes: 384 bits, above HS256's 256. */
export const newSigningSecret = (): string => randomBytes(48).toString('base64url');

interface KeyVersion {
  readonly id: string;
  readonly secret: string;
}

interface KeyRing {
  readonly current: KeyVersion;
  readonly previous?: KeyVersion;
  readonly loadedAt: number;
}

export function jwtKeys(source: JwtSecretSource, options: JwtKeysOptions = {}): JwtKeys {
  if (source.kind === 'value') {
    return {
      signingKey: () => Promise.resolve({ secret: source.value }),
      verificationKey: (kid) => Promise.resolve(kid === undefined ? source.value : undefined),
    };
  }
  const now = options.now ?? Date.now;
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  let client = options.client;
  let pending: Promise<KeyRing> | undefined;

  const load = (): Promise<KeyRing> => {
    client ??= new SecretsManagerClient({});
    const loading = loadRing(client, source.arn, { createIfMissing: options.createIfMissing ?? false, variable: options.variable ?? 'JWT_SECRET_ARN', initialRequestToken: options.initialRequestToken ?? INITIAL_KEY_REQUEST_TOKEN }, now);
    pending = loading;
    // A failed read is not kept: the next call tries again.
    loading.catch(() => {
      if (pending === loading) pending = undefined;
    });
    return loading;
  };
  const ring = async (): Promise<KeyRing> => {
    const loaded = await (pending ?? load());
    return now() - loaded.loadedAt > maxAgeMs ? load() : loaded;
  };
  const find = (loaded: KeyRing, kid: string): string | undefined =>
    [loaded.current, loaded.previous].find((version) => version !== undefined && version.id === kid)?.secret;

  return {
    async signingKey() {
      const { current } = await ring();
      return { id: current.id, secret: current.secret };
    },
    async verificationKey(kid) {
      if (kid === undefined) return undefined;
      const loaded = await ring();
      const found = find(loaded, kid);
      if (found !== undefined || now() - loaded.loadedAt < MIN_RELOAD_INTERVAL_MS) return found;
      // Perhaps a rotation since the versions were read.
      return find(await load(), kid);
    },
  };
}

interface RingSource {
  readonly createIfMissing: boolean;
  readonly variable: string;
  readonly initialRequestToken: string;
}

async function loadRing(client: SecretsManagerClient, arn: string, source: RingSource, now: () => number): Promise<KeyRing> {
  let current = await readVersion(client, arn, CURRENT_STAGE, source.variable);
  if (current === undefined && source.createIfMissing) {
    await putInitialKey(client, arn, source.initialRequestToken);
    current = await readVersion(client, arn, CURRENT_STAGE, source.variable);
  }
  if (current === undefined) throw new ConfigError(source.variable, 'names a secret without an AWSCURRENT version (the function that owns it creates it at first use)');
  const previous = await readVersion(client, arn, PREVIOUS_STAGE, source.variable);
  return { current, ...(previous !== undefined ? { previous } : {}), loadedAt: now() };
}

/** The version at `stage`, or `undefined` when the secret has none there. */
async function readVersion(client: SecretsManagerClient, arn: string, stage: string, variable: string): Promise<KeyVersion | undefined> {
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
    const secret = out.SecretString;
    if (secret === undefined || secret === '' || out.VersionId === undefined) throw new ConfigError(variable, `names a secret whose ${stage} version has no string value`);
    checkStrength(secret, variable);
    return { id: out.VersionId, secret };
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function putInitialKey(client: SecretsManagerClient, arn: string, requestToken: string): Promise<void> {
  try {
    await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: requestToken, SecretString: newSigningSecret() }));
  } catch (error) {
    // Another cold start put its value under the same request token first: read that one.
    if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
  }
}
