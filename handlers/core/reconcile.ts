/**
 * Drift between the bucket and the catalog, decided without I/O (`npm run reconcile`
 * gathers both sides). What a row should say about an object is `fileFromObject`'s rule,
 * the same one the sync function applies, so a repaired row is the row an event would
 * have written.
 */
import { fileFromObject, objectFieldsOf, tombstoneOf, type CatalogFile, type CatalogTombstone, type ObjectFields, type ObjectHead, type UploadSession } from './catalog';
import { parseObjectKey } from './paths';

/** An object of the bucket with its HeadObject and the upload session its metadata names. */
export interface BucketObject {
  readonly key: string;
  readonly head: ObjectHead;
  readonly session?: UploadSession;
}

/** A file row of the catalog as stored: an available file or a tombstone. */
export type StoredRow = CatalogFile | CatalogTombstone;

export type Drift =
  /** An object without an available row: `row` is the tombstone in its place, if any. */
  | { readonly kind: 'missing-row'; readonly key: string; readonly row?: CatalogTombstone; readonly repair: Omit<CatalogFile, 'sequencer'> }
  /** An available row without an object. */
  | { readonly kind: 'orphan-row'; readonly key: string; readonly row: CatalogFile; readonly repair: Omit<CatalogTombstone, 'sequencer'> }
  /** An available row that describes the object wrongly (size, content type, type, ETag). */
  | {
      readonly kind: 'wrong-fields';
      readonly key: string;
      readonly row: CatalogFile;
      readonly fields: readonly FieldDifference[];
      readonly repair: Omit<CatalogFile, 'sequencer'>;
    };

interface FieldDifference {
  readonly field: keyof ObjectFields;
  readonly catalog: string | number | undefined;
  readonly bucket: string | number | undefined;
}

export interface DriftReport {
  readonly objects: number;
  readonly rows: number;
  /** Objects under the prefix that cannot be catalog files (e.g. `media/folder/` markers). */
  readonly ignoredKeys: readonly string[];
  readonly drift: readonly Drift[];
}

const COMPARED: readonly (keyof ObjectFields)[] = ['size', 'contentType', 'fileType', 'etag'];

/** Compares the objects and rows under one prefix (both complete for it). */
export function findDrift(objects: readonly BucketObject[], rows: readonly StoredRow[], now: Date): DriftReport {
  const rowByKey = new Map(rows.map((row) => [row.key, row]));
  const objectKeys = new Set<string>();
  const ignoredKeys: string[] = [];
  const drift: Drift[] = [];

  for (const object of objects) {
    if (parseObjectKey(object.key) === undefined) {
      ignoredKeys.push(object.key);
      continue;
    }
    objectKeys.add(object.key);
    const row = rowByKey.get(object.key);
    if (row === undefined || row.status !== 'available') {
      const file = fileFromObject({
        key: object.key,
        head: object.head,
        ...(object.session !== undefined ? { session: object.session } : {}),
        sequencer: '',
        uploadedAt: (object.head.lastModified ?? now).toISOString(),
      })!;
      const { sequencer: _unused, ...repair } = file;
      drift.push({ kind: 'missing-row', key: object.key, ...(row !== undefined ? { row } : {}), repair });
      continue;
    }
    const actual = objectFieldsOf(object.head, object.session?.key === object.key ? object.session : undefined);
    const fields = COMPARED.flatMap((field): FieldDifference[] => {
      // An ETag is only compared when both sides have one (rows may predate it).
      if (field === 'etag' && (row.etag === undefined || actual.etag === undefined)) return [];
      return row[field] === actual[field] ? [] : [{ field, catalog: row[field], bucket: actual[field] }];
    });
    if (fields.length > 0) {
      const { sequencer: _unused, ...kept } = row;
      drift.push({ kind: 'wrong-fields', key: object.key, row, fields, repair: { ...kept, ...actual } });
    }
  }

  for (const row of rows) {
    if (row.status !== 'available' || objectKeys.has(row.key)) continue;
    const { sequencer: _unused, ...repair } = tombstoneOf(row.key, row.sequencer, now.toISOString(), now);
    drift.push({ kind: 'orphan-row', key: row.key, row, repair });
  }

  drift.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects: objects.length, rows: rows.length, ignoredKeys, drift };
}
