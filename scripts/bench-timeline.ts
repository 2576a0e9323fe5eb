/**
 * `npm run bench:timeline [-- --files 1000000]`: the timeline of a large library, on the
 * in-memory local stack in headless Chromium. Seeding is outside every timing: catalog rows
 * (and their timeline counters) are written straight into DynamoDB Local with parallel
 * BatchWriteItem, 20 years of photos in a folder per year plus a phone folder over all of
 * them; thumbnails exist only for what is shown (the first files of the newest month, of the
 * month five years back and of the oldest month).
 *
 * Figures, each beside its goal (issue 20):
 * - `GET /timeline/buckets` ≤ 300 ms (median of 5, over HTTP);
 * - first thumbnails ≤ 1 s from navigation start (a signed-in reload);
 * - a scrubber jump to a month five years back shows its thumbnails ≤ 1 s;
 * - the last (oldest) item reachable: the scrubber's End, then scrolling to the bottom;
 * - no main-thread task over 50 ms wall time while scrolling through 20,000 items (thread CPU
 *   beside it, as bench:web prints it);
 * - JS heap ≤ 100 MB after that scroll.
 * The load average is printed with them: on a shared machine wall times include waiting for a core.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { chromium, type Page } from 'playwright-core';
import { fileItemKey, takenIndexKeys, timelineCounterKey } from '../contract/table';
import { fileIdOf } from '../handlers/core/paths';
import { counterId, timelineShardOf, type TimelineCounter } from '../handlers/core/timeline';
import type { Logger } from '../local/log';
import { startLocalStack, type LocalStack } from '../local/stack';
import { parseCommandLine } from './args';
import { rendererTasks, startTrace } from './bench-trace';

const GOALS = { bucketsMs: 300, firstThumbMs: 1000, jumpMs: 1000, longestTaskMs: 50, heapMb: 100 } as const;
const YEARS = 20;
const NEWEST = { year: 2025, month: 12 };
const SCROLL_ITEMS = 20_000;
/** Files of a month that get a thumbnail object (what a screen shows). */
const SHOWN_PER_MONTH = 60;

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: (scope, message) => console.error(`[${scope}] ${message}`) };

interface Month {
  readonly year: number;
  readonly month: number;
  readonly key: string;
}

/** Months newest first: index 0 is the newest, 60 five years back. */
const MONTHS: Month[] = Array.from({ length: YEARS * 12 }, (_, i) => {
  const total = NEWEST.year * 12 + (NEWEST.month - 1) - i;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return { year, month, key: `${year}-${String(month).padStart(2, '0')}` };
});

/** The i-th file of a month, newest first: its folder, name and date taken (spread over the month). */
function fileOf(m: Month, i: number, perMonth: number): { folder: string; name: string; takenAt: string } {
  const seconds = Math.floor(((perMonth - i) / (perMonth + 1)) * 27 * 86_400);
  const takenAt = new Date(Date.UTC(m.year, m.month - 1, 1) + seconds * 1000).toISOString();
  // Every third file from the phone's camera roll, the rest filed by year.
  const folder = i % 3 === 0 ? '/bench-tl/phone' : `/bench-tl/${m.year}`;
  return { folder, name: `IMG_${m.key}_${String(i).padStart(6, '0')}.jpg`, takenAt };
}

async function thumbnail(hue: number): Promise<Buffer> {
  return sharp({ create: { width: 240, height: 160, channels: 3, background: { r: hue % 256, g: (hue * 7) % 256, b: (hue * 13) % 256 } } }).webp({ quality: 60 }).toBuffer();
}

async function seed(stack: LocalStack, files: number): Promise<{ perMonth: number; written: number; seconds: number }> {
  const started = Date.now();
  const raw = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  const documents = DynamoDBDocumentClient.from(raw);
  const s3 = new S3Client({ endpoint: stack.s3Endpoint, region: stack.region, forcePathStyle: true, credentials: stack.credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const perMonth = Math.max(1, Math.floor(files / MONTHS.length));
  const shownMonths = new Set([0, 60, MONTHS.length - 1]);
  const thumbs = await Promise.all([0, 1, 2, 3].map((h) => thumbnail(h * 60)));
  const counters = new Map<string, TimelineCounter>();
  const queue: Record<string, unknown>[][] = [];
  let batch: Record<string, unknown>[] = [];
  let written = 0;
  let produced = 0;
  const total = perMonth * MONTHS.length;

  // Producer: rows month by month; thumbnails put for the shown ones.
  const thumbPuts: Promise<unknown>[] = [];
  const rows = function* (): Generator<Record<string, unknown>> {
    for (let m = 0; m < MONTHS.length; m += 1) {
      const month = MONTHS[m] as Month;
      for (let i = 0; i < perMonth; i += 1) {
        const { folder, name, takenAt } = fileOf(month, i, perMonth);
        const key = `media${folder}/${name}`;
        const shown = shownMonths.has(m) && (i < SHOWN_PER_MONTH || (m === MONTHS.length - 1 && i >= perMonth - SHOWN_PER_MONTH));
        const derivedKey = `derived/bench/${m}-${i}.webp`;
        if (shown) thumbPuts.push(s3.send(new PutObjectCommand({ Bucket: stack.bucketName, Key: derivedKey, Body: thumbs[i % thumbs.length], ContentType: 'image/webp' })));
        const place = { folder, month: month.key, shard: timelineShardOf(key) };
        const id = counterId(place);
        counters.set(id, { ...place, count: (counters.get(id)?.count ?? 0) + 1 });
        yield {
          ...fileItemKey(folder, name),
          ...takenIndexKeys(folder, `${takenAt}#${name}`),
          id: fileIdOf(key), key, folder, name, size: 3_000_000 + i, contentType: 'image/jpeg', fileType: 'image',
          uploadedAt: takenAt, uploadedBy: 'admin', tags: [], sequencer: randomBytes(8).toString('hex').toUpperCase(), status: 'available',
          processing: shown ? 'ready' : 'pending',
          media: { width: i % 4 === 0 ? 3000 : 4000, height: 3000, takenAt },
          ...(shown ? { derived: { thumb: derivedKey } } : {}),
        };
      }
    }
  };
  const source = rows();
  const next = (): Record<string, unknown>[] | undefined => {
    if (queue.length > 0) return queue.shift();
    // source.next(), not for…of: leaving a for…of by return closes the generator.
    for (let step = source.next(); step.done !== true; step = source.next()) {
      batch.push(step.value);
      produced += 1;
      if (batch.length === 25) {
        const out = batch;
        batch = [];
        return out;
      }
    }
    if (batch.length === 0) return undefined;
    const out = batch;
    batch = [];
    return out;
  };
  const writeAll = async (items: Record<string, unknown>[]): Promise<void> => {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 20 * 2 ** attempt)));
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: pending } }));
      pending = (out.UnprocessedItems?.[stack.tableName] ?? []) as typeof pending;
    }
  };
  const worker = async (): Promise<void> => {
    for (let items = next(); items !== undefined; items = next()) {
      await writeAll(items);
      written += items.length;
      if (written % 50_000 < 25) process.stdout.write(`  seeded ${written.toLocaleString()} of ${total.toLocaleString()} rows (${Math.round((Date.now() - started) / 1000)} s, load ${loadavg()[0]?.toFixed(1)})\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.BENCH_TIMELINE_WRITERS ?? 12) }, worker));
  // The counters the rows imply, as the write path would have left them.
  const counterItems = [...counters.values()].map((c) => ({ ...timelineCounterKey(c.shard, c.month, c.folder), month: c.month, folder: c.folder, count: c.count }));
  for (let i = 0; i < counterItems.length; i += 25) await writeAll(counterItems.slice(i, i + 25));
  await Promise.all(thumbPuts);
  s3.destroy();
  raw.destroy();
  void produced;
  return { perMonth, written, seconds: (Date.now() - started) / 1000 };
}

async function login(stack: LocalStack, password: string): Promise<string> {
  const answer = await fetch(`${stack.apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.adminUser, password }) });
  return ((await answer.json()) as { token: string }).token;
}

async function bucketsTiming(stack: LocalStack, token: string): Promise<{ medianMs: number; months: number; files: number }> {
  const times: number[] = [];
  let body: { buckets: { month: string; count: number }[] } = { buckets: [] };
  for (let i = 0; i < 6; i += 1) {
    const started = performance.now();
    const answer = await fetch(`${stack.apiUrl}/timeline/buckets`, { headers: { authorization: `Bearer ${token}` } });
    body = (await answer.json()) as typeof body;
    // The first call warms the function (a cold start is bench:cold's figure).
    if (i > 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] ?? 0, months: body.buckets.length, files: body.buckets.reduce((s, b) => s + b.count, 0) };
}

/** In-page: resolves with the ms (from `since`, a performance.now()) when a thumbnail of `prefix` has painted in the viewport. */
const PAINTED = (prefix: string, since: string): string => `new Promise((resolve, reject) => {
  const started = performance.now();
  const check = () => {
    const box = document.querySelector('.timeline')?.getBoundingClientRect();
    const hit = [...document.querySelectorAll('.tl-tile img')].some((img) => {
      const r = img.getBoundingClientRect();
      return img.complete && img.naturalWidth > 0 && box && r.bottom > box.top && r.top < box.bottom && img.parentElement.getAttribute('aria-label').startsWith(${JSON.stringify(`Open ${prefix}`)});
    });
    if (hit) return resolve(performance.now() - (${since}));
    if (performance.now() - started > 60000) return reject(new Error('no thumbnail of ${prefix} painted in 60 s: ' + document.body.innerText.slice(0, 300)));
    requestAnimationFrame(check);
  };
  check();
})`;

async function scrubberJump(page: Page, monthsBack: number, month: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const slider = document.querySelector('[role="slider"]');
    slider.focus();
    const started = performance.now();
    for (let i = 0; i < ${monthsBack / 12}; i += 1) slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true }));
    return ${PAINTED(`IMG_${month}`, 'started')};
  })()`);
}

/** The scrubber's End, then scroll to the bottom until the oldest file's tile exists. */
async function reachLast(page: Page, lastName: string): Promise<{ ms: number; found: boolean }> {
  return page.evaluate<{ ms: number; found: boolean }>(`(async () => {
    const slider = document.querySelector('[role="slider"]');
    slider.focus();
    const started = performance.now();
    slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    const scroller = document.querySelector('.timeline');
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (document.querySelector(${JSON.stringify(`[aria-label="Open ${lastName}"]`)})) return { ms: performance.now() - started, found: true };
      scroller.scrollTop += 2000;
      if (performance.now() - started > 300000) return { ms: performance.now() - started, found: false };
    }
  })()`);
}

/** From the newest month, scroll 400 px a frame until `count` distinct tiles went by. */
async function scrollThrough(page: Page, count: number): Promise<{ seconds: number; seen: number; maxTiles: number }> {
  return page.evaluate<{ seconds: number; seen: number; maxTiles: number }>(`(async () => {
    const slider = document.querySelector('[role="slider"]');
    slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await new Promise((r) => setTimeout(r, 500));
    const scroller = document.querySelector('.timeline');
    const seen = new Set();
    let maxTiles = 0;
    const started = performance.now();
    while (seen.size < ${count}) {
      await new Promise((r) => requestAnimationFrame(r));
      const tiles = document.querySelectorAll('.tl-tile');
      maxTiles = Math.max(maxTiles, tiles.length);
      for (const t of tiles) seen.add(t.getAttribute('aria-label'));
      scroller.scrollTop += 400;
      if (performance.now() - started > 600000) break;
    }
    return { seconds: (performance.now() - started) / 1000, seen: seen.size, maxTiles };
  })()`);
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseCommandLine(process.argv.slice(2), { values: ['files'], flags: [] });
  const files = Number(values.files ?? process.env.BENCH_TIMELINE_FILES ?? 1_000_000);
  if (!Number.isInteger(files) || files < MONTHS.length) throw new Error(`--files must be a whole number of at least ${MONTHS.length}`);
  const password = randomBytes(12).toString('base64url');
  console.log(`bench:timeline — ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; seeding ${files.toLocaleString()} rows over ${MONTHS.length} months…`);
  const stack = await startLocalStack({ inMemory: true, port: 0, stackFile: null, adminPassword: password, logger: quietLogger, variables: { throttling_rate_limit: 10_000, throttling_burst_limit: 10_000 } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'] });
  try {
    const seeded = await seed(stack, files);
    console.log(`seeded ${seeded.written.toLocaleString()} rows (${seeded.perMonth} a month) in ${seeded.seconds.toFixed(0)} s — not timed below`);
    const token = await login(stack, password);
    const buckets = await bucketsTiming(stack, token);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(stack.appUrl as string);
    await page.getByLabel('Username').fill(stack.adminUser);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.tl-tile img').first().waitFor();
    // Signed in (the refresh cookie): a reload is the navigation timed, as a returning user's visit.
    await page.reload();
    const firstMs = await page.evaluate<number>(PAINTED(`IMG_${MONTHS[0]!.key}`, '0'));
    const jumpMs = await scrubberJump(page, 60, MONTHS[60]!.key);
    const oldest = MONTHS[MONTHS.length - 1]!;
    const last = await reachLast(page, fileOf(oldest, seeded.perMonth - 1, seeded.perMonth).name);

    const trace = await startTrace(cdp);
    const scroll = await scrollThrough(page, Math.min(SCROLL_ITEMS, seeded.written));
    const tasks = rendererTasks(await trace.stop());
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    const heapMb = heap.usedSize / 1024 / 1024;

    const longestWall = Math.max(0, ...tasks.map((t) => t.wallMs));
    const longestCpu = Math.max(0, ...tasks.map((t) => t.cpuMs));
    const overWall = tasks.filter((t) => t.wallMs > GOALS.longestTaskMs).length;
    const overCpu = tasks.filter((t) => t.cpuMs > GOALS.longestTaskMs).length;
    const ms = (n: number): string => `${Math.round(n)} ms`;
    const verdict = (ok: boolean): string => (ok ? 'meets goal' : 'MISSES goal');
    console.log('');
    console.log(`library of ${buckets.files.toLocaleString()} files in ${buckets.months} months (load ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores)`);
    console.log(`  GET /timeline/buckets        ${ms(buckets.medianMs)} (median of 5)        goal ≤ ${GOALS.bucketsMs} ms — ${verdict(buckets.medianMs <= GOALS.bucketsMs)}`);
    console.log(`  first thumbnails             ${ms(firstMs)} from navigation start   goal ≤ ${GOALS.firstThumbMs} ms — ${verdict(firstMs <= GOALS.firstThumbMs)}`);
    console.log(`  scrubber, 5 years back       ${ms(jumpMs)} to its thumbnails        goal ≤ ${GOALS.jumpMs} ms — ${verdict(jumpMs <= GOALS.jumpMs)}`);
    console.log(`  last item reachable          ${last.found ? `yes, in ${ms(last.ms)} (End, then scrolling its month)` : 'NO'}   goal: yes — ${verdict(last.found)}`);
    console.log(`  scrolling ${scroll.seen.toLocaleString()} items (${scroll.seconds.toFixed(1)} s, at most ${scroll.maxTiles} tiles in the DOM)`);
    console.log(`    longest main-thread task   ${ms(longestWall)} wall (${overWall} of ${tasks.length} > ${GOALS.longestTaskMs} ms); thread CPU ${ms(longestCpu)} (${overCpu} > ${GOALS.longestTaskMs} ms)   goal: none > ${GOALS.longestTaskMs} ms wall — ${verdict(overWall === 0)}`);
    console.log(`  JS heap after the scroll     ${heapMb.toFixed(1)} MB                     goal ≤ ${GOALS.heapMb} MB — ${verdict(heapMb <= GOALS.heapMb)}`);
    console.log(`  load average now             ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores (wall times include waiting for a core)`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:timeline failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
