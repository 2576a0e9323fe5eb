/**
 * Keeps the catalog equal to the bucket from S3 notifications. Each record is handled on its
 * own; writes are conditional on the record's sequencer, so duplicates and late arrivals
 * are no-ops. Only real failures (DynamoDB, S3 errors) are rethrown — after every record
 * was tried — so Lambda's retry re-runs the batch, which is safe because it is idempotent.
 */
import { applyObjectEvent, parseObjectEvent, sessionIdOf, type CatalogFile, type S3NotificationRecord, type UploadSession } from '../core/catalog';
import type { Logger } from '../core/logger';
import type { ProcessRequest } from '../core/media';
import type { FileCatalog } from '../adapters/files-repository';
import type { FolderCatalog } from '../adapters/folders-repository';
import type { UploadProcessedNotifier } from '../adapters/notifications';
import type { ObjectStore } from '../adapters/object-store';
import type { ProcessTrigger } from '../adapters/process-trigger';
import type { UploadSessionStore } from '../adapters/uploads-repository';

export interface SyncDeps {
  readonly bucket: string;
  readonly objects: Pick<ObjectStore, 'head'>;
  readonly uploads: Pick<UploadSessionStore, 'get'>;
  readonly files: Pick<FileCatalog, 'upsert' | 'tombstone'>;
  readonly notify?: UploadProcessedNotifier;
  /** Marks the folders of every file that lands, so `GET /folders` lists them. */
  readonly folders?: Pick<FolderCatalog, 'ensureChain'>;
  /** Asks for thumbnails and metadata of a file written, or the removal of a deleted file's. */
  readonly process?: ProcessTrigger;
  /** A file of a drop link's upload landed: settle its quota, tell the owner once (handlers/shares/drop-arrivals.ts). */
  readonly dropArrival?: (file: CatalogFile, session: UploadSession) => Promise<unknown>;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

export type RecordOutcome = 'applied' | 'stale' | `skipped:${string}`;

export async function syncObjectEvents(records: readonly S3NotificationRecord[], deps: SyncDeps): Promise<RecordOutcome[]> {
  const settled = await Promise.allSettled(records.map((record) => syncRecord(record, deps)));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ index: i, error: s.reason as unknown }] : []));
  for (const failure of failures) deps.logger.error('record failed', { index: failure.index, key: records[failure.index]?.s3.object.key, error: failure.error });
  if (failures.length > 0) {
    throw new AggregateError(failures.map((f) => f.error), `${failures.length} of ${records.length} S3 records failed`);
  }
  return settled.map((s) => (s as PromiseFulfilledResult<RecordOutcome>).value);
}

async function syncRecord(record: S3NotificationRecord, deps: SyncDeps): Promise<RecordOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const event = parseObjectEvent(record);
  if ('skip' in event) return skipped(deps, event.skip, record.s3.object.key);
  if (event.bucket !== deps.bucket) return skipped(deps, 'other-bucket', event.key);

  // Removals look too: in a versioned bucket a removal can leave a current object behind.
  const head = await deps.objects.head(event.key);
  // A moved file names the session the files API wrote for its new key (see handlers/files/update-file.ts).
  const sessionId = sessionIdOf(head);
  const session: UploadSession | undefined = sessionId !== undefined ? await deps.uploads.get(sessionId) : undefined;

  const decision = applyObjectEvent({ event, ...(head !== undefined ? { head } : {}), ...(session !== undefined ? { session } : {}), now });
  switch (decision.action) {
    case 'skip':
      return skipped(deps, decision.reason, event.key);
    case 'tombstone': {
      const outcome = await deps.files.tombstone(decision.tombstone);
      deps.logger.info('file removed', { key: event.key, sequencer: event.sequencer, outcome });
      if (outcome === 'applied') await requestProcessing(deps, { kind: 'removed', key: event.key });
      return outcome;
    }
    case 'upsert': {
      const outcome = await deps.files.upsert(decision.file);
      if (outcome === 'applied' && deps.folders !== undefined) await deps.folders.ensureChain(decision.file.folder);
      deps.logger.info('file available', { key: event.key, sequencer: event.sequencer, outcome, size: decision.file.size, uploadedBy: decision.file.uploadedBy });
      // `ready` already when a move carried the derived objects of these very bytes (core/carried-media.ts).
      if (outcome === 'applied' && decision.file.processing === 'pending') await requestProcessing(deps, { kind: 'created', key: event.key });
      if (outcome === 'applied' && decision.announce && deps.notify !== undefined) {
        // The row is written; a lost notification must not make Lambda retry the write.
        await deps.notify(decision.file).catch((error: unknown) => deps.logger.error('notification failed', { key: event.key, error }));
      }
      // Also on a stale outcome: a retry after a failed settle finds the row already written. Idempotent.
      if (session !== undefined && deps.dropArrival !== undefined) await deps.dropArrival(decision.file, session);
      return outcome;
    }
  }
}

/**
 * The row is written: a failed hand-off must not make Lambda retry the write (the retry would
 * find the row current and not ask again). The file stays `pending`; `npm run reprocess --missing` picks it up.
 */
async function requestProcessing(deps: SyncDeps, request: ProcessRequest): Promise<void> {
  if (deps.process === undefined) return;
  await deps.process(request).catch((error: unknown) => deps.logger.error('processing request failed', { key: request.key, kind: request.kind, error }));
}

function skipped(deps: SyncDeps, reason: string, key: string): RecordOutcome {
  deps.logger.warn('record skipped', { reason, key });
  return `skipped:${reason}`;
}
