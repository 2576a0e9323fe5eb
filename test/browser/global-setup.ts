/**
 * Starts the local stack for the browser tests: in memory, free ports, the built web app
 * (`dist/web`, run `npm run build` first) served at `/`, and the users the journeys log in as.
 * The tests find it through the file named in MEDIA_STORE_BROWSER_CONTEXT.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { hashPassword } from '../../handlers/core/password';
import type { Role } from '../../handlers/core/roles';
import { fileLogger } from '../../local/log';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { BROWSER_CONTEXT_ENV, type BrowserContext, type BrowserUser } from './support/context';

declare global {
  // eslint-disable-next-line no-var
  var __MEDIA_STORE_BROWSER__: { stack: LocalStack; dir: string } | undefined;
}

const password = (): string => randomBytes(18).toString('base64url');

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const webDir = path.join(PROJECT_ROOT, 'dist', 'web');
  if (!existsSync(path.join(webDir, 'index.html'))) throw new Error('dist/web is missing: run npm run build first');
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-browser-'));
  const admin: BrowserUser = { username: 'admin', password: password() };
  const stack = await startLocalStack({
    inMemory: true,
    port: 0,
    stackFile: null,
    adminUser: admin.username,
    adminPassword: admin.password,
    logger: fileLogger(path.join(dir, 'local-stack.log')),
    webDir,
    // A 1 s authorizer cache (deployed: 300 s), so an admin's change reaches an open page at once (messages.test.ts).
    variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, authorizer_result_ttl_seconds: 1 },
  });
  globalThis.__MEDIA_STORE_BROWSER__ = { stack, dir };

  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  const users = new UsersRepository({ tableName: stack.tableName, client: DynamoDBDocumentClient.from(client) });
  const addUser = async (username: string, role: Role): Promise<BrowserUser> => {
    const user = { username, password: password() };
    await users.create({ username, role, passwordHash: await hashPassword(user.password) });
    return user;
  };
  const [editor, viewer, throttled] = await Promise.all([addUser('web-editor', 'editor'), addUser('web-viewer', 'viewer'), addUser('web-throttled', 'editor')]);
  client.destroy();

  const context: BrowserContext = { appUrl: stack.appUrl ?? `${stack.apiUrl}/`, apiUrl: stack.apiUrl, s3Endpoint: stack.s3Endpoint, dir, admin, editor, viewer, throttled };
  const file = path.join(dir, 'context.json');
  writeFileSync(file, JSON.stringify(context, null, 2), { mode: 0o600 });
  process.env[BROWSER_CONTEXT_ENV] = file;
}
