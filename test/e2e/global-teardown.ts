/** Stops the local stack of global-setup.ts: API, functions, s3rver and DynamoDB Local (Java). */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__MEDIA_STORE_E2E__;
  if (!running) return;
  globalThis.__MEDIA_STORE_E2E__ = undefined;
  await running.stack.functions.drain();
  await running.stack.stop();
  // Keep the stack's log when something failed to look at; otherwise leave nothing behind.
  if (process.env.MEDIA_STORE_E2E_KEEP_LOG !== '1') rmSync(running.dir, { recursive: true, force: true });
}
