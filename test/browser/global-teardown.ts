/** Stops the stack of global-setup.ts. */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__MEDIA_STORE_BROWSER__;
  if (!running) return;
  globalThis.__MEDIA_STORE_BROWSER__ = undefined;
  await running.stack.functions.drain();
  await running.stack.stop();
  if (process.env.MEDIA_STORE_E2E_KEEP_LOG !== '1') rmSync(running.dir, { recursive: true, force: true });
}
