/**
 * `npm start`: runs the service on localhost from the built bundles of the synthesized plan.
 *
 *   PORT=3000                         API port (S3 and DynamoDB take free ports)
 *   --in-memory | MEDIA_STORE_IN_MEMORY=1   keep nothing (default: data in .local/data)
 *   MEDIA_STORE_ADMIN_USER=admin      first admin user
 *   MEDIA_STORE_ADMIN_PASSWORD=…      its password (generated and printed once if unset)
 *   MEDIA_STORE_S3_PORT, MEDIA_STORE_DYNAMODB_PORT   fixed emulator ports
 *   TF_VAR_<name>=…                   module variables, as for terraform (JSON for lists)
 *   MEDIA_STORE_STACK_FILE=…          where to write stack.json (default .local/stack.json)
 *   MEDIA_STORE_FAULTS=rate=0.05,seed=7[,services=dynamodb+s3+sns][,kinds=throttle+error+timeout][,timeoutMs=2000]
 *                                     inject faults in the emulators (local/faults.ts)
 *   --oidc                            also run a local OpenID provider and sign in with it
 *                                     (test users in docs/security.md "Identity provider"; the
 *                                     clients' secrets in oidc-clients.json beside stack.json, 0600)
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SynthesizedPlan, stackDir } from './plan';
import { consoleLogger } from './log';
import { defaultStackFile, PROJECT_ROOT, startLocalStack, type LocalStack } from './stack';
import { freePort } from './ports';
import { parseFaultSpec } from './faults';
import { LOCAL_OIDC_USERS, localOidcStackOptions, oidcCallbackUrl, startLocalOidcProvider, writeLocalOidcClients, type LocalOidcProvider } from './oidc';

function optionalPort(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

function quickStart(stack: LocalStack, password: string | undefined): string {
  const api = stack.apiUrl;
  // A password the user chose is not echoed back; a generated one is shown once anyway.
  const pass = password ?? `'"$MEDIA_STORE_ADMIN_PASSWORD"'`;
  return [
    `  API=${api}`,
    `  TOKEN=$(curl -s -X POST $API/auth/login -H 'content-type: application/json' \\`,
    `    -d '{"username":"${stack.adminUser}","password":"${pass}"}' | jq -r .token)`,
    `  FILE=photo.jpg`,
    `  UPLOAD=$(curl -s -X POST $API/uploads -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"folder":"/demo","fileName":"'$FILE'","contentType":"image/jpeg","size":'$(stat -c %s $FILE)'}')`,
    `  curl -s -X PUT "$(echo "$UPLOAD" | jq -r .url)" --data-binary @$FILE \\`,
    `    $(echo "$UPLOAD" | jq -r '.headers | to_entries[] | "-H \\(.key):\\(.value)"')`,
    `  curl -s "$API/files?folder=/demo" -H "authorization: Bearer $TOKEN" | jq`,
  ].join('\n');
}

async function main(): Promise<void> {
  // The emulated functions run on nodejs22.x in AWS; this SDK warning about older Node is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const inMemory = process.argv.includes('--in-memory') || process.env.MEDIA_STORE_IN_MEMORY === '1';
  const logger = consoleLogger();
  const variables = SynthesizedPlan.variablesFromEnv(stackDir(PROJECT_ROOT), process.env);
  const password = process.env.MEDIA_STORE_ADMIN_PASSWORD || undefined;
  // A bad spec stops the start, naming the bad part (FaultSpecError).
  const faults = process.env.MEDIA_STORE_FAULTS ? parseFaultSpec(process.env.MEDIA_STORE_FAULTS) : undefined;

  const stackFile = process.env.MEDIA_STORE_STACK_FILE || defaultStackFile();
  const oidcClientsFile = path.join(path.dirname(stackFile), 'oidc-clients.json');

  let stack: LocalStack | undefined;
  let provider: LocalOidcProvider | undefined;
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('stack', 'stopping…');
    await stack?.stop();
    await provider?.stop();
    if (provider !== undefined) rmSync(oidcClientsFile, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  process.on('uncaughtException', (err) => {
    logger.error('stack', `crashed: ${err.stack ?? err.message}`);
    void shutdown(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.error('stack', `crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void shutdown(1);
  });

  const started = Date.now();
  let port = optionalPort('PORT', 3000) ?? 3000;
  if (process.argv.includes('--oidc')) {
    // The provider must know the app's origin (its redirect URIs) before the stack takes a port.
    if (port === 0) port = await freePort();
    const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    provider = await startLocalOidcProvider({ redirectUris: origins.map(oidcCallbackUrl), postLogoutRedirectUris: origins.map((o) => `${o}/`), logger });
  }
  const oidc = provider !== undefined ? localOidcStackOptions(provider) : undefined;
  stack = await startLocalStack({
    inMemory,
    port,
    ...(optionalPort('MEDIA_STORE_S3_PORT') !== undefined ? { s3Port: optionalPort('MEDIA_STORE_S3_PORT') } : {}),
    ...(optionalPort('MEDIA_STORE_DYNAMODB_PORT') !== undefined ? { dynamodbPort: optionalPort('MEDIA_STORE_DYNAMODB_PORT') } : {}),
    adminUser: process.env.MEDIA_STORE_ADMIN_USER || 'admin',
    ...(password !== undefined ? { adminPassword: password } : {}),
    variables: { ...oidc?.variables, ...variables },
    ...(oidc !== undefined ? { externalSecrets: oidc.externalSecrets } : {}),
    ...(faults !== undefined ? { faults } : {}),
    logger,
    ...(process.env.MEDIA_STORE_STACK_FILE ? { stackFile: process.env.MEDIA_STORE_STACK_FILE } : {}),
  });
  if (stopping) return;
  if (provider !== undefined) writeLocalOidcClients(oidcClientsFile, provider);

  const lines = [
    '',
    `media-store is running (${Date.now() - started} ms) — ${inMemory ? 'in memory' : 'data in .local/data'}`,
    ...(stack.appUrl ? [`  App        ${stack.appUrl}   (open in a browser; log in as "${stack.adminUser}")`] : []),
    `  API        ${stack.apiUrl}   (also ${stack.apiUrl}/api/… for the app)`,
    `  S3         ${stack.s3Endpoint}  bucket ${stack.bucketName}`,
    `  DynamoDB   ${stack.dynamodbEndpoint}  table ${stack.tableName}`,
    `  functions  ${Object.keys(stack.manifest).join(', ')} (from ${stack.planDir}/assets)`,
    ...(faults !== undefined ? [`  faults     injected: MEDIA_STORE_FAULTS=${process.env.MEDIA_STORE_FAULTS}`] : []),
    stack.generatedAdminPassword
      ? `  admin      "${stack.adminUser}", generated password (shown only this once): ${stack.generatedAdminPassword}`
      : `  admin      "${stack.adminUser}"${password ? ' (password from MEDIA_STORE_ADMIN_PASSWORD)' : ' (existing user)'}`,
    ...(provider !== undefined
      ? [
          `  provider   ${provider.issuer}   (OpenID; "Sign in with …" in the app, local test users: ${Object.entries(LOCAL_OIDC_USERS).map(([name, user]) => `${name} / ${user.password}`).join(', ')})`,
          `  clients    ${Object.keys(provider.clients).join(', ')}: ids and secrets in ${oidcClientsFile} (owner only; client credentials for resource ${provider.audience})`,
        ]
      : []),
    '',
    'Quick start (bash, curl, jq):',
    quickStart(stack, stack.generatedAdminPassword),
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(`[stack] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
