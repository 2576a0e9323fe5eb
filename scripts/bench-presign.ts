/**
 * `npm run bench:presign`: per-URL cost of our signer vs the AWS SDK's `getSignedUrl`, for the
 * URLs a listing (GetObject) and an upload (PutObject with signed headers) need, in one run.
 * Both sides produce the same bytes (checked before timing); each side is warmed up first.
 */
import { performance } from 'node:perf_hooks';
import { S3UrlSigner, type PresignInput, type SignerConfig, type SigningCredentials } from '../handlers/core/presign';
import { referenceClient, referencePresign } from '../test/real-s3/sdk-reference';

const CONFIG: SignerConfig = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true };
const CREDENTIALS: SigningCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const OURS_ITERATIONS = Number(process.env.BENCH_OURS_ITERATIONS ?? 200_000);
export const SDK_ITERATIONS = Number(process.env.BENCH_SDK_ITERATIONS ?? 5_000);
/** Timing is taken per batch: a single URL is too quick for the timer's resolution. */
const BATCH = 100;

export interface Stats {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
}

export const CASES: Readonly<Record<string, (i: number) => PresignInput>> = {
  GetObject: (i) => ({ operation: 'GetObject', bucket: 'media-store', key: `media/spain2024/IMG ${i} é.jpg`, expiresIn: 3600 }),
  PutObject: (i) => ({
    operation: 'PutObject',
    bucket: 'media-store',
    key: `media/spain2024/IMG ${i} é.jpg`,
    expiresIn: 900,
    headers: { 'content-type': 'image/jpeg', 'content-length': String(1_000_000 + i), 'x-amz-meta-upload-id': `upload-${i}` },
  }),
};

function stats(perUrlMicros: number[]): Stats {
  const sorted = [...perUrlMicros].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(0.5), p95: at(0.95) };
}

export function benchOurs(make: (i: number) => PresignInput, iterations: number): Stats {
  const signer = new S3UrlSigner(CONFIG);
  const inputs = Array.from({ length: BATCH }, (_, i) => make(i));
  let sink = 0;
  const run = (batches: number, samples?: number[]) => {
    for (let b = 0; b < batches; b++) {
      const start = performance.now();
      for (const input of inputs) sink += signer.presign(input, CREDENTIALS).length;
      samples?.push(((performance.now() - start) * 1000) / BATCH);
    }
  };
  run(Math.ceil(iterations / 10 / BATCH)); // warm-up: let V8 optimise
  const samples: number[] = [];
  run(Math.ceil(iterations / BATCH), samples);
  if (sink === 0) throw new Error('unreachable');
  return stats(samples);
}

export async function benchSdk(make: (i: number) => PresignInput, iterations: number): Promise<Stats> {
  const client = referenceClient(CONFIG, CREDENTIALS);
  const samples: number[] = [];
  for (let i = 0; i < iterations / 10; i++) await referencePresign(client, make(i)); // warm-up
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await referencePresign(client, make(i));
    samples.push((performance.now() - start) * 1000);
  }
  return stats(samples);
}

/** Throws unless both signers produce the same URL for the case. */
export async function checkEqual(make: (i: number) => PresignInput): Promise<void> {
  const input = { ...make(7), now: new Date() };
  const ours = new S3UrlSigner(CONFIG).presign(input, CREDENTIALS);
  const sdk = await referencePresign(referenceClient(CONFIG, CREDENTIALS), input);
  if (ours !== sdk) throw new Error(`URLs differ:\n ours ${ours}\n sdk  ${sdk}`);
}

const fmt = (n: number, width: number, digits = 2) => n.toFixed(digits).padStart(width);

async function main(): Promise<void> {
  process.emitWarning = () => undefined; // the SDK's Node 20 end-of-support notice
  console.log(`node ${process.version}; ours ${OURS_ITERATIONS} URLs, SDK ${SDK_ITERATIONS} URLs per operation (after warm-up)`);
  console.log('');
  console.log('operation  | ours mean µs | ours p50 µs | ours p95 µs | SDK mean µs | SDK p50 µs | SDK p95 µs | speed-up mean | speed-up p50');
  console.log('-----------|--------------|-------------|-------------|-------------|------------|------------|---------------|-------------');
  for (const [name, make] of Object.entries(CASES)) {
    await checkEqual(make);
    const sdk = await benchSdk(make, SDK_ITERATIONS);
    const ours = benchOurs(make, OURS_ITERATIONS);
    console.log(
      `${name.padEnd(10)} | ${fmt(ours.mean, 12)} | ${fmt(ours.p50, 11)} | ${fmt(ours.p95, 11)} | ${fmt(sdk.mean, 11, 1)} | ${fmt(sdk.p50, 10, 1)} | ${fmt(sdk.p95, 10, 1)} | ${fmt(sdk.mean / ours.mean, 12, 0)}× | ${fmt(sdk.p50 / ours.p50, 11, 0)}×`,
    );
  }
  console.log('');
  console.log('ours: µs per URL measured over batches of 100 URLs; SDK: µs per getSignedUrl call. Goal: ≤ 30 µs and ≥ 15× (issue 4).');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
