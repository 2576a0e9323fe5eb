/** Stops the stack of global-setup.ts. */
import { stopTestStack } from '../support/local-stack';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__MEDIA_STORE_BROWSER__;
  globalThis.__MEDIA_STORE_BROWSER__ = undefined;
  await stopTestStack(running);
}
