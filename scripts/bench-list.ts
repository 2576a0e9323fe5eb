/**
 * `npm run bench:list`: the two numbers that decide whether a 1,000-file page is fast, in one
 * run, next to their baselines and goals (issue 4):
 * 1. per-URL cost of our signer vs the AWS SDK's `getSignedUrl` for a view URL (GetObject),
 *    the pieces of `bench:presign`;
 * 2. p50/p95 of `GET /files?folder=…&limit=1000` over HTTP on the in-memory local stack
 *    holding 1,000 files in that folder.
 *
 * Seeding is honest: 1,000 real small JPEG objects are PUT into the local S3, the sync
 * function (fed by the bucket's notifications) writes the catalog rows and the process
 * function their thumbnails; timing starts only after a listing returns all 1,000 ready, so
 * each file carries three presigned URLs (view, thumbnail, preview).
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FilesRepository } from '../handlers/adapters/files-repository';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { benchOurs, benchSdk, CASES, checkEqual, OURS_ITERATIONS, SDK_ITERATIONS, type Stats } from './bench-presign';

const FILE_COUNT = Number(process.env.BENCH_LIST_FILES ?? 1000);
const WARM_UP_REQUESTS = Number(process.env.BENCH_LIST_WARM_UP ?? 5);
const TIMED_REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 50);
const FOLDER = '/bench-list';
const SEED_CONCURRENCY = 16;
const GOAL_SPEED_UP = 15;
const GOAL_P50_MS = 150;

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

interface PageTiming {
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly bytes: number;
  readonly files: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
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

/** Puts `count` objects into the folder; the bucket notification makes sync catalogue each. */
async function seedFolder(stack: LocalStack, count: number): Promise<void> {
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: stack.region,
    forcePathStyle: true,
    credentials: stack.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  // A real photo (160 x 120), so processing ends `ready` and every listed file carries its
  // thumbnail and preview URLs too: three signatures per file, as a gallery page has.
  const body = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg().toBuffer();
  let next = 0;
  const putNext = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const name = `IMG_${String(i).padStart(4, '0')} été.jpg`;
      await s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: `media${FOLDER}/${name}`, Body: body, ContentType: 'image/jpeg' }));
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, putNext));
  s3.destroy();
}

async function fetchPage(url: string, token: string): Promise<{ ms: number; bytes: number; files: number; settled: number }> {
  const start = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const ms = performance.now() - start;
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
  const files = (JSON.parse(text) as { files: { processing?: string; thumbUrl?: string }[] }).files;
  return { ms, bytes: Buffer.byteLength(text), files: files.length, settled: files.filter((f) => f.processing === 'ready' && f.thumbUrl !== undefined).length };
}

async function waitForCatalog(url: string, token: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    // Catalogued and processed: timing starts once every file lists with its thumbnail URL.
    seen = (await fetchPage(url, token)).settled;
    if (seen === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the catalog lists ${seen} of ${expected} files processed after ${timeoutMs} ms`);
}

async function benchPage(stack: LocalStack, token: string): Promise<PageTiming> {
  const url = `${stack.apiUrl}/files?folder=${encodeURIComponent(FOLDER)}&limit=1000`;
  for (let i = 0; i < WARM_UP_REQUESTS; i++) await fetchPage(url, token);
  const samples: number[] = [];
  let last = { bytes: 0, files: 0 };
  for (let i = 0; i < TIMED_REQUESTS; i++) {
    const page = await fetchPage(url, token);
    samples.push(page.ms);
    last = page;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), min: sorted[0] as number, max: sorted[sorted.length - 1] as number, ...last };
}

interface QueryTiming {
  readonly p50: number;
  readonly roundTrips: number;
}

/** The catalog read alone, through the real repository: its time and DynamoDB round trips per page. */
async function benchCatalogQuery(stack: LocalStack): Promise<QueryTiming> {
  const raw = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  const client = DynamoDBDocumentClient.from(raw);
  let sends = 0;
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = (command) => {
    sends += 1;
    return send(command);
  };
  const files = new FilesRepository({ tableName: stack.tableName, client });
  try {
    for (let i = 0; i < WARM_UP_REQUESTS; i++) await files.listFolder(FOLDER, { limit: 1000 });
    sends = 0;
    const samples: number[] = [];
    for (let i = 0; i < TIMED_REQUESTS; i++) {
      const start = performance.now();
      await files.listFolder(FOLDER, { limit: 1000 });
      samples.push(performance.now() - start);
    }
    return { p50: quantile([...samples].sort((a, b) => a - b), 0.5), roundTrips: sends / TIMED_REQUESTS };
  } finally {
    raw.destroy();
  }
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

async function main(): Promise<void> {
  process.emitWarning = () => undefined; // the SDK's Node 20 end-of-support notice
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(`node ${process.version}; bench:list — view-URL signing and a ${FILE_COUNT}-file page`);

  // 1. Signing (the GetObject view URL every listed file carries).
  const make = CASES.GetObject!;
  await checkEqual(make);
  const sdk: Stats = await benchSdk(make, SDK_ITERATIONS);
  const ours: Stats = benchOurs(make, OURS_ITERATIONS);

  // 2. The page on the local stack.
  const password = randomBytes(18).toString('base64url');
  const started = performance.now();
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger });
  let page: PageTiming;
  let query: QueryTiming;
  let seedMs: number;
  try {
    const token = await login(stack, password);
    const seedStart = performance.now();
    await seedFolder(stack, FILE_COUNT);
    await waitForCatalog(`${stack.apiUrl}/files?folder=${encodeURIComponent(FOLDER)}&limit=1000`, token, Math.min(FILE_COUNT, 1000), 600_000);
    seedMs = performance.now() - seedStart;
    page = await benchPage(stack, token);
    query = await benchCatalogQuery(stack);
  } finally {
    await stack.stop();
  }
  const stackMs = performance.now() - started;

  const speedUp = sdk.mean / ours.mean;
  console.log('');
  console.log(`1. View-URL signing (GetObject), µs per URL — ours ${OURS_ITERATIONS} URLs in batches of 100, SDK ${SDK_ITERATIONS} getSignedUrl calls; same bytes checked first`);
  console.log('   measure        |      ours | baseline: SDK getSignedUrl | goal');
  console.log('   ---------------|-----------|----------------------------|---------------------');
  console.log(`   mean µs/URL    | ${fmt(ours.mean, 2).padStart(9)} | ${fmt(sdk.mean).padStart(26)} | ≤ 30 µs: ${verdict(ours.mean <= 30)}`);
  console.log(`   p50 µs/URL     | ${fmt(ours.p50, 2).padStart(9)} | ${fmt(sdk.p50).padStart(26)} |`);
  console.log(`   p95 µs/URL     | ${fmt(ours.p95, 2).padStart(9)} | ${fmt(sdk.p95).padStart(26)} |`);
  console.log(`   speed-up (mean)| ${`${fmt(speedUp, 0)}×`.padStart(9)} | ${'1×'.padStart(26)} | ≥ ${GOAL_SPEED_UP}×: ${verdict(speedUp >= GOAL_SPEED_UP)}`);
  console.log(`   1,000 URLs     | ${`${fmt((ours.mean * 1000) / 1000)} ms`.padStart(9)} | ${`${fmt((sdk.mean * 1000) / 1000)} ms`.padStart(26)} |`);
  console.log('');
  console.log(
    `2. GET /files?folder=${FOLDER}&limit=1000 over HTTP on the in-memory local stack, ${page.files} files in the folder ` +
      `(${FILE_COUNT} objects PUT into the local S3, catalogued by the sync function in ${fmt(seedMs / 1000)} s); ` +
      `${WARM_UP_REQUESTS} warm-up then ${TIMED_REQUESTS} sequential timed requests`,
  );
  console.log('   measure        |   page ms | baseline                   | goal');
  console.log('   ---------------|-----------|----------------------------|---------------------');
  // With getSignedUrl, signing the page's URLs alone would cost this much (measured above).
  const sdkSigningMs = (sdk.mean * page.files) / 1000;
  console.log(`   p50            | ${fmt(page.p50).padStart(9)} | ${`> ${fmt(sdkSigningMs, 0)} (SDK signing alone)`.padStart(26)} | ≤ ${GOAL_P50_MS} ms: ${verdict(page.p50 <= GOAL_P50_MS)}`);
  console.log(`   p95            | ${fmt(page.p95).padStart(9)} | ${''.padStart(26)} |`);
  console.log(`   min / max      | ${`${fmt(page.min, 0)}/${fmt(page.max, 0)}`.padStart(9)} | ${''.padStart(26)} |`);
  console.log(`   response body  | ${`${fmt(page.bytes / 1024, 0)} KiB`.padStart(9)} | ${''.padStart(26)} |`);
  console.log('');
  console.log('   where a page goes (p50):');
  console.log(`   - catalog read through FilesRepository: ${fmt(query.p50)} ms in ${fmt(query.roundTrips, 1)} DynamoDB round trip(s) per page`);
  console.log(`   - signing ${page.files * 3} URLs (view, thumbnail, preview per file): ${fmt((ours.mean * page.files * 3) / 1000)} ms`);
  console.log(`   - the rest (JSON, authorizer cache, worker message passing, HTTP): ~${fmt(Math.max(0, page.p50 - query.p50 - (ours.mean * page.files) / 1000))} ms`);
  console.log('');
  console.log(`(baseline: the same page signing with getSignedUrl spends ${fmt(sdkSigningMs, 0)} ms on the URLs alone; stack start + seed + bench took ${fmt(stackMs / 1000)} s)`);
  // Everything here shares the CPUs with whatever else runs: say how busy they were.
  console.log(`(1-minute load average at the end: ${fmt(loadavg()[0] ?? 0)} on ${cpus().length} CPUs; figures above ~1 per CPU measure the contention, not the code)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
