import { createHash } from 'node:crypto';
import { runQuota, scrubFiles, type FileCorruptAlert, type ScrubCatalogStore, type ScrubCursor, type ScrubDeps, type ScrubFile } from '../../../../handlers/core/scrub';
import { memoryLogger } from '../../support';

const DAY = 86_400_000;
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');

interface Stored {
  bytes: Buffer;
  etag: string;
}

/** A catalog of rows in scan order and a bucket of objects, as the scrub sees them. */
function world(count: number, options: { withSha?: boolean } = {}) {
  const objects = new Map<string, Stored>();
  const rows = new Map<string, Record<string, unknown>>();
  const order: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const key = `media/a/f${String(i).padStart(4, '0')}.jpg`;
    const bytes = Buffer.from(`photo ${i}`);
    objects.set(key, { bytes, etag: `e${i}` });
    rows.set(key, { pk: 'FOLDER#/a', sk: `FILE#f${i}`, key, size: bytes.length, etag: `e${i}`, ...(options.withSha !== false ? { sha256: sha(bytes) } : {}) });
    order.push(key);
  }
  let cursor: ScrubCursor | undefined;
  const alerts: FileCorruptAlert[] = [];
  const reads: string[] = [];
  const catalog: ScrubCatalogStore = {
    cursor: async () => cursor,
    saveCursor: async (c) => {
      cursor = c;
    },
    page: async (startKey, limit) => {
      const from = startKey === undefined ? 0 : order.indexOf(String(startKey.key)) + 1;
      const slice = order.slice(from, from + limit);
      const files = slice.map((key) => rows.get(key) as unknown as ScrubFile);
      return { files, ...(from + limit < order.length ? { next: { key: slice[slice.length - 1] } } : {}) };
    },
    keyAfter: (file) => ({ key: file.key }),
    markVerified: async (file, at) => {
      rows.get(file.key)!.verifiedAt = at;
    },
    recordSha256: async (file, sha256, at) => {
      Object.assign(rows.get(file.key)!, { sha256, verifiedAt: at, sha256Source: 'scrub' });
    },
    markCorrupt: async (file, found, at) => {
      const row = rows.get(file.key)!;
      if (row.corruptAt !== undefined) return false;
      Object.assign(row, { corruptAt: at, corruptSha256: found });
      return true;
    },
  };
  const deps = (now: Date, extra: Partial<ScrubDeps> = {}): ScrubDeps => ({
    catalog,
    digest: async (key) => {
      reads.push(key);
      const stored = objects.get(key);
      return stored === undefined ? undefined : { sha256: sha(stored.bytes), bytes: stored.bytes.length, etag: stored.etag };
    },
    alert: async (message) => {
      alerts.push(message);
    },
    fileIdOf: (key) => Buffer.from(key).toString('base64url'),
    periodDays: 30,
    runsPerDay: 24,
    logger: memoryLogger().logger,
    timeLeftMs: () => 60_000,
    now: () => now,
    pageSize: 7,
    ...extra,
  });
  return { objects, rows, order, alerts, reads, deps, cursor: () => cursor };
}

describe('the scrub', () => {
  const start = new Date('2026-12-01T00:00:00.000Z');

  it('reads every file once in its first pass, records when each was verified, and starts the next pass', async () => {
    const w = world(20);
    const outcome = await scrubFiles(w.deps(start));
    expect(outcome).toMatchObject({ verified: 20, corrupt: 0, roundEnded: true });
    expect(new Set(w.reads).size).toBe(20);
    expect([...w.rows.values()].every((row) => row.verifiedAt === start.toISOString())).toBe(true);
    expect(w.cursor()).toMatchObject({ doneInPass: 0, lastPassFiles: 20 });
    expect(w.cursor()!.startKey).toBeUndefined();
  });

  it('reads a share of the library each run so that every file is read within the period, going on where the last run stopped', async () => {
    const w = world(1000);
    await scrubFiles(w.deps(start));
    w.reads.length = 0;
    // 30 days of hourly runs: 720 runs for 1,000 files.
    let at = start.getTime();
    let runs = 0;
    while (runs < 30 * 24) {
      await scrubFiles(w.deps(new Date(at)));
      at += DAY / 24;
      runs += 1;
    }
    expect(new Set(w.reads).size).toBe(1000);
    // No run reads much more than its share (ceil(1000/720) = 2).
    expect(w.reads.length).toBeLessThanOrEqual(1000 + 2 * 24);
  });

  it('catches up a pass that fell behind (runs missed for days)', async () => {
    const w = world(720);
    await scrubFiles(w.deps(start));
    w.reads.length = 0;
    // Ten days without a run: the next one reads the ten days' share and one run's worth.
    await scrubFiles(w.deps(new Date(start.getTime() + 10 * DAY)));
    expect(w.reads.length).toBe(240 + 1);
  });

  it('paces from the last pass: a quota of N per run over the period, at least one file', () => {
    const cursor = { passStartedAt: start.toISOString(), doneInPass: 0, lastPassFiles: 1_000_000 };
    expect(runQuota(cursor, start, 30, 24)).toBe(1389);
    expect(runQuota({ ...cursor, lastPassFiles: 3 }, start, 30, 24)).toBe(1);
    expect(runQuota({ passStartedAt: start.toISOString(), doneInPass: 0 }, start, 30, 24)).toBe(Number.POSITIVE_INFINITY);
  });

  it('marks a file whose bytes changed, alerts once, and never rewrites or deletes the object', async () => {
    const w = world(5);
    const key = w.order[2]!;
    const original = w.objects.get(key)!;
    w.objects.set(key, { ...original, bytes: Buffer.from(original.bytes.map((b, i) => (i === 0 ? b ^ 0xff : b))) });
    const outcome = await scrubFiles(w.deps(start));
    expect(outcome).toMatchObject({ verified: 4, corrupt: 1 });
    expect(w.rows.get(key)).toMatchObject({ corruptAt: start.toISOString() });
    expect(w.rows.get(key)!.verifiedAt).toBeUndefined();
    expect(w.alerts).toEqual([
      expect.objectContaining({ type: 'file.corrupt', key, expectedSha256: sha(original.bytes), fileId: Buffer.from(key).toString('base64url') }),
    ]);
    // The next pass finds it again and stays quiet.
    await scrubFiles(w.deps(new Date(start.getTime() + DAY)));
    expect(w.alerts).toHaveLength(1);
  });

  it('records a SHA-256 for a file that had none on its first read, and checks it from then on', async () => {
    const w = world(3, { withSha: false });
    expect(await scrubFiles(w.deps(start))).toMatchObject({ recorded: 3, verified: 0 });
    const key = w.order[0]!;
    expect(w.rows.get(key)).toMatchObject({ sha256: sha(w.objects.get(key)!.bytes), sha256Source: 'scrub' });
    w.objects.get(key)!.bytes = Buffer.from('rotten!');
    // Paced to one file a run now: three runs for the second pass.
    expect(await scrubFiles(w.deps(start))).toMatchObject({ corrupt: 1, recorded: 0 });
    expect(await scrubFiles(w.deps(start))).toMatchObject({ verified: 1, recorded: 0 });
    expect(await scrubFiles(w.deps(start))).toMatchObject({ verified: 1, roundEnded: true });
    expect(w.alerts.map((a) => a.key)).toEqual([key]);
  });

  it('skips an object replaced since its row was read (new ETag) or gone, without marking it', async () => {
    const w = world(2);
    w.objects.set(w.order[0]!, { bytes: Buffer.from('new version'), etag: 'other' });
    w.objects.delete(w.order[1]!);
    expect(await scrubFiles(w.deps(start))).toMatchObject({ skipped: 2, corrupt: 0 });
    expect(w.alerts).toEqual([]);
  });

  it('stops starting files when the run is out of time, and the next run goes on from there', async () => {
    const w = world(10);
    await scrubFiles(w.deps(start, { timeLeftMs: () => (w.reads.length < 4 ? 1 : 0) }));
    expect(w.reads).toEqual(w.order.slice(0, 4));
    await scrubFiles(w.deps(start));
    expect(w.reads).toEqual(w.order);
  });
});
