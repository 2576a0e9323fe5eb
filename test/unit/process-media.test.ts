import type { CatalogFile } from '../../handlers/core/catalog';
import { createLogger } from '../../handlers/core/logger';
import { derivedKeyOf, derivedPrefixOf } from '../../handlers/core/media';
import type { CatalogRow, ProcessingResult, WriteOutcome } from '../../handlers/adapters/files-repository';
import { MediaRejected, type MediaDecoders } from '../../handlers/adapters/media-decoders';
import { processRequest, type ProcessDeps } from '../../handlers/process/process-media';
import { ObjectUrls } from '../../handlers/core/object-urls';

const KEY = 'media/trip/a.jpg';

function file(overrides: Partial<CatalogFile> = {}): CatalogFile {
  return {
    id: 'x',
    key: KEY,
    folder: '/trip',
    name: 'a.jpg',
    size: 10,
    contentType: 'image/jpeg',
    fileType: 'image',
    uploadedAt: '2024-01-01T00:00:00.000Z',
    uploadedBy: 'ana',
    tags: [],
    etag: 'v2',
    sequencer: '1',
    status: 'available',
    processing: 'pending',
    ...overrides,
  };
}

const image = (name: 'thumb' | 'preview' | 'poster') => ({ name, body: Buffer.from(name), width: 1, height: 1 });

class World {
  row: CatalogFile | undefined = file();
  readonly objects = new Map<string, Buffer>();
  readonly recorded: ProcessingResult[] = [];
  recordOutcome: WriteOutcome = 'applied';
  failS3 = false;
  decoders: MediaDecoders = {
    photo: async () => ({ width: 4, height: 3, tags: { Orientation: 6 }, images: [image('preview'), image('thumb')] }),
    heic: async () => {
      throw new MediaRejected('HEIC could not be decoded');
    },
    videoFrame: async () => ({ banner: 'Duration: 00:00:02.00', probe: { container: 'webm', videoCodec: 'vp9', rotation: 0, durationSeconds: 2 }, images: [image('poster'), image('thumb')] }),
  };

  deps(): ProcessDeps {
    return {
      files: {
        getRow: async (): Promise<CatalogRow> => (this.row ? { file: this.row, version: { exists: true, sequencer: '1' } } : { version: { exists: false } }),
        recordProcessing: async (_folder, _name, _etag, result) => {
          this.recorded.push(result);
          return this.recordOutcome;
        },
      },
      objects: {
        read: async () => {
          if (this.failS3) throw new Error('S3 503 SlowDown');
          return Buffer.from('jpeg');
        },
        write: async (key, body) => void this.objects.set(key, body),
        list: async (prefix) => [...this.objects.keys()].filter((k) => k.startsWith(prefix)),
        deleteMany: async (keys) => keys.forEach((k) => this.objects.delete(k)),
        urlSigner: async () => new ObjectUrls((request) => `https://s3/${request.key}`),
      },
      decoders: this.decoders,
      videoPosters: true,
      exposeGps: false,
      logger: createLogger({ level: 'error' }),
    };
  }
}

describe('processRequest', () => {
  it('writes the derived images of the current version, records them with the metadata, and removes older versions', async () => {
    // Prepare
    const world = new World();
    world.objects.set(derivedKeyOf(KEY, 'v1', 'thumb'), Buffer.from('old'));
    // Act
    const outcome = await processRequest({ kind: 'created', key: KEY }, world.deps());
    // Assess
    expect(outcome).toEqual({ outcome: 'ready', key: KEY, write: 'applied' });
    expect([...world.objects.keys()].sort()).toEqual([derivedKeyOf(KEY, 'v2', 'preview'), derivedKeyOf(KEY, 'v2', 'thumb')]);
    expect(world.recorded).toEqual([
      {
        processing: 'ready',
        media: { width: 3, height: 4, orientation: 6 },
        derived: { preview: derivedKeyOf(KEY, 'v2', 'preview'), thumb: derivedKeyOf(KEY, 'v2', 'thumb') },
      },
    ]);
  });

  it('deletes what it rendered when the row changed meanwhile (a newer upload), keeping that upload\'s images', async () => {
    const world = new World();
    world.recordOutcome = 'stale';
    world.objects.set(derivedKeyOf(KEY, 'v3', 'thumb'), Buffer.from('newer'));
    await processRequest({ kind: 'created', key: KEY }, world.deps());
    expect([...world.objects.keys()]).toEqual([derivedKeyOf(KEY, 'v3', 'thumb')]);
  });

  it('marks a file the decoder refuses failed with its reason, without throwing (no retry loop)', async () => {
    const world = new World();
    world.row = file({ contentType: 'image/heic', name: 'a.heic', key: 'media/trip/a.heic' });
    const outcome = await processRequest({ kind: 'created', key: 'media/trip/a.heic' }, world.deps());
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'HEIC could not be decoded' });
    expect(world.recorded).toEqual([{ processing: 'failed', reason: 'HEIC could not be decoded' }]);
    expect(world.objects.size).toBe(0);
  });

  it('throws an S3 or DynamoDB error, so Lambda retries and then dead-letters the request', async () => {
    const world = new World();
    world.failS3 = true;
    await expect(processRequest({ kind: 'created', key: KEY }, world.deps())).rejects.toThrow('S3 503 SlowDown');
    expect(world.recorded).toEqual([]);
  });

  it('marks videos unsupported when video posters are switched off, and files of other types unsupported', async () => {
    const world = new World();
    world.row = file({ contentType: 'video/mp4', key: 'media/trip/a.mp4', name: 'a.mp4' });
    expect(await processRequest({ kind: 'created', key: 'media/trip/a.mp4' }, { ...world.deps(), videoPosters: false })).toMatchObject({ outcome: 'unsupported' });
    world.row = file({ contentType: 'image/svg+xml', key: 'media/trip/a.svg', name: 'a.svg' });
    expect(await processRequest({ kind: 'created', key: 'media/trip/a.svg' }, world.deps())).toMatchObject({ outcome: 'unsupported' });
    expect(world.recorded).toEqual([{ processing: 'unsupported' }, { processing: 'unsupported' }]);
  });

  it('deletes every derived image of a removed file, and renders instead when a file is back under the key', async () => {
    const world = new World();
    world.row = undefined;
    world.objects.set(derivedKeyOf(KEY, 'v1', 'thumb'), Buffer.from('t'));
    world.objects.set(derivedKeyOf(KEY, 'v1', 'preview'), Buffer.from('p'));
    world.objects.set(`${derivedPrefixOf('media/other.jpg')}v1-thumb.webp`, Buffer.from('other'));
    expect(await processRequest({ kind: 'removed', key: KEY }, world.deps())).toEqual({ outcome: 'removed', key: KEY, deleted: 2 });
    expect([...world.objects.keys()]).toEqual([`${derivedPrefixOf('media/other.jpg')}v1-thumb.webp`]);

    world.row = file();
    expect(await processRequest({ kind: 'removed', key: KEY }, world.deps())).toMatchObject({ outcome: 'ready' });
  });

  it('skips keys outside the catalog', async () => {
    expect(await processRequest({ kind: 'created', key: 'derived/x/y.webp' }, new World().deps())).toEqual({ outcome: 'skipped', key: 'derived/x/y.webp', reason: 'not-a-catalog-key' });
  });
});
