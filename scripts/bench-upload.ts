/**
 * `npm run bench:upload`: the same 256 MiB file uploaded, in one run, to the same local S3
 * server (the in-memory local stack) two ways, with the same part size and parallelism:
 * 1. the `media-store` CLI's upload path (`uploadFile` in cli/uploader.ts, in process): API
 *    calls to create the upload, sign parts in batches and complete it, parts PUT to
 *    presigned URLs straight from file ranges — with and without the SHA-256 checksums the CLI
 *    sends by default (one extra sequential read of the file before the upload);
 * 2. `@aws-sdk/lib-storage` `Upload` with an S3 client on the same endpoint.
 * Each is run BENCH_UPLOAD_ROUNDS times (default 2), alternating; the best of each is printed
 * with the ratio to lib-storage. Goal: ≥ 0.9×. Temp files and the stack are removed at the end.
 */
import { createReadStream, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ApiClient } from '../cli/api-client';
import { DEFAULT_RETRY_POLICY } from '../cli/retry';
import { expectedPartSize, uploadFile } from '../cli/uploader';
import { LOCAL_CREDENTIALS } from '../local/dynamodb';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';

const MiB = 1024 * 1024;
const FILE_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 2);
const PARALLEL = 4;
const GOAL_RATIO = 0.9;

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

function writeRandomFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    const chunk = randomBytes(4 * MiB);
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  } finally {
    closeSync(fd);
  }
}

async function login(stack: LocalStack, password: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminUser, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

type Variant = 'cli' | 'cli-no-checksum' | 'lib-storage';

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-bench-upload-'));
  const file = path.join(dir, 'bench.mp4');
  const size = FILE_MIB * MiB;
  const partSize = expectedPartSize(size);
  const password = randomBytes(18).toString('base64url');
  let stack: LocalStack | undefined;
  const s3 = (endpoint: string, region: string): S3Client =>
    new S3Client({ endpoint, region, forcePathStyle: true, credentials: LOCAL_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED' });
  try {
    writeRandomFile(file, size);
    stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger });
    const api = new ApiClient({ baseUrl: stack.apiUrl, token: await login(stack, password), retry: DEFAULT_RETRY_POLICY });
    const client = s3(stack.s3Endpoint, stack.region);
    const bucket = stack.bucketName;
    console.log(`${FILE_MIB} MiB file, parts of ${partSize / MiB} MiB, ${PARALLEL} in parallel, ${ROUNDS} round(s), local S3 ${stack.s3Endpoint}`);

    const runs: Record<Variant, () => Promise<unknown>> = {
      cli: () => uploadFile({ api, filePath: file, folder: '/bench-upload', name: `cli-${Date.now()}.mp4`, parallel: PARALLEL, retry: DEFAULT_RETRY_POLICY }),
      'cli-no-checksum': () =>
        uploadFile({ api, filePath: file, folder: '/bench-upload', name: `cli-plain-${Date.now()}.mp4`, parallel: PARALLEL, retry: DEFAULT_RETRY_POLICY, checksums: false }),
      'lib-storage': () =>
        new Upload({
          client,
          params: { Bucket: bucket, Key: `media/bench-upload/sdk-${Date.now()}.mp4`, Body: createReadStream(file), ContentType: 'video/mp4' },
          partSize,
          queueSize: PARALLEL,
        }).done(),
    };
    const best: Record<Variant, number> = { cli: Infinity, 'cli-no-checksum': Infinity, 'lib-storage': Infinity };
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const variant of ['lib-storage', 'cli', 'cli-no-checksum'] as const) {
        const seconds = await timed(runs[variant]);
        best[variant] = Math.min(best[variant], seconds);
        console.log(`  round ${round} ${variant.padEnd(16)} ${seconds.toFixed(2)} s  ${(FILE_MIB / seconds).toFixed(1)} MiB/s`);
      }
    }
    client.destroy();

    const rate = (variant: Variant): number => FILE_MIB / best[variant];
    const sdk = rate('lib-storage');
    console.log('\nbest of each          throughput    vs lib-storage');
    for (const variant of ['lib-storage', 'cli', 'cli-no-checksum'] as const) {
      console.log(`  ${variant.padEnd(18)} ${rate(variant).toFixed(1).padStart(7)} MiB/s   ${(rate(variant) / sdk).toFixed(2)}×`);
    }
    const ratio = rate('cli') / sdk;
    console.log(`\nCLI upload path (with checksums) / lib-storage: ${ratio.toFixed(2)}× (goal ≥ ${GOAL_RATIO}×) ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
  } finally {
    await stack?.functions.drain();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
