/**
 * Just enough of Secrets Manager for the local stack, in the JSON 1.1 protocol the SDK v3
 * client speaks (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`): the plan's secrets,
 * created without a value like the module creates them, and
 *
 * - `GetSecretValue` by `VersionStage` (default AWSCURRENT) or `VersionId`;
 *   ResourceNotFoundException when the secret has no such version;
 * - `PutSecretValue`: the version id is the `ClientRequestToken`; the same token with the same
 *   value is a no-op, with another value ResourceExistsException (AWS's idempotency);
 *   a new version becomes AWSCURRENT and the old current AWSPREVIOUS;
 * - `DescribeSecret` (`VersionIdsToStages`) and `UpdateSecretVersionStage`.
 *
 * Data is kept in `<dataDir>/secrets-manager.json` (mode 0600) unless in memory.
 * Requests are checked as local/json-protocol.ts says (own Host, content type, SigV4 with the
 * stack's per-run key pair): the secrets (the JWT signing key) go to the stack's functions and
 * tools, not to whoever reaches the port.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from './log';
import { freePort } from './ports';
import { AwsJsonError, startAwsJsonService, type JsonOperations } from './json-protocol';
import type { LocalCredentials } from './sigv4';
import { LOCAL_ACCOUNT } from './sns';

export interface LocalSecretsManagerOptions {
  readonly region: string;
  /** Names of the secrets that exist (created without a value when new). */
  readonly secretNames: readonly string[];
  readonly logger: Logger;
  /** The stack's key pair: requests not signed with it are refused. */
  readonly credentials: LocalCredentials;
  /** Where the secrets survive restarts; omitted: in memory. */
  readonly file?: string;
  /** @default a free port */
  readonly port?: number;
}

interface LocalSecretsManager {
  readonly endpoint: string;
  /** ARN of a secret by name. */
  secretArn(name: string): string;
  stop(): Promise<void>;
}

interface StoredVersion {
  readonly value: string;
  stages: string[];
  readonly createdDate: number;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly versions: Record<string, StoredVersion>;
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const MAX_BODY_BYTES = 1024 * 1024;

export async function startLocalSecretsManager(options: LocalSecretsManagerOptions): Promise<LocalSecretsManager> {
  const { logger, region, file, credentials } = options;
  const port = options.port ?? (await freePort());
  const secrets: Record<string, StoredSecret> = file !== undefined && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, StoredSecret>) : {};
  for (const name of options.secretNames) {
    // AWS appends six random characters to a secret's ARN.
    secrets[name] ??= { arn: `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`, name, versions: {} };
  }
  const save = (): void => {
    if (file === undefined) return;
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  save();

  const find = (id: unknown): StoredSecret => {
    const secret = Object.values(secrets).find((s) => s.arn === id || s.name === id);
    if (secret === undefined) throw new AwsJsonError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const versionAt = (secret: StoredSecret, stage: string): string | undefined => Object.keys(secret.versions).find((id) => secret.versions[id]?.stages.includes(stage));
  const moveStage = (secret: StoredSecret, stage: string, to: string | undefined): void => {
    for (const version of Object.values(secret.versions)) version.stages = version.stages.filter((s) => s !== stage);
    if (to !== undefined) secret.versions[to]?.stages.push(stage);
  };
  const stagesOf = (secret: StoredSecret): Record<string, string[]> =>
    Object.fromEntries(Object.entries(secret.versions).filter(([, v]) => v.stages.length > 0).map(([id, v]) => [id, v.stages]));

  const operations: JsonOperations = {
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      const id = typeof input.VersionId === 'string' ? input.VersionId : versionAt(secret, typeof input.VersionStage === 'string' ? input.VersionStage : CURRENT);
      const version = id === undefined ? undefined : secret.versions[id];
      if (id === undefined || version === undefined) {
        throw new AwsJsonError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label or version.");
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: id, SecretString: version.value, VersionStages: version.stages, CreatedDate: version.createdDate };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      if (typeof input.SecretString !== 'string' || input.SecretString === '') throw new AwsJsonError('InvalidParameterException', 'SecretString is required.');
      const id = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      if (id.length < 32 || id.length > 64) throw new AwsJsonError('ValidationException', 'ClientRequestToken must be 32 to 64 characters.');
      const existing = secret.versions[id];
      if (existing !== undefined) {
        if (existing.value !== input.SecretString) throw new AwsJsonError('ResourceExistsException', 'A resource with the ID you requested already exists.');
        return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: existing.stages };
      }
      const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : [CURRENT];
      secret.versions[id] = { value: input.SecretString, stages: [], createdDate: Date.now() / 1000 };
      for (const stage of stages) {
        if (stage === CURRENT) moveStage(secret, PREVIOUS, versionAt(secret, CURRENT));
        moveStage(secret, stage, id);
      }
      save();
      logger.info('secretsmanager', `${secret.name}: new version ${id} (${stages.join(', ')})`);
      return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: secret.versions[id]?.stages ?? [] };
    },
    DescribeSecret(input) {
      const secret = find(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, VersionIdsToStages: stagesOf(secret) };
    },
    UpdateSecretVersionStage(input) {
      const secret = find(input.SecretId);
      const stage = String(input.VersionStage ?? '');
      const from = typeof input.RemoveFromVersionId === 'string' ? input.RemoveFromVersionId : undefined;
      const to = typeof input.MoveToVersionId === 'string' ? input.MoveToVersionId : undefined;
      if (to !== undefined && secret.versions[to] === undefined) throw new AwsJsonError('ResourceNotFoundException', 'No such version.');
      if (versionAt(secret, stage) !== from && from !== undefined) throw new AwsJsonError('InvalidParameterException', `The stage ${stage} is not attached to ${from}.`);
      if (stage === CURRENT && to !== undefined) moveStage(secret, PREVIOUS, versionAt(secret, CURRENT));
      moveStage(secret, stage, to);
      save();
      return { ARN: secret.arn, Name: secret.name };
    },
  };

  const service = await startAwsJsonService({
    version: '1.1',
    targetPrefix: 'secretsmanager',
    service: 'secretsmanager',
    region,
    credentials,
    logger,
    port,
    maxBodyBytes: MAX_BODY_BYTES,
    tooLarge: new AwsJsonError('InvalidRequestException', 'Request too large.'),
    internalErrorType: 'InternalServiceError',
    operations,
  });
  return {
    endpoint: service.endpoint,
    secretArn: (name) => find(name).arn,
    stop: service.stop,
  };
}
