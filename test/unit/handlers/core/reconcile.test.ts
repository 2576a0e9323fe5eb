import type { CatalogFile, CatalogTombstone, ObjectHead, UploadSession } from '../../../../handlers/core/catalog';
import { fileIdOf } from '../../../../handlers/core/paths';
import { findDrift, type BucketObject } from '../../../../handlers/core/reconcile';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const head = (size: number, contentType = 'image/jpeg', etag = `e${size}`): ObjectHead => ({ size, contentType, etag, lastModified: new Date('2024-05-01T10:00:00.000Z'), metadata: {} });
const object = (key: string, h: ObjectHead, session?: UploadSession): BucketObject => ({ key, head: h, ...(session ? { session } : {}) });
const file = (key: string, size: number, overrides: Partial<CatalogFile> = {}): CatalogFile => {
  const name = key.split('/').pop()!;
  return {
    id: fileIdOf(key), key, folder: '/f', name, size, contentType: 'image/jpeg', fileType: 'image', etag: `e${size}`,
    uploadedAt: '2024-05-01T10:00:00.000Z', uploadedBy: 'ana', tags: ['t'], sequencer: '0'.repeat(30) + '10', status: 'available', ...overrides,
  };
};
const tombstone = (key: string): CatalogTombstone => ({ id: fileIdOf(key), key, folder: '/f', name: key.split('/').pop()!, sequencer: '0'.repeat(30) + '20', deletedAt: '', ttl: 1, status: 'deleted' });

describe('findDrift', () => {
  it('finds nothing when every object has its row and every row its object', () => {
    const report = findDrift([object('media/f/a.jpg', head(3))], [file('media/f/a.jpg', 3), tombstone('media/f/gone.jpg')], NOW);

    expect(report).toEqual({ objects: 1, rows: 2, ignoredKeys: [], drift: [] });
  });

  it('reports an object without a row, or with a tombstone, with the row the sync function would write', () => {
    const session: UploadSession = { uploadId: 'u'.repeat(22), owner: 'ben', folder: '/f', name: 'b.jpg', key: 'media/f/b.jpg', contentType: 'image/jpeg', size: 5, tags: ['x'], createdAt: '', expiresAt: '' };
    const report = findDrift([object('media/f/a.jpg', head(3)), object('media/f/b.jpg', head(5), session)], [tombstone('media/f/a.jpg')], NOW);

    expect(report.drift).toEqual([
      { kind: 'missing-row', key: 'media/f/a.jpg', row: tombstone('media/f/a.jpg'), repair: expect.objectContaining({ size: 3, uploadedBy: 'unknown', status: 'available', uploadedAt: '2024-05-01T10:00:00.000Z' }) },
      { kind: 'missing-row', key: 'media/f/b.jpg', repair: expect.objectContaining({ size: 5, uploadedBy: 'ben', tags: ['x'] }) },
    ]);
    expect(report.drift[0]!.repair).not.toHaveProperty('sequencer');
  });

  it('reports an available row without an object, to be tombstoned', () => {
    const report = findDrift([], [file('media/f/a.jpg', 3)], NOW);

    expect(report.drift).toEqual([{ kind: 'orphan-row', key: 'media/f/a.jpg', row: file('media/f/a.jpg', 3), repair: expect.objectContaining({ status: 'deleted', folder: '/f', name: 'a.jpg' }) }]);
  });

  it('reports wrong size, content type, type and ETag, keeping the rest of the row in the repair', () => {
    const report = findDrift([object('media/f/a.mp4', head(9, 'video/mp4', 'new'))], [file('media/f/a.mp4', 3)], NOW);

    expect(report.drift).toHaveLength(1);
    expect(report.drift[0]).toMatchObject({
      kind: 'wrong-fields',
      fields: [
        { field: 'size', catalog: 3, bucket: 9 },
        { field: 'contentType', catalog: 'image/jpeg', bucket: 'video/mp4' },
        { field: 'fileType', catalog: 'image', bucket: 'video' },
        { field: 'etag', catalog: 'e3', bucket: 'new' },
      ],
      repair: { size: 9, contentType: 'video/mp4', fileType: 'video', etag: 'new', uploadedBy: 'ana', tags: ['t'] },
    });
  });

  it('ignores objects that cannot be catalog files', () => {
    const report = findDrift([object('media/f/', head(0)), object('media/f/../x.jpg', head(1))], [], NOW);

    expect(report).toMatchObject({ ignoredKeys: ['media/f/', 'media/f/../x.jpg'], drift: [] });
  });
});
