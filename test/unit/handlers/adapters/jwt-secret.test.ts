import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { INITIAL_KEY_REQUEST_TOKEN, jwtKeys } from '../../../../handlers/adapters/jwt-secret';

const ARN = 'arn:aws:secretsmanager:us-east-1:0:secret:k';
const KEY = (n: number) => `key-${n}-`.padEnd(48, 'x');

/** A Secrets Manager with versions and stages, and PutSecretValue's idempotency by request token. */
function fakeSecretsManager(initial: Record<string, { value: string; stages: string[] }> = {}) {
  const versions = { ...initial };
  const calls: string[] = [];
  const error = (name: string) => Object.assign(new Error(name), { name });
  const client = {
    async send(command: unknown) {
      if (command instanceof GetSecretValueCommand) {
        const stage = command.input.VersionStage ?? 'AWSCURRENT';
        calls.push(`get ${stage}`);
        const id = Object.keys(versions).find((v) => versions[v]?.stages.includes(stage));
        if (id === undefined) throw error('ResourceNotFoundException');
        return { VersionId: id, SecretString: versions[id]?.value };
      }
      if (command instanceof PutSecretValueCommand) {
        const id = command.input.ClientRequestToken as string;
        calls.push(`put ${id}`);
        if (versions[id] !== undefined) {
          if (versions[id]?.value !== command.input.SecretString) throw error('ResourceExistsException');
          return {};
        }
        for (const v of Object.values(versions)) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS').map((s) => (s === 'AWSCURRENT' ? 'AWSPREVIOUS' : s));
        versions[id] = { value: command.input.SecretString as string, stages: ['AWSCURRENT'] };
        return { VersionId: id };
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as SecretsManagerClient, versions, calls };
}

describe('jwtKeys', () => {
  it('puts the first key with the fixed request token when the secret is empty, then reads it back', async () => {
    const sm = fakeSecretsManager();
    const keys = jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client, createIfMissing: true });
    const key = await keys.signingKey();
    expect(key.id).toBe(INITIAL_KEY_REQUEST_TOKEN);
    expect(Buffer.byteLength(key.secret)).toBeGreaterThanOrEqual(48);
    expect(sm.calls.slice(0, 3)).toEqual(['get AWSCURRENT', `put ${INITIAL_KEY_REQUEST_TOKEN}`, 'get AWSCURRENT']);
  });

  it('converges on the key another cold start put first (ResourceExistsException)', async () => {
    const sm = fakeSecretsManager();
    const [a, b] = [jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client, createIfMissing: true }), jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client, createIfMissing: true })];
    const [ka, kb] = await Promise.all([a.signingKey(), b.signingKey()]);
    expect(ka).toEqual(kb);
    expect(Object.keys(sm.versions)).toEqual([INITIAL_KEY_REQUEST_TOKEN]);
  });

  it('never writes without createIfMissing (the authorizer) and fails instead', async () => {
    const sm = fakeSecretsManager();
    await expect(jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client }).signingKey()).rejects.toThrow(/AWSCURRENT/);
    expect(sm.calls.some((c) => c.startsWith('put'))).toBe(false);
  });

  it('verifies with AWSCURRENT and AWSPREVIOUS only, re-reading once for an unknown kid after a rotation', async () => {
    // Prepare
    let now = 1_000_000;
    const sm = fakeSecretsManager({ v1: { value: KEY(1), stages: ['AWSPREVIOUS'] }, v2: { value: KEY(2), stages: ['AWSCURRENT'] }, v0: { value: KEY(0), stages: [] } });
    const keys = jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client, now: () => now });
    // Act + Assess
    expect(await keys.verificationKey('v2')).toBe(KEY(2));
    expect(await keys.verificationKey('v1')).toBe(KEY(1));
    expect(await keys.verificationKey('v0')).toBeUndefined();
    expect(await keys.verificationKey(undefined)).toBeUndefined();
    await sm.client.send(new PutSecretValueCommand({ SecretId: ARN, ClientRequestToken: 'v3', SecretString: KEY(3) }));
    expect(await keys.verificationKey('v3')).toBeUndefined(); // within 5 s of the last read: no new read
    now += 5_000;
    expect(await keys.verificationKey('v3')).toBe(KEY(3));
    expect(await keys.verificationKey('v2')).toBe(KEY(2));
    expect(await keys.verificationKey('v1')).toBeUndefined();
  });

  it('signs with a rotated key once its cached copy is older than maxAgeSeconds', async () => {
    let now = 1_000_000;
    const sm = fakeSecretsManager({ v1: { value: KEY(1), stages: ['AWSCURRENT'] } });
    const keys = jwtKeys({ kind: 'arn', arn: ARN }, { client: sm.client, maxAgeSeconds: 10, now: () => now });
    expect((await keys.signingKey()).id).toBe('v1');
    await sm.client.send(new PutSecretValueCommand({ SecretId: ARN, ClientRequestToken: 'v2', SecretString: KEY(2) }));
    now += 10_001;
    expect((await keys.signingKey()).id).toBe('v2');
  });
});
