/**
 * The timeline over HTTP on the local stack: `GET /timeline/buckets` counts each month's files
 * (date taken, else upload time) as uploads, processing, deletes and moves change them, a user
 * limited to a folder counts and lists only that folder's, `GET /timeline?month=` pages a
 * month across folders newest taken first, bad input is a 400 naming the parameter, and
 * `npm run reconcile` finds and repairs a counter that is off.
 * Dates taken are in the 1990s, months no other test uses; the limited user sees only this
 * test's folder, so its counts are exact while other tests upload meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { timelineCounterKey } from '../../contract/table';
import { timelineShardOf } from '../../handlers/core/timeline';
import { EXIT, runReconcile } from '../../scripts/reconcile';
import { cameraJpeg } from '../support/media-samples';
import { e2eContext } from './support/context';
import { uploadFile, type FilePage } from './support/files';
import { api, eventually, expectErrorBody, login } from './support/http';
import { jpegLike } from './support/media';

interface Buckets {
  buckets: { month: string; count: number }[];
}
interface TimelineFile {
  id: string;
  folder: string;
  name: string;
  takenAt?: string;
  uploadedAt: string;
  url: string;
  thumbUrl?: string;
  width?: number;
  height?: number;
}

const SETTLE_MS = 60_000;
/** Month → count maps compared whatever their key order. */
const canonical = (counts: Record<string, number>): string => JSON.stringify(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));

describe('GET /timeline/buckets and GET /timeline', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  const base = `/tl-${tag}`;
  const inside = `${base}/in`;
  const outside = `${base}/out`;
  // A year of its own per run, so months are this run's only (1970-1999).
  const year = 1970 + (parseInt(tag, 16) % 30);
  const march = `${year}-03`;
  const april = `${year}-04`;
  let admin: string;
  let limited: string;
  const ids: Record<string, string> = {};
  const thisMonth = new Date().toISOString().slice(0, 7);

  const dated = async (taken: string) =>
    sharp(await cameraJpeg({ width: 96, height: 64, exif: false }))
      .withExif({ IFD2: { DateTimeOriginal: taken, OffsetTimeOriginal: '+00:00' } })
      .toBuffer();
  /** The caller's buckets as a month → count map, of the given months only. */
  const counts = async (token: string, months: readonly string[]): Promise<Record<string, number>> => {
    const response = await api<Buckets>('/timeline/buckets', { token });
    expect(response.status).toBe(200);
    return Object.fromEntries(response.body.buckets.filter((b) => months.includes(b.month)).map((b) => [b.month, b.count]));
  };
  /** The counts once they equal `want` (processing and events settle), else the last ones read. */
  const settled = async (token: string, months: readonly string[], want: Record<string, number>): Promise<Record<string, number>> => {
    let last: Record<string, number> = {};
    await eventually(async () => {
      last = await counts(token, months);
      return canonical(last) === canonical(want) ? last : undefined;
    }, SETTLE_MS, 250);
    return last;
  };
  /** Every page of a month at `limit`. */
  const month = async (token: string, which: string, limit: number): Promise<TimelineFile[][]> => {
    const pages: TimelineFile[][] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: FilePage } = await api<FilePage>(`/timeline?month=${which}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
      expect(response.status).toBe(200);
      pages.push(response.body.files as unknown as TimelineFile[]);
      cursor = response.body.nextCursor;
    } while (cursor !== null && pages.length < 20);
    return pages;
  };

  beforeAll(async () => {
    admin = await login(context.admin);
    const username = `tl${tag}`;
    for (const folder of [inside, outside]) expect((await api('/folders', { token: admin, json: { path: folder } })).status).toBeLessThan(300);
    const created = await api<{ password: string }>('/users', { token: admin, json: { username, role: 'editor', folders: [inside] } });
    expect(created.status).toBe(201);
    limited = await login({ username, password: created.body.password });
    const uploads: [string, string, Buffer][] = [
      [inside, 'm1.jpg', await dated(`${year}:03:05 10:00:00`)],
      [inside, 'm2.jpg', await dated(`${year}:03:20 18:30:00`)],
      [inside, 'm3.jpg', await dated(`${year}:03:12 07:00:00`)],
      [inside, 'a1.jpg', await dated(`${year}:04:01 09:00:00`)],
      [outside, 'o1.jpg', await dated(`${year}:03:15 12:00:00`)],
      // No image inside: no date taken, so it counts in the month it was uploaded.
      [inside, 'undated.jpg', jpegLike(2048)],
    ];
    for (const [folder, name, bytes] of uploads) ids[`${folder}/${name}`] = await uploadFile(admin, folder, name, bytes);
  }, 120_000);

  afterAll(async () => {
    // The e2e stack is shared: give the user's place back.
    await api(`/users/tl${tag}`, { method: 'DELETE', token: admin });
  });

  it('counts each month the files a user may see, by date taken, else upload time', async () => {
    expect(await settled(limited, [march, april, thisMonth], { [march]: 3, [april]: 1, [thisMonth]: 1 })).toEqual({ [march]: 3, [april]: 1, [thisMonth]: 1 });
    // The admin sees the other folder's photo of March too.
    expect(await settled(admin, [march, april], { [march]: 4, [april]: 1 })).toEqual({ [march]: 4, [april]: 1 });
    const buckets = (await api<Buckets>('/timeline/buckets', { token: limited })).body.buckets;
    expect(buckets.map((b) => b.month)).toEqual([...buckets.map((b) => b.month)].sort().reverse());
  }, SETTLE_MS * 2);

  it('pages a month newest taken first across folders, with thumbnails and sizes, and only the folders a user may see', async () => {
    const adminPages = await month(admin, march, 1);
    expect(adminPages.map((p) => p.length)).toEqual([1, 1, 1, 1]);
    expect(adminPages.flat().map((f) => f.name)).toEqual(['m2.jpg', 'o1.jpg', 'm3.jpg', 'm1.jpg']);
    const limitedFiles = (await month(limited, march, 2)).flat();
    expect(limitedFiles.map((f) => `${f.folder}/${f.name}`)).toEqual([`${inside}/m2.jpg`, `${inside}/m3.jpg`, `${inside}/m1.jpg`]);
    for (const file of limitedFiles) {
      expect(file.takenAt?.startsWith(march)).toBe(true);
      expect(file.thumbUrl).toEqual(expect.stringMatching(/^https?:/));
      expect(file).toMatchObject({ width: 96, height: 64 });
    }
    expect((await month(limited, thisMonth, 100)).flat().map((f) => f.name)).toContain('undated.jpg');
  });

  it('counts a delete and a move out of the user\'s folders at once', async () => {
    expect((await api(`/files/${ids[`${inside}/m1.jpg`]}`, { token: admin, method: 'DELETE' })).status).toBe(204);
    const moved = await api(`/files/${ids[`${inside}/a1.jpg`]}`, { token: admin, method: 'PATCH', json: { folder: outside } });
    expect(moved.status).toBe(200);
    expect(await settled(limited, [march, april], { [march]: 2 })).toEqual({ [march]: 2 });
    expect(await settled(admin, [march, april], { [march]: 3, [april]: 1 })).toEqual({ [march]: 3, [april]: 1 });
    expect((await month(admin, april, 10)).flat().map((f) => `${f.folder}/${f.name}`)).toEqual([`${outside}/a1.jpg`]);
  }, SETTLE_MS * 2);

  it('answers bad input with a 400 naming the parameter', async () => {
    for (const query of ['', '?month=2024-13', '?month=May', `?month=${march}&limit=0`, `?month=${march}&limit=501`]) {
      const response = await api<{ error: { code: string; message: string } }>(`/timeline${query}`, { token: limited });
      expect(response.status).toBe(400);
      expectErrorBody(response);
      expect(response.body.error.message).toMatch(/^(month|limit): /);
    }
    const first = await api<FilePage>(`/timeline?month=${march}&limit=1`, { token: admin });
    const cursor = encodeURIComponent(first.body.nextCursor as string);
    for (const [query, token] of [
      [`?month=${april}&cursor=${cursor}`, admin],
      [`?month=${march}&cursor=${cursor}`, limited],
      [`?month=${march}&cursor=garbage`, admin],
    ] as const) {
      const response = await api<{ error: { code: string } }>(`/timeline${query}`, { token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('InvalidCursor');
    }
  });

  it('lets npm run reconcile find a counter that is off and repair it', async () => {
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials }));
    const dir = mkdtempSync(path.join(tmpdir(), 'media-store-timeline-'));
    const stackFile = path.join(dir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify(context));
    const reconcile = async (...args: string[]) => {
      const out: string[] = [];
      const code = await runReconcile(['--stack', stackFile, '--prefix', `media${base}/`, '--json', ...args], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });
      return { code, json: JSON.parse(out.join('\n')) as { timeline: { drift: { folder: string; month: string; stored: number; expected: number }[] } } };
    };
    try {
      const shard = timelineShardOf(`media${inside}/m2.jpg`);
      await documents.send(
        new UpdateCommand({ TableName: context.tableName, Key: timelineCounterKey(shard, march, inside), UpdateExpression: 'ADD #count :five', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':five': 5 } }),
      );
      expect(await counts(limited, [march])).toEqual({ [march]: 7 });
      const found = await reconcile();
      expect(found.code).toBe(EXIT.drift);
      expect(found.json.timeline.drift).toEqual([expect.objectContaining({ folder: inside, month: march, expected: (found.json.timeline.drift[0]?.stored ?? 0) - 5 })]);
      expect((await reconcile('--fix')).code).toBe(EXIT.clean);
      expect(await counts(limited, [march])).toEqual({ [march]: 2 });
      expect((await reconcile()).code).toBe(EXIT.clean);
    } finally {
      documents.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
