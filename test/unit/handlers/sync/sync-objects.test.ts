import type { WriteOutcome } from '../../../../handlers/adapters/files-repository';
import type { CatalogFile, CatalogTombstone, ObjectHead, S3NotificationRecord, UploadSession } from '../../../../handlers/core/catalog';
import { syncObjectEvents, type SyncDeps } from '../../../../handlers/sync/sync-objects';
import { memoryLogger } from '../../support';

const UPLOAD_ID = 'abcdefghijklmnopqrstuv';

function record(eventName: string, key: string, sequencer: string, bucket = 'media'): S3NotificationRecord {
  return { eventName, eventTime: '2024-05-01T10:00:00.000Z', s3: { bucket: { name: bucket }, object: { key, sequencer } } };
}

/** A catalog that applies writes only for newer sequencers, like the DynamoDB condition. */
class MemoryCatalog {
  readonly rows = new Map<string, CatalogFile | CatalogTombstone>();
  async upsert(file: CatalogFile): Promise<WriteOutcome> {
    return this.put(file);
  }
  async tombstone(tombstone: CatalogTombstone): Promise<WriteOutcome> {
    return this.put(tombstone);
  }
  private put(row: CatalogFile | CatalogTombstone): WriteOutcome {
    const current = this.rows.get(row.key);
    if (current !== undefined && current.sequencer >= row.sequencer) return 'stale';
    this.rows.set(row.key, row);
    return 'applied';
  }
}

function setup(objects: Record<string, ObjectHead> = {}, overrides: Partial<SyncDeps> = {}) {
  const catalog = new MemoryCatalog();
  const session: UploadSession = {
    uploadId: UPLOAD_ID,
    owner: 'ana',
    folder: '/',
    name: 'a b.jpg',
    key: 'media/a b.jpg',
    contentType: 'image/jpeg',
    size: 3,
    tags: ['x'],
    createdAt: '',
    expiresAt: '',
  };
  const notified: CatalogFile[] = [];
  const log = memoryLogger();
  const deps: SyncDeps = {
    bucket: 'media',
    objects: { head: async (key) => objects[key] },
    uploads: { get: async (id) => (id === UPLOAD_ID ? session : undefined) },
    files: catalog,
    notify: async (file) => void notified.push(file),
    logger: log.logger,
    now: () => new Date('2024-05-01T10:00:01.000Z'),
    ...overrides,
  };
  return { catalog, deps, notified, log };
}

const HEAD: ObjectHead = { size: 3, contentType: 'image/jpeg', metadata: { 'upload-id': UPLOAD_ID } };

describe('syncObjectEvents', () => {
  it('makes a created object available with the uploader of its session and notifies once', async () => {
    const { catalog, deps, notified } = setup({ 'media/a b.jpg': HEAD });
    expect(await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '10')], deps)).toEqual(['applied']);
    expect(catalog.rows.get('media/a b.jpg')).toMatchObject({ status: 'available', uploadedBy: 'ana', size: 3, tags: ['x'] });
    expect(notified).toHaveLength(1);
  });

  it('ignores a duplicate event', async () => {
    const { deps, notified } = setup({ 'media/a b.jpg': HEAD });
    await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '10')], deps);
    expect(await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '10')], deps)).toEqual(['stale']);
    expect(notified).toHaveLength(1);
  });

  it('never lets a late create roll back a later removal', async () => {
    const objects: Record<string, ObjectHead> = { 'media/a b.jpg': HEAD };
    const { catalog, deps } = setup(objects);
    await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '20')], deps);
    delete objects['media/a b.jpg'];
    await syncObjectEvents([record('ObjectRemoved:Delete', 'media/a+b.jpg', '21')], deps);
    await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '20')], deps);
    expect(catalog.rows.get('media/a b.jpg')).toMatchObject({ status: 'deleted', sequencer: '21'.padStart(32, '0') });
  });

  it('keeps the file when a removal finds a current object (a deleted delete marker or old version)', async () => {
    const { catalog, deps, notified } = setup({ 'media/a b.jpg': HEAD });
    expect(await syncObjectEvents([record('ObjectRemoved:Delete', 'media/a+b.jpg', '30')], deps)).toEqual(['applied']);
    expect(catalog.rows.get('media/a b.jpg')).toMatchObject({ status: 'available', uploadedBy: 'ana' });
    expect(notified).toHaveLength(0);
  });

  it('orders sequencers of different lengths numerically', async () => {
    const { catalog, deps } = setup({ 'media/a b.jpg': HEAD });
    await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '100')], deps);
    await syncObjectEvents([record('ObjectRemoved:Delete', 'media/a+b.jpg', 'FF')], deps);
    expect(catalog.rows.get('media/a b.jpg')).toMatchObject({ status: 'available' });
  });

  it('skips an object that is gone by the time of HeadObject, and other buckets', async () => {
    const { catalog, deps } = setup();
    const outcomes = await syncObjectEvents([record('ObjectCreated:Put', 'media/gone.jpg', '1'), record('ObjectCreated:Put', 'media/x.jpg', '1', 'other')], deps);
    expect(outcomes).toEqual(['skipped:object-gone', 'skipped:other-bucket']);
    expect(catalog.rows.size).toBe(0);
  });

  it('processes every record and then throws for real failures so Lambda retries', async () => {
    const { catalog, deps } = setup(
      { 'media/ok.jpg': HEAD },
      {
        objects: {
          head: async (key) => {
            if (key === 'media/boom.jpg') throw new Error('S3 is down');
            return HEAD;
          },
        },
      },
    );
    await expect(syncObjectEvents([record('ObjectCreated:Put', 'media/boom.jpg', '1'), record('ObjectCreated:Put', 'media/ok.jpg', '1')], deps)).rejects.toThrow('1 of 2 S3 records failed');
    expect(catalog.rows.has('media/ok.jpg')).toBe(true);
  });

  it('does not fail the record when only the notification fails', async () => {
    const { deps, log } = setup({ 'media/a b.jpg': HEAD }, { notify: async () => Promise.reject(new Error('SNS down')) });
    expect(await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '1')], deps)).toEqual(['applied']);
    expect(log.lines.some((l) => l.message === 'notification failed')).toBe(true);
  });

  describe('hand-off to the process function', () => {
    it('asks for processing of a file it wrote and for removal of a file it tombstoned, once each', async () => {
      const requests: unknown[] = [];
      const { deps } = setup({ 'media/a b.jpg': HEAD }, { process: async (request) => void requests.push(request) });
      await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '1'), record('ObjectCreated:Put', 'media/a+b.jpg', '1')], deps);
      const gone = setup({}, { process: async (request) => void requests.push(request) });
      await syncObjectEvents([record('ObjectRemoved:Delete', 'media/old.jpg', '2')], gone.deps);
      expect(requests).toEqual([
        { kind: 'created', key: 'media/a b.jpg' },
        { kind: 'removed', key: 'media/old.jpg' },
      ]);
    });

    it('does not ask for files it cannot process, and keeps the row when the hand-off fails', async () => {
      const requests: unknown[] = [];
      const pdf: ObjectHead = { size: 3, contentType: 'application/pdf', metadata: {} };
      const { deps } = setup({ 'media/doc.pdf': pdf }, { process: async (request) => void requests.push(request) });
      await syncObjectEvents([record('ObjectCreated:Put', 'media/doc.pdf', '1')], deps);
      expect(requests).toEqual([]);

      const failing = setup({ 'media/a b.jpg': HEAD }, { process: async () => Promise.reject(new Error('Lambda throttled')) });
      expect(await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '1')], failing.deps)).toEqual(['applied']);
      expect(failing.catalog.rows.get('media/a b.jpg')).toMatchObject({ processing: 'pending' });
      expect(failing.log.lines.some((l) => l.message === 'processing request failed')).toBe(true);
    });

    it("writes a moved file ready with what its move carried and does not ask for processing; the carry holds only for the move's own copy", async () => {
      // Prepare: the move's session carries the derived objects it copied to the new key.
      const MOVE_ID = 'movemovemovemovemovemo';
      const carried = { etag: 'e1', processing: 'ready' as const, media: { width: 4, height: 3 }, derived: { thumb: 'derived/x/e1-thumb.webp' }, derivedBytes: 9 };
      const session: UploadSession = { uploadId: MOVE_ID, owner: 'ana', folder: '/', name: 'a b.jpg', key: 'media/a b.jpg', contentType: 'image/jpeg', size: 3, tags: [], createdAt: '', expiresAt: '', movedFrom: 'media/old.jpg', carried };
      const requests: unknown[] = [];
      const moved: ObjectHead = { size: 3, contentType: 'image/jpeg', etag: 'e2', metadata: { 'upload-id': UPLOAD_ID, 'move-id': MOVE_ID } };
      const { deps, catalog } = setup({ 'media/a b.jpg': moved }, { process: async (request) => void requests.push(request), uploads: { get: async (id) => (id === MOVE_ID ? session : undefined) } });
      // A session named by an upload id (not the object's move id) carries nothing.
      const uploaded = setup({ 'media/a b.jpg': { ...moved, metadata: { 'upload-id': MOVE_ID } } }, { process: async (request) => void requests.push(request), uploads: { get: async () => session } });

      // Act
      await syncObjectEvents([record('ObjectCreated:Copy', 'media/a+b.jpg', '1')], deps);
      await syncObjectEvents([record('ObjectCreated:Put', 'media/a+b.jpg', '1')], uploaded.deps);

      // Assess
      expect(catalog.rows.get('media/a b.jpg')).toMatchObject({ etag: 'e2', processing: 'ready', media: { width: 4, height: 3 }, derived: { thumb: 'derived/x/e1-thumb.webp' }, derivedBytes: 9 });
      expect(uploaded.catalog.rows.get('media/a b.jpg')).toMatchObject({ processing: 'pending' });
      expect(uploaded.catalog.rows.get('media/a b.jpg')).not.toHaveProperty('derived');
      expect(requests).toEqual([{ kind: 'created', key: 'media/a b.jpg' }]);
    });
  });
});
