import { TABLE_SCHEMA } from '../../contract/table';
import { synthesizeConstruct, theOnly, type StackJson } from './plan';

describe('MediaStore catalog table', () => {
  let table: StackJson;
  beforeAll(() => {
    table = theOnly(synthesizeConstruct(), 'aws_dynamodb_table');
  });

  it('bills on demand', () => {
    expect(table.billing_mode).toBe('PAY_PER_REQUEST');
    expect(table.read_capacity).toBeUndefined();
  });

  it('keeps point-in-time recovery on', () => {
    expect(table.point_in_time_recovery).toEqual({ enabled: true });
  });

  it('encrypts at rest', () => {
    expect(table.server_side_encryption).toEqual({ enabled: true });
  });

  it('is protected from deletion by default', () => {
    expect(table.deletion_protection_enabled).toBe(true);
  });

  it('keys items by folder and file name as the contract declares', () => {
    expect(table.hash_key).toBe(TABLE_SCHEMA.partitionKey);
    expect(table.range_key).toBe(TABLE_SCHEMA.sortKey);
  });

  it('indexes files by type in upload order, a folder by date taken (GET /files?sort=taken) and by upload time (sort=uploaded), files by content (only where each is), and the sweep\'s due work', () => {
    const { typeIndex, takenIndex, uploadedIndex, contentIndex, dueIndex } = TABLE_SCHEMA;
    expect(table.global_secondary_index).toEqual([
      { name: typeIndex.name, hash_key: typeIndex.partitionKey, range_key: typeIndex.sortKey, projection_type: 'ALL' },
      // ALL: a listing is one query, with no read-back of the table per file.
      { name: takenIndex.name, hash_key: takenIndex.partitionKey, range_key: takenIndex.sortKey, projection_type: 'ALL' },
      { name: uploadedIndex.name, hash_key: uploadedIndex.partitionKey, range_key: uploadedIndex.sortKey, projection_type: 'ALL' },
      // Sparse (files with a SHA-256); where each copy is, no tags or descriptions.
      { name: contentIndex.name, hash_key: contentIndex.partitionKey, range_key: contentIndex.sortKey, projection_type: 'INCLUDE', non_key_attributes: ['id', 'folder', 'name', 'size', 'uploadedAt', 'uploadedBy', 'status'] },
      // Sparse: only rows with work due carry its keys; the time is a number (epoch seconds).
      { name: dueIndex.name, hash_key: dueIndex.partitionKey, range_key: dueIndex.sortKey, projection_type: 'ALL' },
    ]);
    expect(table.attribute).toEqual(expect.arrayContaining([{ name: dueIndex.partitionKey, type: 'S' }, { name: dueIndex.sortKey, type: 'N' }]));
    expect(table.attribute).toEqual(
      expect.arrayContaining([
        { name: typeIndex.partitionKey, type: 'S' },
        { name: typeIndex.sortKey, type: 'S' },
        { name: takenIndex.partitionKey, type: 'S' },
        { name: takenIndex.sortKey, type: 'S' },
        { name: uploadedIndex.partitionKey, type: 'S' },
        { name: uploadedIndex.sortKey, type: 'S' },
        { name: contentIndex.partitionKey, type: 'S' },
        { name: contentIndex.sortKey, type: 'S' },
      ]),
    );
  });

  it('expires upload sessions, login limiters and tombstones through ttl', () => {
    expect(table.ttl).toEqual({ attribute_name: TABLE_SCHEMA.ttlAttribute, enabled: true });
  });
});
