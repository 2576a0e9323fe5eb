import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CatalogStorageUsage, StorageStatsTimeout, type StorageUsage } from '../../../../handlers/adapters/storage-usage';
import { contentTypeFamily, emptyTally, MAX_CONTENT_TYPES, mergeTallies, OTHER_CONTENT_TYPES, storageStatsOf, tallyRow, tallyTrashEntry, type TalliedRow } from '../../../../handlers/core/storage-stats';
import { STATS_MARGIN_MS, storageStats } from '../../../../handlers/files/storage-stats';

const file = (size: number, fileType: string, contentType: string, uploadedBy: string): TalliedRow => ({ size, fileType, contentType, uploadedBy, status: 'available' });

const tallyOf = (rows: readonly TalliedRow[]) => {
  const tally = emptyTally();
  for (const row of rows) tallyRow(tally, row);
  return tally;
};

describe('storage figures (handlers/core/storage-stats)', () => {
  describe('tallyRow', () => {
    it('counts an available file once, for its size, type, content type and uploader', () => {
      // Act
      const stats = storageStatsOf(tallyOf([file(100, 'image', 'image/jpeg', 'ann'), file(50, 'video', 'video/mp4', 'share:Party')]), new Date(0));
      // Assess
      expect(stats.total).toEqual({ files: 2, bytes: 150 });
      expect(stats.byType).toEqual([
        { fileType: 'image', files: 1, bytes: 100 },
        { fileType: 'video', files: 1, bytes: 50 },
        { fileType: 'other', files: 0, bytes: 0 },
      ]);
      expect(stats.byUser).toEqual([
        { uploadedBy: 'ann', files: 1, bytes: 100 },
        { uploadedBy: 'share:Party', files: 1, bytes: 50 },
      ]);
      expect(stats.byContentType).toEqual([
        { contentType: 'image/jpeg', files: 1, bytes: 100 },
        { contentType: 'video/mp4', files: 1, bytes: 50 },
      ]);
    });

    it('ignores tombstones, rows without a size and rows that are not files', () => {
      // Act
      const tally = tallyOf([
        { size: 10, fileType: 'image', contentType: 'image/png', uploadedBy: 'ann', status: 'deleted' },
        { fileType: 'image', contentType: 'image/png', uploadedBy: 'ann', status: 'available' },
        { size: -1, status: 'available' },
        { size: Number.NaN, status: 'available' },
        { size: '10', status: 'available' },
        { status: 'available' },
      ]);
      // Assess
      expect(storageStatsOf(tally, new Date(0)).total).toEqual({ files: 0, bytes: 0 });
    });

    it('counts derived images and ready video copies apart from the originals, and the trash beside them', () => {
      // Prepare
      const tally = tallyOf([
        { ...file(100, 'image', 'image/jpeg', 'ann'), derivedBytes: 30 },
        { ...file(1000, 'video', 'video/quicktime', 'ann'), derivedBytes: 20, video: { action: 'transcode', copy: { state: 'ready', key: 'derived/x/e-copy.mp4', bytes: 400 } } },
        { ...file(500, 'video', 'video/mp4', 'bob'), derivedBytes: 10, video: { action: 'transcode', copy: { state: 'pending' } } },
        { ...file(200, 'video', 'video/x-msvideo', 'bob'), video: { action: 'transcode', copy: { state: 'failed', reason: 'cannot decode' } } },
        { size: 50, status: 'deleted', derivedBytes: 5, video: { copy: { state: 'ready', bytes: 9 } } },
      ]);
      tallyTrashEntry(tally, 70);
      tallyTrashEntry(tally, 'not a size');
      // Act
      const stats = storageStatsOf(tally, new Date(0));
      // Assess
      expect(stats.total).toEqual({ files: 4, bytes: 1800 });
      expect(stats.stored).toEqual({
        originals: { files: 4, bytes: 1800 },
        derivedImages: { files: 3, bytes: 60 },
        videoCopies: { files: 1, bytes: 400 },
        trash: { files: 2, bytes: 70 },
        total: { files: 6, bytes: 1800 + 60 + 400 + 70 },
      });
    });

    it('ignores derived bytes and copy sizes that are not sizes', () => {
      const stats = storageStatsOf(tallyOf([{ ...file(1, 'video', 'video/mp4', 'ann'), derivedBytes: -3, video: { copy: { state: 'ready', bytes: '400' } } }, { ...file(1, 'video', 'video/mp4', 'ann'), derivedBytes: Number.NaN, video: 'ready' }]), new Date(0));
      expect(stats.stored.derivedImages).toEqual({ files: 0, bytes: 0 });
      expect(stats.stored.videoCopies).toEqual({ files: 0, bytes: 0 });
    });

    it('counts a zero-byte file as a file', () => {
      expect(storageStatsOf(tallyOf([file(0, 'other', 'text/plain', 'ann')]), new Date(0)).total).toEqual({ files: 1, bytes: 0 });
    });

    it('files an unknown type under other and a row without uploader under unknown', () => {
      // Act
      const stats = storageStatsOf(tallyOf([{ size: 7, fileType: 'audio', contentType: 'audio/mpeg', status: 'available' }]), new Date(0));
      // Assess
      expect(stats.byType.find((t) => t.fileType === 'other')).toEqual({ fileType: 'other', files: 1, bytes: 7 });
      expect(stats.byUser).toEqual([{ uploadedBy: 'unknown', files: 1, bytes: 7 }]);
    });
  });

  describe('contentTypeFamily', () => {
    it.each([
      ['image/JPEG', 'image/jpeg'],
      [' video/mp4; codecs=avc1 ', 'video/mp4'],
      ['nonsense', 'application/octet-stream'],
      ['', 'application/octet-stream'],
      [undefined, 'application/octet-stream'],
    ])('reads %p as %p', (input, family) => {
      expect(contentTypeFamily(input)).toBe(family);
    });
  });

  describe('mergeTallies', () => {
    it('gives the figures of one tally of all rows, however the rows were split', () => {
      // Prepare
      const rows = Array.from({ length: 30 }, (_, i) => ({ ...file(i * 10, ['image', 'video', 'other'][i % 3]!, ['image/jpeg', 'video/mp4', 'application/pdf'][i % 3]!, `user${i % 4}`), derivedBytes: i, video: { copy: { state: 'ready', bytes: i * 3 } } }));
      // Act
      const trash = emptyTally();
      tallyTrashEntry(trash, 11);
      const merged = mergeTallies([tallyOf(rows.slice(0, 7)), tallyOf(rows.slice(7, 8)), trash, tallyOf([]), tallyOf(rows.slice(8))]);
      // Assess
      const whole = tallyOf(rows);
      tallyTrashEntry(whole, 11);
      expect(storageStatsOf(merged, new Date(0))).toEqual(storageStatsOf(whole, new Date(0)));
    });
  });

  describe('storageStatsOf', () => {
    it('lists largest first, ties by file count then name, and stamps the time', () => {
      // Act
      const stats = storageStatsOf(tallyOf([file(5, 'image', 'image/png', 'bob'), file(5, 'image', 'image/png', 'amy'), file(2, 'image', 'image/png', 'cy'), file(3, 'image', 'image/png', 'cy')]), new Date('2026-12-01T10:00:00Z'));
      // Assess
      // All hold 5 bytes: cy in two files first, then amy before bob by name.
      expect(stats.byUser.map((u) => u.uploadedBy)).toEqual(['cy', 'amy', 'bob']);
      expect(stats.computedAt).toBe('2026-12-01T10:00:00.000Z');
    });

    it(`lists ${MAX_CONTENT_TYPES} content types and sums the rest`, () => {
      // Prepare
      const rows = Array.from({ length: MAX_CONTENT_TYPES + 3 }, (_, i) => file(1000 - i, 'other', `application/x-${i}`, 'ann'));
      // Act
      const stats = storageStatsOf(tallyOf(rows), new Date(0));
      // Assess
      expect(stats.byContentType).toHaveLength(MAX_CONTENT_TYPES + 1);
      expect(stats.byContentType.at(-1)).toEqual({ contentType: OTHER_CONTENT_TYPES, files: 3, bytes: (1000 - 50) + (1000 - 51) + (1000 - 52) });
      expect(stats.byContentType.reduce((n, c) => n + c.bytes, 0)).toBe(stats.total.bytes);
    });
  });
});

describe('storageStats (GET /stats/storage)', () => {
  const usage = (onTally: (deadline: number) => void = () => undefined): StorageUsage => ({
    tally: async (deadline) => {
      onTally(deadline);
      return tallyOf([file(4, 'image', 'image/jpeg', 'ann')]);
    },
  });

  it.each(['viewer', 'editor'] as const)('throws a 403 for a %s, before reading anything', async (role) => {
    // Prepare
    let read = false;
    // Act
    const answer = storageStats({ username: 'x', role }, 10_000, { usage: usage(() => (read = true)) });
    // Assess
    await expect(answer).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden', message: expect.stringContaining('storage figures') });
    expect(read).toBe(false);
  });

  it('gives an admin the figures, read with a deadline that leaves time to answer', async () => {
    // Prepare
    let deadline = 0;
    const now = new Date('2026-12-01T10:00:00Z');
    // Act
    const stats = await storageStats({ username: 'root', role: 'admin' }, 10_000, { usage: usage((d) => (deadline = d)), now: () => now });
    // Assess
    expect(stats.total).toEqual({ files: 1, bytes: 4 });
    expect(stats.computedAt).toBe(now.toISOString());
    expect(deadline).toBe(now.getTime() + 10_000 - STATS_MARGIN_MS);
  });
});

describe('CatalogStorageUsage', () => {
  /** A document client whose Scan answers `pages[segment]` one page per call, and whose Query the trash's `trashPages`. */
  const scanningClient = (pages: Record<number, TalliedRow[][]>, seen: Record<string, unknown>[] = [], trashPages: Record<string, unknown>[][] = []) =>
    ({
      send: async (command: { input: Record<string, unknown> }) => {
        seen.push(command.input);
        if (command.input.IndexName === undefined) {
          const page = Number((command.input.ExclusiveStartKey as { page?: number } | undefined)?.page ?? 0);
          return { Items: trashPages[page] ?? [], ...(page + 1 < trashPages.length ? { LastEvaluatedKey: { page: page + 1 } } : {}) };
        }
        const segment = command.input.Segment as number;
        const page = Number((command.input.ExclusiveStartKey as { page?: number } | undefined)?.page ?? 0);
        const segmentPages = pages[segment] ?? [];
        return { Items: segmentPages[page] ?? [], ...(page + 1 < segmentPages.length ? { LastEvaluatedKey: { page: page + 1 } } : {}) };
      },
    }) as unknown as DynamoDBDocumentClient;

  it('reads every page of every segment of the type index, projecting only the tallied attributes', async () => {
    // Prepare
    const seen: Record<string, unknown>[] = [];
    const client = scanningClient({ 0: [[file(1, 'image', 'image/png', 'a')], [file(2, 'image', 'image/png', 'a')]], 2: [[file(4, 'video', 'video/mp4', 'b')]] }, seen);
    // Act
    const tally = await new CatalogStorageUsage({ tableName: 't', client, segments: 3 }).tally(Date.now() + 60_000);
    // Assess
    expect(storageStatsOf(tally, new Date(0)).total).toEqual({ files: 3, bytes: 7 });
    const scans = seen.filter((input) => input.IndexName !== undefined);
    expect(scans).toHaveLength(4);
    for (const input of scans) {
      expect(input).toMatchObject({ TableName: 't', IndexName: 'byType', TotalSegments: 3, Select: 'SPECIFIC_ATTRIBUTES' });
      const names = Object.values(input.ExpressionAttributeNames as Record<string, string>);
      expect(names.sort()).toEqual(['contentType', 'derivedBytes', 'fileType', 'size', 'status', 'uploadedBy', 'video']);
    }
  });

  it('adds up every page of the trash partition, reading only each entry\'s file size', async () => {
    // Prepare
    const seen: Record<string, unknown>[] = [];
    const client = scanningClient({}, seen, [[{ file: { size: 5 } }, { file: { size: 7 } }], [{ file: { size: 11 } }]]);
    // Act
    const tally = await new CatalogStorageUsage({ tableName: 't', client, segments: 1 }).tally(Date.now() + 60_000);
    // Assess
    expect(storageStatsOf(tally, new Date(0)).stored.trash).toEqual({ files: 3, bytes: 23 });
    const queries = seen.filter((input) => input.IndexName === undefined);
    expect(queries).toHaveLength(2);
    for (const input of queries) {
      expect(input).toMatchObject({ TableName: 't', KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)', ExpressionAttributeValues: { ':pk': 'TRASH#', ':entry': 'ENTRY#' }, ProjectionExpression: '#file.#size' });
    }
  });

  it('stops with a 503 StorageStatsTimeout once the deadline has passed', async () => {
    // Prepare
    let time = 0;
    const pages = Array.from({ length: 10 }, () => [file(1, 'image', 'image/png', 'a')]);
    const client = scanningClient({ 0: pages });
    const slowClient = { send: async (command: never) => { time += 100; return (client.send as (c: never) => Promise<unknown>)(command); } } as unknown as DynamoDBDocumentClient;
    // Act
    const tally = new CatalogStorageUsage({ tableName: 't', client: slowClient, segments: 1, clock: () => time }).tally(250);
    // Assess
    await expect(tally).rejects.toBeInstanceOf(StorageStatsTimeout);
    await expect(tally).rejects.toMatchObject({ statusCode: 503, code: 'StorageStatsTimeout' });
  });
});
