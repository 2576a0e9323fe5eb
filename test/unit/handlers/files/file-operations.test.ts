import type { CatalogRow, FileCatalog, FileDetails, RowVersion, WriteOutcome } from '../../../../handlers/adapters/files-repository';
import { SourceObjectMissing, type CopyRequest, type ObjectStore } from '../../../../handlers/adapters/object-store';
import type { CatalogFile, CatalogTombstone, ObjectHead, UploadSession } from '../../../../handlers/core/catalog';
import { ListCursors } from '../../../../handlers/core/cursor';
import { Conflict, Forbidden, NotFound, ValidationError } from '../../../../handlers/core/errors';
import { fileIdOf, parseObjectKey } from '../../../../handlers/core/paths';
import type { Caller } from '../../../../handlers/core/roles';
import { deleteFile } from '../../../../handlers/files/delete-file';
import { fileLinks, MAX_LINK_IDS, parseLinksRequest } from '../../../../handlers/files/file-links';
import { downloadUrl, getFile } from '../../../../handlers/files/get-file';
import { listFiles, parseListQuery } from '../../../../handlers/files/list-files';
import { MOVE_ID_METADATA, MoveNotVerified, parseUpdateRequest, updateFile } from '../../../../handlers/files/update-file';
import type { FileView } from '../../../../handlers/files/file-view';
import { getJob } from '../../../../handlers/files/get-job';
import { runMoveJob } from '../../../../handlers/move/run-move-job';
import { isFinished, type MoveJob } from '../../../../handlers/core/jobs';
import { memoryLogger } from '../../support';
import type { TrashEntry, TrashJobRecord } from '../../../../handlers/core/trash';
import type { TrashStore } from '../../../../handlers/adapters/trash-repository';
import { entryFor, listTrash, purgeEntry, restoreEntry } from '../../../../handlers/files/trash';
import { parseTrashJobRequest, startTrashJob } from '../../../../handlers/files/trash-jobs';
import { HAND_OVER_MARGIN_MS, runTrashJob } from '../../../../handlers/move/run-trash-job';
import { ObjectUrls } from '../../../../handlers/core/object-urls';
import type { CarriedProcessing } from '../../../../handlers/core/carried-media';
import { derivedKeyOf, derivedPrefixOf } from '../../../../handlers/core/media';
import { videoCopyKeyOf } from '../../../../handlers/core/video-copies';

const NOW = new Date('2024-05-01T10:00:00.000Z');
const SEQ = '0000000000000000000000000000000A';
const editor: Caller = { username: 'ed', role: 'editor' };
const viewer: Caller = { username: 'vi', role: 'viewer' };
const cursors = new ListCursors(Buffer.alloc(32, 7));
const encodeListCursor = (folder: string, name: string): string => cursors.folderCursor('ed', folder, name);
const encodeTypeCursor = (type: 'image' | 'video' | 'other', sortKey: string): string => cursors.typeCursor('ed', type, sortKey);

function catalogFile(key: string, extra: Partial<CatalogFile> = {}): CatalogFile {
  const location = parseObjectKey(key);
  if (location === undefined) throw new Error(`bad key ${key}`);
  return {
    id: fileIdOf(key),
    key,
    ...location,
    size: 3,
    contentType: 'image/jpeg',
    fileType: 'image',
    uploadedAt: '2024-04-01T00:00:00.000Z',
    uploadedBy: 'ana',
    tags: ['beach'],
    description: 'sunset',
    sha256: 'c2hh',
    sequencer: SEQ,
    status: 'available',
    ...extra,
  };
}

/** An in-memory catalog and bucket, with failures injectable per operation. */
class World {
  readonly rows = new Map<string, CatalogFile | (Omit<CatalogTombstone, 'sequencer'> & { sequencer?: string })>();
  readonly objects = new Map<string, { bytes: string; metadata: Record<string, string> }>();
  readonly sessions: UploadSession[] = [];
  readonly jobs = new Map<string, MoveJob>();
  readonly started: string[] = [];
  readonly failures = new Set<'copy' | 'copy-wrong' | 'delete' | 'preview'>();
  readonly trashEntries = new Map<string, TrashEntry>();
  readonly trashJobs = new Map<string, TrashJobRecord>();
  readonly markers = new Set<string>();

  add(file: CatalogFile, metadata: Record<string, string> = { 'upload-id': 'u'.repeat(22) }): void {
    this.rows.set(file.key, file);
    this.objects.set(file.key, { bytes: 'abc', metadata });
  }

  private version(key: string): RowVersion {
    const row = this.rows.get(key);
    if (row === undefined) return { exists: false };
    return row.sequencer === undefined ? { exists: true } : { exists: true, sequencer: row.sequencer };
  }

  private matches(key: string, expected: RowVersion): boolean {
    const actual = this.version(key);
    return actual.exists === expected.exists && (!actual.exists || (actual as { sequencer?: string }).sequencer === (expected as { sequencer?: string }).sequencer);
  }

  readonly catalog: Pick<FileCatalog, 'getRow' | 'getFiles' | 'updateDetails' | 'previewFile' | 'previewTombstone' | 'listFolder' | 'listType' | 'listByDate'> = {
    getRow: async (folder, name): Promise<CatalogRow> => {
      const key = `media${folder === '/' ? '' : folder}/${name}`;
      const row = this.rows.get(key);
      const version = this.version(key);
      return row?.status === 'available' ? { file: row as CatalogFile, version } : { version };
    },
    getFiles: async (keys) => new Map(keys.flatMap((k) => (this.rows.get(k)?.status === 'available' ? [[k, this.rows.get(k) as CatalogFile] as const] : []))),
    updateDetails: async (folder, name, details: FileDetails) => {
      const key = `media${folder === '/' ? '' : folder}/${name}`;
      const row = this.rows.get(key);
      if (row?.status !== 'available') return false;
      const { description: _d, ...rest } = row as CatalogFile;
      const description = details.description === undefined ? row.description : details.description;
      this.rows.set(key, { ...rest, ...(details.tags !== undefined ? { tags: details.tags } : {}), ...(description ? { description } : {}) });
      return true;
    },
    previewFile: async (file, expected): Promise<WriteOutcome> => {
      if (this.failures.has('preview')) throw new Error('dynamodb down');
      if (!this.matches(file.key, expected)) return 'stale';
      this.rows.set(file.key, { ...file, sequencer: expected.exists ? ((expected as { sequencer?: string }).sequencer ?? '0') : '0' });
      return 'applied';
    },
    previewTombstone: async (tombstone, expected): Promise<WriteOutcome> => {
      if (this.failures.has('preview')) throw new Error('dynamodb down');
      if (!this.matches(tombstone.key, expected)) return 'stale';
      this.rows.set(tombstone.key, { ...tombstone, sequencer: (expected as { sequencer?: string }).sequencer ?? '0' });
      return 'applied';
    },
    listFolder: async (folder) => ({
      files: [...this.rows.values()].filter((r): r is CatalogFile => r.status === 'available' && r.folder === folder).sort((a, b) => (a.name < b.name ? -1 : 1)),
    }),
    listByDate: async () => ({ files: [] }),
    listType: async (_type, options) => ({
      files: [...this.rows.values()].filter((r): r is CatalogFile => r.status === 'available' && (options.visible?.(r) ?? true)),
      lastSortKey: `2024-04-01T00:00:00.000Z#${fileIdOf('media/z.jpg')}`,
    }),
  };

  readonly store: Pick<ObjectStore, 'head' | 'copy' | 'delete' | 'urlSigner'> = {
    head: async (key): Promise<ObjectHead | undefined> => {
      const object = this.objects.get(key);
      return object === undefined ? undefined : { size: object.bytes.length, etag: `etag-${object.bytes}`, metadata: object.metadata };
    },
    copy: async (request: CopyRequest) => {
      if (this.failures.has('copy')) throw new Error('S3 500');
      const source = this.objects.get(request.sourceKey);
      if (source === undefined) throw new SourceObjectMissing(request.sourceKey);
      const bytes = this.failures.has('copy-wrong') ? 'ab' : source.bytes;
      this.objects.set(request.destinationKey, { bytes, metadata: { ...source.metadata, ...request.addMetadata } });
      return { etag: `etag-${bytes}` };
    },
    delete: async (key) => {
      if (this.failures.has('delete')) throw new Error('S3 503');
      this.objects.delete(key);
    },
    urlSigner: async () => new ObjectUrls((request) => `https://s3/${request.operation}/${request.key}${request.query ? `?${new URLSearchParams(request.query as Record<string, string>).toString()}` : ''}`),
  };

  readonly trash: TrashStore = {
    put: async (entry) => void this.trashEntries.set(entry.id, entry),
    get: async (id) => this.trashEntries.get(id),
    remove: async (id) => void this.trashEntries.delete(id),
    list: async (options) => ({ entries: [...this.trashEntries.values()].filter((e) => options.keep?.(e) ?? true).sort((a, b) => (a.id < b.id ? 1 : -1)) }),
  };

  deps(extra: object = {}) {
    return {
      trash: this.trash,
      trashRetentionDays: 30,
      folders: {
        listChildren: async (parent: string) =>
          [...this.markers].filter((m) => m.startsWith(`${parent === '/' ? '' : parent}/`) && !m.slice(parent === '/' ? 1 : parent.length + 1).includes('/')).map((m) => m.slice(m.lastIndexOf('/') + 1)),
        hasContent: async (path: string) => [...this.rows.values()].some((r) => r.status === 'available' && (r.folder === path || r.folder.startsWith(`${path}/`))),
        remove: async (path: string) => this.markers.delete(path),
        exists: async (path: string) => this.markers.has(path),
      },
      trashJobs: {
        create: async (job: TrashJobRecord) => void this.trashJobs.set(job.id, job),
        get: async (id: string) => this.trashJobs.get(id),
        startAttempt: async (id: string) => {
          const job = this.trashJobs.get(id);
          if (job === undefined || isFinished(job.status)) return undefined;
          const started: TrashJobRecord = { ...job, status: 'running', attempts: job.attempts + 1 };
          this.trashJobs.set(id, started);
          return started;
        },
        addProgress: async (id: string, done: number, failed: number) => {
          const job = this.trashJobs.get(id) as TrashJobRecord;
          this.trashJobs.set(id, { ...job, done: job.done + done, failed: job.failed + failed });
        },
        finish: async (id: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: { code: string; message: string } }) => {
          const job = this.trashJobs.get(id) as TrashJobRecord;
          if (!isFinished(job.status)) this.trashJobs.set(id, { ...job, ...outcome });
        },
        handOver: async (id: string) => {
          const job = this.trashJobs.get(id) as TrashJobRecord;
          this.trashJobs.set(id, { ...job, attempts: 0 });
        },
      },
      files: this.catalog,
      objects: this.store,
      derivedObjects: {
        copy: this.store.copy,
        list: async (prefix: string) => [...this.objects.keys()].filter((k) => k.startsWith(prefix)),
        deleteMany: async (keys: readonly string[]) => keys.forEach((k) => this.objects.delete(k)),
      },
      uploads: {
        create: async (session: UploadSession) => void this.sessions.push(session),
        get: async (uploadId: string) => this.sessions.find((s) => s.uploadId === uploadId),
        carry: async (uploadId: string, carried: CarriedProcessing | undefined) => {
          const index = this.sessions.findIndex((s) => s.uploadId === uploadId);
          const { carried: _before, ...session } = this.sessions[index] as UploadSession;
          this.sessions[index] = { ...session, ...(carried !== undefined ? { carried } : {}) };
        },
      },
      jobs: {
        create: async (job: MoveJob) => void this.jobs.set(job.id, job),
        get: async (jobId: string) => this.jobs.get(jobId),
        startAttempt: async (jobId: string, now: Date) => {
          const job = this.jobs.get(jobId);
          if (job === undefined || isFinished(job.status)) return undefined;
          const started: MoveJob = { ...job, status: 'running', attempts: job.attempts + 1, updatedAt: now.toISOString() };
          this.jobs.set(jobId, started);
          return started;
        },
        finish: async (jobId: string, outcome: { status: 'succeeded'; fileId: string } | { status: 'failed'; error: { code: string; message: string } }) => {
          const job = this.jobs.get(jobId);
          if (job !== undefined && !isFinished(job.status)) this.jobs.set(jobId, { ...job, ...outcome });
        },
      },
      jobInvoker: { start: async (jobId: string) => void this.started.push(jobId) },
      moveJobThresholdBytes: 1024 ** 3,
      newJobId: () => 'j'.repeat(22),
      viewUrlTtlSeconds: 600,
      logger: memoryLogger().logger,
      now: () => NOW,
      newSessionId: () => 'm'.repeat(22),
      ...extra,
    };
  }
}

/** `updateFile` for a change answered at once: the file as it now is. */
async function updatedFile(...args: Parameters<typeof updateFile>): Promise<FileView> {
  const result = await updateFile(...args);
  if (!('file' in result)) throw new Error('expected the file, got a job');
  return result.file;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('file operations', () => {
  describe('parseListQuery of a folder filtered by type', () => {
    it('reads folder, type, order and a cursor sealed for that type', () => {
      const cursor = cursors.sortCursor('ed', '/x', 'uploaded', 'asc', '2024-04-01T00:00:00.000Z#a.mp4', 'video');
      expect(parseListQuery({ folder: '/x', type: 'video', sort: 'uploaded', order: 'asc', cursor }, cursors, editor)).toEqual({
        folder: '/x',
        sort: 'uploaded',
        order: 'asc',
        limit: 100,
        fileType: 'video',
        afterSortKey: '2024-04-01T00:00:00.000Z#a.mp4',
      });
      const byName = cursors.sortCursor('ed', '/x', 'name', 'desc', 'b.mp4', 'video');
      expect(parseListQuery({ folder: '/x', type: 'video', order: 'desc', cursor: byName }, cursors, editor)).toEqual({ folder: '/x', limit: 100, fileType: 'video', afterName: 'b.mp4', order: 'desc' });
    });
  });

  describe('parseListQuery by type', () => {
    it('reads type, limit and a type cursor', () => {
      const cursor = encodeTypeCursor('video', `2024-04-01T00:00:00.000Z#${fileIdOf('media/a/b.mp4')}`);
      expect(parseListQuery({ type: 'video', limit: '5', cursor }, cursors, editor)).toEqual({
        fileType: 'video',
        limit: 5,
        after: { sortKey: `2024-04-01T00:00:00.000Z#${fileIdOf('media/a/b.mp4')}`, key: 'media/a/b.mp4' },
      });
    });

    it.each([
      [{ type: 'audio' }, 'type'],
      [{ type: 'audio', folder: '/' }, 'type'],
      [{ type: 'video', folder: '/', cursor: encodeListCursor('/', 'a.jpg') }, 'cursor'],
      [{ folder: '/', cursor: cursors.sortCursor('ed', '/', 'name', 'asc', 'a.mp4', 'video') }, 'cursor'],
      [{ type: 'image', folder: '/', cursor: cursors.sortCursor('ed', '/', 'name', 'asc', 'a.mp4', 'video') }, 'cursor'],
      [{ type: 'video', folder: '/', sort: 'uploaded', cursor: cursors.sortCursor('ed', '/', 'uploaded', 'desc', '2024-04-01T00:00:00.000Z#a.mp4') }, 'cursor'],
      [{ type: 'image', cursor: encodeListCursor('/', 'a.jpg') }, 'cursor'],
      [{ folder: '/', cursor: encodeTypeCursor('image', `2024-04-01T00:00:00.000Z#${fileIdOf('media/a.jpg')}`) }, 'cursor'],
      [{ type: 'video', cursor: encodeTypeCursor('image', `2024-04-01T00:00:00.000Z#${fileIdOf('media/a.jpg')}`) }, 'cursor'],
      [{ type: 'image', cursor: encodeTypeCursor('image', 'not-a-sort-key') }, 'cursor'],
      [{ type: 'image', cursor: encodeTypeCursor('image', `2024-04-01T00:00:00.000Z#${fileIdOf('outside/a.jpg')}`) }, 'cursor'],
    ])('throws a 400 for %j', (query, field) => {
      let error: unknown;
      try {
        parseListQuery(query, cursors, editor);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    });
  });

  describe('listFiles by type', () => {
    it('returns the index page with view URLs and a type cursor', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      const page = await listFiles({ fileType: 'image', limit: 1 }, cursors, editor, world.deps());
      expect(page.files.map((f) => f.name)).toEqual(['x.jpg']);
      expect(page.files[0]).toMatchObject({ tags: ['beach'], description: 'sunset', url: 'https://s3/GetObject/media/a/x.jpg' });
      expect(parseListQuery({ type: 'image', cursor: page.nextCursor as string }, cursors, editor)).toMatchObject({ after: { key: 'media/z.jpg' } });
    });

    it('shows a caller limited to folders only the files of its folders', async () => {
      const world = new World();
      world.add(catalogFile('media/family/x.jpg'));
      world.add(catalogFile('media/work/y.jpg'));
      const page = await listFiles({ fileType: 'image', limit: 10 }, cursors, { ...viewer, folders: ['/family'] }, world.deps());
      expect(page.files.map((f) => f.folder)).toEqual(['/family']);
    });
  });

  describe('getFile and downloadUrl', () => {
    it('returns metadata and a view URL', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      expect(await getFile(fileIdOf('media/a/x.jpg'), viewer, world.deps())).toMatchObject({ name: 'x.jpg', folder: '/a', uploadedBy: 'ana', urlExpiresAt: '2024-05-01T10:10:00.000Z' });
    });

    it.each([
      ['an unknown id', fileIdOf('media/a/none.jpg')],
      ['garbage', '!!!'],
      ['a non-canonical id', `${fileIdOf('media/a/x.jpg')}=`],
      ['the id of a key outside media/', fileIdOf('other/x.jpg')],
      ['no id', undefined],
    ])('throws NotFound for %s', async (_what, id) => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      expect(await caught(getFile(id, viewer, world.deps()))).toBeInstanceOf(NotFound);
    });

    it('throws NotFound for a deleted file', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      await deleteFile(fileIdOf('media/a/x.jpg'), editor, world.deps());
      expect(await caught(getFile(fileIdOf('media/a/x.jpg'), viewer, world.deps()))).toBeInstanceOf(NotFound);
    });

    it('signs a download with an attachment disposition carrying the name', async () => {
      const world = new World();
      world.add(catalogFile('media/a/say "hi" é.jpg'));
      const url = new URL(await downloadUrl(fileIdOf('media/a/say "hi" é.jpg'), viewer, world.deps()));
      expect(url.searchParams.get('response-content-disposition')).toBe(`attachment; filename="say _hi_ _.jpg"; filename*=UTF-8''say%20%22hi%22%20%C3%A9.jpg`);
    });

    it('refuses a folder outside the caller limits with 403', async () => {
      const world = new World();
      world.add(catalogFile('media/work/x.jpg'));
      expect(await caught(getFile(fileIdOf('media/work/x.jpg'), { ...viewer, folders: ['/family'] }, world.deps()))).toBeInstanceOf(Forbidden);
    });
  });

  describe('fileLinks', () => {
    it('answers every id in order, reporting unknown ones per item', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      const ids = [fileIdOf('media/a/x.jpg'), 'garbage', fileIdOf('media/a/none.jpg'), fileIdOf('media/a/x.jpg')];
      const { links } = await fileLinks(ids, viewer, world.deps());
      expect(links.map((l) => ('error' in l ? l.error.code : l.name))).toEqual(['x.jpg', 'NotFound', 'NotFound', 'x.jpg']);
      expect(links[0]).toMatchObject({ id: ids[0], urlExpiresAt: '2024-05-01T10:10:00.000Z' });
    });

    it.each([
      ['an array instead of an object', [], 'body'],
      ['ids not an array', { ids: 'x' }, 'ids'],
      ['no ids', { ids: [] }, 'ids'],
      ['a number id', { ids: [1] }, 'ids[0]'],
      ['an empty id', { ids: [''] }, 'ids[0]'],
      [`${MAX_LINK_IDS + 1} ids`, { ids: Array.from({ length: MAX_LINK_IDS + 1 }, () => 'a') }, 'ids'],
      ['an unknown field', { ids: ['a'], extra: 1 }, 'extra'],
    ])('refuses %s with a 400 naming the field', (_what, body, field) => {
      let error: unknown;
      try {
        parseLinksRequest(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    });
  });

  describe('parseUpdateRequest', () => {
    it('normalizes name and folder and reads details', () => {
      expect(parseUpdateRequest({ name: 'e\u0301.jpg', folder: 'trips/', tags: [' a ', 'a'], description: '', overwrite: true })).toEqual({
        name: '\u00e9.jpg',
        folder: '/trips',
        tags: ['a'],
        description: null,
        overwrite: true,
      });
    });

    it.each([
      [{}, 'body'],
      [{ overwrite: true }, 'body'],
      [{ name: 'a/b.jpg' }, 'name'],
      [{ name: '..' }, 'name'],
      [{ folder: '/a/../b' }, 'folder'],
      [{ tags: 'x' }, 'tags'],
      [{ name: 'a.jpg', overwrite: 'yes' }, 'overwrite'],
      [{ size: 3 }, 'size'],
    ])('refuses %j with a 400 on %s', (body, field) => {
      let error: unknown;
      try {
        parseUpdateRequest(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    });
  });

  describe('updateFile', () => {
    const source = 'media/trips/IMG 1.jpg';
    const id = fileIdOf(source);

    it('changes tags and description in the catalog only', async () => {
      const world = new World();
      world.add(catalogFile(source));
      const view = await updatedFile(id, { tags: ['x'], description: null, overwrite: false }, editor, world.deps());
      expect(view).toMatchObject({ id, tags: ['x'] });
      expect(view.description).toBeUndefined();
      expect(world.objects.has(source)).toBe(true);
      expect(world.sessions).toEqual([]);
    });

    it('moves: copies with the original metadata plus the move id, verifies, deletes, and previews both rows', async () => {
      // Prepare
      const world = new World();
      world.add(catalogFile(source));
      // Act
      const view = await updatedFile(id, { folder: '/archive', name: 'Beach.jpg', overwrite: false }, editor, world.deps());
      // Assess
      const target = 'media/archive/Beach.jpg';
      expect(view).toMatchObject({ id: fileIdOf(target), folder: '/archive', name: 'Beach.jpg', uploadedBy: 'ana', uploadedAt: '2024-04-01T00:00:00.000Z', tags: ['beach'], description: 'sunset' });
      expect(world.objects.has(source)).toBe(false);
      expect(world.objects.get(target)).toEqual({ bytes: 'abc', metadata: { 'upload-id': 'u'.repeat(22), [MOVE_ID_METADATA]: 'm'.repeat(22) } });
      expect(world.sessions).toEqual([
        expect.objectContaining({ uploadId: 'm'.repeat(22), key: target, owner: 'ana', tags: ['beach'], description: 'sunset', sha256: 'c2hh', uploadedAt: '2024-04-01T00:00:00.000Z', movedFrom: source, status: 'completed' }),
      ]);
      expect(world.rows.get(source)).toMatchObject({ status: 'deleted', sequencer: SEQ });
      expect(world.rows.get(target)).toMatchObject({ status: 'available', uploadedBy: 'ana', sha256: 'c2hh' });
    });

    it('carries changed tags and a removed description into the move session', async () => {
      const world = new World();
      world.add(catalogFile(source));
      await updatedFile(id, { name: 'b.jpg', tags: ['new'], description: null, overwrite: false }, editor, world.deps());
      expect(world.sessions[0]).toMatchObject({ tags: ['new'] });
      expect(world.sessions[0]?.description).toBeUndefined();
    });

    it('answers 409 on a name clash and leaves both files', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.add(catalogFile('media/trips/taken.jpg'));
      expect(await caught(updatedFile(id, { name: 'taken.jpg', overwrite: false }, editor, world.deps()))).toBeInstanceOf(Conflict);
      expect(world.objects.has(source)).toBe(true);
      expect(world.objects.get('media/trips/taken.jpg')?.metadata[MOVE_ID_METADATA]).toBeUndefined();
    });

    it('answers 409 when only the bucket has the destination (catalog not caught up)', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.objects.set('media/trips/new.jpg', { bytes: 'zz', metadata: {} });
      expect(await caught(updatedFile(id, { name: 'new.jpg', overwrite: false }, editor, world.deps()))).toBeInstanceOf(Conflict);
    });

    it('replaces the destination with overwrite: true', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.add(catalogFile('media/trips/taken.jpg', { uploadedBy: 'bob' }));
      const view = await updatedFile(id, { name: 'taken.jpg', overwrite: true }, editor, world.deps());
      expect(view.uploadedBy).toBe('ana');
      expect(world.objects.get('media/trips/taken.jpg')?.bytes).toBe('abc');
      expect(world.objects.has(source)).toBe(false);
    });

    it('leaves everything as it was when the copy fails', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.failures.add('copy');
      await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, world.deps()));
      expect(world.objects.has(source)).toBe(true);
      expect(world.objects.has('media/trips/b.jpg')).toBe(false);
      expect(world.rows.get(source)?.status).toBe('available');
    });

    it('keeps the original when the copy is not what was written', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.failures.add('copy-wrong');
      expect(await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, world.deps()))).toBeInstanceOf(MoveNotVerified);
      expect(world.objects.get(source)?.bytes).toBe('abc');
      expect(world.rows.get(source)?.status).toBe('available');
    });

    it('keeps the original when deleting it fails after the copy', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.failures.add('delete');
      await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, world.deps()));
      expect(world.objects.get(source)?.bytes).toBe('abc');
      expect(world.rows.get(source)?.status).toBe('available');
    });

    it('answers 409 when the source vanished before the copy', async () => {
      const world = new World();
      world.add(catalogFile(source));
      const deps = world.deps();
      const copy = deps.objects.copy;
      deps.objects.copy = async (request) => {
        world.objects.delete(source);
        return copy(request);
      };
      expect(await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, deps))).toBeInstanceOf(Conflict);
    });

    it('still answers with the moved file when a preview cannot be written (events will settle it)', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.failures.add('preview');
      const view = await updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, world.deps());
      expect(view.name).toBe('b.jpg');
      expect(world.objects.has('media/trips/b.jpg')).toBe(true);
    });

    it('refuses viewers with 403 and changes nothing', async () => {
      const world = new World();
      world.add(catalogFile(source));
      expect(await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, viewer, world.deps()))).toBeInstanceOf(Forbidden);
      expect(world.objects.has(source)).toBe(true);
    });

    it('refuses a move into a folder outside the caller limits', async () => {
      const world = new World();
      world.add(catalogFile(source));
      expect(await caught(updatedFile(id, { folder: '/private', overwrite: false }, { ...editor, folders: ['/trips'] }, world.deps()))).toBeInstanceOf(Forbidden);
      expect(world.objects.has(source)).toBe(true);
    });

    it('throws NotFound for an unknown file', async () => {
      const world = new World();
      expect(await caught(updatedFile(id, { name: 'b.jpg', overwrite: false }, editor, world.deps()))).toBeInstanceOf(NotFound);
    });

    it('throws a 400 when folder and name make a key over 1024 bytes', async () => {
      const world = new World();
      world.add(catalogFile(source));
      const folder = `/${Array.from({ length: 5 }, () => 'x'.repeat(250)).join('/')}`;
      expect(await caught(updatedFile(id, { folder, overwrite: false }, editor, world.deps()))).toBeInstanceOf(ValidationError);
      expect(world.objects.has(source)).toBe(true);
    });
  });

  describe('updateFile: the derived objects go with a moved file', () => {
    const source = 'media/trips/IMG 1.jpg';
    const target = 'media/archive/IMG 1.jpg';
    const id = fileIdOf(source);
    const ETAG = 'etag-abc';
    const copyKey = videoCopyKeyOf(source, ETAG);
    /** A processed file: its images (and a video's copy) stored under its derived prefix. */
    function processed(world: World, extra: Partial<CatalogFile> = {}): void {
      const derived = { thumb: derivedKeyOf(source, ETAG, 'thumb'), preview: derivedKeyOf(source, ETAG, 'preview') };
      world.add(catalogFile(source, { etag: ETAG, processing: 'ready', media: { width: 4, height: 3, takenAt: '2024-03-01T10:00:00Z' }, derived, derivedBytes: 7, ...extra }));
      world.objects.set(derived.thumb, { bytes: 'thumb', metadata: {} });
      world.objects.set(derived.preview, { bytes: 'preview', metadata: {} });
    }
    const readyVideo = { container: 'mov', videoCodec: 'hevc', action: 'transcode', copy: { state: 'ready', key: copyKey, bytes: 5, width: 320, height: 180 } } as const;

    it('copies thumbnail and preview to the new key, records them in the session and previews the row ready; the file is not processed again', async () => {
      // Prepare
      const world = new World();
      processed(world);
      // Act
      const view = await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());
      // Assess
      const thumb = derivedKeyOf(target, ETAG, 'thumb');
      const preview = derivedKeyOf(target, ETAG, 'preview');
      expect(world.objects.get(thumb)?.bytes).toBe('thumb');
      expect(world.objects.get(preview)?.bytes).toBe('preview');
      expect(world.sessions[0]?.carried).toEqual({ etag: ETAG, processing: 'ready', media: { width: 4, height: 3, takenAt: '2024-03-01T10:00:00Z' }, derived: { thumb, preview }, derivedBytes: 7 });
      expect(world.rows.get(target)).toMatchObject({ processing: 'ready', derived: { thumb, preview }, derivedBytes: 7 });
      expect(view.thumbUrl).toContain(thumb);
      // The old key's are the process function's to delete when the original's removal arrives.
      expect(world.objects.get(derivedKeyOf(source, ETAG, 'thumb'))?.bytes).toBe('thumb');
    });

    it("carries a video's ready copy, its row's copy naming the new key", async () => {
      const world = new World();
      processed(world, { contentType: 'video/quicktime', fileType: 'video', video: readyVideo });
      world.objects.set(copyKey, { bytes: 'mp4!!', metadata: {} });

      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());

      const newCopy = videoCopyKeyOf(target, ETAG);
      expect(world.objects.get(newCopy)?.bytes).toBe('mp4!!');
      expect(world.sessions[0]?.carried?.video).toEqual({ ...readyVideo, copy: { ...readyVideo.copy, key: newCopy } });
      expect(world.rows.get(target)).toMatchObject({ processing: 'ready', video: { copy: { state: 'ready', key: newCopy } } });
    });

    it.each([
      ['pending', { state: 'pending' }],
      ['failed', { state: 'failed', reason: 'the video could not be decoded' }],
    ] as const)('carries nothing for a video whose copy is %s: processing runs at the new key as before', async (_state, copy) => {
      const world = new World();
      processed(world, { contentType: 'video/quicktime', fileType: 'video', video: { ...readyVideo, copy } });

      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());

      expect(world.sessions[0]?.carried).toBeUndefined();
      expect([...world.objects.keys()].filter((k) => k.startsWith(derivedPrefixOf(target)))).toEqual([]);
      expect(world.rows.get(target)).toMatchObject({ processing: 'pending' });
      expect(world.rows.get(target)).not.toHaveProperty('derived');
      expect(world.rows.get(target)).not.toHaveProperty('video');
    });

    it('carries what a file moved before brought along, named by the ETag of the bytes it was made from', async () => {
      // A multipart original gets a new ETag when copied: its images keep the name they were made under.
      const world = new World();
      const made = derivedKeyOf(source, 'etag-of-the-upload', 'thumb');
      world.add(catalogFile(source, { etag: ETAG, processing: 'ready', derived: { thumb: made } }));
      world.objects.set(made, { bytes: 'thumb', metadata: {} });

      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());

      expect(world.objects.get(derivedKeyOf(target, 'etag-of-the-upload', 'thumb'))?.bytes).toBe('thumb');
      expect(world.sessions[0]?.carried?.derived).toEqual({ thumb: derivedKeyOf(target, 'etag-of-the-upload', 'thumb') });
    });

    it('carries nothing when a derived key lies outside the file\'s own prefix', async () => {
      const world = new World();
      processed(world, { derived: { thumb: derivedKeyOf('media/other.jpg', ETAG, 'thumb') } });
      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());
      expect(world.sessions[0]?.carried).toBeUndefined();
    });

    it('carries nothing when the row describes other bytes than the object moved (another ETag)', async () => {
      const world = new World();
      processed(world, { etag: 'etag-older' });
      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());
      expect(world.sessions[0]?.carried).toBeUndefined();
      expect([...world.objects.keys()].filter((k) => k.startsWith(derivedPrefixOf(target)))).toEqual([]);
    });

    it('carries nothing, and leaves no copy behind, when a derived object vanished (a reprocess replacing it)', async () => {
      const world = new World();
      processed(world);
      world.objects.delete(derivedKeyOf(source, ETAG, 'preview'));

      await updatedFile(id, { folder: '/archive', overwrite: false }, editor, world.deps());

      expect(world.sessions[0]?.carried).toBeUndefined();
      expect([...world.objects.keys()].filter((k) => k.startsWith(derivedPrefixOf(target)))).toEqual([]);
      expect(world.rows.get(target)).toMatchObject({ processing: 'pending' });
    });

    it('deletes the carried copies and the session record when the original cannot be copied', async () => {
      const world = new World();
      processed(world);
      const deps = world.deps();
      const copy = deps.objects.copy;
      deps.objects.copy = async (request) => {
        if (request.sourceKey === source) throw new Error('S3 500');
        return copy(request);
      };

      await caught(updatedFile(id, { folder: '/archive', overwrite: false }, editor, deps));

      expect(world.sessions[0]?.carried).toBeUndefined();
      expect([...world.objects.keys()].filter((k) => k.startsWith(derivedPrefixOf(target)))).toEqual([]);
      expect(world.objects.has(source)).toBe(true);
    });

    it('removes what a file replaced with overwrite: true left under the new key', async () => {
      const world = new World();
      processed(world);
      world.add(catalogFile(target, { etag: 'etag-old', processing: 'ready', derived: { thumb: derivedKeyOf(target, 'etag-old', 'thumb') } }));
      world.objects.set(derivedKeyOf(target, 'etag-old', 'thumb'), { bytes: 'old thumb', metadata: {} });

      await updatedFile(id, { folder: '/archive', overwrite: true }, editor, world.deps());

      expect([...world.objects.keys()].filter((k) => k.startsWith(derivedPrefixOf(target))).sort()).toEqual([derivedKeyOf(target, ETAG, 'preview'), derivedKeyOf(target, ETAG, 'thumb')]);
    });

    it('a job run that finds its copy made by an earlier run previews what that run carried', async () => {
      // Prepare: a run copied everything, then died before deleting the original.
      const world = new World();
      processed(world);
      await updateFile(id, { folder: '/archive', overwrite: false }, editor, world.deps({ moveJobThresholdBytes: 2 }));
      const deps = world.deps();
      const remove = deps.objects.delete;
      deps.objects.delete = async () => {
        throw new Error('S3 503');
      };
      await expect(runMoveJob({ jobId: 'j'.repeat(22) }, deps)).rejects.toThrow('S3 503');
      deps.objects.delete = remove;
      // Act
      expect(await runMoveJob({ jobId: 'j'.repeat(22) }, world.deps())).toBe('succeeded');
      // Assess
      expect(world.rows.get(target)).toMatchObject({ processing: 'ready', derived: { thumb: derivedKeyOf(target, ETAG, 'thumb') } });
    });
  });

  describe('updateFile of a file above the move job threshold', () => {
    const source = 'media/trips/IMG 1.jpg';
    const id = fileIdOf(source);
    const jobDeps = (world: World) => world.deps({ moveJobThresholdBytes: 2 });

    it('answers a pending job, writes the move session and starts the job, leaving the original in place', async () => {
      const world = new World();
      world.add(catalogFile(source));

      const result = await updateFile(id, { folder: '/archive', overwrite: false }, editor, jobDeps(world));

      expect(result).toEqual({
        job: { id: 'j'.repeat(22), kind: 'move', status: 'pending', destination: { folder: '/archive', name: 'IMG 1.jpg' }, size: 3, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() },
      });
      expect(world.started).toEqual(['j'.repeat(22)]);
      expect(world.sessions).toEqual([expect.objectContaining({ uploadId: 'm'.repeat(22), key: 'media/archive/IMG 1.jpg', movedFrom: source })]);
      expect(world.objects.has(source)).toBe(true);
      expect(world.objects.has('media/archive/IMG 1.jpg')).toBe(false);
    });

    it('refuses a name clash at once (409), starting no job', async () => {
      const world = new World();
      world.add(catalogFile(source));
      world.add(catalogFile('media/trips/taken.jpg'));
      expect(await caught(updateFile(id, { name: 'taken.jpg', overwrite: false }, editor, jobDeps(world)))).toBeInstanceOf(Conflict);
      expect(world.started).toEqual([]);
    });
  });

  describe('runMoveJob', () => {
    const source = 'media/trips/IMG 1.jpg';
    const target = 'media/archive/IMG 1.jpg';
    const id = fileIdOf(source);
    const JOB = 'j'.repeat(22);

    async function started(world: World): Promise<void> {
      world.add(catalogFile(source));
      await updateFile(id, { folder: '/archive', overwrite: false }, editor, world.deps({ moveJobThresholdBytes: 2 }));
    }

    it('copies, verifies, deletes the original and records success with the new file id', async () => {
      const world = new World();
      await started(world);

      const outcome = await runMoveJob({ jobId: JOB }, world.deps());

      expect(outcome).toBe('succeeded');
      expect(world.jobs.get(JOB)).toMatchObject({ status: 'succeeded', fileId: fileIdOf(target), attempts: 1 });
      expect(world.objects.has(source)).toBe(false);
      expect(world.objects.get(target)).toEqual({ bytes: 'abc', metadata: { 'upload-id': 'u'.repeat(22), [MOVE_ID_METADATA]: 'm'.repeat(22) } });
      expect(world.rows.get(target)).toMatchObject({ status: 'available', uploadedBy: 'ana' });
    });

    it('does nothing on a duplicate delivery of a finished job', async () => {
      const world = new World();
      await started(world);
      await runMoveJob({ jobId: JOB }, world.deps());
      world.objects.set(source, { bytes: 'new upload', metadata: {} });

      expect(await runMoveJob({ jobId: JOB }, world.deps())).toBe('skipped');
      expect(world.objects.get(source)?.bytes).toBe('new upload');
      expect(world.jobs.get(JOB)?.attempts).toBe(1);
    });

    it('throws for Lambda to retry a failed delete, keeping the original, and finishes on the retry', async () => {
      const world = new World();
      await started(world);
      world.failures.add('delete');

      await expect(runMoveJob({ jobId: JOB }, world.deps())).rejects.toThrow('S3 503');
      expect(world.objects.has(source)).toBe(true);
      expect(world.jobs.get(JOB)?.status).toBe('running');
      world.failures.delete('delete');
      expect(await runMoveJob({ jobId: JOB }, world.deps())).toBe('succeeded');
      expect(world.objects.has(source)).toBe(false);
      expect(world.objects.get(target)?.metadata[MOVE_ID_METADATA]).toBe('m'.repeat(22));
    });

    it('succeeds on a retry after an earlier run verified the copy and deleted the original but died before recording it', async () => {
      const world = new World();
      await started(world);
      const original = world.objects.get(source) as { bytes: string; metadata: Record<string, string> };
      world.objects.set(target, { bytes: original.bytes, metadata: { ...original.metadata, [MOVE_ID_METADATA]: 'm'.repeat(22) } });
      world.objects.delete(source);
      world.rows.set(source, { id, key: source, folder: '/trips', name: 'IMG 1.jpg', deletedAt: NOW.toISOString(), ttl: 1, status: 'deleted' });

      expect(await runMoveJob({ jobId: JOB }, world.deps())).toBe('succeeded');
      expect(world.jobs.get(JOB)).toMatchObject({ status: 'succeeded', fileId: fileIdOf(target) });
    });

    it('records a final failure without retry when the copy does not verify, keeping the original', async () => {
      const world = new World();
      await started(world);
      world.failures.add('copy-wrong');

      expect(await runMoveJob({ jobId: JOB }, world.deps())).toBe('failed');
      expect(world.jobs.get(JOB)).toMatchObject({ status: 'failed', error: { code: 'MoveNotVerified' } });
      expect(world.objects.get(source)?.bytes).toBe('abc');
    });

    it('records the failure of the last attempt the retries allow', async () => {
      const world = new World();
      await started(world);
      world.failures.add('copy');

      await expect(runMoveJob({ jobId: JOB }, world.deps())).rejects.toThrow();
      await expect(runMoveJob({ jobId: JOB }, world.deps())).rejects.toThrow();
      expect(await runMoveJob({ jobId: JOB }, world.deps())).toBe('failed');
      expect(world.jobs.get(JOB)).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'MoveFailed' } });
      expect(world.objects.has(source)).toBe(true);
    });

    it('ignores an event without a job id', async () => {
      expect(await runMoveJob({ nope: 1 }, new World().deps())).toBe('skipped');
    });
  });

  describe('getJob', () => {
    it('shows a job to its owner and admins, and is a 404 for anyone else', async () => {
      const world = new World();
      world.add(catalogFile('media/trips/IMG 1.jpg'));
      await updateFile(fileIdOf('media/trips/IMG 1.jpg'), { folder: '/archive', overwrite: false }, editor, world.deps({ moveJobThresholdBytes: 2 }));

      expect(await getJob('j'.repeat(22), editor, world.deps())).toMatchObject({ job: { status: 'pending' } });
      expect(await getJob('j'.repeat(22), { username: 'root', role: 'admin' }, world.deps())).toMatchObject({ job: { status: 'pending' } });
      expect(await caught(getJob('j'.repeat(22), { username: 'other', role: 'editor' }, world.deps()))).toMatchObject({ statusCode: 404, code: 'JobNotFound' });
      expect(await caught(getJob('../x', editor, world.deps()))).toMatchObject({ statusCode: 404 });
    });
  });

  describe('deleteFile (to the trash)', () => {
    it('copies the bytes to the trash, records the row whole, deletes the original and previews the tombstone', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg', { media: { takenAt: '2020-01-02T03:04:05.000Z' } }));
      await deleteFile(fileIdOf('media/a/x.jpg'), editor, world.deps());
      expect(world.objects.has('media/a/x.jpg')).toBe(false);
      expect(world.rows.get('media/a/x.jpg')).toMatchObject({ status: 'deleted', sequencer: SEQ });
      const [entry] = [...world.trashEntries.values()];
      expect(entry).toMatchObject({ deletedBy: 'ed', file: { tags: ['beach'], description: 'sunset', uploadedBy: 'ana', media: { takenAt: '2020-01-02T03:04:05.000Z' } } });
      expect(world.objects.get(entry?.trashKey as string)?.bytes).toBe('abc');
      expect(Date.parse(entry?.expiresAt as string) - NOW.getTime()).toBe(30 * 24 * 3600 * 1000);
    });

    it('trashes an object the catalog has not caught up with yet', async () => {
      const world = new World();
      world.objects.set('media/a/new.jpg', { bytes: 'x', metadata: {} });
      await deleteFile(fileIdOf('media/a/new.jpg'), editor, world.deps());
      expect(world.objects.has('media/a/new.jpg')).toBe(false);
      expect([...world.trashEntries.values()][0]).toMatchObject({ file: { name: 'new.jpg', folder: '/a' } });
    });

    it('keeps the original when the copy to the trash fails', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      world.failures.add('copy');
      await expect(deleteFile(fileIdOf('media/a/x.jpg'), editor, world.deps())).rejects.toThrow();
      expect(world.objects.has('media/a/x.jpg')).toBe(true);
      expect(world.trashEntries.size).toBe(0);
    });

    it('throws NotFound when neither catalog nor bucket has it, and 403 for viewers', async () => {
      const world = new World();
      world.add(catalogFile('media/a/x.jpg'));
      expect(await caught(deleteFile(fileIdOf('media/a/none.jpg'), editor, world.deps()))).toBeInstanceOf(NotFound);
      expect(await caught(deleteFile(fileIdOf('media/a/x.jpg'), viewer, world.deps()))).toBeInstanceOf(Forbidden);
      expect(world.objects.has('media/a/x.jpg')).toBe(true);
    });
  });

  describe('restoreEntry', () => {
    async function trashed(world: World, key = 'media/a/x.jpg'): Promise<TrashEntry> {
      world.add(catalogFile(key));
      await deleteFile(fileIdOf(key), editor, world.deps());
      return [...world.trashEntries.values()].find((e) => e.file.key === key) as TrashEntry;
    }

    it('copies the very bytes back with a session holding uploader, tags, description and upload time', async () => {
      const world = new World();
      const entry = await trashed(world);
      const restored = await restoreEntry(entry, editor, world.deps());
      expect(restored).toEqual({ file: { id: fileIdOf('media/a/x.jpg'), folder: '/a', name: 'x.jpg' }, renamed: false });
      expect(world.objects.get('media/a/x.jpg')?.bytes).toBe('abc');
      const session = world.sessions.at(-1) as UploadSession;
      expect(world.objects.get('media/a/x.jpg')?.metadata[MOVE_ID_METADATA]).toBe(session.uploadId);
      expect(session).toMatchObject({ owner: 'ana', tags: ['beach'], description: 'sunset', uploadedAt: '2024-04-01T00:00:00.000Z', sha256: 'c2hh', key: 'media/a/x.jpg' });
      expect(world.rows.get('media/a/x.jpg')).toMatchObject({ status: 'available', tags: ['beach'] });
      expect(world.trashEntries.size).toBe(0);
      expect(world.objects.has(entry.trashKey)).toBe(false);
    });

    it('restores beside the place under a free name when the place is taken', async () => {
      const world = new World();
      const entry = await trashed(world);
      world.add(catalogFile('media/a/x.jpg', { tags: ['new'] }));
      world.add(catalogFile('media/a/x (restored).jpg'));
      const restored = await restoreEntry(entry, editor, world.deps());
      expect(restored).toEqual({ file: { id: fileIdOf('media/a/x (restored 2).jpg'), folder: '/a', name: 'x (restored 2).jpg' }, renamed: true });
      expect(world.rows.get('media/a/x.jpg')).toMatchObject({ tags: ['new'] });
    });

    it('shows an entry to its uploader, its deleter and admins only', async () => {
      const world = new World();
      const entry = await trashed(world);
      expect(await entryFor(entry.id, { username: 'ana', role: 'editor' }, world.deps())).toBe(entry);
      expect(await entryFor(entry.id, { username: 'root', role: 'admin' }, world.deps())).toBe(entry);
      expect(await caught(entryFor(entry.id, { username: 'eve', role: 'editor' }, world.deps()))).toMatchObject({ statusCode: 404, code: 'TrashEntryNotFound' });
      expect((await listTrash({ limit: 10 }, { username: 'eve', role: 'editor' }, world.deps())).entries).toEqual([]);
      expect((await listTrash({ limit: 10 }, editor, world.deps())).entries).toMatchObject([{ id: entry.id, name: 'x.jpg', folder: '/a', deletedBy: 'ed' }]);
    });

    it('deletes forever: bytes and entry', async () => {
      const world = new World();
      const entry = await trashed(world);
      await purgeEntry(entry, world.deps());
      expect(world.objects.has(entry.trashKey)).toBe(false);
      expect(world.trashEntries.size).toBe(0);
    });
  });

  describe('trash jobs', () => {
    it('refuses a body without ids or all, and emptying everyone\'s trash to non-admins', async () => {
      expect(() => parseTrashJobRequest({ action: 'restore' })).toThrow(ValidationError);
      expect(() => parseTrashJobRequest({ action: 'restore', ids: ['../x'] })).toThrow(/ids\[0\]/);
      expect(() => parseTrashJobRequest({ action: 'burn', all: true })).toThrow(/action/);
      expect(await caught(startTrashJob({ action: 'purge' }, editor, new World().deps()))).toBeInstanceOf(Forbidden);
    });

    it('deletes a folder with its subfolders to the trash, then restores all of it', async () => {
      const world = new World();
      for (const key of ['media/t/a.jpg', 'media/t/b.jpg', 'media/t/sub/c.jpg', 'media/keep/d.jpg']) world.add(catalogFile(key));
      world.markers.add('/t').add('/t/sub').add('/keep');
      const { job } = await startTrashJob({ action: 'restore' }, editor, world.deps());
      expect(world.started).toEqual([job.id]);

      const folderJob = { ...(world.trashJobs.get(job.id) as TrashJobRecord), id: 'f'.repeat(22), action: 'delete-folder' as const, folder: '/t' };
      world.trashJobs.set(folderJob.id, folderJob);
      expect(await runTrashJob(folderJob.id, world.deps())).toBe('succeeded');
      expect(world.trashJobs.get(folderJob.id)).toMatchObject({ status: 'succeeded', done: 3, failed: 0 });
      expect([...world.markers]).toEqual(['/keep']);
      expect(world.objects.has('media/t/sub/c.jpg')).toBe(false);
      expect([...world.trashEntries.values()].map((e) => e.deletedWithFolder)).toEqual(['/t', '/t', '/t']);

      expect(await runTrashJob(job.id, world.deps())).toBe('succeeded');
      expect(world.trashJobs.get(job.id)).toMatchObject({ status: 'succeeded', done: 3 });
      expect(['media/t/a.jpg', 'media/t/b.jpg', 'media/t/sub/c.jpg'].map((k) => world.objects.get(k)?.bytes)).toEqual(['abc', 'abc', 'abc']);
      expect(world.trashEntries.size).toBe(0);
      // A duplicate delivery of a finished job does nothing.
      expect(await runTrashJob(job.id, world.deps())).toBe('skipped');
    });

    /** `count` files of /big in the trash (a delete-folder job without hand-overs), and a job emptying them by id. */
    async function trashedFolder(world: World, count: number, id: string): Promise<TrashJobRecord> {
      for (let i = 0; i < count; i += 1) world.add(catalogFile(`media/big/f${String(i).padStart(3, '0')}.jpg`));
      world.markers.add('/big');
      const base = { kind: 'trash', owner: 'ed', ownerIsAdmin: true, status: 'pending', attempts: 0, done: 0, failed: 0, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() } as const;
      world.trashJobs.set('d'.repeat(22), { ...base, id: 'd'.repeat(22), action: 'delete-folder', folder: '/big' });
      expect(await runTrashJob('d'.repeat(22), world.deps())).toBe('succeeded');
      const purge: TrashJobRecord = { ...base, id, action: 'purge', ids: [...world.trashEntries.keys()] };
      world.trashJobs.set(id, purge);
      return purge;
    }

    it('hands a job longer than a run over to its next run, attempts counted afresh, until every item is done', async () => {
      // Prepare: 250 files in the trash, emptied by id (pages of 100); every run is short of time once its first page is done.
      const world = new World();
      const purge = await trashedFolder(world, 250, 'p'.repeat(22));
      expect(purge.ids).toHaveLength(250);
      const nextRuns: string[] = [];
      const deps = world.deps({ remainingMs: () => HAND_OVER_MARGIN_MS - 1, startNextRun: async (id: string) => void nextRuns.push(id) });

      // Act: a run, then each run the one before started.
      const outcomes: string[] = [];
      for (let run = 0; run < 5 && world.trashJobs.get(purge.id)?.status !== 'succeeded'; run += 1) {
        outcomes.push(await runTrashJob(purge.id, deps));
        // Assess (each hand-over): the next run's attempts start from nothing.
        if (outcomes.at(-1) === 'handed-over') expect(world.trashJobs.get(purge.id)).toMatchObject({ status: 'running', attempts: 0 });
      }

      // Assess
      expect(outcomes).toEqual(['handed-over', 'handed-over', 'succeeded']);
      expect(nextRuns).toEqual([purge.id, purge.id]);
      expect(world.trashJobs.get(purge.id)).toMatchObject({ status: 'succeeded', done: 250, failed: 0 });
      expect(world.trashEntries.size).toBe(0);
      expect([...world.objects.keys()].filter((k) => k.startsWith('trash/'))).toEqual([]);
    });

    it('never hands over without a way to start the next run: it goes on to the end', async () => {
      const world = new World();
      const purge = await trashedFolder(world, 150, 'q'.repeat(22));
      expect(await runTrashJob(purge.id, world.deps({ remainingMs: () => 1 }))).toBe('succeeded');
      expect(world.trashJobs.get(purge.id)).toMatchObject({ status: 'succeeded', done: 150 });
      expect(world.trashEntries.size).toBe(0);
    });
  });

});
