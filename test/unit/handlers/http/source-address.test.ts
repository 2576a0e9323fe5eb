import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cursorSecret, INITIAL_CURSOR_KEY_REQUEST_TOKEN } from '../../../../handlers/adapters/cursor-secret';
import { originSecrets } from '../../../../handlers/adapters/origin-secret';
import { createApiHandler } from '../../../../handlers/http/api-handler';
import { json } from '../../../../handlers/http/response';
import { clientAddress, sourceAddress, viewerAddressOf } from '../../../../handlers/http/source-address';
import { apiEvent, lambdaContext, memoryLogger } from '../../support';

const SECRET = 'origin-secret-0123456789abcdef';
const ARN = 'arn:aws:secretsmanager:us-east-1:0:secret:origin';

/** A request as API Gateway hands it over: sourceIp 127.0.0.1 (the edge, behind CloudFront), with `headers`. */
const requestWith = (headers: Record<string, string>) => {
  const event = apiEvent('GET /public/shares/{token}');
  return { ...event, headers: { ...event.headers, ...headers } };
};

function fakeSecretsManager(versions: Record<string, string>) {
  const calls: string[] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof GetSecretValueCommand) {
        const stage = command.input.VersionStage as string;
        calls.push(`get ${stage}`);
        if (versions[stage] === undefined) throw Object.assign(new Error('none'), { name: 'ResourceNotFoundException' });
        return { VersionId: stage, SecretString: versions[stage] };
      }
      if (command instanceof PutSecretValueCommand) {
        calls.push(`put ${command.input.ClientRequestToken}`);
        versions.AWSCURRENT ??= command.input.SecretString as string;
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as SecretsManagerClient, calls, versions };
}

describe('sourceAddress', () => {
  it('takes the viewer\'s address from CloudFront-Viewer-Address when the origin secret came with it', () => {
    const event = requestWith({ 'cloudfront-viewer-address': '198.51.100.10:46532', 'x-media-store-origin-verify': SECRET });
    expect(sourceAddress(event, [SECRET])).toBe('198.51.100.10');
  });

  it('ignores a forged CloudFront-Viewer-Address without the origin secret, keeping sourceIp', () => {
    expect(sourceAddress(requestWith({ 'cloudfront-viewer-address': '198.51.100.10:46532' }), [SECRET])).toBe('127.0.0.1');
  });

  it('ignores CloudFront-Viewer-Address with a wrong, longer, shorter or empty secret', () => {
    for (const wrong of [`${SECRET}x`, SECRET.slice(1), 'x', '']) {
      expect(sourceAddress(requestWith({ 'cloudfront-viewer-address': '198.51.100.10:1', 'x-media-store-origin-verify': wrong }), [SECRET])).toBe('127.0.0.1');
    }
  });

  it('believes nothing while no origin secret exists (site off, or not filled yet), even a header sent empty', () => {
    const event = requestWith({ 'cloudfront-viewer-address': '198.51.100.10:1', 'x-media-store-origin-verify': '' });
    expect(sourceAddress(event, [])).toBe('127.0.0.1');
    expect(sourceAddress(event, [''])).toBe('127.0.0.1');
  });

  it('accepts the previous secret too, so a rotation loses no viewer address', () => {
    const event = requestWith({ 'cloudfront-viewer-address': '198.51.100.10:1', 'x-media-store-origin-verify': 'old-secret' });
    expect(sourceAddress(event, [SECRET, 'old-secret'])).toBe('198.51.100.10');
  });

  it('keeps sourceIp when the viewer address is malformed, even with the secret', () => {
    for (const bad of ['198.51.100.10', 'not-an-ip:443', '198.51.100.10:443, 203.0.113.1:1', '999.1.1.1:443', '']) {
      expect(sourceAddress(requestWith({ 'cloudfront-viewer-address': bad, 'x-media-store-origin-verify': SECRET }), [SECRET])).toBe('127.0.0.1');
    }
  });
});

describe('viewerAddressOf', () => {
  it('reads IPv4 and IPv6 viewer addresses with their port, bracketed or not', () => {
    expect(viewerAddressOf('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(viewerAddressOf('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(viewerAddressOf('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(viewerAddressOf(undefined)).toBeUndefined();
  });
});

describe('createApiHandler with origin secrets', () => {
  it('gives every route the address by the rule, before the route runs', async () => {
    const handler = createApiHandler({ 'GET /public/shares/{token}': async (event) => json(200, { address: clientAddress(event) }) }, memoryLogger().logger, {
      originSecrets: async () => [SECRET],
    });
    const trusted = await handler(requestWith({ 'cloudfront-viewer-address': '198.51.100.10:1', 'x-media-store-origin-verify': SECRET }), lambdaContext);
    const forged = await handler(requestWith({ 'cloudfront-viewer-address': '198.51.100.10:1' }), lambdaContext);
    expect(JSON.parse(String(trusted.body))).toEqual({ address: '198.51.100.10' });
    expect(JSON.parse(String(forged.body))).toEqual({ address: '127.0.0.1' });
  });
});

describe('originSecrets', () => {
  it('reads the current and previous versions and keeps them for maxAgeSeconds', async () => {
    const sm = fakeSecretsManager({ AWSCURRENT: 'new', AWSPREVIOUS: 'old' });
    let now = 0;
    const secrets = originSecrets({ ORIGIN_SECRET_ARN: ARN }, { client: sm.client, now: () => now, maxAgeSeconds: 300 });
    expect(await secrets()).toEqual(['new', 'old']);
    now = 299_000;
    await secrets();
    expect(sm.calls).toHaveLength(2);
    now = 301_000;
    await secrets();
    expect(sm.calls).toHaveLength(4);
  });

  it('never writes the secret, answers none while it is empty, and looks again after retrySeconds', async () => {
    const sm = fakeSecretsManager({});
    let now = 0;
    const secrets = originSecrets({ ORIGIN_SECRET_ARN: ARN }, { client: sm.client, now: () => now, retrySeconds: 60 });
    expect(await secrets()).toEqual([]);
    sm.versions.AWSCURRENT = 'filled';
    now = 30_000;
    expect(await secrets()).toEqual([]);
    now = 61_000;
    expect(await secrets()).toEqual(['filled']);
    expect(sm.calls.filter((c) => c.startsWith('put'))).toEqual([]);
  });

  it('answers none when the variable is unset (no call) and when Secrets Manager fails', async () => {
    expect(await originSecrets({})()).toEqual([]);
    const failing = { send: async () => Promise.reject(new Error('AccessDenied')) } as unknown as SecretsManagerClient;
    expect(await originSecrets({ ORIGIN_SECRET_ARN: ARN }, { client: failing })()).toEqual([]);
  });
});

describe('cursorSecret', () => {
  it('creates the cursor key in its own secret at first use, never the JWT key', async () => {
    const sm = fakeSecretsManager({});
    const secret = cursorSecret({ CURSOR_SECRET_ARN: ARN, JWT_SECRET_ARN: 'arn:jwt' }, { client: sm.client });
    expect(Buffer.byteLength(String(await secret()))).toBeGreaterThanOrEqual(48);
    expect(sm.calls).toContain(`put ${INITIAL_CURSOR_KEY_REQUEST_TOKEN}`);
  });

  it('refuses to start without CURSOR_SECRET_ARN, naming it', () => {
    expect(() => cursorSecret({ JWT_SECRET_ARN: 'arn:jwt' })).toThrow(/CURSOR_SECRET_ARN/);
  });
});
