/**
 * `npm run bench:upload`: the same 256 MiB file uploaded, in one run, to the same local S3
 * server (the in-memory local stack) by two clients, with the same part size and parallelism:
 * - the `media-store` CLI's upload path (`uploadFile` in cli/uploader.ts, in process): API
 *   calls to create the upload, sign parts in batches and complete it, parts PUT to
 *   presigned URLs straight from file ranges;
 * - `@aws-sdk/lib-storage` `Upload` with an S3 client on the same endpoint (set to
 *   `WHEN_REQUIRED`, as the project's clients are).
 * Each client runs with and without SHA-256 checksums, and each is compared like for like:
 * - with: the CLI as users get it (one sequential read hashing the file and its parts, then
 *   per-part `x-amz-checksum-sha256` that S3 verifies, the upload created with SHA256) against
 *   lib-storage with `ChecksumAlgorithm: 'SHA256'` (the SDK hashes each part buffer, S3
 *   verifies it and answers it, the completion lists it);
 * - without: the CLI with `--no-checksum` against lib-storage without `ChecksumAlgorithm`.
 * Each variant runs BENCH_UPLOAD_ROUNDS times (default 3) in a rotating order; the median and
 * best of each are printed side by side with the ratio CLI / lib-storage. Goal: ≥ 0.9×.
 * Temp files and the stack are removed at the end.
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
const VARIANTS = ['cli-sha256', 'lib-storage-sha256', 'cli-no-checksum', 'lib-storage-no-checksum'] as const;
type Variant = (typeof VARIANTS)[number];
/** Like-for-like pairs: [label, CLI variant, lib-storage variant]. */
const PAIRS: readonly (readonly [string, Variant, Variant])[] = [
  ['SHA-256 checksums', 'cli-sha256', 'lib-storage-sha256'],
  ['no checksums', 'cli-no-checksum', 'lib-storage-no-checksum'],
];

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

/** A table with the first column left-aligned and the others right-aligned. */
function printTable(title: string, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(`  ${line(head)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

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

    const sdkUpload = (name: string, checksums: boolean) => () =>
      new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: `media/bench-upload/${name}-${Date.now()}.mp4`,
          Body: createReadStream(file),
          ContentType: 'video/mp4',
          ...(checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
        },
        partSize,
        queueSize: PARALLEL,
      }).done();
    const cliUpload = (name: string, checksums: boolean) => () =>
      uploadFile({ api, filePath: file, folder: '/bench-upload', name: `${name}-${Date.now()}.mp4`, parallel: PARALLEL, retry: DEFAULT_RETRY_POLICY, checksums });
    const runs: Record<Variant, () => Promise<unknown>> = {
      'cli-sha256': cliUpload('cli-sha256', true),
      'lib-storage-sha256': sdkUpload('sdk-sha256', true),
      'cli-no-checksum': cliUpload('cli-plain', false),
      'lib-storage-no-checksum': sdkUpload('sdk-plain', false),
    };
    const times = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
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
    const mibs = (value: number): string => value.toFixed(1);
    const ratioText = (value: number): string => `${value.toFixed(2)}×`;
    printTable(
      `Like for like, MiB/s (median of ${ROUNDS} / best); ratio = CLI / lib-storage, goal ≥ ${GOAL_RATIO}× on the median`,
      ['pair', 'CLI median', 'CLI best', 'lib-storage median', 'lib-storage best', 'ratio median', 'ratio best', `goal ≥ ${GOAL_RATIO}×`],
      PAIRS.map(([label, cli, sdk]) => {
        const ratio = rate(cli, median) / rate(sdk, median);
        return [label, mibs(rate(cli, median)), mibs(rate(cli, best)), mibs(rate(sdk, median)), mibs(rate(sdk, best)), ratioText(ratio), ratioText(rate(cli, best) / rate(sdk, best)), ratio >= GOAL_RATIO ? 'met' : 'NOT met'];
      }),
    );
    const [withSums, withoutSums] = PAIRS as readonly [(typeof PAIRS)[number], (typeof PAIRS)[number]];
    printTable(
      'What the checksums cost each client (median MiB/s with / without)',
      ['client', 'with SHA-256', 'without', 'with / without'],
      [
        ['CLI', mibs(rate(withSums[1], median)), mibs(rate(withoutSums[1], median)), ratioText(rate(withSums[1], median) / rate(withoutSums[1], median))],
        ['lib-storage', mibs(rate(withSums[2], median)), mibs(rate(withoutSums[2], median)), ratioText(rate(withSums[2], median) / rate(withoutSums[2], median))],
      ],
    );
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
