/**
 * `npm run bench:upload`: the same 256 MiB file uploaded, in one run, to the same local S3
 * server (the in-memory local stack) two ways, with the same part size and parallelism:
 * 1. the `media-store` CLI's upload path (`uploadFile` in cli/uploader.ts, in process): API
 *    calls to create the upload, sign parts in batches and complete it, parts PUT to
 *    presigned URLs straight from file ranges;
 * 2. `@aws-sdk/lib-storage` `Upload` with an S3 client on the same endpoint.
 * The CLI runs as users get it (per-part SHA-256 checksums that S3 verifies, after one
 * sequential read hashing the file and its parts) and with `--no-checksum` (the same work as
 * lib-storage, whose client is set to `WHEN_REQUIRED` as the project's clients are).
 * lib-storage with `ChecksumAlgorithm: 'SHA256'` cannot run here: the local S3's UploadPart
 * answer carries no `x-amz-checksum-sha256`, so its CompleteMultipartUpload lacks the part
 * checksums and is refused. Each variant runs BENCH_UPLOAD_ROUNDS times (default 3) in a
 * rotating order; the median and best of each are printed with the ratio of the CLI to
 * lib-storage. Goal: ≥ 0.9×. Temp files and the stack are removed at the end.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
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
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const PARALLEL = 4;
const GOAL_RATIO = 0.9;
const VARIANTS = ['cli', 'lib-storage', 'cli-no-checksum'] as const;
type Variant = (typeof VARIANTS)[number];

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

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const best = (values: readonly number[]): number => Math.min(...values);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-bench-upload-'));
  const file = path.join(dir, 'bench.mp4');
  const partSize = expectedPartSize(FILE_MIB * MiB);
  const password = randomBytes(18).toString('base64url');
  let stack: LocalStack | undefined;
  try {
    writeRandomFile(file, FILE_MIB * MiB);
    stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger });
    const api = new ApiClient({ baseUrl: stack.apiUrl, token: await login(stack, password), retry: DEFAULT_RETRY_POLICY });
    const client = new S3Client({
      endpoint: stack.s3Endpoint,
      region: stack.region,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const bucket = stack.bucketName;
    console.log(`${FILE_MIB} MiB file, parts of ${partSize / MiB} MiB, ${PARALLEL} in parallel, ${ROUNDS} round(s), local S3 ${stack.s3Endpoint}`);
    console.log("(every run stores a new object; the machine's other load shows up as spread between rounds)");

    const sdkUpload = (name: string) => () =>
      new Upload({
        client,
        params: { Bucket: bucket, Key: `media/bench-upload/${name}-${Date.now()}.mp4`, Body: createReadStream(file), ContentType: 'video/mp4' },
        partSize,
        queueSize: PARALLEL,
      }).done();
    const cliUpload = (name: string, checksums: boolean) => () =>
      uploadFile({ api, filePath: file, folder: '/bench-upload', name: `${name}-${Date.now()}.mp4`, parallel: PARALLEL, retry: DEFAULT_RETRY_POLICY, checksums });
    const runs: Record<Variant, () => Promise<unknown>> = {
      cli: cliUpload('cli', true),
      'lib-storage': sdkUpload('sdk'),
      'cli-no-checksum': cliUpload('cli-plain', false),
    };
    const times: Record<Variant, number[]> = { cli: [], 'lib-storage': [], 'cli-no-checksum': [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate the order so no variant always runs first or right after the same other one.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length] as Variant);
      for (const variant of order) {
        const seconds = await timed(runs[variant]);
        times[variant].push(seconds);
        console.log(`  round ${round + 1} ${variant.padEnd(24)} ${seconds.toFixed(2).padStart(6)} s  ${(FILE_MIB / seconds).toFixed(1).padStart(6)} MiB/s`);
      }
    }
    client.destroy();

    const rate = (variant: Variant, pick: (values: readonly number[]) => number): number => FILE_MIB / pick(times[variant]);
    console.log(`\n${'MiB/s'.padStart(34)} ${'median'.padStart(8)} ${'best'.padStart(8)}`);
    for (const variant of VARIANTS) console.log(`  ${variant.padEnd(32)} ${rate(variant, median).toFixed(1).padStart(8)} ${rate(variant, best).toFixed(1).padStart(8)}`);
    const pairs: readonly [string, Variant, Variant][] = [
      ['(CLI with SHA-256 checksums)', 'cli', 'lib-storage'],
      ['(CLI --no-checksum)', 'cli-no-checksum', 'lib-storage'],
    ];
    console.log('');
    for (const [label, cli, sdk] of pairs) {
      const ratio = rate(cli, median) / rate(sdk, median);
      console.log(
        `CLI / lib-storage ${label.padEnd(30)} ${ratio.toFixed(2)}× median, ${(rate(cli, best) / rate(sdk, best)).toFixed(2)}× best (goal ≥ ${GOAL_RATIO}×: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'})`,
      );
    }
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
