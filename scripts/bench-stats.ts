/**
 * `npm run bench:stats`: how long `GET /stats/storage`'s tally takes over a family's catalog
 * (default 100,000 files, `BENCH_STATS_FILES`), next to the budget it must fit: the files
 * function's 10 s timeout less the 1.5 s kept to answer (handlers/files/storage-stats.ts).
 *
 * Rows are written as the sync function writes them (FilesRepository's item shape: keys, both
 * indexes, a processed photo's media and derived keys, ~1 KB), straight into DynamoDB Local
 * with BatchWriteItem, so seeding takes seconds rather than the uploads' minutes. The tally is
 * the real adapter (CatalogStorageUsage, a parallel projected Scan of the `byType` index)
 * at a quarter of the deployed `SEGMENTS`, at `SEGMENTS` and at twice that, after one untimed
 * warm-up pass. DynamoDB Local is a single Java process on this machine, far slower per page
 * than DynamoDB and slower the larger a segment: its time is an upper bound, not a forecast.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CatalogStorageUsage, SEGMENTS } from '../handlers/adapters/storage-usage';
import { fileItemKey, takenIndexKeys, typeIndexKeys } from '../contract/table';
import { storageStatsOf } from '../handlers/core/storage-stats';
import { ensureTable, startDynamoDbLocal, tableFromContract } from '../local/dynamodb';
import type { Logger } from '../local/log';
import { generateLocalCredentials } from '../local/sigv4';
import { STATS_MARGIN_MS } from '../handlers/files/storage-stats';

const FILES = Number(process.env.BENCH_STATS_FILES ?? 100_000);
const LAMBDA_TIMEOUT_MS = 10_000;
const BUDGET_MS = LAMBDA_TIMEOUT_MS - STATS_MARGIN_MS;
const WRITERS = 8;
/** Scan segment counts to time: fewer than deployed, the deployed count, and more (`BENCH_STATS_SEGMENTS=8,32,64`). */
const SEGMENT_COUNTS = (process.env.BENCH_STATS_SEGMENTS ?? `${SEGMENTS / 4},${SEGMENTS},${SEGMENTS * 2}`).split(',').map(Number);
const USERS = ['ann', 'bob', 'cy', 'dee', 'share:Wedding'];

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

/** The item the sync function writes for a processed photo or video (FilesRepository.upsert). */
function fileItem(i: number): Record<string, unknown> {
  const video = i % 10 === 0;
  const folder = `/family/${2000 + (i % 25)}/${String(i % 12).padStart(2, '0')}`;
  const name = video ? `VID_${i}.mp4` : `IMG_${i}.jpg`;
  const key = `media${folder}/${name}`;
  const id = Buffer.from(key).toString('base64url');
  const uploadedAt = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
  const fileType = video ? 'video' : 'image';
  return {
    ...fileItemKey(folder, name),
    ...typeIndexKeys(fileType, uploadedAt, id),
    ...takenIndexKeys(folder, `${uploadedAt}#${name}`),
    id, key, folder, name,
    size: video ? 50_000_000 + i : 3_000_000 + i,
    contentType: video ? 'video/mp4' : 'image/jpeg',
    fileType, uploadedAt,
    uploadedBy: USERS[i % USERS.length],
    tags: ['holiday'],
    etag: randomBytes(16).toString('hex'),
    uploadId: randomBytes(16).toString('base64url'),
    sha256: randomBytes(32).toString('base64'),
    sequencer: String(i).padStart(32, '0'),
    status: 'available',
    processing: 'ready',
    media: { width: 4032, height: 3024, orientation: 1, takenAt: uploadedAt, cameraMake: 'Apple', cameraModel: 'iPhone 15', ...(video ? { durationSeconds: 12.5, codec: 'h264', browserPlayable: true } : {}) },
    derived: { thumb: `derived${folder}/${name}/thumb.webp`, preview: `derived${folder}/${name}/preview.webp` },
    updatedAt: uploadedAt,
  };
}

async function seed(documents: DynamoDBDocumentClient, tableName: string): Promise<number> {
  let next = 0;
  let bytes = 0;
  const writer = async (): Promise<void> => {
    while (next < FILES) {
      const batch = Array.from({ length: Math.min(25, FILES - next) }, () => fileItem(next++));
      bytes += batch.reduce((n, item) => n + JSON.stringify(item).length, 0);
      let pending: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const out = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
        pending = out.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return bytes / FILES;
}

async function main(): Promise<void> {
  const dynamodb = await startDynamoDbLocal({ logger: quietLogger, credentials: generateLocalCredentials() });
  try {
    const tableName = 'bench-stats';
    await ensureTable(dynamodb.client, tableFromContract(tableName));
    const documents = DynamoDBDocumentClient.from(dynamodb.client);
    const seedStarted = performance.now();
    const rowBytes = await seed(documents, tableName);
    console.log(`seeded ${FILES.toLocaleString('en')} file rows (~${Math.round(rowBytes)} B of JSON each) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    // One untimed pass first: DynamoDB Local's JVM warms up on the first reads of a table.
    await new CatalogStorageUsage({ tableName, client: documents }).tally(Date.now() + 10 * 60_000);
    const rows: string[] = [];
    for (const segments of SEGMENT_COUNTS) {
      const usage = new CatalogStorageUsage({ tableName, client: documents, segments });
      const started = performance.now();
      const tally = await usage.tally(Date.now() + 10 * 60_000);
      const ms = performance.now() - started;
      const stats = storageStatsOf(tally, new Date());
      if (stats.total.files !== FILES) throw new Error(`the tally counted ${stats.total.files} files, not ${FILES}`);
      rows.push(`| ${segments} segment${segments === 1 ? '' : 's'} | ${FILES.toLocaleString('en')} | ${(ms / 1000).toFixed(2)} s | ${Math.round(FILES / (ms / 1000)).toLocaleString('en')} | ${(BUDGET_MS / 1000).toFixed(1)} s | ${ms <= BUDGET_MS ? 'inside' : 'OVER'} |`);
    }
    console.log(`\nGET /stats/storage tally on DynamoDB Local (${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}):\n`);
    console.log('| scan | files | time | files/s | budget (10 s timeout − 1.5 s) | |');
    console.log('|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await dynamodb.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
