/**
 * What an S3 event does to the catalog, decided without I/O: the sync handler gathers the
 * object's head and its upload session, asks `applyObjectEvent`, and hands the decision to
 * the repository, which applies it only if the event's sequencer is newer than the row's.
 * `fileFromObject` is the one rule for "the row an object implies" (sync and reconcile).
 */
import type { PartChecksumAlgorithm } from '../../contract/multipart';
import type { FileRecord } from '../../contract/wire';
import { fileTypeOf } from './content-types';
import { initialProcessing, type DerivedName, type MediaInfo, type ProcessingStatus } from './media';
import { decodeEventKey, fileIdOf, parseObjectKey } from './paths';
import { normalizeSequencer } from './sequencer';
import type { StoredVideo } from './video-copies';
import { carriedFields, type CarriedProcessing } from './carried-media';

/** How long a tombstone keeps late "created" events from resurrecting a deleted file. */
export const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;
/** Uploader recorded for objects put into the bucket without an upload session. */
export const UNKNOWN_UPLOADER = 'unknown';

export interface UploadSession {
  readonly uploadId: string;
  /** Username of the uploader. */
  readonly owner: string;
  /** The uploader's user id (handlers/core/user-ids.ts); absent on sessions stored before ids. */
  readonly ownerId?: string;
  readonly folder: string;
  readonly name: string;
  readonly key: string;
  readonly contentType: string;
  readonly size: number;
  readonly tags: readonly string[];
  readonly description?: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601: when the upload URL stops working (multipart: when the session does). */
  readonly expiresAt: string;
  /** @default 'single' (sessions written before multipart existed) */
  readonly mode?: UploadMode;
  /** Whole-file SHA-256 the client declared, base64. */
  readonly sha256?: string;
  /** Present when `mode` is 'multipart'. */
  readonly multipart?: MultipartState;
  /** @default 'pending' */
  readonly status?: UploadStatus;
  /**
   * Set when the files API moves a file (handlers/files/update-file.ts): the original upload
   * time, which the row of the new key keeps. Absent for uploads: the event time counts.
   */
  readonly uploadedAt?: string;
  /** Set when the files API moves a file: the key it was moved from. */
  readonly movedFrom?: string;
  /**
   * Set by a move once it copied the derived objects of the version it moves (core/carried-media.ts):
   * the new key's row is written `ready` with them, and the file is not processed again.
   */
  readonly carried?: CarriedProcessing;
}

export type UploadMode = 'single' | 'multipart';
export type UploadStatus = 'pending' | 'completed';

export interface MultipartState {
  /** S3's UploadId of the multipart upload (never shown to clients). */
  readonly s3UploadId: string;
  readonly partSize: number;
  readonly partCount: number;
  /** Set when every part must carry its checksum in this algorithm (S3 verifies each part's bytes). */
  readonly checksumAlgorithm?: PartChecksumAlgorithm;
  /** The completion may replace an existing object (else it sends `If-None-Match: *`). @default false */
  readonly overwrite?: boolean;
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
/** Metadata naming the session of a moved or restored object (handlers/files/move-file.ts `MOVE_ID_METADATA`). */
const MOVE_ID = 'move-id';

/**
 * The upload session an object's metadata names: the files API's `move-id` for a moved
 * file, else the uploader's `upload-id`; `undefined` when neither is a well-formed id.
 * Used by the sync function and by reconcile, so both find the same session.
 */
export function sessionIdOf(head: ObjectHead | undefined): string | undefined {
  const id = head?.metadata[MOVE_ID] ?? head?.metadata['upload-id'];
  return id !== undefined && SESSION_ID.test(id) ? id : undefined;
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

/**
 * A file's row: the fields the API shows (contract/wire.ts `FileRecord`; `sha256` declared at
 * upload and carried by the object's metadata, or recorded by the scrub's first read;
 * `corruptAt` never cleared but by a new version of the object) and what only the catalog keeps.
 */
export interface CatalogFile extends FileRecord {
  readonly key: string;
  readonly etag?: string;
  readonly uploadId?: string;
  /** Normalized sequencer of the last event applied. */
  readonly sequencer: string;
  readonly status: 'available';
  /** Thumbnails and metadata: absent on rows written before processing existed (treated as `pending`). */
  readonly processing?: ProcessingStatus;
  /** Why processing failed, short and safe to show. */
  readonly processingReason?: string;
  /** What processing learnt from the file. */
  readonly media?: MediaInfo;
  /** S3 keys of the derived images (under `derived/`), by name. */
  readonly derived?: Readonly<Partial<Record<DerivedName, string>>>;
  /** Their bytes together (the storage figures); absent on rows processed before it was recorded. */
  readonly derivedBytes?: number;
  /** A video's probe summary, decision and playable copy (its key under `derived/` too). */
  readonly video?: StoredVideo;
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
  /** ETag of the created object (created events), without quotes. */
  readonly etag?: string;
}

type SkipReason = 'unsupported-event' | 'bad-key' | 'bad-sequencer' | 'not-a-catalog-key' | 'object-gone';

type CatalogDecision =
  | {
      readonly action: 'upsert';
      readonly file: CatalogFile;
      /** The row describes the very object this event created: worth an "upload processed" notification. */
      readonly announce: boolean;
    }
  | { readonly action: 'tombstone'; readonly tombstone: CatalogTombstone }
  | { readonly action: 'skip'; readonly reason: SkipReason };

/** The S3 notification record fields read here (a subset of aws-lambda's S3EventRecord). */
export interface S3NotificationRecord {
  readonly eventName: string;
  readonly eventTime: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: { readonly key: string; readonly sequencer?: string | number; readonly eTag?: string };
  };
}

/** The event an S3 record describes, or why it is ignored. */
export function parseObjectEvent(record: S3NotificationRecord): ObjectEvent | { readonly skip: SkipReason } {
  const kind = record.eventName.startsWith('ObjectCreated:') ? 'created' : record.eventName.startsWith('ObjectRemoved:') ? 'removed' : undefined;
  if (kind === undefined) return { skip: 'unsupported-event' };
  const key = decodeEventKey(record.s3.object.key);
  if (key === undefined) return { skip: 'bad-key' };
  const sequencer = normalizeSequencer(String(record.s3.object.sequencer ?? ''));
  if (sequencer === undefined) return { skip: 'bad-sequencer' };
  const etag = kind === 'created' && typeof record.s3.object.eTag === 'string' && record.s3.object.eTag !== '' ? record.s3.object.eTag.replace(/"/g, '') : undefined;
  return { kind, bucket: record.s3.bucket.name, key, sequencer, eventTime: record.eventTime, ...(etag !== undefined ? { etag } : {}) };
}

function isoOr(value: string, fallback: Date): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? fallback.toISOString() : time.toISOString();
}

interface ApplyObjectEventInput {
  readonly event: ObjectEvent;
  /**
   * HeadObject of the key at processing time; `undefined` when no object is there now.
   * It shows the bucket as it is now, not as it was at the event: see `applyObjectEvent`.
   */
  readonly head?: ObjectHead;
  /** The upload session named by the object's `upload-id` metadata, if found. */
  readonly session?: UploadSession;
  readonly now: Date;
}

/**
 * The row an event leaves behind. Every event is treated as "this key changed at
 * `sequencer`; look at it now": the row records the object as HeadObject sees it at
 * processing time, stamped with the event's sequencer, and the repository applies it only
 * over an older sequencer. So whatever the arrival order, the event with the greatest
 * sequencer wins, and it was processed after the key's last change, so it saw the final
 * object. An older event processed late may record a newer object under its older
 * sequencer; that row is already the bucket's state and the newer event still overrides it.
 *
 * - created, object there → available row from the current object.
 * - created, object gone → skip: the removal that took it away has a newer sequencer.
 * - removed, object gone → tombstone.
 * - removed, object there → available row: in a versioned bucket deleting a noncurrent
 *   version or a delete marker leaves (or brings back) a current object, and a removal
 *   processed after a re-upload sees the new object.
 */
export function applyObjectEvent(input: ApplyObjectEventInput): CatalogDecision {
  const { event, head, now } = input;
  const location = parseObjectKey(event.key);
  if (location === undefined) return { action: 'skip', reason: 'not-a-catalog-key' };

  if (head === undefined) {
    if (event.kind === 'created') return { action: 'skip', reason: 'object-gone' };
    return { action: 'tombstone', tombstone: tombstoneOf(event.key, event.sequencer, isoOr(event.eventTime, now), now) };
  }
  const file = fileFromObject({
    key: event.key,
    head,
    ...(input.session !== undefined ? { session: input.session } : {}),
    sequencer: event.sequencer,
    // A removal that finds an object did not upload it: the object's own time is its upload time.
    uploadedAt: event.kind === 'created' || head.lastModified === undefined ? isoOr(event.eventTime, head.lastModified ?? now) : head.lastModified.toISOString(),
  });
  if (file === undefined) return { action: 'skip', reason: 'not-a-catalog-key' };
  // A late event may see a newer object than its own; only the event that made it announces it.
  const announce = event.kind === 'created' && (event.etag === undefined || head.etag === undefined || event.etag === head.etag);
  return { action: 'upsert', file, announce };
}

interface FileFromObjectInput {
  readonly key: string;
  readonly head: ObjectHead;
  /** The upload session named by the object's `upload-id` metadata, if found. */
  readonly session?: UploadSession;
  readonly sequencer: string;
  /** ISO 8601. */
  readonly uploadedAt: string;
}

/**
 * The catalog row an object implies: the one rule shared by the sync function and
 * `npm run reconcile`. `undefined` for keys this service does not catalog.
 */
export function fileFromObject(input: FileFromObjectInput): CatalogFile | undefined {
  const { key, head } = input;
  const location = parseObjectKey(key);
  if (location === undefined) return undefined;
  // A session only counts for the key it was created for: metadata is client-controlled.
  const session = input.session?.key === key ? input.session : undefined;
  // Results a move carried describe the bytes it copied: only its own copy (its move id) gets them.
  const carried = session?.carried !== undefined && head.metadata[MOVE_ID] === session.uploadId ? session.carried : undefined;
  return {
    id: fileIdOf(key),
    key,
    ...location,
    ...objectFieldsOf(head, session),
    uploadedAt: session?.uploadedAt ?? input.uploadedAt,
    uploadedBy: session?.owner ?? UNKNOWN_UPLOADER,
    tags: session?.tags ?? [],
    ...(session?.description !== undefined ? { description: session.description } : {}),
    ...(session !== undefined ? { uploadId: session.uploadId } : {}),
    // Only when the object carries the value its session declared (metadata alone is
    // client-controlled), or, for a multipart object, none: then the client declared it when
    // completing, having hashed the file while sending it.
    ...(session?.sha256 !== undefined && (head.metadata.sha256 === session.sha256 || (session.mode === 'multipart' && head.metadata.sha256 === undefined)) ? { sha256: session.sha256 } : {}),
    sequencer: input.sequencer,
    status: 'available',
    processing: initialProcessing(objectFieldsOf(head, session).contentType),
    ...(carried !== undefined ? carriedFields(carried) : {}),
  };
}

/** The fields of a row that come from the object itself (what reconcile compares). */
export type ObjectFields = Pick<CatalogFile, 'size' | 'contentType' | 'fileType' | 'etag'>;

export function objectFieldsOf(head: ObjectHead, session?: Pick<UploadSession, 'contentType'>): ObjectFields {
  const contentType = head.contentType ?? session?.contentType ?? 'application/octet-stream';
  return { size: head.size, contentType, fileType: fileTypeOf(contentType), ...(head.etag !== undefined ? { etag: head.etag } : {}) };
}

/** A removed key's row: no index keys, expires after `TOMBSTONE_TTL_SECONDS`. */
export function tombstoneOf(key: string, sequencer: string, deletedAt: string, now: Date): CatalogTombstone {
  const location = parseObjectKey(key);
  if (location === undefined) throw new Error(`not a catalog key: ${key}`);
  const ttl = Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS;
  return { id: fileIdOf(key), key, ...location, sequencer, deletedAt, ttl, status: 'deleted' };
}
