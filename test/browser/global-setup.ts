/**
 * Starts the local stack for the browser tests (test/support/local-stack.ts: in memory, free
 * ports) with the built web app (`dist/web`, run `npm run build` first) served at `/`, and the
 * users the journeys log in as. The tests find it through the file named in
 * MEDIA_STORE_BROWSER_CONTEXT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../local/stack';
import { publishContext, startTestStack, type RunningStack } from '../support/local-stack';
import { BROWSER_CONTEXT_ENV, type BrowserContext, type BrowserUser } from './support/context';

declare global {
  // eslint-disable-next-line no-var
  var __MEDIA_STORE_BROWSER__: RunningStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  const webDir = path.join(PROJECT_ROOT, 'dist', 'web');
  if (!existsSync(path.join(webDir, 'index.html'))) throw new Error('dist/web is missing: run npm run build first');
  const running = await startTestStack(
    'browser',
    [
      { username: 'web-editor', role: 'editor' },
      { username: 'web-viewer', role: 'viewer' },
      { username: 'web-throttled', role: 'editor' },
    ],
    {
      webDir,
      // A 1 s authorizer cache (deployed: 300 s), so an admin's change reaches an open page at once (messages.test.ts).
      variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000, authorizer_result_ttl_seconds: 1 },
    },
  );
  globalThis.__MEDIA_STORE_BROWSER__ = running;
  const { stack, dir, admin } = running;
  const [editor, viewer, throttled] = running.users as [BrowserUser, BrowserUser, BrowserUser];
  const context: BrowserContext = { appUrl: stack.appUrl ?? `${stack.apiUrl}/`, apiUrl: stack.apiUrl, s3Endpoint: stack.s3Endpoint, dir, admin, editor, viewer, throttled };
  publishContext(running, BROWSER_CONTEXT_ENV, context);
}
