import type { CatalogFile } from '../../../../handlers/core/catalog';
import { createLogger } from '../../../../handlers/core/logger';
import { derivedKeyOf, derivedPrefixOf } from '../../../../handlers/core/media';
import type { CatalogRow, ProcessingResult, WriteOutcome } from '../../../../handlers/adapters/files-repository';
import { MediaRejected, type MediaDecoders } from '../../../../handlers/adapters/media-decoders';
import { processRequest, type ProcessDeps } from '../../../../handlers/process/process-media';
import { ObjectUrls } from '../../../../handlers/core/object-urls';
import { videoCopyKeyOf, type VideoCopyInput } from '../../../../handlers/core/video-copies';
import { copyRunId, eventRun } from '../../../../handlers/core/video-segments';
import type { VideoProbe } from '../../../../handlers/core/video-probe';

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
  readonly copiesStarted: VideoCopyInput[] = [];
  probe: VideoProbe = { container: 'webm', videoCodec: 'vp9', rotation: 0, durationSeconds: 2 };
  decoders: MediaDecoders = {
    photo: async () => ({ width: 4, height: 3, tags: { Orientation: 6 }, images: [image('preview'), image('thumb')] }),
    heic: async () => {
      throw new MediaRejected('HEIC could not be decoded');
    },
    videoFrame: async () => ({ banner: 'Duration: 00:00:02.00', probe: this.probe, images: [image('poster'), image('thumb')] }),
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
      videoCopySettings: { copiesEnabled: true, maxHeight: 1080 },
      videoCopies: { startVideoCopy: async (input) => void this.copiesStarted.push(input) },
      logger: createLogger({ level: 'error' }),
    };
  }
}

describe('processRequest', () => {
  it('writes the derived images of the current version, records them with the metadata and their bytes, and removes older versions', async () => {
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
        derivedBytes: [...world.objects.values()].reduce((n, body) => n + body.length, 0),
      },
    ]);
    expect(world.recorded[0]?.derivedBytes).toBeGreaterThan(0);
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

  describe('videos', () => {
    const VIDEO_KEY = 'media/trip/iphone.mov';
    const HEVC: VideoProbe = { container: 'mov', videoCodec: 'hevc', profile: 'Main 10', bitDepth: 10, hdr: 'hlg', rotation: 90, width: 1920, height: 1080, durationSeconds: 4, audioCodec: 'aac', moov: 'start' };
    const videoWorld = (probe: VideoProbe): World => {
      const world = new World();
      world.row = file({ contentType: 'video/quicktime', key: VIDEO_KEY, name: 'iphone.mov', fileType: 'video' });
      world.probe = probe;
      return world;
    };

    it('records the probe summary with a pending copy, then starts the copy of this version', async () => {
      const world = videoWorld(HEVC);
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      expect(world.recorded[0]?.video).toEqual({ container: 'mov', videoCodec: 'hevc', audioCodec: 'aac', hdr: 'hlg', bitDepth: 10, action: 'transcode', copy: { state: 'pending' } });
      expect(world.copiesStarted).toEqual([{ key: VIDEO_KEY, etag: 'v2', runId: copyRunId(VIDEO_KEY, 'v2', eventRun('1')), folder: '/trip', name: 'iphone.mov', probe: HEVC, decision: expect.objectContaining({ action: 'transcode', copy: 'transcode' }) }]);
    });

    it('starts a run of its own for a reprocess, where a repeated event names the same run', async () => {
      const world = videoWorld(HEVC);
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      await processRequest({ kind: 'created', key: VIDEO_KEY, run: 'r1' }, world.deps());
      await processRequest({ kind: 'created', key: VIDEO_KEY, run: 'r2' }, world.deps());
      const runs = world.copiesStarted.map((c) => c.runId);
      expect(runs[0]).toBe(runs[1]);
      expect(new Set(runs).size).toBe(3);
      for (const run of runs) expect(run).toMatch(/^copy-[0-9a-f]{64}$/);
    });

    it('starts a run of its own for the same bytes back at the same key (a restore from the trash): a new event, a new run', async () => {
      // Prepare: the first upload's copy was made, then the file deleted (its copy with it).
      const world = videoWorld(HEVC);
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      // Act: restored, the same ETag under a new event's sequencer.
      world.row = { ...world.row!, sequencer: '2' };
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      // Assess: the workflow's execution name is free, so the copy is made again.
      const [first, restored] = world.copiesStarted.map((c) => c.runId);
      expect(restored).not.toBe(first);
      expect(world.copiesStarted.map((c) => c.etag)).toEqual(['v2', 'v2']);
    });

    it('makes no copy of a video that plays as stored (VP9 WebM)', async () => {
      const world = videoWorld({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', rotation: 0, width: 640, height: 360 });
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      expect(world.recorded[0]?.video).toEqual({ container: 'webm', videoCodec: 'vp9', audioCodec: 'opus', action: 'none' });
      expect(world.copiesStarted).toEqual([]);
    });

    it('makes no copy when video copies are off, and says what the original needs', async () => {
      const world = videoWorld(HEVC);
      await processRequest({ kind: 'created', key: VIDEO_KEY }, { ...world.deps(), videoCopySettings: { copiesEnabled: false, maxHeight: 1080 } });
      expect(world.recorded[0]?.video).toMatchObject({ action: 'transcode' });
      expect(world.recorded[0]?.video?.copy).toBeUndefined();
      expect(world.copiesStarted).toEqual([]);
    });

    it('starts no copy for a version that is no longer the row\'s', async () => {
      const world = videoWorld(HEVC);
      world.recordOutcome = 'stale';
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      expect(world.copiesStarted).toEqual([]);
    });

    it('removes the copy of an older version with its images (a reprocess remakes the current one)', async () => {
      const world = videoWorld(HEVC);
      world.objects.set(videoCopyKeyOf(VIDEO_KEY, 'v1'), Buffer.from('old copy'));
      world.objects.set(videoCopyKeyOf(VIDEO_KEY, 'v2'), Buffer.from('copy being remade'));
      await processRequest({ kind: 'created', key: VIDEO_KEY }, world.deps());
      expect([...world.objects.keys()].filter((k) => k.endsWith('.mp4'))).toEqual([]);
      expect(world.copiesStarted).toHaveLength(1);
    });
  });

  it('skips keys outside the catalog', async () => {
    expect(await processRequest({ kind: 'created', key: 'derived/x/y.webp' }, new World().deps())).toEqual({ outcome: 'skipped', key: 'derived/x/y.webp', reason: 'not-a-catalog-key' });
  });
});
