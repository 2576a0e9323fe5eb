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
 * Every request must be sent to this emulator's own Host, as `application/x-amz-json-1.1`
 * (else 415), and SigV4-signed with the stack's per-run key pair (local/sigv4.ts): the secrets
 * (the JWT signing key) go to the stack's functions and tools, not to whoever reaches the port.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from './log';
import { freePort } from './ports';
import { hostRefusal, verifySigV4, type LocalCredentials } from './sigv4';
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

export interface LocalSecretsManager {
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

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_1_1 = 'application/x-amz-json-1.1';

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
    if (secret === undefined) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const versionAt = (secret: StoredSecret, stage: string): string | undefined => Object.keys(secret.versions).find((id) => secret.versions[id]?.stages.includes(stage));
  const moveStage = (secret: StoredSecret, stage: string, to: string | undefined): void => {
    for (const version of Object.values(secret.versions)) version.stages = version.stages.filter((s) => s !== stage);
    if (to !== undefined) secret.versions[to]?.stages.push(stage);
  };
  const stagesOf = (secret: StoredSecret): Record<string, string[]> =>
    Object.fromEntries(Object.entries(secret.versions).filter(([, v]) => v.stages.length > 0).map(([id, v]) => [id, v.stages]));

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      const id = typeof input.VersionId === 'string' ? input.VersionId : versionAt(secret, typeof input.VersionStage === 'string' ? input.VersionStage : CURRENT);
      const version = id === undefined ? undefined : secret.versions[id];
      if (id === undefined || version === undefined) {
        throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label or version.");
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: id, SecretString: version.value, VersionStages: version.stages, CreatedDate: version.createdDate };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      if (typeof input.SecretString !== 'string' || input.SecretString === '') throw new ServiceError('InvalidParameterException', 'SecretString is required.');
      const id = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      if (id.length < 32 || id.length > 64) throw new ServiceError('ValidationException', 'ClientRequestToken must be 32 to 64 characters.');
      const existing = secret.versions[id];
      if (existing !== undefined) {
        if (existing.value !== input.SecretString) throw new ServiceError('ResourceExistsException', 'A resource with the ID you requested already exists.');
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
      if (to !== undefined && secret.versions[to] === undefined) throw new ServiceError('ResourceNotFoundException', 'No such version.');
      if (versionAt(secret, stage) !== from && from !== undefined) throw new ServiceError('InvalidParameterException', `The stage ${stage} is not attached to ${from}.`);
      if (stage === CURRENT && to !== undefined) moveStage(secret, PREVIOUS, versionAt(secret, CURRENT));
      moveStage(secret, stage, to);
      save();
      return { ARN: secret.arn, Name: secret.name };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wrongHost = hostRefusal(req.headers.host, port);
    if (wrongHost) throw new ServiceError(wrongHost.code, wrongHost.message, wrongHost.status);
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== JSON_1_1) throw new ServiceError('UnsupportedMediaTypeException', `Content-Type ${JSON.stringify(contentType)} is not supported: send ${JSON_1_1}`, 415);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = /^secretsmanager\.(\w+)$/.exec(target)?.[1];
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new ServiceError('InvalidRequestException', 'Request too large.');
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const unsigned = await verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { credentials, region, service: 'secretsmanager' });
    if (unsigned) throw new ServiceError(unsigned.code, unsigned.message, unsigned.status);
    const run = operation === undefined ? undefined : operations[operation];
    if (req.method !== 'POST' || run === undefined) throw new ServiceError('UnknownOperationException', `Operation ${target || '(none)'} is not emulated.`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      throw new ServiceError('SerializationException', 'Request body is not JSON.');
    }
    send(res, 200, run(input));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ServiceError) {
        if (error.status === 403 || error.status === 415 || error.status === 421) logger.warn('secretsmanager', `${req.method} ${String(req.headers['x-amz-target'] ?? '')} refused: ${error.type}`);
        req.resume();
        return send(res, error.status, { __type: error.type, message: error.message }, error.type);
      }
      logger.error('secretsmanager', `request failed: ${String(error)}`);
      send(res, 500, { __type: 'InternalServiceError', message: 'Internal error' }, 'InternalServiceError');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secretArn: (name) => find(name).arn,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), ...(errorType !== undefined ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}
