/**
 * The local emulators answer only the stack itself (issue 17, section 4): every request must be
 * SigV4-signed with the run's own key pair, sent to the emulator's own Host, and (for the JSON
 * services) of the service's content type. Before, anyone who could reach 127.0.0.1 — a web
 * page included, by a `text/plain` form post or DNS rebinding — could invoke the auth function
 * as an admin, read the JWT signing key, or write objects with s3rver's well-known key pair.
 */
import { request as httpRequest } from 'node:http';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { signRequestHeaders, type LocalCredentials } from '../../local/sigv4';
import { e2eContext, jwtSigningKey } from './support/context';
import { login } from './support/http';
import { signedFetch } from './support/signed';

/** s3rver's built-in key pair, which every local client used before (and anyone could). */
const WELL_KNOWN: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One HTTP request with exactly these headers (Host included), as a browser or script could send it. */
function raw(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method, headers: init.headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('the local emulators refuse requests not signed with the stack key pair', () => {
  const context = e2eContext();
  const invokePath = (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
  const authFunction = context.functionNames.auth as string;
  /** What an attacker sends: API Gateway's event for an admin's request, authorizer context and all. */
  const asAdmin = JSON.stringify({
    version: '2.0',
    routeKey: 'GET /users',
    rawPath: '/users',
    headers: {},
    requestContext: { http: { method: 'GET', path: '/users', sourceIp: '127.0.0.1' }, authorizer: { lambda: { username: 'admin', role: 'admin' } } },
  });

  describe('Lambda API', () => {
    it('refuses an unsigned invoke of the auth function as an admin with 403', async () => {
      const host = new URL(context.lambdaEndpoint).host;

      const answer = await raw(`${context.lambdaEndpoint}${invokePath(authFunction)}`, { method: 'POST', headers: { host, 'content-type': 'application/json' }, body: asAdmin });

      expect(answer.status).toBe(403);
      expect(answer.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
      expect(answer.text).not.toContain('statusCode');
    });

    it("refuses a page's text/plain form post (no preflight) with 415, signed or not", async () => {
      const url = `${context.lambdaEndpoint}${invokePath(authFunction)}`;
      const host = new URL(url).host;

      const unsigned = await raw(url, { method: 'POST', headers: { host, 'content-type': 'text/plain;charset=UTF-8' }, body: asAdmin });
      const signed = await signedFetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: asAdmin }, context, 'lambda');

      expect(unsigned.status).toBe(415);
      expect(unsigned.text).toContain('text/plain');
      expect(signed.status).toBe(415);
    });

    it('refuses a request whose Host is not the emulator (DNS rebinding) with 421, even signed for that host', async () => {
      const url = `${context.lambdaEndpoint}${invokePath(authFunction)}`;
      const rebound = `rebound.example:${new URL(url).port}`;
      const headers = { host: rebound, 'content-type': 'application/json' };
      const signature = await signRequestHeaders({ method: 'POST', url: url.replace(new URL(url).host, rebound), headers, body: '{}' }, { credentials: context.credentials, region: context.region, service: 'lambda' });

      const answer = await raw(url, { method: 'POST', headers: { ...headers, ...signature }, body: '{}' });

      expect(answer.status).toBe(421);
    });

    it("refuses the SDK signed with the old well-known key pair, or with the stack's key id and another secret", async () => {
      const invoke = async (credentials: LocalCredentials) => {
        const lambda = new LambdaClient({ endpoint: context.lambdaEndpoint, region: context.region, credentials, maxAttempts: 1 });
        try {
          return await lambda.send(new InvokeCommand({ FunctionName: authFunction, Payload: Buffer.from(asAdmin) })).then(
            () => 'invoked',
            (error: Error) => error.name,
          );
        } finally {
          lambda.destroy();
        }
      };

      expect(await invoke(WELL_KNOWN)).toBe('UnrecognizedClientException');
      expect(await invoke({ accessKeyId: context.credentials.accessKeyId, secretAccessKey: WELL_KNOWN.secretAccessKey })).toBe('InvalidSignatureException');
    });

    it("takes only the full names and ARNs the stack defines: a signed invoke of `auth` is 404", async () => {
      const short = await signedFetch(`${context.lambdaEndpoint}${invokePath('auth')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, context, 'lambda');
      const otherAccount = await signedFetch(`${context.lambdaEndpoint}${invokePath(`arn:aws:lambda:${context.region}:123456789012:function:${authFunction}`)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, context, 'lambda');

      expect(short.status).toBe(404);
      expect(await short.text()).toContain('full name or ARN');
      expect(otherAccount.status).toBe(404);
    });

    it("still runs a signed invoke by full name, as the stack's functions make them", async () => {
      const lambda = new LambdaClient({ endpoint: context.lambdaEndpoint, region: context.region, credentials: context.credentials });
      try {
        const out = await lambda.send(new InvokeCommand({ FunctionName: authFunction, Payload: Buffer.from(JSON.stringify({ version: '2.0', routeKey: 'GET /health', rawPath: '/health', headers: {}, requestContext: { http: { method: 'GET', path: '/health', sourceIp: '127.0.0.1' } } })) }));

        expect(out.StatusCode).toBe(200);
        expect(out.FunctionError).toBeUndefined();
      } finally {
        lambda.destroy();
      }
    });
  });

  describe('Secrets Manager', () => {
    const target = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' };

    it('refuses GetSecretValue of the JWT key without credentials, and hands it out only to the signed stack', async () => {
      await login(context.viewer); // the auth function creates the key at its first login
      const { secret } = await jwtSigningKey(context);

      const answer = await raw(context.secretsManagerEndpoint, { method: 'POST', headers: { host: new URL(context.secretsManagerEndpoint).host, ...target }, body: JSON.stringify({ SecretId: context.jwtSecretArn }) });

      expect(answer.status).toBe(403);
      expect(answer.text).not.toContain(secret);
      expect(JSON.parse(answer.text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    });

    it('refuses the SDK with the old well-known key pair', async () => {
      const client = new SecretsManagerClient({ endpoint: context.secretsManagerEndpoint, region: context.region, credentials: WELL_KNOWN, maxAttempts: 1 });
      try {
        await expect(client.send(new GetSecretValueCommand({ SecretId: context.jwtSecretArn }))).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
      } finally {
        client.destroy();
      }
    });

    it('refuses another content type (415) and another Host (421)', async () => {
      const host = new URL(context.secretsManagerEndpoint).host;

      const plain = await raw(context.secretsManagerEndpoint, { method: 'POST', headers: { host, ...target, 'content-type': 'text/plain' }, body: '{}' });
      const rebound = await raw(context.secretsManagerEndpoint, { method: 'POST', headers: { ...target, host: `rebound.example:${new URL(context.secretsManagerEndpoint).port}` }, body: '{}' });

      expect(plain.status).toBe(415);
      expect(rebound.status).toBe(421);
    });
  });

  describe('S3', () => {
    it('refuses a header-signed PutObject with a wrong key: the old well-known pair, or the stack key id with another secret', async () => {
      const put = async (credentials: LocalCredentials) => {
        const s3 = new S3Client({ endpoint: context.s3Endpoint, region: context.region, forcePathStyle: true, credentials, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' });
        try {
          return await s3.send(new PutObjectCommand({ Bucket: context.bucketName, Key: 'media/intruder/x.txt', Body: 'x' })).then(
            () => 'stored',
            (error: Error) => error.name,
          );
        } finally {
          s3.destroy();
        }
      };

      expect(await put(WELL_KNOWN)).toBe('InvalidAccessKeyId');
      expect(await put({ accessKeyId: context.credentials.accessKeyId, secretAccessKey: 'not-the-secret' })).toBe('SignatureDoesNotMatch');
    });

    it('refuses an anonymous bucket listing and a foreign Host', async () => {
      const listing = await raw(`${context.s3Endpoint}/${context.bucketName}?list-type=2`, { method: 'GET', headers: { host: new URL(context.s3Endpoint).host } });
      const rebound = await raw(`${context.s3Endpoint}/${context.bucketName}/media/x.jpg`, { method: 'OPTIONS', headers: { host: `rebound.example:${new URL(context.s3Endpoint).port}`, origin: 'http://rebound.example', 'access-control-request-method': 'PUT' } });

      expect(listing.status).toBe(403);
      expect(listing.text).not.toContain('<Contents>');
      expect(rebound.status).toBe(421);
    });
  });

  describe('DynamoDB (behind its checking front)', () => {
    it('refuses an unsigned request and one signed with the old well-known pair', async () => {
      const host = new URL(context.dynamodbEndpoint).host;
      const unsigned = await raw(context.dynamodbEndpoint, { method: 'POST', headers: { host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan' }, body: JSON.stringify({ TableName: context.tableName }) });
      const client = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: WELL_KNOWN, maxAttempts: 1 });
      try {
        await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      } finally {
        client.destroy();
      }

      expect(unsigned.status).toBe(403);
      expect(unsigned.text).not.toContain('passwordHash');
    });

    it('refuses a form post (415) and a foreign Host (421)', async () => {
      const port = new URL(context.dynamodbEndpoint).port;

      const form = await raw(context.dynamodbEndpoint, { method: 'POST', headers: { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, body: '{}' });
      const rebound = await raw(context.dynamodbEndpoint, { method: 'POST', headers: { host: `rebound.example:${port}`, 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });

      expect(form.status).toBe(415);
      expect(rebound.status).toBe(421);
    });
  });

  describe('SNS', () => {
    it('refuses to list the published messages, or publish, without a signature', async () => {
      const host = new URL(context.snsEndpoint).host;

      const messages = await raw(`${context.snsEndpoint}/_local/messages`, { method: 'GET', headers: { host } });
      const publish = await raw(context.snsEndpoint, { method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=Publish&TopicArn=x&Message=y' });

      expect(messages.status).toBe(403);
      expect(publish.status).toBe(403);
    });
  });
});
