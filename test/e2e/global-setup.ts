/**
 * Starts the local stack once for the whole e2e run: in memory, free ports, known users.
 * Runs in jest's parent process; the stack object stays there for global-teardown.ts and
 * the tests (in workers) find it through the context file named in MEDIA_STORE_E2E_CONTEXT.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { hashPassword } from '../../handlers/core/password';
import type { Role } from '../../handlers/core/roles';
import { fileLogger } from '../../local/log';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { BROWSER_ORIGIN, CONTEXT_ENV, FAMILY_EDITOR_FOLDERS, type E2eContext, type E2eUser } from './support/context';

declare global {
  // eslint-disable-next-line no-var
  var __MEDIA_STORE_E2E__: { stack: LocalStack; dir: string } | undefined;
}

const password = (): string => randomBytes(18).toString('base64url');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-e2e-'));
  const logFile = path.join(dir, 'local-stack.log');
  const admin: E2eUser = { username: 'admin', password: password() };

  const stack = await startLocalStack({
    inMemory: true,
    port: 0,
    stackFile: null,
    adminUser: admin.username,
    adminPassword: admin.password,
    logger: fileLogger(logFile),
    asyncRetryDelaysMs: [200, 400],
    // A module variable set as `TF_VAR_cors_allowed_origins` would: exercises the plan's CORS rules.
    // Stage throttling raised: the route-by-route tests send far more than the default 50 req/s
    // (burst 100) through one stack, and a 429 there says nothing about the route under test.
    variables: { cors_allowed_origins: [BROWSER_ORIGIN], throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, public_throttling_rate_limit: 10_000, public_throttling_burst_limit: 10_000 },
  });
  globalThis.__MEDIA_STORE_E2E__ = { stack, dir };

  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  const users = new UsersRepository({ tableName: stack.tableName, client: DynamoDBDocumentClient.from(client) });
  const addUser = async (username: string, role: Role, folders?: readonly string[]): Promise<E2eUser> => {
    const user = { username, password: password() };
    await users.create({ username, role, passwordHash: await hashPassword(user.password), ...(folders !== undefined ? { folders } : {}) });
    return user;
  };
  const [editor, viewer, throttled, familyEditor] = await Promise.all([
    addUser('e2e-editor', 'editor'),
    addUser('e2e-viewer', 'viewer'),
    addUser('e2e-throttled', 'editor'),
    addUser('e2e-family-editor', 'editor', FAMILY_EDITOR_FOLDERS),
  ]);
  client.destroy();

  const context: E2eContext = {
    apiUrl: stack.apiUrl,
    s3Endpoint: stack.s3Endpoint,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    region: stack.region,
    tableName: stack.tableName,
    bucketName: stack.bucketName,
    snsEndpoint: stack.snsEndpoint,
    deadLetterDir: stack.deadLetterDir,
    lambdaEndpoint: stack.lambdaEndpoint,
    secretsManagerEndpoint: stack.secretsManagerEndpoint,
    jwtSecretArn: stack.jwtSecretArn,
    ...(stack.originSecretArn !== undefined ? { originSecretArn: stack.originSecretArn } : {}),
    functionsDir: stack.functionsDir,
    planDir: stack.planDir,
    credentials: stack.credentials,
    functionNames: stack.functionNames,
    logFile,
    admin,
    editor,
    viewer,
    throttled,
    familyEditor,
  };
  const contextFile = path.join(dir, 'context.json');
  writeFileSync(contextFile, JSON.stringify(context, null, 2), { mode: 0o600 });
  process.env[CONTEXT_ENV] = contextFile;
  process.stdout.write(`\n[e2e] local stack up in ${Date.now() - started} ms at ${stack.apiUrl} (log: ${logFile})\n`);
}
