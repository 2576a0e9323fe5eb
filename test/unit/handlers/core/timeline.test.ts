/**
 * The timeline's arithmetic (handlers/core/timeline.ts): the counter changes of any sequence of
 * row writes add up to the counts a recount of the final rows gives, buckets sum only the
 * folders a caller sees, pages of a month join up into the month in timeline order, and
 * reconcile's drift names exactly the counters that differ.
 */
import fc from 'fast-check';
import { TIMELINE_SHARDS } from '../../../../contract/table';
import { ValidationError } from '../../../../handlers/core/errors';
import {
  compareTimeline,
  counterChanges,
  counterDrift,
  counterId,
  expectedCounters,
  mergePage,
  monthFolders,
  parseMonth,
  sumBuckets,
  timelinePlaceOf,
  timelineShardOf,
  type TimelineCounter,
  type TimelineEntry,
  type TimelinePlace,
  type TimelinePosition,
} from '../../../../handlers/core/timeline';

const FOLDERS = ['/a', '/a/b', '/family', '/family2', '/trips/2024'] as const;
const MONTHS = ['2019-12', '2024-02', '2024-03', '2025-01'] as const;

/** A file row as stored: available (with its `byTaken` sort key) or a tombstone. */
function row(folder: string, name: string, month: string | undefined): Record<string, unknown> {
  const key = `media${folder}/${name}`;
  if (month === undefined) return { key, folder, name, status: 'deleted' };
  return { key, folder, name, status: 'available', uploadedAt: '2026-01-01T00:00:00.000Z', gsi2sk: `${month}-15T10:00:00.000Z#${name}` };
}

const write = fc.record({
  folder: fc.constantFrom(...FOLDERS),
  name: fc.constantFrom('a.jpg', 'b.jpg', 'c.mp4', 'd.heic'),
  // undefined: a tombstone (delete, or the source of a move).
  month: fc.option(fc.constantFrom(...MONTHS), { nil: undefined }),
});

/** Applies counter changes like DynamoDB's ADD. */
function applyAll(counters: Map<string, TimelineCounter>, changes: ReturnType<typeof counterChanges>): void {
  for (const change of changes) {
    const id = counterId(change);
    counters.set(id, { folder: change.folder, month: change.month, shard: change.shard, count: (counters.get(id)?.count ?? 0) + change.delta });
  }
}

describe('timeline counters', () => {
  it('add up, over any sequence of uploads, deletes, moves and date changes, to a recount of the rows', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 60 }), (writes) => {
        const rows = new Map<string, Record<string, unknown>>();
        const counters = new Map<string, TimelineCounter>();
        for (const w of writes) {
          const next = row(w.folder, w.name, w.month);
          const key = next.key as string;
          applyAll(counters, counterChanges(timelinePlaceOf(rows.get(key)), timelinePlaceOf(next)));
          rows.set(key, next);
          for (const c of counters.values()) expect(c.count).toBeGreaterThanOrEqual(0);
        }
        const recount = expectedCounters(rows.values());
        expect([...counters.values()].filter((c) => c.count !== 0).sort((a, b) => (counterId(a) < counterId(b) ? -1 : 1))).toEqual(
          [...recount.values()].sort((a, b) => (counterId(a) < counterId(b) ? -1 : 1)),
        );
        expect(counterDrift(counters.values(), recount)).toEqual([]);
      }),
    );
  });

  it('change nothing when a write keeps the file in its month (tags, a new version of the same month)', () => {
    const before = timelinePlaceOf(row('/a', 'x.jpg', '2024-02'));
    expect(counterChanges(before, timelinePlaceOf({ ...row('/a', 'x.jpg', '2024-02'), tags: ['t'] }))).toEqual([]);
  });

  it('move a file whose date taken is found from the upload month to the month taken', () => {
    const before = timelinePlaceOf(row('/a', 'x.jpg', '2026-01'));
    const after = timelinePlaceOf(row('/a', 'x.jpg', '2019-12'));
    expect(counterChanges(before, after).map((c) => [c.month, c.delta])).toEqual([
      ['2026-01', -1],
      ['2019-12', 1],
    ]);
  });

  it('count a row without index keys by its date taken, else its upload time (reconcile reads rows that way)', () => {
    expect(timelinePlaceOf({ key: 'media/a/x.jpg', folder: '/a', name: 'x.jpg', status: 'available', uploadedAt: '2026-03-02T00:00:00.000Z' })?.month).toBe('2026-03');
    expect(timelinePlaceOf({ key: 'media/a/x.jpg', folder: '/a', name: 'x.jpg', status: 'available', uploadedAt: '2026-03-02T00:00:00.000Z', media: { takenAt: '2011-07-04T12:00:00' } })?.month).toBe('2011-07');
    expect(timelinePlaceOf({ key: 'media/a/x.jpg', folder: '/a', name: 'x.jpg', status: 'deleted' })).toBeUndefined();
  });

  it('spread one folder-month over every shard, each key always on the same one', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => timelineShardOf(`media/bulk/IMG_${i}.jpg`)));
    expect(shards.size).toBe(TIMELINE_SHARDS);
    fc.assert(fc.property(fc.string(), (key) => timelineShardOf(key) === timelineShardOf(key) && timelineShardOf(key) >= 0 && timelineShardOf(key) < TIMELINE_SHARDS));
  });

  it('report drift for a counter off by some, a missing one and a stale one, and nothing for a zero one', () => {
    const x = timelinePlaceOf(row('/a', 'x.jpg', '2024-02')) as TimelinePlace;
    const z = timelinePlaceOf(row('/family', 'z.jpg', '2019-12')) as TimelinePlace;
    const expected = expectedCounters([row('/a', 'x.jpg', '2024-02'), row('/family', 'z.jpg', '2019-12')]);
    const stored: TimelineCounter[] = [
      { ...x, count: 5 },
      { folder: '/gone', month: '2020-01', shard: 0, count: 2 },
      { folder: '/empty', month: '2020-01', shard: 1, count: 0 },
    ];
    expect(counterDrift(stored, expected)).toEqual(
      expect.arrayContaining([
        { ...x, stored: 5, expected: 1 },
        { folder: '/gone', month: '2020-01', shard: 0, stored: 2, expected: 0 },
        { ...z, stored: 0, expected: 1 },
      ]),
    );
    expect(counterDrift(stored, expected)).toHaveLength(3);
  });
});

describe('timeline buckets', () => {
  const counter = fc.record({ folder: fc.constantFrom(...FOLDERS), month: fc.constantFrom(...MONTHS), shard: fc.integer({ min: 0, max: TIMELINE_SHARDS - 1 }), count: fc.integer({ min: 0, max: 1000 }) });

  it('sum the shards and folders a caller sees, newest month first, leaving out empty months', () => {
    fc.assert(
      fc.property(fc.array(counter, { maxLength: 40 }), fc.subarray([...FOLDERS]), (counters, seen) => {
        const visible = (folder: string) => seen.includes(folder as (typeof FOLDERS)[number]);
        const buckets = sumBuckets(counters, visible);
        for (const month of MONTHS) {
          const total = counters.filter((c) => c.month === month && visible(c.folder)).reduce((sum, c) => sum + c.count, 0);
          expect(buckets.find((b) => b.month === month)?.count ?? 0).toBe(total);
        }
        expect(buckets.every((b) => b.count > 0)).toBe(true);
        expect(buckets.map((b) => b.month)).toEqual([...buckets.map((b) => b.month)].sort().reverse());
        const folders = monthFolders(counters, '2024-02', visible);
        expect([...folders.keys()].every(visible)).toBe(true);
      }),
    );
  });

  it('never show a limited user the months of /family2 for a limit of /family', () => {
    const counters: TimelineCounter[] = [
      { folder: '/family', month: '2024-02', shard: 0, count: 2 },
      { folder: '/family2', month: '2019-12', shard: 1, count: 7 },
    ];
    expect(sumBuckets(counters, (f) => f === '/family' || f.startsWith('/family/'))).toEqual([{ month: '2024-02', count: 2 }]);
  });
});

describe('timeline pages', () => {
  const entry = fc.record({
    folder: fc.constantFrom(...FOLDERS),
    // Few distinct times, so ties across folders happen.
    sortKey: fc.constantFrom('2024-02-01T00:00:00.000Z#a.jpg', '2024-02-03T10:00:00.000Z#b.jpg', '2024-02-03T10:00:00.000Z#c.jpg', '2024-02-28T23:59:59.999Z#d.jpg'),
  });

  it('join up, page by page, into every file of the month once, newest first', () => {
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => `${e.folder}${e.sortKey}` }), fc.integer({ min: 1, max: 5 }), (entries, limit) => {
        const files: TimelineEntry<string>[] = entries.map((e) => ({ ...e, file: `${e.folder}|${e.sortKey}` }));
        const byFolder = FOLDERS.map((f) => files.filter((e) => e.folder === f).sort(compareTimeline));
        const seen: string[] = [];
        let after: TimelinePosition | undefined;
        for (let pages = 0; pages <= files.length + 1; pages += 1) {
          // Each folder read as the adapter does: up to limit + 1 files after the cursor.
          const reads = byFolder.map((list) => list.filter((e) => after === undefined || compareTimeline(e, after) > 0).slice(0, limit + 1));
          const page = mergePage(reads, limit, after);
          seen.push(...page.entries.map((e) => e.file));
          expect(page.entries.length).toBeLessThanOrEqual(limit);
          if (page.last === undefined) break;
          after = page.last;
        }
        expect(seen).toEqual([...files].sort(compareTimeline).map((e) => e.file));
      }),
    );
  });
});

describe('?month=', () => {
  it.each(['2024-13', '2024-00', '24-05', '2024-5', '2024-05-01', 'May', ''])('refuses %j with a 400 naming month', (raw) => {
    expect(() => parseMonth(raw)).toThrow(ValidationError);
    expect(() => parseMonth(raw)).toThrow(/^month: /);
  });

  it('refuses a missing month', () => {
    expect(() => parseMonth(undefined)).toThrow(/month: is required/);
  });

  it('accepts YYYY-MM', () => {
    expect(parseMonth('1999-12')).toBe('1999-12');
  });
});
