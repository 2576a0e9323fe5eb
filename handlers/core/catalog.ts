/**
 * What an S3 event does to the catalog, decided without I/O: the sync handler gathers the
 * object's head and its upload session, asks `applyObjectEvent`, and hands the decision to
 * the repository, which applies it only if the event's sequencer is newer than the row's.
 */
import { fileTypeOf, type FileType } from './content-types';
import { decodeEventKey, fileIdOf, parseObjectKey } from './paths';
import { normalizeSequencer } from './sequencer';

/** How long a tombstone keeps late "created" events from resurrecting a deleted file. */
export const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;
/** Uploader recorded for objects put into the bucket without an upload session. */
export const UNKNOWN_UPLOADER = 'unknown';

export interface UploadSession {
  readonly uploadId: string;
  /** Username of the uploader. */
  readonly owner: string;
  readonly folder: string;
  readonly name: string;
  readonly key: string;
  readonly contentType: string;
  readonly size: number;
  readonly tags: readonly string[];
  readonly description?: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601: when the upload URL stops working. */
  readonly expiresAt: string;
}

/** The parts of HeadObject the catalog uses. */
export interface ObjectHead {
  readonly size: number;
  readonly contentType?: string;
  readonly lastModified?: Date;
  readonly etag?: string;
  /** User metadata, lower-case names without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CatalogFile {
  readonly id: string;
  readonly key: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileType: FileType;
  /** ISO 8601. */
  readonly uploadedAt: string;
  readonly uploadedBy: string;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly etag?: string;
  readonly uploadId?: string;
  /** Normalized sequencer of the last event applied. */
  readonly sequencer: string;
  readonly status: 'available';
}

export interface CatalogTombstone {
  readonly id: string;
  readonly key: string;
  readonly folder: string;
  readonly name: string;
  readonly sequencer: string;
  /** ISO 8601. */
  readonly deletedAt: string;
  /** Epoch seconds for the table's TTL. */
  readonly ttl: number;
  readonly status: 'deleted';
}

export interface ObjectEvent {
  readonly kind: 'created' | 'removed';
  readonly bucket: string;
  /** Decoded S3 key. */
  readonly key: string;
  readonly sequencer: string;
  /** ISO 8601. */
  readonly eventTime: string;
}

export type SkipReason = 'unsupported-event' | 'bad-key' | 'bad-sequencer' | 'not-a-catalog-key' | 'object-gone';

export type CatalogDecision =
  | { readonly action: 'upsert'; readonly file: CatalogFile }
  | { readonly action: 'tombstone'; readonly tombstone: CatalogTombstone }
  | { readonly action: 'skip'; readonly reason: SkipReason };

/** The S3 notification record fields read here (a subset of aws-lambda's S3EventRecord). */
export interface S3NotificationRecord {
  readonly eventName: string;
  readonly eventTime: string;
  readonly s3: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string; readonly sequencer?: string | number } };
}

/** The event an S3 record describes, or why it is ignored. */
export function parseObjectEvent(record: S3NotificationRecord): ObjectEvent | { readonly skip: SkipReason } {
  const kind = record.eventName.startsWith('ObjectCreated:') ? 'created' : record.eventName.startsWith('ObjectRemoved:') ? 'removed' : undefined;
  if (kind === undefined) return { skip: 'unsupported-event' };
  const key = decodeEventKey(record.s3.object.key);
  if (key === undefined) return { skip: 'bad-key' };
  const sequencer = normalizeSequencer(String(record.s3.object.sequencer ?? ''));
  if (sequencer === undefined) return { skip: 'bad-sequencer' };
  return { kind, bucket: record.s3.bucket.name, key, sequencer, eventTime: record.eventTime };
}

function isoOr(value: string, fallback: Date): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? fallback.toISOString() : time.toISOString();
}

export interface ApplyObjectEventInput {
  readonly event: ObjectEvent;
  /** HeadObject of the key; `undefined` when the object no longer exists. Unused for removals. */
  readonly head?: ObjectHead;
  /** The upload session named by the object's `upload-id` metadata, if found. */
  readonly session?: UploadSession;
  readonly now: Date;
}

export function applyObjectEvent(input: ApplyObjectEventInput): CatalogDecision {
  const { event, head, now } = input;
  const location = parseObjectKey(event.key);
  if (location === undefined) return { action: 'skip', reason: 'not-a-catalog-key' };
  const id = fileIdOf(event.key);

  if (event.kind === 'removed') {
    const deletedAt = isoOr(event.eventTime, now);
    const ttl = Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS;
    return { action: 'tombstone', tombstone: { id, key: event.key, ...location, sequencer: event.sequencer, deletedAt, ttl, status: 'deleted' } };
  }

  if (head === undefined) return { action: 'skip', reason: 'object-gone' };
  // A session only counts for the key it was created for: metadata is client-controlled.
  const session = input.session?.key === event.key ? input.session : undefined;
  const contentType = head.contentType ?? session?.contentType ?? 'application/octet-stream';
  const file: CatalogFile = {
    id,
    key: event.key,
    ...location,
    size: head.size,
    contentType,
    fileType: fileTypeOf(contentType),
    uploadedAt: isoOr(event.eventTime, head.lastModified ?? now),
    uploadedBy: session?.owner ?? UNKNOWN_UPLOADER,
    tags: session?.tags ?? [],
    ...(session?.description !== undefined ? { description: session.description } : {}),
    ...(head.etag !== undefined ? { etag: head.etag } : {}),
    ...(session !== undefined ? { uploadId: session.uploadId } : {}),
    sequencer: event.sequencer,
    status: 'available',
  };
  return { action: 'upsert', file };
}
