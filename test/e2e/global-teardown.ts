/** Stops the local stack of global-setup.ts: API, functions, s3rver and DynamoDB Local (Java). */
import { stopTestStack } from '../support/local-stack';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__MEDIA_STORE_E2E__;
  globalThis.__MEDIA_STORE_E2E__ = undefined;
  await stopTestStack(running);
}
