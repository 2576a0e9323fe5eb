/**
 * Brings up the real S3 (idempotent: about 50 s cold with apt, ~16 s bootstrap, ~5 s restart,
 * instant when already running) before the real-s3 tests. The daemons are left running for
 * the next run; `bash ../shared/real-s3/down.sh` stops them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readRealS3Env, UP_SCRIPT } from './env';

const UP_TIMEOUT_MS = 300_000;

export default function globalSetup(): void {
  if (!existsSync(UP_SCRIPT)) {
    throw new Error(
      `real-s3: ${UP_SCRIPT} not found. These tests need the shared Ceph RGW scripts next to the checkout ` +
        '(<repo>/../shared/real-s3/up.sh); run the other projects with `jest --selectProjects unit plan e2e`.',
    );
  }
  const started = Date.now();
  execFileSync('bash', [UP_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], timeout: UP_TIMEOUT_MS });
  const env = readRealS3Env();
  process.stdout.write(`real-s3: ${env.endpoint} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
