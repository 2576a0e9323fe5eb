/**
 * Random histories of one bucket and the S3 events they cause, for the property tests of
 * the catalog sync (test/unit/handlers/sync/sync-order.test.ts in memory, test/e2e/sync-order.test.ts on
 * DynamoDB Local).
 *
 * A scenario is a list of operations on a few keys (puts, posts, copies, multipart
 * completions, deletes, delete markers, deletions of a noncurrent version), each stamped with a growing hex sequencer whose
 * length changes on the way, as S3's do. Every event is delivered one to three times. A
 * delivery reads HeadObject at some moment after its operation (the bucket as it is then,
 * maybe already changed by later operations) and writes at a position of a random total
 * order of all writes: every combination is something S3 and Lambda can do.
 */
import fc from 'fast-check';
import type { WriteOutcome } from '../../handlers/adapters/files-repository';
import type { CatalogFile, CatalogTombstone, ObjectHead, S3NotificationRecord, UploadSession } from '../../handlers/core/catalog';
import { normalizeSequencer } from '../../handlers/core/sequencer';
import { createLogger } from '../../handlers/core/logger';
import { syncObjectEvents, type SyncDeps } from '../../handlers/sync/sync-objects';
import { encodeEventKey } from '../../local/s3';

const BUCKET = 'media-bucket';
const NAMES = ['IMG 1.jpg', 'clip+1.mp4', 'ünï cödé.png', 'notes.txt'] as const;
const TYPES = ['image/jpeg', 'video/mp4', 'image/png', 'text/plain'] as const;
const OWNERS = ['ana', 'ben'] as const;

/** `deleteVersion`: a versioned bucket's noncurrent version deleted; the current object stays. */
type OperationKind = 'put' | 'post' | 'copy' | 'multipart' | 'delete' | 'deleteMarker' | 'deleteVersion';
const EVENT_NAMES: Record<OperationKind, string> = {
  put: 'ObjectCreated:Put',
  post: 'ObjectCreated:Post',
  copy: 'ObjectCreated:Copy',
  multipart: 'ObjectCreated:CompleteMultipartUpload',
  delete: 'ObjectRemoved:Delete',
  deleteMarker: 'ObjectRemoved:DeleteMarkerCreated',
  deleteVersion: 'ObjectRemoved:Delete',
};

interface Operation {
  readonly kind: OperationKind;
  readonly name: number;
  readonly size: number;
  readonly type: number;
  readonly owner: number;
}

interface Delivery {
  /** Index of the operation whose event this is. */
  readonly operation: number;
  /** How many operations later HeadObject runs (clamped to the history). */
  readonly headLag: number;
  /** Position in the total order of writes. */
  readonly order: number;
}

interface Scenario {
  readonly operations: readonly Operation[];
  readonly sequencerStart: number;
  readonly sequencerSteps: readonly number[];
  readonly copies: readonly number[];
  readonly lags: readonly number[];
  readonly orders: readonly number[];
}

const operation: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constantFrom<OperationKind>('put', 'put', 'post', 'copy', 'multipart', 'delete', 'delete', 'deleteMarker', 'deleteVersion'),
  name: fc.nat({ max: NAMES.length - 1 }),
  size: fc.nat({ max: 5_000_000 }),
  type: fc.nat({ max: TYPES.length - 1 }),
  owner: fc.nat({ max: OWNERS.length - 1 }),
});

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.array(operation, { minLength: 1, maxLength: 8 }).chain((operations) =>
  fc.record({
    operations: fc.constant(operations),
    // Starts just below a hex digit boundary now and then, so lengths change mid-history.
    sequencerStart: fc.oneof(fc.integer({ min: 0xfff0, max: 0xffff }), fc.integer({ min: 1, max: 0xffffff })),
    sequencerSteps: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: operations.length, maxLength: operations.length }),
    copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: operations.length, maxLength: operations.length }),
    lags: fc.array(fc.nat({ max: 8 }), { minLength: operations.length * 3, maxLength: operations.length * 3 }),
    orders: fc.array(fc.nat({ max: 1000 }), { minLength: operations.length * 3, maxLength: operations.length * 3 }),
  }),
);

/** A bucket object as the model keeps it. */
interface ModelObject {
  readonly head: ObjectHead;
  /** Who uploaded it, through an upload session; `undefined` for copies. */
  readonly owner?: string;
  readonly sequencer: string;
}

interface History {
  readonly keys: readonly string[];
  /** `states[i]`: the bucket after the first `i` operations. */
  readonly states: readonly ReadonlyMap<string, ModelObject>[];
  readonly records: readonly S3NotificationRecord[];
  readonly sessions: ReadonlyMap<string, UploadSession>;
  readonly deliveries: readonly Delivery[];
  /** The greatest normalized sequencer of each key's events. */
  readonly lastSequencer: ReadonlyMap<string, string>;
  /** ETags of objects a noncurrent-version deletion followed: announced at most once, maybe never. */
  readonly mayGoUnannounced: ReadonlySet<string>;
}

/** Plays a scenario in folder `folder` (one per run, so runs can share a table). */
export function historyOf(scenario: Scenario, folder: string): History {
  const keyOf = (name: number): string => `media${folder}/${NAMES[name]}`;
  let sequencer = BigInt(scenario.sequencerStart);
  let current = new Map<string, ModelObject>();
  const states: Map<string, ModelObject>[] = [current];
  const records: S3NotificationRecord[] = [];
  const sessions = new Map<string, UploadSession>();
  const lastSequencer = new Map<string, string>();
  const mayGoUnannounced = new Set<string>();

  scenario.operations.forEach((op, index) => {
    sequencer += BigInt(scenario.sequencerSteps[index]);
    const hex = sequencer.toString(16).toUpperCase();
    const key = keyOf(op.name);
    const next = new Map(current);
    if (op.kind === 'delete' || op.kind === 'deleteMarker') {
      next.delete(key);
    } else if (op.kind === 'deleteVersion') {
      // Only an older version goes: the key keeps its current object, if any. This removal's
      // event may reach the row before the upload's own event, which is then stale: the
      // row is right, but that upload is never announced (a removal announces nothing).
      const kept = current.get(key)?.head.etag;
      if (kept !== undefined) mayGoUnannounced.add(kept);
    } else {
      const uploadId = `${folder.replace(/[^A-Za-z0-9]/g, '').slice(-8).padStart(8, 'x')}${String(index).padStart(14, '0')}`;
      const viaSession = op.kind !== 'copy';
      const contentType = TYPES[op.type];
      const head: ObjectHead = { size: op.size, contentType, etag: `etag-${index}`, metadata: viaSession ? { 'upload-id': uploadId } : {} };
      if (viaSession) {
        const [, ...rest] = key.split('/');
        const name = rest.pop()!;
        sessions.set(uploadId, {
          uploadId,
          owner: OWNERS[op.owner],
          folder: rest.length === 0 ? '/' : `/${rest.join('/')}`,
          name,
          key,
          contentType,
          size: op.size,
          tags: [`t${index}`],
          createdAt: '2024-05-01T10:00:00.000Z',
          expiresAt: '2024-05-01T10:15:00.000Z',
        });
      }
      next.set(key, { head, ...(viaSession ? { owner: OWNERS[op.owner] } : {}), sequencer: hex });
    }
    records.push({
      eventName: EVENT_NAMES[op.kind],
      eventTime: new Date(Date.UTC(2024, 4, 1, 10, 0, index)).toISOString(),
      s3: {
        bucket: { name: BUCKET },
        object: { key: encodeEventKey(key), sequencer: hex, ...(EVENT_NAMES[op.kind].startsWith('ObjectCreated:') ? { eTag: `etag-${index}` } : {}) },
      },
    });
    lastSequencer.set(key, normalizeSequencer(hex)!);
    current = next;
    states.push(current);
  });

  const deliveries: Delivery[] = [];
  scenario.copies.forEach((copies, op) => {
    for (let copy = 0; copy < copies; copy++) {
      const slot = op * 3 + copy;
      deliveries.push({ operation: op, headLag: scenario.lags[slot], order: scenario.orders[slot] * 100 + slot });
    }
  });
  deliveries.sort((a, b) => a.order - b.order);
  return { keys: [...new Set(scenario.operations.map((op) => keyOf(op.name)))], states, records, sessions, deliveries, lastSequencer, mayGoUnannounced };
}

/** The catalog side the sync writes to, as the test reads it back. */
export interface CatalogUnderTest {
  readonly files: SyncDeps['files'];
  /** Every row of `keys` (available or tombstone). */
  rows(keys: readonly string[]): Promise<Map<string, CatalogFile | CatalogTombstone>>;
}

interface PlayedHistory {
  /** ETags of the objects announced as processed uploads. */
  readonly announced: readonly string[];
}

const quiet = createLogger({ level: 'error', write: () => undefined });

/**
 * Delivers every event of the history to the real `syncObjectEvents`, in `groups` of
 * concurrent deliveries (Lambda runs several at once), each delivery seeing the bucket as it
 * was `headLag` operations after its own.
 */
export async function play(history: History, catalog: CatalogUnderTest, groupSize = 1): Promise<PlayedHistory> {
  const announced: string[] = [];
  const last = history.states.length - 1;
  const deliver = (delivery: Delivery) => {
    const state = history.states[Math.min(last, delivery.operation + 1 + delivery.headLag)];
    const deps: SyncDeps = {
      bucket: BUCKET,
      objects: { head: async (key) => state.get(key)?.head },
      uploads: { get: async (id) => history.sessions.get(id) },
      files: catalog.files,
      notify: async (file) => void announced.push(file.etag ?? '?'),
      logger: quiet,
      now: () => new Date('2024-05-01T11:00:00.000Z'),
    };
    return syncObjectEvents([history.records[delivery.operation]], deps);
  };
  for (let i = 0; i < history.deliveries.length; i += groupSize) {
    await Promise.all(history.deliveries.slice(i, i + groupSize).map(deliver));
  }
  return { announced };
}

/**
 * How the catalog differs from the bucket at the end of the history: for each key, the
 * row must be available and describe the final object, or be a tombstone when none is left.
 * Also: the final object was announced exactly once (at most once after a noncurrent-version
 * deletion, see `historyOf`), and no object twice.
 * Returns readable differences; empty when equal.
 */
export function differences(history: History, rows: ReadonlyMap<string, CatalogFile | CatalogTombstone>, played: PlayedHistory): string[] {
  const final = history.states[history.states.length - 1];
  const found: string[] = [];
  for (const key of history.keys) {
    const object = final.get(key);
    const row = rows.get(key);
    if (object === undefined) {
      // The last event of a key without an object is a removal: its tombstone must be there.
      if (row === undefined || row.status !== 'deleted') found.push(`${key}: row ${row?.status ?? 'missing'} but no object`);
      else if (row.sequencer !== history.lastSequencer.get(key)) found.push(`${key}: tombstone not from the last event`);
      continue;
    }
    if (row === undefined || row.status !== 'available') {
      found.push(`${key}: object ${object.head.etag} but row ${row?.status ?? 'missing'}`);
      continue;
    }
    const expected = { size: object.head.size, contentType: object.head.contentType, etag: object.head.etag, uploadedBy: object.owner ?? 'unknown' };
    const actual = { size: row.size, contentType: row.contentType, etag: row.etag, uploadedBy: row.uploadedBy };
    if (JSON.stringify(expected) !== JSON.stringify(actual)) found.push(`${key}: row ${JSON.stringify(actual)} ≠ object ${JSON.stringify(expected)}`);
    if (row.sequencer !== history.lastSequencer.get(key)) found.push(`${key}: row sequencer ${row.sequencer} is not the last event's`);
    const announced = played.announced.filter((etag) => etag === object.head.etag).length;
    const allowed = history.mayGoUnannounced.has(object.head.etag!) ? [0, 1] : [1];
    if (!allowed.includes(announced)) found.push(`${key}: final object announced ${announced} times`);
  }
  const repeated = played.announced.filter((etag, i) => played.announced.indexOf(etag) !== i);
  if (repeated.length > 0) found.push(`announced twice: ${repeated.join(', ')}`);
  return found;
}

/** The DynamoDB condition of FilesRepository, in memory: write when absent or older. */
export class MemoryFileCatalog implements CatalogUnderTest {
  private readonly items = new Map<string, CatalogFile | CatalogTombstone>();
  readonly files = {
    upsert: async (file: CatalogFile): Promise<WriteOutcome> => this.putIfNewer(file),
    tombstone: async (tombstone: CatalogTombstone): Promise<WriteOutcome> => this.putIfNewer(tombstone),
  };

  async rows(keys: readonly string[]): Promise<Map<string, CatalogFile | CatalogTombstone>> {
    return new Map(keys.flatMap((key) => (this.items.has(key) ? [[key, this.items.get(key)!] as const] : [])));
  }

  private putIfNewer(row: CatalogFile | CatalogTombstone): WriteOutcome {
    // `attribute_not_exists(pk) OR attribute_not_exists(sequencer) OR sequencer < :sequencer`
    const current = this.items.get(row.key);
    if (current !== undefined && !(current.sequencer < row.sequencer)) return 'stale';
    this.items.set(row.key, row);
    return 'applied';
  }
}
