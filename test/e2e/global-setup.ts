/**
 * Starts the local stack once for the whole e2e run (test/support/local-stack.ts: in memory,
 * free ports, known users). Runs in jest's parent process; the stack object stays there for
 * global-teardown.ts and the tests (in workers) find it through the context file named in
 * MEDIA_STORE_E2E_CONTEXT.
 */
import { publishContext, startTestStack, type RunningStack } from '../support/local-stack';
import { BROWSER_ORIGIN, CONTEXT_ENV, FAMILY_EDITOR_FOLDERS, type E2eContext } from './support/context';

declare global {
  // eslint-disable-next-line no-var
  var __MEDIA_STORE_E2E__: RunningStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const running = await startTestStack(
    'e2e',
    [
      { username: 'e2e-editor', role: 'editor' },
      { username: 'e2e-viewer', role: 'viewer' },
      { username: 'e2e-throttled', role: 'editor' },
      { username: 'e2e-family-editor', role: 'editor', folders: FAMILY_EDITOR_FOLDERS },
    ],
    {
      asyncRetryDelaysMs: [200, 400],
      // A module variable set as `TF_VAR_cors_allowed_origins` would: exercises the plan's CORS rules.
      // Stage throttling raised: the route-by-route tests send far more than the default 50 req/s
      // (burst 100) through one stack, and a 429 there says nothing about the route under test.
      // max_users raised: files running side by side each create users of their own (the limit itself is
      // tested on a stack of its own, users-limits.test.ts).
      variables: { max_users: 50, cors_allowed_origins: [BROWSER_ORIGIN], throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, public_throttling_rate_limit: 10_000, public_throttling_burst_limit: 10_000 },
    },
  );
  const { stack, logFile, admin } = running;
  globalThis.__MEDIA_STORE_E2E__ = running;
  const [editor, viewer, throttled, familyEditor] = running.users as [E2eContext['editor'], E2eContext['viewer'], E2eContext['throttled'], E2eContext['familyEditor']];

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
    sfnEndpoint: stack.sfnEndpoint,
    stateMachineArns: stack.stateMachineArns,
    logFile,
    admin,
    editor,
    viewer,
    throttled,
    familyEditor,
  };
  publishContext(running, CONTEXT_ENV, context);
  process.stdout.write(`\n[e2e] local stack up in ${Date.now() - started} ms at ${stack.apiUrl} (log: ${logFile})\n`);
}
